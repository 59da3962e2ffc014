"""Failures: what fails with what (failure domains, the simulation of failures, the dependency graph)."""
