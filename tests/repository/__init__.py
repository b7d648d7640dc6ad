"""The repository as a whole: its documentation, a regular install, the benchmarks."""
