"""Named cloud locations (`aws:eu-west-1`): the catalogue shipped in drcheck/data/cloud_regions.csv.

Each region has the point of the metro it is in (or Azure's own published
point) and says where that fact comes from and how precise it is.  Zones have
no published position, so nothing here is finer than a region."""
from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass
from functools import cache
from importlib import resources

PROVIDERS = ("aws", "gcp", "azure")
PRECISIONS = ("metro", "area", "country")
CATALOGUE_FILE = "cloud_regions.csv"


@dataclass(frozen=True, slots=True)
class CloudRegion:
    provider: str
    region: str
    published_location: str  # the provider's own name for where the region is
    metro: str  # the place the point stands for
    country: str  # ISO 3166-1 alpha-2
    lat: float
    lon: float
    precision: str  # metro | area | country: what the provider names
    source: str  # see the header of the catalogue file

    @property
    def name(self) -> str:
        return f"{self.provider}:{self.region}"

    @property
    def coordinates(self) -> tuple[float, float]:
        return (self.lat, self.lon)

    def as_json(self) -> dict:
        return {"name": self.name, "provider": self.provider, "region": self.region,
                "published_location": self.published_location, "metro": self.metro, "country": self.country,
                "lat": self.lat, "lon": self.lon, "precision": self.precision, "source": self.source}


@cache
def catalogue() -> dict[str, CloudRegion]:
    """Every known region by name ("aws:eu-west-1"), in the file's order (by provider, then region)."""
    text = resources.files("drcheck").joinpath("data", CATALOGUE_FILE).read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    regions = (CloudRegion(**{**row, "lat": float(row["lat"]), "lon": float(row["lon"])}) for row in rows)
    return {region.name: region for region in regions}


def is_named_location(text: str) -> bool:
    """Whether a `location:` string names a cloud region rather than giving "lat, lon"."""
    return ":" in text and "," not in text


def closest_names(name: str, count: int = 3) -> list[str]:
    """The catalogue names most like an unknown one, for "did you mean" messages."""
    known = catalogue()
    provider = name.split(":", 1)[0].strip().lower()
    pool = [n for n in known if n.startswith(provider + ":")] or list(known)
    found = difflib.get_close_matches(name.strip().lower(), pool, n=count, cutoff=0.5)
    return found or difflib.get_close_matches(name.strip().lower(), pool, n=count, cutoff=0.0)


def regions_of(provider: str | None) -> list[CloudRegion]:
    """The catalogue, or one provider's part of it; ValueError for an unknown provider."""
    if provider is not None and provider not in PROVIDERS:
        raise ValueError(f"found provider {provider!r}; expected one of: {', '.join(PROVIDERS)}")
    return [r for r in catalogue().values() if provider is None or r.provider == provider]
