"""What drcheck says: no message shows an empty list, on any generated inventory."""
from __future__ import annotations

import re

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings

from conftest import AS_OF
from drcheck.audit.run import AuditOptions, audit
from drcheck.errors import InputError
from drcheck.inventory.loader import parse
from drcheck.audit.policy import default_policy
from drcheck.inventory.schema import build_inventory
from strategies import inventories

EMPTY_LIST = re.compile(r"\(\s*\)|\[\s*\]|\(\s*,|,\s*\)")


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_no_message_shows_an_empty_list(inventory):
    try:
        model = build_inventory([parse("generated.yaml", yaml.safe_dump(inventory, sort_keys=False))])
    except InputError:
        assume(False)  # the validator refused it: nothing to say about messages
    report = audit(model, AuditOptions(policy=default_policy(), as_of=AS_OF))
    for finding in report.findings:
        # a name may itself hold brackets: look at the message with the names taken out
        message = finding.message
        for name in sorted([*model.services, *model.sites], key=len, reverse=True):
            message = message.replace(name, "NAME")
        assert not EMPTY_LIST.search(message), (finding.rule, finding.subject, finding.message)
