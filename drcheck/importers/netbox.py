"""NetBox (DCIM) -> sites with coordinates, facility, region, power feeds and carriers.

Reads the REST API's JSON saved to files (paginated `results`, a list, or
single objects), or live from NETBOX_URL with NETBOX_TOKEN when no file is
given.  Objects are recognised by their `url` (/api/dcim/sites/...) or else by
the file's name (sites.json).  NetBox knows the physical estate, not the
services: the output has sites only."""
from __future__ import annotations

import json
import os
import re
import urllib.error
import urllib.parse
import urllib.request

from ..errors import InputError
from . import Imported, ImportOptions
from .common import input_files, read_json

ENDPOINTS = {  # object type -> API path
    "sites": "dcim/sites",
    "regions": "dcim/regions",
    "site-groups": "dcim/site-groups",
    "locations": "dcim/locations",
    "racks": "dcim/racks",
    "power-panels": "dcim/power-panels",
    "power-feeds": "dcim/power-feeds",
    "circuits": "circuits/circuits",
    "circuit-terminations": "circuits/circuit-terminations",
}
# what the mapping reads; the others are recognised in files and counted, and never fetched
MAPPED = ("sites", "power-panels", "power-feeds", "circuits", "circuit-terminations")
_TYPE_IN_URL = re.compile(r"/api/(?:dcim|circuits)/([a-z-]+)/")
TIMEOUT_SECONDS = 10
MAX_PAGES = 1000


def read(paths: list[str], options: ImportOptions) -> Imported:
    if paths:
        files = input_files(paths, (".json",))
        imported = Imported("netbox", files)
        objects = _from_files(files)
    else:
        url, token = os.environ.get("NETBOX_URL"), os.environ.get("NETBOX_TOKEN")
        if not url or not token:
            raise InputError("netbox: give JSON files saved from the NetBox API, or set NETBOX_URL and NETBOX_TOKEN "
                             "to read it live")
        base = _base_url(url)
        imported = Imported("netbox", [f"{base}/api/ (live)"])
        objects = _from_api(base, token)
    _map(imported, objects)
    return imported


def _from_files(files: list[str]) -> dict[str, list[dict]]:
    objects: dict[str, list[dict]] = {kind: [] for kind in ENDPOINTS}
    for file in files:
        data = read_json(file)
        items = data["results"] if isinstance(data, dict) and isinstance(data.get("results"), list) else (
            data if isinstance(data, list) else [data])
        stem = os.path.splitext(os.path.basename(file))[0].replace("_", "-")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(f"{file}: item {i}: found {type(item).__name__}; expected a NetBox object")
            match = _TYPE_IN_URL.search(str(item.get("url", "")))
            kind = match.group(1) if match else stem
            if kind not in objects:
                raise InputError(f"{file}: item {i}: cannot tell what kind of NetBox object it is (its url is "
                                 f"{str(item.get('url'))[:80]!r}); expected {', '.join(ENDPOINTS)}, by url or by "
                                 "file name (sites.json)")
            objects[kind].append(item)
    return objects


def _base_url(url: str) -> str:
    """NETBOX_URL without user:password@ (the token authenticates), query or trailing slash."""
    parsed = urllib.parse.urlsplit(url)
    host = parsed.netloc.rpartition("@")[2]
    if parsed.scheme not in ("http", "https") or not host:
        raise InputError(f"NETBOX_URL: found {url[:80]!r}; expected http(s)://host[:port]")
    return urllib.parse.urlunsplit((parsed.scheme, host, parsed.path.rstrip("/"), "", ""))


