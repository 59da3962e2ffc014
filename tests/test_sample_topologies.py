"""The sample topologies, audited as the incidents they reconstruct say they must be.

Each sample's header says what it models and which findings it was built to
produce.  These tests hold drcheck to the part of that story that matters —
which service fails, why, how far away, what a lost domain takes down and
whether data survives — by asserting the evidence, not by snapshotting every
finding.
"""
from __future__ import annotations

import json

import pytest

from conftest import AS_OF, SAMPLES, drcheck, findings_of, run_audit
from drcheck.api import SEVERITIES
from drcheck.audit.run import load_inventory
from drcheck.failures.domains import Domain, DomainIndex
from drcheck.reporters import render
from drcheck.audit.report import EVERY
from drcheck.commands.scenarios import scenarios_for
from drcheck.failures.causes import Cause

SAMPLE_PATHS = sorted(SAMPLES.glob("*.yaml"))
PANGYO_BUILDING = Domain("building", "skcc-pangyo-bldg-a")


def sample(name: str):
    return SAMPLES / f"{name}.yaml"


def inventory_of(name: str):
    return load_inventory([str(sample(name))])


def one(report, rule: str, subject: str):
    """The single finding of `rule` on `subject`; fails listing what was found otherwise."""
    matches = [f for f in findings_of(report, rule) if f.subject == subject]
    assert len(matches) == 1, f"{rule} on {subject}: expected one finding, found {[f.message for f in matches]}"
    return matches[0]


def failing(report, rule: str) -> set[str]:
    return {f.subject for f in findings_of(report, rule) if f.status == "fail"}


def simulate(inventory, *lost: str):
    """The one scenario of losing the named domains (KIND=VALUE), as `drcheck simulate --fail` computes it."""
    (scenario,) = scenarios_for(inventory, list(lost), 1, 0, why=EVERY)
    return scenario


def json_text(report) -> str:
    rendered = render("audit", "json", report)  # the whole text, or its pieces
    return rendered if isinstance(rendered, str) else "".join(rendered)


def at_or_above(report, severity: str):
    return [f for f in report.failures if SEVERITIES.index(f.severity) <= SEVERITIES.index(severity)]


@pytest.fixture(scope="module")
def kakao():
    return run_audit(sample("kakao-2022"))


@pytest.fixture(scope="module")
def naver():
    return run_audit(sample("naver-2022"))


@pytest.fixture(scope="module")
def startup():
    return run_audit(sample("startup-single-dc"))


@pytest.fixture(scope="module")
def cloud():
    return run_audit(sample("multi-region-cloud"))


@pytest.fixture(scope="module")
def ovh():
    return run_audit(sample("ovh-sbg-2021"))


@pytest.fixture(scope="module")
def fintech():
    return run_audit(sample("fintech-seoul"))


# --- every sample ------------------------------------------------------------------------------------------------

def test_every_sample_has_expectations_here():
    assert [p.stem for p in SAMPLE_PATHS] == ["fintech-seoul", "kakao-2022", "multi-region-cloud", "naver-2022",
                                              "ovh-sbg-2021", "startup-single-dc"]


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_sample_validates(path):
    result = drcheck("validate", path)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")
    assert load_inventory([str(path)]).name == path.stem


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_audit_is_deterministic(path):
    first = json_text(run_audit(path))
    assert json.loads(first)["inventory"]["name"] == path.stem
    assert first == json_text(run_audit(path))


@pytest.mark.parametrize("path", SAMPLE_PATHS, ids=lambda p: p.stem)
def test_every_finding_points_at_its_subject(path):
    inventory = load_inventory([str(path)])
    line_count = len(path.read_text(encoding="utf-8").splitlines())
    service_lines = sorted(s.location.line for s in inventory.services.values())
    domains = DomainIndex(inventory)
    report = run_audit(path)
    for f in report.findings:
        where = f"{f.rule} on {f.subject} at {f.location}"
        assert f.location is not None, where
        assert f.location.file == str(path), where
        assert 1 <= f.location.line <= line_count and f.location.column >= 1, where
        kind, _, name = f.subject.partition(":")
        if kind == "service":
            # within the service's own block: from its key to the next service's key
            start = inventory.services[name].location.line
            end = next((line for line in service_lines if line > start), line_count + 1)
            assert start <= f.location.line < end, where
        elif kind == "domain":
            lost = Domain(*name.split("=", 1))
            assert f.location.line in {inventory.sites[s].location.line for s in domains.sites_of[lost]}, where


