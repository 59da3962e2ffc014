"""Hypothesis strategies for inventories: valid ones shaped like real estates, and mutated ones.

`inventories()` draws a valid inventory as plain data (dump it with `as_yaml`): sites with and without a
location, building, campus, redundant power feeds and carriers, hazard zones; services of every kind,
tier and strategy, primaries and standbys on distinct sites, standby-only DR, external services without
placements, hard and soft dependencies (cycles included), recovery needs, backups.  `mutated()` draws
one of those with something broken: a wrong type at any field, a huge or odd number, odd unicode,
deep nesting, a key removed or added, or the text itself cut or spliced.  The fuzz run
(`tests/fuzz.py`) and property tests (the score's, the loader's) import them.
"""
from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

KINDS = ("datacenter", "colocation", "cloud-region", "cloud-zone", "office", "vault")
SERVICE_KINDS = ("app", "data", "ops", "external")
DURATIONS = ("0", "30s", "5m", "15m", "1h", "4h", "1d", "1w", "PT4H", "P1DT2H", "PT0.5S", "1.5h")
DATES = ("2020-02-29", "2024-06-01", "2026-10-31", "2026-11-01", "2030-01-01")

# names: mostly plain, sometimes any unicode a YAML file can hold (reports must show them safely)
_plain_names = st.from_regex(r"[a-z][a-z0-9-]{0,7}", fullmatch=True)
_unicode_names = st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=8)
names = st.one_of(_plain_names, _plain_names, _plain_names, _unicode_names)
_pool = st.sampled_from


def _location():
    lat = st.floats(-90, 90, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 4))
    lon = st.floats(-180, 180, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 4))
    return st.one_of(
        st.tuples(lat, lon).map(list),
        st.tuples(lat, lon).map(lambda p: {"lat": p[0], "lon": p[1]}),
        st.tuples(lat, lon).map(lambda p: f"{p[0]}, {p[1]}"),
        st.sampled_from(["aws:eu-west-1", "aws:us-east-1", "gcp:asia-northeast3", "azure:koreacentral"]),
        # many sites at one point: distances must not cost the square of their number
        st.just([37.5, 127.0]),
    )


@st.composite
def _site(draw, buildings: list[str]) -> dict:
    site: dict[str, Any] = {}
    if draw(st.booleans()):
        site["kind"] = draw(_pool(KINDS))
    if draw(st.integers(0, 3)):
        site["location"] = draw(_location())
    if draw(st.booleans()):
        building = draw(_pool(buildings))
        site["building"] = building
        if draw(st.booleans()):  # one campus per building, or none said
            site["campus"] = f"campus-{buildings.index(building) % 2}"
    for key, pool in (("operator", ["op-a", "op-b", "op-c"]), ("region", ["r1", "r2"])):
        if draw(st.booleans()):
            site[key] = draw(_pool(pool))
    for key, pool in (("power", ["feed-a", "feed-b", "feed-c"]), ("network", ["carrier-x", "carrier-y"]),
                      ("hazards", ["flood-1", "fault-2"])):
        if draw(st.integers(0, 2)):  # one feed, or redundant feeds
            site[key] = draw(st.lists(_pool(pool), min_size=1, max_size=2, unique=True))
    if draw(st.integers(0, 5)) == 0:
        site.update(draw(_metadata()))
    return site


def _metadata():
    return st.fixed_dictionaries({}, optional={
        "description": st.text(max_size=20),
        "tags": st.lists(_plain_names, max_size=3),
        "links": st.dictionaries(_plain_names, _plain_names.map(lambda n: f"https://example.com/{n}"), max_size=2),
        "x-extra": st.one_of(st.text(max_size=5), st.lists(st.integers(0, 9), max_size=3)),
    })


@st.composite
def _service(draw, name: str, sites: list[str], services: list[str], ops: list[str]) -> dict:
    kind = draw(_pool(SERVICE_KINDS))
    service: dict[str, Any] = {}
    if kind != "app" or draw(st.booleans()):
        service["kind"] = kind
    if draw(st.booleans()):
        service["tier"] = draw(st.integers(0, 3))
    placed = draw(st.lists(_pool(sites), unique=True, max_size=min(4, len(sites)))) if sites else []
    if not placed and kind != "external" and sites and draw(st.integers(0, 4)):
        placed = [draw(_pool(sites))]  # most services run somewhere; a few are not placed yet
    placements = []
    primaries = 0
    for i, site in enumerate(placed):
        primary = i == 0 or draw(st.booleans())  # the first is a primary: the rest primaries or standbys
        primaries += primary
        placements.append({"site": site} if primary and draw(st.booleans()) else
                          {"site": site, "role": "primary" if primary else "standby"})
    if placements:
        service["placements"] = placements
    if draw(st.booleans()):
        strategies = ["warm-standby", "pilot-light", "backup-restore", "none"] + (["active-active"] if primaries >= 2 else [])
        dr: dict[str, Any] = {"strategy": draw(_pool(strategies))}
        if draw(st.booleans()):
            dr["last_tested"] = draw(_pool(DATES))
        if draw(st.booleans()):
            dr["automatic"] = draw(st.booleans())
        service["dr"] = dr
    for key in ("rto", "rpo"):
        if draw(st.booleans()):
            service[key] = draw(_pool(DURATIONS))
    others = [s for s in services if s != name] + [name]  # a dependency on itself now and then
    if others and draw(st.booleans()):
        service["depends_on"] = [d if draw(st.booleans()) else {"service": d, "hard": draw(st.booleans())}
                                 for d in draw(st.lists(_pool(others), unique=True, max_size=3))]
        if len(others) >= 2 and draw(st.booleans()):  # two payment gateways: one of them will do
            service["depends_on"].append({"any_of": draw(st.lists(_pool(others), unique=True, min_size=2, max_size=3)),
                                          "hard": draw(st.booleans())})
    if ops and draw(st.integers(0, 3)) == 0:
        service["recovery_needs"] = draw(st.lists(_pool(ops), unique=True, max_size=2))
    if sites and (kind == "data" or draw(st.integers(0, 3)) == 0):
        backups = []
        for site in draw(st.lists(_pool(sites), max_size=3)):
            backup: dict[str, Any] = {"site": site}
            for key, value in (("frequency", _pool(DURATIONS[1:])), ("media", _pool(("disk", "tape", "object", "other"))),
                               ("immutable", st.booleans()), ("offline", st.booleans()), ("restore_tested", _pool(DATES))):
                if draw(st.booleans()):
                    backup[key] = draw(value)
            backups.append(backup)
        service["backups"] = backups
    if draw(st.integers(0, 5)) == 0:
        service.update(draw(_metadata()))
    if draw(st.booleans()):
        service["owner"] = draw(_plain_names)
    return service


