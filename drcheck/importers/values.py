"""DR facts found in another system (annotations, tags, CSV cells), checked as the inventory would check them,
so that a bad value is reported where it was written rather than in the generated file."""
from __future__ import annotations

import re
from datetime import date

from ..errors import InputError, Location
from ..inventory.model import MEDIA, SERVICE_KINDS, SITE_KINDS, STRATEGIES
from ..inventory.locations import catalogue, closest_names, is_named_location
from ..inventory.schema import parse_duration

_CHOICES = {"kind": SERVICE_KINDS, "site_kind": SITE_KINDS, "dr.strategy": STRATEGIES, "media": MEDIA}


def check_value(field: str, raw, location: Location):
    """The value of an inventory field, or a located InputError saying what was expected."""
    text = str(raw).strip() if isinstance(raw, (str, int, float)) and not isinstance(raw, bool) else None
    if text is None:
        raise InputError.at(location, f"{field}: found {type(raw).__name__}; expected text")
    if field == "tier":
        if text not in ("0", "1", "2", "3"):
            raise InputError.at(location, f"tier: found {text!r}; expected 0, 1, 2 or 3 (0 = most critical)")
        return int(text)
    if field in _CHOICES:
        if text not in _CHOICES[field]:
            raise InputError.at(location, f"{field}: found {text!r}; expected one of: {', '.join(_CHOICES[field])}")
        return text
    if field in ("rto", "rpo", "frequency"):
        try:
            parse_duration(text)
        except ValueError:
            raise InputError.at(location, f"{field}: found {text!r}; expected a duration such as 30s, 15m, 4h or PT4H") from None
        return text
    if field in ("dr.last_tested", "restore_tested"):
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError
            date.fromisoformat(text)
        except ValueError:
            raise InputError.at(location, f"{field}: found {text!r}; expected a date YYYY-MM-DD") from None
        return text
    if field == "location":
        return _location(text, location)
    if field == "soft":
        return [name.strip() for name in text.split(",") if name.strip()]
    if field in ("immutable", "offline"):
        if text.lower() not in ("true", "false"):
            raise InputError.at(location, f"{field}: found {text!r}; expected true or false")
        return text.lower() == "true"
    return text


def _location(text: str, location: Location):
    """A named cloud location as written, or "lat, lon" as [lat, lon]."""
    if is_named_location(text):
        if text not in catalogue():
            raise InputError.at(location, f"location: found unknown cloud location {text!r}; expected a known region "
                                          f"such as {', '.join(closest_names(text))}")
        return text
    try:
        lat, lon = (float(part) for part in text.split(","))
    except ValueError:
        raise InputError.at(location, f"location: found {text!r}; expected \"lat, lon\" in degrees or a named cloud "
                                      "location such as aws:eu-west-1") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise InputError.at(location, f"location: found {text!r}; expected latitude -90..90 and longitude -180..180")
    return [lat, lon]