# --- Kakao, SK C&C Pangyo fire, 15 Oct 2022 --------------------------------------------------------------------------

def test_kakao_login_media_and_ops_tools_have_no_dr(kakao):
    # no-dr is critical for tier 0 and high for tier 1: the permission and switchover tools are tier 0 here
    expected = {"kakao-auth": "critical", "media-transfer": "critical", "ops-switchover": "critical",
                "ops-permission": "critical", "ops-deploy": "high", "ops-monitoring": "high"}
    for name, severity in expected.items():
        finding = one(kakao, "no-dr", f"service:{name}")
        assert finding.severity == severity, name
        assert finding.evidence["sites"] == ["skcc-pangyo"], name
    assert one(kakao, "no-dr", "service:kakao-auth").evidence["tier"] == 0


def test_kakaotalk_dr_site_is_13_km_from_pangyo(kakao):
    finding = one(kakao, "dr-site-too-close", "service:kakaotalk")
    assert (finding.evidence["primary"], finding.evidence["other"]) == ("skcc-pangyo", "kakao-anyang")
    assert finding.evidence["distance_km"] == pytest.approx(13.0, abs=0.5)
    assert finding.evidence["min_distance_km"] == 40.0
    assert "kakao-anyang is 13.0 km from primary skcc-pangyo" in finding.message


def test_kakaotalk_standby_is_useless_without_login_in_pangyo(kakao):
    finding = one(kakao, "dr-depends-on-single-site", "service:kakaotalk")
    assert finding.severity == "critical"
    assert finding.evidence["chain"] == ["kakaotalk", "kakao-auth"]
    assert finding.evidence["domain"] == str(PANGYO_BUILDING)
    assert finding.evidence["surviving"] == [{"site": "kakao-anyang", "role": "standby"}]
    # KakaoBank's notifications run outside Pangyo yet fell with KakaoTalk
    bank = one(kakao, "dr-depends-on-single-site", "service:kakaobank-notifications")
    assert bank.evidence["chain"] == ["kakaobank-notifications", "kakaotalk", "kakao-auth"]
    for name in ("kakaopay", "kakao-t"):
        assert one(kakao, "dr-depends-on-single-site", f"service:{name}").evidence["chain"] == [name, "kakao-auth"]
    # melon needs login only softly: it must not be flagged
    assert "service:melon" not in failing(kakao, "dr-depends-on-single-site")


def test_kakao_switchover_tooling_burned_with_the_services_it_fails_over(kakao):
    flagged = failing(kakao, "recovery-tooling-colocated")
    # kakaobank-notifications is not among them: its primary is in Gasan, so no Pangyo loss needs its failover
    assert flagged == {f"service:{n}" for n in ("kakaotalk", "kakaotalk-store", "daum-mail", "kakaopay", "kakao-t")}
    for subject in flagged:
        finding = one(kakao, "recovery-tooling-colocated", subject)
        assert finding.severity == "critical", subject
        assert finding.evidence["domain"] == str(PANGYO_BUILDING), subject
        assert "ops-switchover" in finding.evidence["tooling_down"], subject
        assert finding.evidence["tooling_sites"] == ["skcc-pangyo"], subject


def test_kakao_concentrates_most_weight_in_pangyo(kakao):
    assert failing(kakao, "single-site-concentration") == {"site:skcc-pangyo"}
    finding = one(kakao, "single-site-concentration", "site:skcc-pangyo")
    assert finding.evidence["share"] > 0.5
    assert {"kakao-auth", "ops-switchover", "ops-permission"} <= set(finding.evidence["services"])


def test_kakao_worst_loss_is_the_pangyo_building_and_no_data_is_lost(kakao):
    worst = kakao.scenarios[0]  # ties with region kr-capital at 100%; the smaller domain ranks first
    assert worst.lost == [PANGYO_BUILDING]
    assert worst.sites == ["skcc-pangyo"]
    assert Domain("power", "skcc-pangyo-ups-b3") in worst.same_as  # the shared UPS plant is the same loss
    assert worst.impact == 1.0
    assert len(worst.down) == kakao.service_count
    assert worst.data_lost == []  # "all backed up": every data service has a copy outside Pangyo
    assert worst.why["kakaotalk"] == Cause("dependency", chain=("kakaotalk", "kakao-auth"))
    assert worst.why["kakaotalk-store"].kind == "recovery"
    assert "ops-switchover" in worst.why["kakaotalk-store"].missing
    assert one(kakao, "blast-radius", f"domain:{PANGYO_BUILDING}").evidence["impact"] == 1.0
    # the whole capital region is as bad and, destroying nothing, loses no data either: the same scenario
    assert Domain("region", "kr-capital") in worst.same_as
    assert worst.loss == "destroyed"
    # an area disaster around any of the three sites destroys all three, and that loses data: another scenario
    area = next(s for s in kakao.scenarios if s.lost == [Domain("area", "kakao-anyang")])
    assert area.same_as == [Domain("area", "kakao-gasan"), Domain("area", "skcc-pangyo")]
    assert area.loss == "destroyed" and area.sites == area.destroyed == ["kakao-anyang", "kakao-gasan", "skcc-pangyo"]
    assert area.impact == 1.0 and area.data_lost == ["kakaotalk-store", "daum-mail"]


