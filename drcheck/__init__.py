"""drcheck: audit disaster-recovery readiness from an inventory of sites, services and backups."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("drcheck-audit")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0"
