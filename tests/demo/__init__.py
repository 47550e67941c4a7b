"""Unit tests of the demo's pure helpers (configuration, state file, dashboards, simulated history, DOM parsing)."""
