"""A short fuzz run in the suite (the long one: `python tests/fuzz.py`, see docs/development.md)."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from fuzz import cases, check, check_command
from strategies import as_yaml, inventories, mutated

pytestmark = pytest.mark.slow


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cases())
def test_no_inventory_breaks_any_command_or_format(text):
    check(text)


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(inventories().map(as_yaml), mutated())
def test_the_installed_command_exits_0_1_or_2_and_locates_errors(tmp_path_factory, valid, broken):
    folder = str(tmp_path_factory.mktemp("fuzz"))
    check_command(valid, folder)
    check_command(broken, folder)
