"""`drcheck init`: a commented starter inventory and policy a person can fill in.

The first line of each points the YAML language server at its JSON Schema,
written next to it, so editors complete and check fields as you type.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import InputError
from ..audit.engine import discover
from ..audit.policy import DEFAULT_POLICY_FILE, json_schema as policy_schema
from ..inventory.schema import json_schema

INVENTORY_FILE = "inventory.yaml"
SCHEMA_FILE = "drcheck-schema.json"
POLICY_SCHEMA_FILE = "drcheck-policy-schema.json"

INVENTORY = f"""\
# yaml-language-server: $schema=./{SCHEMA_FILE}
#
# A drcheck inventory: the sites your services run in, and where their data is
# copied.  The entries below are examples: replace them with your own estate.
#
#   drcheck validate {INVENTORY_FILE}    check this file (errors name file:line:column)
#   drcheck audit {INVENTORY_FILE}       audit it, with the policy in {DEFAULT_POLICY_FILE}
#   drcheck explain RULE                 why a finding matters and how to fix it
#
# Your editor completes and checks fields through {SCHEMA_FILE}
# (regenerate it with: drcheck schema > {SCHEMA_FILE}).

version: 1                  # the format version; must be 1
name: example-estate        # a label shown in reports

# Every place something runs or is kept: datacenters, colocations, cloud regions
# and zones, offices, backup vaults.  What two sites share (building, campus,
# operator, region, power feed, network carrier, hazard zone) is what one
# disaster takes down together, so fill in what you know.
sites:
  main-dc:
    kind: datacenter        # datacenter | colocation | cloud-region | cloud-zone | office | vault
    location: [50.1109, 8.6821]     # latitude, longitude in degrees (WGS-84); needed for distances
    building: main-dc-hall-1        # sites in one building share it; absent = its own building
    campus: main-dc-campus          # absent = the building is its own campus
    operator: Example DC Operator   # who runs the facility
    region: example-region-west     # a coarse region label
    power: [substation-west]        # power feeds or substations it depends on
    network: [carrier-a]            # carriers or fibre routes
    # hazards: [river-flood-zone]   # hazard zones (flood plain, fault line, ...)

  recovery-dc:
    kind: colocation
    location: [52.5200, 13.4050]
    building: recovery-dc-building
    operator: Other Colo Company
    region: example-region-east
    power: [substation-east]
    network: [carrier-b]

  backup-vault:
    kind: vault
    location: [48.1351, 11.5820]
    operator: Example Vault Service
    region: example-region-south

# Each service: how critical it is, its recovery objectives, where it runs and
# how it fails over, what it depends on, and where its data is copied.
services:
  web:
    kind: app               # app (default) | data | ops | external
    tier: 1                 # 0 = most critical .. 3 = least; default 2
    owner: web-team
    rto: 1h                 # recovery-time objective: 30s, 15m, 4h, 2d (or ISO 8601, PT4H)
    placements:
      - {{site: main-dc, role: primary}}       # primary serves in normal operation
      - {{site: recovery-dc, role: standby}}   # standby takes over on failover
    dr:
      strategy: warm-standby   # active-active | warm-standby | pilot-light | backup-restore | none
      # last_tested: YYYY-MM-DD    # the date of the last real failover test
    depends_on:
      - database            # a bare name is a hard dependency
      # - {{service: search, hard: false}}   # a soft one: web degrades but keeps working

  database:
    kind: data              # a stateful store: its backups are checked
    tier: 0
    owner: data-team
    rto: 1h
    rpo: 5m                 # recovery-point objective: how much data may be lost
    placements:
      - {{site: main-dc, role: primary}}
      - {{site: recovery-dc, role: standby}}
    dr:
      strategy: warm-standby
      # last_tested: YYYY-MM-DD
    backups:
      - site: backup-vault
        frequency: 1h       # how often a copy is taken
        media: object       # disk | tape | object | other
        immutable: true     # cannot be altered or deleted before it expires (WORM, object lock)
        offline: false      # air-gapped
        # restore_tested: YYYY-MM-DD   # the date of the last successful test restore
      - site: recovery-dc   # a second copy, on other media, off-line
        frequency: 1d
        media: tape
        offline: true
        # restore_tested: YYYY-MM-DD

  deploy:
    kind: ops               # tooling people need to fail anything over (deploy, monitoring, VPN, ...)
    tier: 1
    owner: platform-team
    placements:
      - {{site: main-dc, role: primary}}
      - {{site: recovery-dc, role: standby}}
    dr:
      strategy: pilot-light
      # last_tested: YYYY-MM-DD
    # recovery_needs: []    # services that must be up to fail this one over;
    #                       # absent = every ops service but itself
"""

POLICY = f"""\
# yaml-language-server: $schema=./{POLICY_SCHEMA_FILE}
#
# drcheck policy: which rules run, how strict the gate is, and accepted risks.
# `drcheck audit` reads this file from the working directory, or from --policy FILE;
# command-line options override it.  `drcheck rules` lists the rules.
#
# Your editor completes and checks keys through {POLICY_SCHEMA_FILE}
# (regenerate it with: drcheck schema --policy > {POLICY_SCHEMA_FILE}).

profile: default            # built-in rule pack: default, dora, kr-telecom, nist-800-34
fail_on: high               # the lowest severity that fails the gate: critical | high | medium | low | info
# min_score: 70             # also fail the gate when the score (0..100) is below this
# fail_on_unknown: true     # also fail when a rule lacks the data to judge something
# rules_dirs: [./drcheck_rules]   # directories with your own rule plugins (*.py)

# Per-rule settings: parameters (`drcheck explain RULE` lists them), a severity,
# or enabled: false.
rules:
  # dr-site-too-close:
  #   min_distance_km: 100
  # provider-concentration:
  #   enabled: false
  # backup-3-2-1:
  #   severity: high

# Accepted risks.  A waived finding stays in every report, marked waived with
# its reason, and does not fail the gate.  Every waiver needs a reason and an
# expiry date; once expired it no longer applies and the report says so.
# `drcheck audit --no-waivers` shows everything regardless.
waivers:
  # - rule: dr-site-too-close
  #   subject: service:web    # service:NAME, site:NAME, domain:KIND=VALUE or inventory
  #   reason: "Move to the second region is scheduled (CHG-1234)"
  #   expires: 2027-03-31
"""


def starter_files() -> dict[str, str]:
    return {
        INVENTORY_FILE: INVENTORY,
        DEFAULT_POLICY_FILE: POLICY,
        SCHEMA_FILE: json.dumps(json_schema(), indent=2) + "\n",
        POLICY_SCHEMA_FILE: json.dumps(policy_schema({rule_id: source.rule for rule_id, source in discover().items()}),
                                       indent=2) + "\n",
    }


def write_starter(directory: str, force: bool) -> list[Path]:
    """Write the starter files into DIRECTORY (created if missing); never overwrite unless forced."""
    target = Path(directory)
    if target.exists() and not target.is_dir():
        raise InputError(f"{directory}: exists and is not a directory")
    files = {target / name: text for name, text in starter_files().items()}
    existing = [str(path) for path in files if path.exists()]
    if existing and not force:
        raise InputError(f"refusing to overwrite {', '.join(existing)}; use --force to replace")
    try:
        target.mkdir(parents=True, exist_ok=True)
        for path, text in files.items():
            path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{directory}: cannot write the starter files: {exc.strerror or exc}") from None
    return list(files)
