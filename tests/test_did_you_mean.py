"""A mistyped rule id, option, format, profile or policy key is answered with the closest known names."""
import pytest

from conftest import SAMPLES, drcheck
from drcheck.errors import did_you_mean

KAKAO = SAMPLES / "kakao-2022.yaml"


@pytest.mark.parametrize("args, message", [
    (["explain", "dr-site-to-close"], "unknown rule 'dr-site-to-close' (did you mean 'dr-site-too-close'?); "
                                      "`drcheck rules` lists the known ones"),
    (["audit", KAKAO, "--select", "no-dr,dr-untestd"], "unknown rule 'dr-untestd' (did you mean 'dr-untested' or "
                                                       "'restore-untested'?)"),
    (["diff", KAKAO, KAKAO, "--ignore", "no_dr"], "unknown rule 'no_dr' (did you mean 'no-dr'?)"),
    (["audit", KAKAO, "-f", "jsn"], "--format: found 'jsn' (did you mean 'json'?); expected one of: table, json,"),
    (["simulate", KAKAO, "-f", "tabel"], "--format: found 'tabel' (did you mean 'table'?); expected one of: table, json"),
    (["audit", KAKAO, "--fail-on", "hihg"], "--fail-on: found 'hihg' (did you mean 'high'?)"),
    (["audit", KAKAO, "--color", "nevr"], "--color: found 'nevr' (did you mean 'never'?)"),
    (["audit", KAKAO, "--profile", "nist"], "unknown profile 'nist' (did you mean 'nist-800-34'?)"),
])
def test_the_command_line_suggests_the_closest_names(args, message):
    result = drcheck(*args)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {message}"), result.stderr


def test_an_unknown_option_gets_the_closest_options():
    result = drcheck("audit", KAKAO, "--quite")
    assert result.returncode == 2
    assert "No such option: --quite (Possible options: --quiet)" in result.stderr


def test_a_policy_file_gets_suggestions_at_the_line_of_each_mistake(write):
    policy = write("rules:\n  dr-site-to-close: {min_distance_km: 50}\n  no-dr: {max_teir: 2}\n"
                   "waivers:\n  - {rule: no_dr, subject: service:x, reason: moving, expires: 2027-01-01}\n",
                   "drcheck.yaml")
    errors = drcheck("audit", KAKAO, "--policy", policy).stderr.splitlines()
    assert errors == [
        f"error: {policy}:2:3: rules: unknown rule 'dr-site-to-close' (did you mean 'dr-site-too-close'?); "
        "`drcheck rules` lists the known ones",
        f"error: {policy}:3:21: rules.no-dr: unknown parameter 'max_teir' (did you mean 'max_tier'?); "
        "expected one of: max_tier, severity, enabled",
        f"error: {policy}:5:5: waiver: unknown rule 'no_dr' (did you mean 'no-dr'?); `drcheck rules` lists the known ones",
    ]
    typo = write("profil: dora\n", "typo.yaml")
    assert "unknown policy key 'profil' (did you mean 'profile'?)" in drcheck("audit", KAKAO, "--policy", typo).stderr


def test_nothing_is_suggested_when_nothing_is_close():
    assert did_you_mean("zzz", ["no-dr", "dr-untested"]) == ""
    assert did_you_mean("", ["no-dr"]) == ""
    assert drcheck("explain", "zzz").stderr == "error: unknown rule 'zzz'; `drcheck rules` lists the known ones\n"


def test_a_waiver_for_a_subject_the_inventory_lacks_is_a_warning_with_the_closest_subjects(write):
    policy = write("waivers:\n"
                   "  - {rule: no-dr, subject: 'service:kakao-mapp', reason: moving, expires: 2027-01-01}\n"
                   "  - {rule: no-dr, subject: 'service:decommissioned', reason: gone, expires: 2027-01-01}\n"
                   "  - {rule: no-dr, subject: 'service:kakao-map', reason: moving, expires: 2027-01-01}\n",
                   "drcheck.yaml")
    result = drcheck("audit", KAKAO, "--policy", policy, "--as-of", "2026-11-01", "-q")
    assert result.returncode == 1  # it ran: a waiver that waives nothing hides nothing
    assert result.stderr.splitlines() == [
        f"warning: {policy}:2:5: waiver for no-dr on service:kakao-mapp: no such subject in the inventory (did you "
        "mean 'service:kakao-map' or 'service:kakao-t'?); it waives nothing",
        f"warning: {policy}:3:5: waiver for no-dr on service:decommissioned: no such subject in the inventory; it "
        "waives nothing"]