def test_kakao_fails_the_gate_with_grade_f(kakao):
    assert not kakao.passed
    assert kakao.gate
    assert kakao.score.grade == "F"


def test_kakao_through_the_cli_as_json():
    result = drcheck("audit", sample("kakao-2022"), "--as-of", AS_OF.isoformat(), "--format", "json")
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert (report["passed"], report["grade"]) == (False, "F")
    by_key = {(f["rule"], f["subject"]): f for f in report["findings"]}
    assert by_key[("no-dr", "service:kakao-auth")]["severity"] == "critical"
    assert by_key[("dr-site-too-close", "service:kakaotalk")]["evidence"]["distance_km"] == pytest.approx(13.0, abs=0.5)
    chain = by_key[("dr-depends-on-single-site", "service:kakaotalk")]["evidence"]["chain"]
    assert chain == ["kakaotalk", "kakao-auth"]
    assert all(f["location"]["line"] >= 1 for f in report["findings"])
    worst = report["scenarios"][0]
    assert worst["lost"] == [{"domain": "building", "value": "skcc-pangyo-bldg-a"}]
    assert (worst["impact"], worst["data_lost"]) == (1.0, [])


# --- Naver in the same fire: the negative control --------------------------------------------------------------------

def test_naver_passes_clean(naver):
    assert at_or_above(naver, "high") == []
    # built to produce no findings at all (see its header)
    assert [(f.rule, f.subject, f.message) for f in naver.findings] == []
    assert naver.score.value == 100.0
    assert naver.passed


def test_naver_fails_over_what_ran_in_pangyo():
    inventory = inventory_of("naver-2022")
    in_pangyo = [name for name, s in inventory.services.items() if any(p.site == "skcc-pangyo" for p in s.primaries)]
    assert in_pangyo == ["news-comments", "papago-tts"]
    loss = simulate(inventory, str(PANGYO_BUILDING))
    assert loss.sites == ["skcc-pangyo"]
    assert (loss.down, loss.data_lost, loss.impact) == ([], [], 0.0)


# --- a start-up in one colocation cage -------------------------------------------------------------------------------

def test_startup_has_no_dr_and_no_safe_backup(startup):
    inventory = inventory_of("startup-single-dc")
    critical_placed = {f"service:{n}" for n, s in inventory.services.items() if s.tier <= 1 and s.placements}
    assert failing(startup, "no-dr") == critical_placed
    assert failing(startup, "no-backup") == {"service:redis-sessions", "service:uploads-store"}
    for subject in failing(startup, "no-backup"):
        assert one(startup, "no-backup", subject).evidence["sites"] == ["colo-cage-12"]
    colocated = one(startup, "backup-colocated", "service:postgres")
    assert colocated.severity == "critical"
    assert colocated.evidence["backups"] == [{"site": "colo-cage-12", "primary": "colo-cage-12", "domain": "site",
                                              "value": "colo-cage-12", "distance_km": 0.0}]
    assert "colo-cage-12" in colocated.message


def test_startup_concentrates_everything_in_one_cage(startup):
    finding = one(startup, "single-site-concentration", "site:colo-cage-12")
    # everything but the external payment provider (tier 1, weight 4 of 44)
    assert finding.evidence["share"] == pytest.approx(40 / 44, abs=1e-3)


def test_startup_payment_provider_is_unknown_not_judged(startup):
    about = [f for f in startup.findings if f.subject == "service:payment-provider"]
    assert [f.status for f in about] == ["unknown"] * len(about)
    rto = one(startup, "rto-infeasible", "service:payment-provider")
    assert rto.status == "unknown"
    assert "no known placements" in rto.message


def test_startup_payment_provider_is_unknown_to_no_dr(startup):
    assert one(startup, "no-dr", "service:payment-provider").status == "unknown"


