"""Shared fixtures live in modules listed here (STYLE.md habit 19)."""

pytest_plugins = ["pytester", "tests.fixtures"]
