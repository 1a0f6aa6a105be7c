"""eKuiper portable plugins: manifest, packaging, nng protocol, hosting."""
