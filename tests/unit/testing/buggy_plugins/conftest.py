"""Plugins seeded with bugs for the contract tests: loaded by the kit, never collected."""

collect_ignore = ["functions", "sources", "sinks"]
