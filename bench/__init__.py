"""Benchmarks, run by `make bench` (never by `make test`). Each prints rows of one table."""