def _from_api(base: str, token: str) -> dict[str, list[dict]]:
    parsed = urllib.parse.urlsplit(base)
    objects: dict[str, list[dict]] = {kind: [] for kind in ENDPOINTS}
    for kind in MAPPED:
        path = ENDPOINTS[kind]
        url = f"{base}/api/{path}/?limit=1000"
        for _ in range(MAX_PAGES):
            page = _get(url, token)
            objects[kind] += [item for item in page.get("results") or [] if isinstance(item, dict)]
            url = page.get("next")
            if not url:
                break
            if urllib.parse.urlsplit(url).netloc != parsed.netloc:  # never send the token elsewhere
                raise InputError(f"NETBOX_URL: the API's next page is on another host ({urllib.parse.urlsplit(url).netloc})")
        else:
            raise InputError(f"NETBOX_URL: {path} has more than {MAX_PAGES} pages")
    return objects


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Token {token}", "Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            data = json.loads(response.read(64 * 1024 * 1024))
    except urllib.error.HTTPError as error:
        raise InputError(f"NETBOX_URL: GET {_shown(url)}: HTTP {error.code} {error.reason}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise InputError(f"NETBOX_URL: GET {_shown(url)}: {getattr(error, 'reason', error)}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"NETBOX_URL: GET {_shown(url)}: the answer is not JSON ({error.msg})") from None
    if not isinstance(data, dict):
        raise InputError(f"NETBOX_URL: GET {_shown(url)}: expected a JSON object with results")
    return data


def _shown(url: str) -> str:
    return urllib.parse.urlsplit(url)._replace(query="").geturl()


def _name(reference) -> str | None:
    """A nested object's name ({"id": 3, "name": "EU West", ...}), or None."""
    return reference.get("name") if isinstance(reference, dict) and isinstance(reference.get("name"), str) else None


def _map(imported: Imported, objects: dict[str, list[dict]]) -> None:
    by_id = {kind: {item.get("id"): item for item in items} for kind, items in objects.items()}
    power: dict[str, set[str]] = {}
    for feed in objects["power-feeds"]:
        panel = by_id["power-panels"].get((feed.get("power_panel") or {}).get("id"))
        site = _name((panel or {}).get("site"))
        if site is None:
            imported.gap(f"power feed {feed.get('name')!r}: its panel or the panel's site is not in the data read")
            continue
        power.setdefault(site, set()).add(f"{_name(panel)}/{feed.get('name')}")
    carriers: dict[str, set[str]] = {}
    for termination in objects["circuit-terminations"]:
        site = _name(termination.get("site")) or (
            _name(termination.get("termination")) if termination.get("termination_type") == "dcim.site" else None)
        circuit = by_id["circuits"].get((termination.get("circuit") or {}).get("id"))
        provider = _name((circuit or {}).get("provider"))
        if site is None:
            continue  # a termination at a provider network, not at one of our sites
        if provider is None:
            imported.gap(f"circuit termination {termination.get('id')}: its circuit or provider is not in the data read")
            continue
        carriers.setdefault(site, set()).add(provider)
    for site in objects["sites"]:
        name = site.get("name")
        if not isinstance(name, str) or not name:
            raise InputError(f"a NetBox site without a name (id {site.get('id')}); expected name")
        fields: dict = {}
        lat, lon = site.get("latitude"), site.get("longitude")
        if isinstance(lat, (int, float)) and isinstance(lon, (int, float)):
            fields["location"] = [float(lat), float(lon)]
        if isinstance(site.get("facility"), str) and site["facility"].strip():
            fields["operator"] = site["facility"].strip()
        if _name(site.get("region")):
            fields["region"] = _name(site["region"])
        if isinstance(site.get("description"), str) and site["description"].strip():
            fields["description"] = site["description"].strip()
        if site.get("name") in power:
            fields["power"] = sorted(power[name])
        if name in carriers:
            fields["network"] = sorted(carriers[name])
        imported.sites[name] = fields
    total = len(imported.sites)
    for field, what in (("location", "latitude and longitude"), ("operator", "facility"), ("region", "region"),
                        ("power", "power feeds"), ("network", "circuit terminations")):
        missing = sum(field not in fields for fields in imported.sites.values())
        if missing:
            imported.gap(f"{field}: {missing} of {total} sites have no {what} in NetBox")
    for kind in ENDPOINTS:
        if kind not in MAPPED and objects[kind]:
            imported.gap(f"{len(objects[kind])} {kind} object(s): read, not mapped (drcheck models sites, not the "
                         "rooms, racks or groupings inside and around them; a site's region comes with the site)")
    imported.gap("kind, building and campus: NetBox does not say them in drcheck's terms (kind stays datacenter)")
    imported.gap("services: NetBox records the physical estate only; import them from another source")
    imported.notes.append("Operator is the NetBox facility; network carriers are the providers of circuits "
                          "terminating at each site; power feeds are PANEL/FEED.")
