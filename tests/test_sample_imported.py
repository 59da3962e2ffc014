"""sample_topologies/tunely-imported: a catalogue import, a Terraform import onto it and hand-kept overrides,
audited together.  The two imported files must be exactly what `drcheck import` writes from the fixtures."""
from __future__ import annotations

from conftest import ROOT, SAMPLES, drcheck, findings_of, run_audit

SAMPLE = SAMPLES / "tunely-imported"


def test_the_imported_files_are_what_drcheck_import_writes_today(tmp_path):
    catalogue = tmp_path / "catalogue.yaml"
    aws = tmp_path / "aws.yaml"
    assert drcheck("import", "backstage", "tests/fixtures/import/backstage/catalog-info.yaml", "-o", catalogue,
                   cwd=ROOT).returncode == 0
    result = drcheck("import", "terraform", "tests/fixtures/import/tunely/terraform.json",
                     "--onto", "sample_topologies/tunely-imported/catalogue.yaml", "-o", aws, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert catalogue.read_bytes() == (SAMPLE / "catalogue.yaml").read_bytes()
    assert aws.read_bytes() == (SAMPLE / "aws.yaml").read_bytes()


def one(report, rule, subject):
    matches = [f for f in findings_of(report, rule) if f.subject == subject]
    assert len(matches) == 1, f"{rule} on {subject}: {[f.message for f in matches]}"
    return matches[0]


def test_the_merged_estate_audits_as_its_header_says():
    report = run_audit(SAMPLE)
    assert report.inventory_name == "tunely" and report.unplaced_count == 0
    # the catalogue's dependency meets Terraform's single-region bucket
    depends = one(report, "dr-depends-on-single-site", "service:player-api")
    assert depends.status == "fail" and "audio-files" in depends.evidence["chain"]
    assert one(report, "no-dr", "service:auth").evidence == {"tier": 0, "sites": ["aws-eu-west-1a"]}
    tooling = one(report, "recovery-tooling-colocated", "service:tracks-db")
    assert tooling.evidence["tooling_down"] == ["auth"] and tooling.evidence["standby"] == ["aws-eu-central-1a"]
    users = one(report, "backup-colocated", "service:users-db")
    assert users.status == "fail" and users.evidence["backups"][0]["site"] == "aws-eu-west-1"
    # zones of one region: no distance is known, so unknown rather than a pass or a 0 km failure
    tracks = one(report, "backup-colocated", "service:tracks-db")
    assert tracks.status == "unknown"
    assert tracks.evidence["same_cloud_region"] == [{"site": "aws-eu-west-1", "primary": "aws-eu-west-1a",
                                                     "region": "aws:eu-west-1"}]
    assert {f.status for f in findings_of(report, "dr-site-too-close")} == {"unknown"}
    assert one(report, "dr-untested", "service:tracks-db").evidence["age_days"] == 397
    # hand-kept facts reached the imported services; the imported placements stayed
    inventory_tracks = next(s for s in report.services if s.name == "tracks-db")
    assert inventory_tracks.strategy == "warm-standby"
    assert inventory_tracks.sites == ["aws-eu-west-1a", "aws-eu-central-1a", "aws-eu-west-1"]
