"""drcheck: audit disaster-recovery readiness from an inventory of sites, services and backups."""

# Written here and read by the build (pyproject.toml): asking importlib.metadata took 40 ms of every run.
__version__ = "0.1.0"
