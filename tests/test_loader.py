"""The located YAML reader: plain containers, strings as written, positions, and refusals."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from drcheck.audit.run import load_inventory
from drcheck.errors import InputError, Location
from drcheck.inventory.loader import (
    MAX_DEPTH, Mapping, Sequence, collect_sources, load_documents, parse, position, read_source,
)


def root_of(text: str):
    return parse("t.yaml", text).root


def refusal(text: str) -> str:
    with pytest.raises(InputError) as refused:
        parse("t.yaml", text)
    return str(refused.value)


def test_yaml_1_1_words_and_numbers_stay_as_written():
    root = root_of("a: NO\nb: off\nc: yes\nd: 0123\ne: 1e3\nf: 0x1F\ng: 1_000\nh: .inf\ni: 2022-06-01\nj: 12:30\n"
                   "k: true\nl: 1.50\n")
    assert root == {"a": "NO", "b": "off", "c": "yes", "d": "0123", "e": "1e3", "f": "0x1F", "g": "1_000",
                    "h": ".inf", "i": "2022-06-01", "j": "12:30", "k": "true", "l": "1.50"}
    assert all(type(value) is str for value in root.values())


def test_yaml_1_1_words_as_names_and_owners_reach_the_model(write):
    path = write("""\
        version: 1
        name: NO
        sites:
          off: {}
          yes: {}
        services:
          1e3:
            owner: 0123
            placements: [{site: off}, {site: yes, role: standby}]
            depends_on: [NO]
          NO:
            owner: on
            placements: [{site: yes}]
        """)
    inventory = load_inventory([str(path)])
    assert inventory.name == "NO"
    assert list(inventory.sites) == ["off", "yes"]
    assert inventory.services["1e3"].owner == "0123"
    assert inventory.services["1e3"].sites == ["off", "yes"]
    assert inventory.services["1e3"].depends_on[0].service == "NO"
    assert inventory.services["NO"].owner == "on"


@pytest.mark.parametrize("source", ["~", "null", "Null", "NULL", "", "!!null ''", "!!null null"])
def test_plain_and_tagged_nulls_are_none(source):
    assert root_of(f"a: {source}\nb: 1\n") == {"a": None, "b": "1"}


@pytest.mark.parametrize("source, value", [('"null"', "null"), ("'~'", "~"), ('""', ""), ("!!str null", "null"),
                                           ("nulls", "nulls")])
def test_quoted_or_tagged_nulls_are_text(source, value):
    assert root_of(f"a: {source}\n") == {"a": value}


def test_containers_remember_their_positions():
    root = root_of("version: 1\nsites:\n  pangyo:\n    location: [37.4, 127.1]\n")
    assert isinstance(root, Mapping) and isinstance(root["sites"]["pangyo"]["location"], Sequence)
    assert position("t.yaml", root.where) == Location("t.yaml", 1, 1)
    assert position("t.yaml", root.key_at("sites")) == Location("t.yaml", 2, 1)
    sites = root["sites"]
    assert position("t.yaml", sites.key_at("pangyo")) == Location("t.yaml", 3, 3)
    assert position("t.yaml", sites.value_at("pangyo")) == Location("t.yaml", 4, 5)
    location = sites["pangyo"]["location"]
    assert location == ["37.4", "127.1"]
    assert [position("t.yaml", mark) for mark in location.item_at] == [Location("t.yaml", 4, 16),
                                                                       Location("t.yaml", 4, 22)]


@pytest.mark.parametrize("text, where, key", [
    ("a: 1\nb: 2\na: 3\n", "t.yaml:3:1", "'a' (first defined at t.yaml:1:1)"),
    ("s:\n  x: 1\n  y: 2\n  x: {}\n", "t.yaml:4:3", "'x' (first defined at t.yaml:2:3)"),
    ("s: {x: 1, x: 2}\n", "t.yaml:1:11", "'x' (first defined at t.yaml:1:5)"),
    ("s:\n  a: 1\ns:\n  b: 2\n", "t.yaml:3:1", "'s' (first defined at t.yaml:1:1)"),
])
def test_duplicate_keys_never_overwrite(text, where, key):
    assert refusal(text) == f"{where}: duplicate key {key}; a key may appear only once in a mapping"


def test_anchors_alone_are_harmless_but_aliases_are_refused():
    assert root_of("a: &x 1\n") == {"a": "1"}
    assert refusal("a: &x 1\nb: *x\n").startswith("t.yaml:2:4: found alias *x; aliases are not supported")
    assert refusal("base: &b {x: 1}\ns:\n  <<: *b\n").startswith("t.yaml:3:7: found alias *b")


@pytest.mark.parametrize("source", ["!!str 0123", "!!int 0123", "! 0123"])
def test_core_tags_are_allowed_and_change_nothing(source):
    assert root_of(f"a: {source}\n") == {"a": "0123"}


@pytest.mark.parametrize("source, shown", [
    ("!!python/name:os.system ''", "!!python/name:os.system"),
    ("!!python/object/apply:os.system [echo hi]", "!!python/object/apply:os.system"),
    ("!!binary aGk=", "!!binary"),
    ("!!set {a: null}", "!!set"),
    ("!include other.yaml", "!include"),
    ("!<tag:example.com,2000:x> 1", "tag:example.com,2000:x"),
])
def test_other_tags_are_refused(source, shown):
    assert refusal(f"a: {source}\n") == (f"t.yaml:1:4: found YAML tag {shown!r}; "
                                         "expected plain values (tags are not allowed in an inventory)")


@pytest.mark.parametrize("text, where", [("? [a, b]\n: 1\n", "t.yaml:1:3"), ("{a: 1}: 2\n", "t.yaml:1:1")])
def test_keys_must_be_plain_names(text, where):
    assert refusal(text) == f"{where}: found a mapping key that is not a plain string; expected a name"


@pytest.mark.parametrize("text, where", [("~: 1\n", "t.yaml:1:1"), ("a: 1\nnull: 2\n", "t.yaml:2:1"),
                                         ("? \n: 1\n", "t.yaml:1:2")])
def test_null_keys_are_refused(text, where):
    assert refusal(text).startswith(f"{where}: found a null mapping key (empty, ~ or null); expected a name")


def test_quoted_null_names_are_names():
    assert root_of('"null": 1\n"~": 2\n') == {"null": "1", "~": "2"}


def test_second_document_is_refused():
    assert refusal("a: 1\n---\nb: 2\n").startswith("t.yaml:2:1: found a second YAML document ('---')")


@pytest.mark.parametrize("text", ["", "\n\n", "   \n"])
def test_empty_text_is_refused(text):
    assert refusal(text) == "t.yaml:1:1: the file is empty; expected an inventory starting with 'version: 1'"


def test_comment_only_file_has_no_root():
    assert root_of("# only a comment\n") is None


@pytest.mark.parametrize("text, where, character", [
    ('a: 1\nb: "x\x1b[31m"\n', "t.yaml:2:6", "U+001B"),
    ('a: ééé\nb: "ü\x9b"\n', "t.yaml:2:6", "U+009B"),  # columns count characters, not UTF-8 bytes
    ("a: 1\n\x07\n", "t.yaml:2:1", "U+0007"),
])
def test_raw_control_characters_are_located(text, where, character):
    assert refusal(text).startswith(f"{where}: invalid YAML: found control character {character}; "
                                    "expected printable text")


def test_syntax_errors_are_located():
    assert refusal("a: [1, 2\nb: 3\n").startswith("t.yaml:2:2: invalid YAML:")
    assert refusal("a: 'open\n").startswith("t.yaml:2:1: invalid YAML: while scanning a quoted scalar")


def test_nesting_beyond_the_limit_is_refused():
    assert refusal("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n").startswith(
        f"t.yaml:1:{3 + MAX_DEPTH}: found nesting deeper than {MAX_DEPTH} levels")


# ---- bytes, files, stdin ------------------------------------------------------------------

def test_utf8_bom_and_utf16_are_read(tmp_path):
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(b"\xef\xbb\xbfname: caf\xc3\xa9\n")
    utf16 = tmp_path / "utf16.yaml"
    utf16.write_bytes("name: café\n".encode("utf-16"))
    assert read_source(str(bom)) == (str(bom), "name: café\n")
    assert read_source(str(utf16)) == (str(utf16), "name: café\n")


@pytest.mark.parametrize("data, where, message", [
    (b"a: 1\nb: \x00\n", "2:4", "found a NUL byte: this is a binary file, expected YAML text"),
    (b"a: 1\nname: caf\xe9\n", "2:10", "found byte 0xe9 that is not UTF-8; expected UTF-8 text"),
    (b"\xff\xfea\x00:\x00 \x00\x00\xd8\n\x00", "1:1", "found invalid UTF-16; expected UTF-8 or UTF-16 text"),
])
def test_undecodable_bytes_are_located(tmp_path, data, where, message):
    path = tmp_path / "bad.yaml"
    path.write_bytes(data)
    with pytest.raises(InputError) as refused:
        read_source(str(path))
    assert str(refused.value) == f"{path}:{where}: {message}"


def test_stdin_is_named_stdin():
    [document] = load_documents(["-"], stdin=io.BytesIO(b"version: 1\nname: piped\n"))
    assert document.file == "<stdin>"
    assert document.root == {"version": "1", "name": "piped"}


def test_directories_expand_to_sorted_yaml_files(tmp_path):
    for name in ("b.yaml", "a.yml", "sub/c.yaml", "notes.txt", "sub/d.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("version: 1\n")
    # each with whether a directory held it (and so may hold the policy too) or it was named
    assert collect_sources([str(tmp_path), "-"]) == [
        (str(tmp_path / "a.yml"), True), (str(tmp_path / "b.yaml"), True), (str(tmp_path / "sub" / "c.yaml"), True),
        ("-", False)]


def test_missing_paths_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"nope\.yaml: no such file or directory$"):
        collect_sources([str(tmp_path / "nope.yaml")])


def test_a_directory_merges_into_one_inventory(tmp_path):
    (tmp_path / "estate" / "services").mkdir(parents=True)
    sites = tmp_path / "estate" / "sites.yaml"
    services = tmp_path / "estate" / "services" / "chat.yaml"
    sites.write_text("version: 1\nname: acme\nsites:\n  pangyo: {location: [37.4, 127.1]}\n  gasan: {}\n")
    services.write_text("version: 1\nservices:\n  chat:\n    placements: [{site: pangyo}, {site: gasan, role: standby}]\n"
                        "    depends_on: [auth]\n  auth:\n    placements: [{site: gasan}]\n")
    inventory = load_inventory([str(tmp_path / "estate")])
    assert inventory.name == "acme"
    assert inventory.files == [str(services), str(sites)]
    assert list(inventory.sites) == ["pangyo", "gasan"]
    assert inventory.sites["gasan"].location == Location(str(sites), 5, 3)
    chat = inventory.services["chat"]
    assert chat.sites == ["pangyo", "gasan"]
    assert chat.location == Location(str(services), 3, 3)
    assert chat.depends_on[0].location == Location(str(services), 5, 18)


def test_directory_files_must_agree_on_the_name(tmp_path):
    (tmp_path / "a.yaml").write_text("version: 1\nname: acme\n")
    (tmp_path / "b.yaml").write_text("version: 1\nname: other\n")
    with pytest.raises(InputError) as refused:
        load_inventory([str(tmp_path)])
    assert str(refused.value) == (f"{tmp_path / 'b.yaml'}:2:7: name: found 'other', but {tmp_path / 'a.yaml'}:2:7 "
                                  "names the inventory 'acme'; expected one name")


POLICY_KEYS = ["profile", "fail_on", "min_score", "fail_on_unknown", "rules_dirs", "rules", "waivers"]
INVENTORY_KEYS = ["version", "name", "sites", "services", "overrides", "description"]


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(POLICY_KEYS + INVENTORY_KEYS),
                       st.one_of(st.none(), st.just("1"), st.builds(dict), st.builds(list), st.just("high")), max_size=5),
       st.booleans())
def test_a_folder_leaves_out_what_holds_only_policy_keys_and_never_crashes(keys, named):
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "inventory.yaml").write_text("version: 1\nsites: {s: {}}\nservices: {a: {placements: [{site: s}]}}\n",
                                                     encoding="utf-8")
        other = Path(folder) / "other.yaml"
        other.write_text(yaml.safe_dump(keys) if keys else "x-note: empty\n", encoding="utf-8")
        skipped: list[str] = []
        try:
            inventory = load_inventory([str(other), str(Path(folder) / "inventory.yaml")] if named else [folder],
                                       skipped=skipped)
        except InputError as error:
            assert all(p.message for p in error.problems), error
            policy_only = bool(keys) and all(k in POLICY_KEYS for k in keys)
            assert not policy_only or named, error  # a folder never refuses a policy: it leaves it out
            return
        assert (skipped == [str(other)]) == (bool(keys) and all(k in POLICY_KEYS for k in keys))
        assert "a" in inventory.services
