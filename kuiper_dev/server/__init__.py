"""The eKuiper-compatible REST API (to come); thin over the Workspace."""