def test_startup_loses_its_data_whichever_domain_goes():
    inventory = inventory_of("startup-single-dc")
    domains = list(DomainIndex(inventory).sites_of)
    # site, building, campus, operator, region, power, network, the area around the site, and the payment
    # provider's own outage
    assert len(domains) == 9
    for domain in domains:
        loss = simulate(inventory, str(domain))
        if domain.kind == "service":
            assert loss.down == ["payment-provider"] and loss.data_lost == [], domain  # checkout depends softly
            continue
        # a fire loses the data; an operator, region, power or carrier outage only stops the services
        destroyed = domain.kind in ("site", "building", "campus", "area")
        assert loss.loss == ("destroyed" if destroyed else "unavailable"), domain
        expected = ["postgres", "redis-sessions", "uploads-store"] if destroyed else []
        assert sorted(loss.data_lost) == expected, domain
        assert "payment-provider" not in loss.down, domain


# --- an estate on one cloud, two regions and a backup region ---------------------------------------------------------

def test_cloud_tier0_services_rest_on_one_provider(cloud):
    inventory = inventory_of("multi-region-cloud")
    tier0 = {f"service:{n}" for n, s in inventory.services.items() if s.tier == 0}
    assert failing(cloud, "provider-concentration") == tier0
    for subject in tier0:
        finding = one(cloud, "provider-concentration", subject)
        assert finding.severity == "medium", subject
        assert finding.evidence["operator"] == "AWS", subject


def test_cloud_survives_any_single_zone():
    inventory = inventory_of("multi-region-cloud")
    zones = [name for name, site in inventory.sites.items() if site.kind == "cloud-zone"]
    assert len(zones) == 5
    for zone in zones:
        loss = simulate(inventory, f"site={zone}")
        # the tier-3 warehouse, in one zone by design, is the only thing a zone may take down
        assert set(loss.down) <= {"analytics-warehouse"}, zone
        assert loss.data_lost == [], zone
    assert simulate(inventory, "site=euw1-az-c").down == ["analytics-warehouse"]


def test_cloud_backups_in_the_third_region_keep_the_data():
    inventory = inventory_of("multi-region-cloud")
    dublin = simulate(inventory, "region=eu-west-1")
    assert dublin.sites == ["euw1-az-a", "euw1-az-b", "euw1-az-c"]
    assert dublin.down == ["analytics-warehouse"]
    assert dublin.data_lost == []  # the warehouse's only placement is gone, its backup in eu-north-1 is not
    both = simulate(inventory, "region=eu-west-1", "region=eu-central-1")
    data = [n for n, s in inventory.services.items() if s.kind == "data"]
    assert set(data) <= set(both.down)
    assert both.data_lost == []


def test_cloud_notifications_drill_is_stale(cloud):
    assert failing(cloud, "dr-untested") == {"service:notifications"}
    finding = one(cloud, "dr-untested", "service:notifications")
    assert (finding.evidence["last_tested"], finding.evidence["age_days"]) == ("2025-05-20", 530)
    assert "530 days" in finding.message


# --- OVHcloud Strasbourg fire, 10 Mar 2021 ---------------------------------------------------------------------------

def test_ovh_backups_burned_on_the_same_campus(ovh):
    bati = one(ovh, "backup-colocated", "service:vps-bati")
    assert bati.severity == "critical"
    (backup,) = bati.evidence["backups"]
    assert (backup["site"], backup["primary"], backup["domain"], backup["value"]) == \
        ("ovh-sbg1", "ovh-sbg2", "campus", "ovh-strasbourg")
    assert backup["distance_km"] == pytest.approx(0.1, abs=0.1)
    rust = one(ovh, "backup-colocated", "service:rust-game-servers")
    (backup,) = rust.evidence["backups"]
    assert (backup["site"], backup["primary"], backup["domain"]) == ("ovh-sbg2", "ovh-sbg2", "site")


def test_ovh_erp_dr_is_on_the_same_campus(ovh):
    campus = one(ovh, "dr-shares-campus", "service:erp-sbg-pair")
    assert (campus.evidence["primary"], campus.evidence["campus"], campus.evidence["others"]) == \
        ("ovh-sbg1", "ovh-strasbourg", ["ovh-sbg3"])
    close = one(ovh, "dr-site-too-close", "service:erp-sbg-pair")
    assert close.evidence["other"] == "ovh-sbg3"
    assert close.evidence["distance_km"] < 1.0


