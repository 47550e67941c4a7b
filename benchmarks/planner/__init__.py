"""The year-long solar-charge planner benchmark (``python -m benchmarks.planner``; see docs/planner_benchmark.md)."""
