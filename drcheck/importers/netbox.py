"""NetBox (DCIM) -> sites with coordinates, facility, region, power feeds and carriers.

Reads the REST API's JSON saved to files (paginated `results`, a list, or
single objects), `manage.py dumpdata` fixtures (`{"model": "dcim.site",
"pk": 1, "fields": {...}}`), or live from NETBOX_URL with NETBOX_TOKEN when
no file is given.  A REST object is recognised by its `url`
(/api/dcim/sites/...), else by the fields only its kind has, else by the
file's name (sites.json).  NetBox knows the physical estate, not the
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
    "providers": "circuits/providers",
}
# what the mapping reads; the others are recognised in files and counted, and never fetched
MAPPED = ("sites", "regions", "power-panels", "power-feeds", "circuits", "circuit-terminations", "providers")
# dumpdata's model labels
MODELS = {"dcim.site": "sites", "dcim.region": "regions", "dcim.sitegroup": "site-groups",
          "dcim.location": "locations", "dcim.rack": "racks", "dcim.powerpanel": "power-panels",
          "dcim.powerfeed": "power-feeds", "circuits.circuit": "circuits",
          "circuits.circuittermination": "circuit-terminations", "circuits.provider": "providers"}
# a field that only one kind of REST object has (NetBox 3 and 4), for records saved without their url
SIGNATURES = (("power_panel", "power-feeds"), ("term_side", "circuit-terminations"), ("cid", "circuits"),
              ("u_height", "racks"), ("powerfeed_count", "power-panels"), ("rack_count", "locations"),
              ("circuit_count", "providers"), ("facility", "sites"), ("time_zone", "sites"),
              ("physical_address", "sites"))
_TYPE_IN_URL = re.compile(r"/api/(?:dcim|circuits)/([a-z-]+)/")
_API_OBJECT = re.compile(r"/api/([a-z-]+/[a-z-]+)/\d+/?$")  # any object of the API: /api/dcim/devices/7/
TIMEOUT_SECONDS = 10
MAX_PAGES = 1000


def read(paths: list[str], options: ImportOptions) -> Imported:
    if paths:
        files = input_files(paths, (".json",))
        imported = Imported("netbox", files)
        objects = _from_files(files, imported)
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


def _from_files(files: list[str], imported: Imported) -> dict[str, list[dict]]:
    objects: dict[str, list[dict]] = {kind: [] for kind in ENDPOINTS}
    others: dict[str, int] = {}  # records of kinds drcheck does not read, by dumpdata model or API path
    for file in files:
        data = read_json(file)
        items = data["results"] if isinstance(data, dict) and isinstance(data.get("results"), list) else (
            data if isinstance(data, list) else [data])
        stem = os.path.splitext(os.path.basename(file))[0].replace("_", "-")
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise InputError(f"{file}: item {i}: found {type(item).__name__}; expected a NetBox object")
            if isinstance(item.get("model"), str) and isinstance(item.get("fields"), dict):  # a dumpdata record
                kind = MODELS.get(item["model"])
                if kind is None:
                    others[item["model"]] = others.get(item["model"], 0) + 1
                else:
                    objects[kind].append({**item["fields"], "id": item.get("pk")})
                continue
            kind = _kind(item, stem)
            other = _API_OBJECT.search(item["url"]) if kind is None and isinstance(item.get("url"), str) else None
            if other is not None:  # a device, an interface ...: NetBox's, but nothing drcheck models
                others[other.group(1)] = others.get(other.group(1), 0) + 1
                continue
            if kind is None:
                raise InputError(f"{file}: item {i}: cannot tell what kind of NetBox object it is ({_said(item)}); "
                                 f"expected {', '.join(ENDPOINTS)}, told by its url, by a field of its kind "
                                 "(facility, power_panel, cid ...), by a dumpdata model or by the file's name "
                                 "(sites.json)")
            objects[kind].append(item)
    if others:
        named = ", ".join(f"{count} {kind}" for kind, count in sorted(others.items())[:8])
        imported.gap(f"{sum(others.values())} record(s) of kinds drcheck does not read ({named}"
                     f"{', ...' if len(others) > 8 else ''})")
    return objects


def _kind(item: dict, stem: str) -> str | None:
    match = _TYPE_IN_URL.search(item["url"]) if isinstance(item.get("url"), str) else None
    if match and match.group(1) in ENDPOINTS:
        return match.group(1)
    for key, kind in SIGNATURES:
        if key in item:
            return kind
    return stem if stem in ENDPOINTS else None


def _said(item: dict) -> str:
    """What a record that could not be told apart does hold, for the message (never a Python None)."""
    if isinstance(item.get("url"), str):
        return f"its url {item['url'][:80]!r} is not an object of the API drcheck reads"
    keys = sorted(str(k) for k in item)[:6]
    return f"no url; its fields are {', '.join(keys)}" if keys else "an empty object"


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


def _id(reference):
    """The id a reference holds: a nested REST object's id, or a dumpdata record's primary key."""
    if isinstance(reference, dict):
        reference = reference.get("id")
    return reference if isinstance(reference, int) and not isinstance(reference, bool) else None


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _number(value) -> float | None:
    """A REST number, or dumpdata's decimal written as text ("37.4005")."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    try:
        return float(value) if isinstance(value, str) else None
    except ValueError:
        return None


