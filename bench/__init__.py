"""``make bench``: whole-process throughput and memory of kuiper_dev rules, with peers.

Not part of the package and never imported by it: a harness that runs each job in
its own process over one seeded data file and writes ``bench/results.json``.
"""