def test_ovh_customer_with_dr_at_roubaix_passes(ovh):
    assert [(f.rule, f.message) for f in ovh.findings if f.subject == "service:webshop-rbx-dr"] == []


def test_ovh_campus_loss_takes_the_data_of_every_strasbourg_only_customer():
    inventory = inventory_of("ovh-sbg-2021")
    loss = simulate(inventory, "campus=ovh-strasbourg")
    assert loss.sites == ["ovh-sbg1", "ovh-sbg2", "ovh-sbg3", "ovh-sbg4"]
    assert sorted(loss.data_lost) == ["erp-sbg-pair", "rust-game-servers", "vps-bati"]
    assert "webshop-rbx-dr" not in loss.down


# --- a Korean fintech: two Seoul data centres on one flood plain, AWS Seoul, backups in Sejong ----------------------

def test_fintech_two_data_centres_5_km_apart_are_one_area_with_the_cloud(fintech):
    area = one(fintech, "blast-radius", "domain:area=aws-apne2")
    evidence = area.evidence
    # every site within 40 km of Seoul's point: both data centres, the three zones, the offices; not Sejong
    assert {"area=gasan-idc", "area=mokdong-idc", "area=aws-apne2-az1"} <= set(evidence["equivalent_domains"])
    assert {"gasan-idc", "mokdong-idc", "aws-apne2-az1", "aws-apne2-az2", "aws-apne2-az3"} <= set(evidence["sites_lost"])
    assert "sejong-objectstore" not in evidence["sites_lost"]
    # the ledger's backups in Sejong survive; the accounts database's, in its own AWS region, do not
    assert evidence["data_lost"] == ["accounts-db"] and evidence["impact"] > 0.8
    assert "the area around site gasan-idc" in area.message
    close = one(fintech, "dr-site-too-close", "service:ledger-db").evidence
    assert close["distance_km"] == pytest.approx(5.3, abs=0.05)


def test_fintech_the_flood_plain_and_the_region_label_are_one_scenario(fintech):
    hazard = one(fintech, "blast-radius", "domain:hazard=anyangcheon-floodplain").evidence
    assert hazard["equivalent_domains"] == ["region=seoul-metro"]
    assert not failing(fintech, "blast-radius") & {"domain:region=seoul-metro", "domain:region=aws-apne2"}
    assert one(fintech, "blast-radius", "domain:operator=AWS").evidence["equivalent_domains"] == ["region=aws-apne2"]


def test_fintech_synchronous_ledger_meets_rpo_0_and_asynchronous_would_not(fintech, tmp_path):
    assert "service:ledger-db" not in failing(fintech, "rpo-infeasible")
    text = sample("fintech-seoul").read_text(encoding="utf-8")
    asynchronous = text.replace("replication: synchronous", "replication: asynchronous")
    (tmp_path / "fintech.yaml").write_text(asynchronous, encoding="utf-8")
    report = run_audit(tmp_path / "fintech.yaml")
    evidence = one(report, "rpo-infeasible", "service:ledger-db").evidence
    assert (evidence["replication"], evidence["achievable"], evidence["rpo"]) == ("asynchronous", "1m", "0s")


def test_fintech_one_payment_path_hangs_on_one_gateway(fintech):
    assert failing(fintech, "single-external-dependency") == {"service:direct-debit-api"}
    assert one(fintech, "single-external-dependency", "service:direct-debit-api").evidence["providers"] == ["pg-toss"]
    # card-auth-api and checkout-api take either gateway: one gateway's outage stops only the direct-debit path
    pg_toss = simulate(inventory_of("fintech-seoul"), "service=pg-toss")
    assert pg_toss.down == ["pg-toss", "direct-debit-api"]
    both = simulate(inventory_of("fintech-seoul"), "service=pg-toss", "service=pg-inicis")
    assert {"card-auth-api", "checkout-api", "mobile-bff"} <= set(both.down)
    assert both.why["card-auth-api"].any_of == (("pg-toss", "pg-inicis"),)


def test_fintech_pairs_are_ranked_by_what_they_add():
    pairs = scenarios_for(inventory_of("fintech-seoul"), [], 2, 10)
    assert [p.excess for p in pairs] == sorted((p.excess for p in pairs), reverse=True)
    # two carriers of Gasan, each redundant alone, take it together: everything it held is what the pair adds
    assert [str(d) for d in pairs[0].lost] == ["network=carrier-a", "network=carrier-b"]
    assert pairs[0].excess == pytest.approx(pairs[0].impact)