class _Objects:
    def __init__(self, objects: dict[str, list[dict]]):
        self.objects = objects
        self.by_id = {kind: {_id(item.get("id")): item for item in items} for kind, items in objects.items()}

    def get(self, kind: str, reference) -> dict | None:
        return self.by_id[kind].get(_id(reference))

    def name(self, kind: str, reference) -> str | None:
        """A referenced object's name: nested in a REST object, else that of the object read with its id."""
        if isinstance(reference, dict) and _text(reference.get("name")):
            return _text(reference["name"])
        found = self.get(kind, reference)
        return _text(found.get("name")) if found else None


def _label(item: dict) -> str:
    return repr(_text(item.get("name")) or _text(item.get("display")) or f"id {_shown_id(item)}")


def _shown_id(item: dict) -> str:
    return str(_id(item.get("id"))) if _id(item.get("id")) is not None else "unknown"


def _termination_site(termination: dict, found: _Objects) -> str | None:
    """The site a circuit terminates at: `site` (NetBox before 4.2), a termination of type dcim.site (4.2 and
    later; dumpdata writes it as ["dcim", "site"]), or the cached `_site` of a dumpdata record."""
    kind = termination.get("termination_type")
    if isinstance(kind, list):
        kind = ".".join(str(part) for part in kind)
    if kind == "dcim.site":
        return found.name("sites", termination.get("termination") or termination.get("termination_id"))
    return found.name("sites", termination.get("site") or termination.get("_site"))


def _map(imported: Imported, objects: dict[str, list[dict]]) -> None:
    found = _Objects(objects)
    # a site's power feeds are what is upstream of each of its panels: the utility feeds NetBox records into the
    # panel (feeds that reach no rack), else the panel itself; a feed to a rack is downstream of its panel
    utility: dict[object, set[str]] = {}
    for feed in objects["power-feeds"]:
        panel = found.get("power-panels", feed.get("power_panel"))
        if panel is None:
            imported.gap(f"power feed {_label(feed)}: its panel is not in the data read")
        elif not feed.get("rack") and _text(feed.get("name")):
            utility.setdefault(_id(panel.get("id")), set()).add(_text(feed["name"]))
    power: dict[str, set[str]] = {}
    for panel in objects["power-panels"]:
        site, name = found.name("sites", panel.get("site")), _text(panel.get("name"))
        if site is None or name is None:
            imported.gap(f"power panel {_label(panel)}: its site or name is not in the data read")
            continue
        feeds = utility.get(_id(panel.get("id")))
        power.setdefault(site, set()).update({f"{name}/{feed}" for feed in feeds} if feeds else {f"{site}/{name}"})
    carriers: dict[str, set[str]] = {}
    for termination in objects["circuit-terminations"]:
        site = _termination_site(termination, found)
        if site is None:
            continue  # a termination at a provider network, not at one of our sites
        circuit = found.get("circuits", termination.get("circuit"))
        provider = found.name("providers", circuit.get("provider")) if circuit else None
        if provider is None:
            imported.gap(f"circuit termination id {_shown_id(termination)}: its circuit or provider is not in "
                         "the data read")
            continue
        carriers.setdefault(site, set()).add(provider)
    for site in objects["sites"]:
        name = _text(site.get("name"))
        if name is None:
            raise InputError(f"a NetBox site without a name (id {_shown_id(site)}); expected name")
        fields: dict = {}
        lat, lon = _number(site.get("latitude")), _number(site.get("longitude"))
        if lat is not None and lon is not None:
            fields["location"] = [lat, lon]
        region = found.name("regions", site.get("region"))
        if region:
            fields["region"] = region
        if _text(site.get("description")):
            fields["description"] = _text(site["description"])
        if name in power:
            fields["power"] = sorted(power[name])
        if name in carriers:
            fields["network"] = sorted(carriers[name])
        if _text(site.get("facility")):  # the facility's own code or name (BUT, 065): not who runs it
            fields["x-netbox"] = {"facility": _text(site["facility"])}
        imported.sites[name] = fields
    total = len(imported.sites)
    for field, what in (("location", "latitude and longitude"), ("region", "region"),
                        ("power", "power panels"), ("network", "circuit terminations")):
        missing = sum(field not in fields for fields in imported.sites.values())
        if missing:
            imported.gap(f"{field}: {missing} of {total} sites have no {what} in NetBox")
    for kind in ENDPOINTS:
        if kind not in MAPPED and objects[kind]:
            imported.gap(f"{len(objects[kind])} {kind} object(s): read, not mapped (drcheck models sites, not the "
                         "rooms, racks or groupings inside and around them; a site's region comes with the site)")
    imported.gap("operator: NetBox does not record who runs a facility (its facility field is the facility's own "
                 "code or name, kept under x-netbox)")
    imported.gap("kind, building and campus: NetBox does not say them in drcheck's terms (kind stays datacenter)")
    imported.gap("services: NetBox records the physical estate only; import them from another source")
    imported.notes.append("Network carriers are the providers of circuits terminating at each site.  Power feeds are "
                          "what is upstream of each power panel: PANEL/FEED for a feed NetBox records into the panel "
                          "(one that reaches no rack), else SITE/PANEL; feeds from a panel to racks are downstream "
                          "of it, so they add no redundancy.")