@st.composite
def inventories(draw, max_sites: int = 8, max_services: int = 10) -> dict:
    """A valid inventory as plain data (what `yaml.safe_load` of the file gives)."""
    site_names = draw(st.lists(names, unique=True, max_size=max_sites))
    service_names = draw(st.lists(names, unique=True, min_size=1, max_size=max_services))
    buildings = ["b1", "b2", "b3"]
    sites = {name: draw(_site(buildings)) for name in site_names}
    kinds = {}
    services: dict[str, dict] = {}
    ops = [n for n in service_names if draw(st.integers(0, 3)) == 0]
    for name in service_names:
        services[name] = draw(_service(name, site_names, service_names, ops))
        kinds[name] = services[name].get("kind", "app")
    for name in ops:  # recovery needs name ops services
        services[name]["kind"] = "ops"
    document: dict[str, Any] = {"version": 1}
    if draw(st.booleans()):
        document["name"] = draw(names)
    document["sites"] = sites
    document["services"] = services
    return document


# ---- mutations ---------------------------------------------------------------------------------------

def _nested(depth: int) -> Any:
    value: Any = "x"
    for i in range(depth):
        value = [value] if i % 2 else {"k": value}
    return value


hostile_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.just(int("9" * 400)),
    st.sampled_from(["1e999", "-1e999", ".inf", ".nan", "nan", "inf", "1_0", "٥", "５m", " 5 ", "0x1F", "0o17",
                     "P" + "9" * 400 + "D", "1" + "0" * 400 + "s", "PT", "P1Y", "2022-02-30", "yes", "no", "~",
                     "null", "", "-1", "91, 0", "1, 2, 3", "javascript:alert(1)", "x-", "\u202e", "\x1b[2J"]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=3),
    st.integers(1, 120).map(_nested),
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value inside a document (keys and list indexes)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += _paths(item, prefix + (i,))
    return found


def _replace(document: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(document, dict):
        return {k: (_replace(v, rest, new) if k == head else v) for k, v in document.items()}
    return [(_replace(v, rest, new) if i == head else v) for i, v in enumerate(document)]


def _delete(document: Any, path: tuple) -> Any:
    head, rest = path[0], path[1:]
    if not rest:
        if isinstance(document, dict):
            return {k: v for k, v in document.items() if k != head}
        return [v for i, v in enumerate(document) if i != head]
    if isinstance(document, dict):
        return {k: (_delete(v, rest) if k == head else v) for k, v in document.items()}
    return [(_delete(v, rest) if i == head else v) for i, v in enumerate(document)]


@st.composite
def mutated(draw, max_sites: int = 6, max_services: int = 8) -> str:
    """YAML text of an inventory with one to three things broken."""
    document: Any = draw(inventories(max_sites, max_services))
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(document)
        path = draw(_pool(paths))
        how = draw(st.integers(0, 9))
        if how <= 5:
            document = _replace(document, path, draw(hostile_values))
        elif how == 6 and path:
            document = _delete(document, path)
        elif how == 7 and isinstance(document, dict):
            target = draw(_pool([p for p in paths if _get(document, p).__class__ is dict]))
            document = _replace(document, target, {**_get(document, target), draw(st.text(max_size=8)): draw(hostile_values)})
        else:
            document = _replace(document, path, draw(st.integers(1, 120).map(_nested)))
    text = as_yaml(document)
    if draw(st.integers(0, 9)) == 0:  # the text itself: cut short, or something spliced in
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["", "\t", ":", "- ", "{", "&a x", "*a", "!!python/object:os.system x",
                                                  "\n---\n", "\x00", "\ufeff", "a: b\na: c\n"])) + text[cut:]
    return text


def _get(document: Any, path: tuple) -> Any:
    for key in path:
        document = document[key]
    return document


def as_yaml(document: Any) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=10_000)
