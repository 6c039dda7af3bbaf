"""Parsing script documents: formats, line numbers, limits, hostile input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dialer.scripts import ScriptError, load_script, script_format
from dialer.scripts.cli import import_script_main
from dialer.scripts.loader import MAX_BYTES

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
YAML = "application/yaml"

GOOD = """\
id: tiny
start: ask
steps:
  ask:
    text: "Hello {{ contact.first_name }}"
    choices:
      - {label: Yes, next: bye}
      - {label: No, result: refused}
  bye:
    text: Bye
    result: contacted
"""


def messages(data: str | bytes, content_type: str = YAML) -> list[str]:
    with pytest.raises(ScriptError) as info:
        load_script(data, content_type)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name", ["gotv.yaml", "recruit.yaml"])
def test_examples_are_valid(name: str) -> None:
    loaded = load_script((EXAMPLES / name).read_bytes(), YAML)
    assert loaded.warnings == ()
    assert any("contact.first_name" in s.text for s in loaded.script.steps.values())


def test_yaml_and_json_give_the_same_script() -> None:
    from_yaml = load_script(GOOD, YAML).script
    from_json = load_script(json.dumps(dict(from_yaml.document)).encode(), "application/json; charset=utf-8")
    assert from_json.script == from_yaml


def test_yes_and_no_stay_text_in_yaml() -> None:
    script = load_script(GOOD, YAML).script
    assert [c.label for c in script.step("ask").choices] == ["Yes", "No"]


def test_utf8_bom_is_accepted() -> None:
    assert load_script("\ufeff".encode() + GOOD.encode(), "text/yaml").script.id == "tiny"


@pytest.mark.parametrize("ctype", ["text/csv", "", "application/xml"])
def test_unsupported_content_types(ctype: str) -> None:
    assert script_format(ctype) is None
    assert "unsupported content type" in messages(GOOD, ctype)[0]


def test_yaml_errors_give_the_line_number() -> None:
    bad = GOOD.replace("    text: Bye", "    text: Bye: oops")
    assert "line 10" in messages(bad)[0]


def test_json_errors_give_the_line_number() -> None:
    assert "line 3, column" in messages('{\n"id": "x",\n oops}', "application/json")[0]


def test_duplicate_keys_are_reported_not_silently_merged() -> None:
    bad = GOOD + "  ask:\n    text: again\n    result: moved\n"
    assert "duplicate key 'ask'" in messages(bad)[0]
    assert "duplicate key 'id'" in messages('{"id": "a", "id": "b"}', "application/json")[0]


def test_validation_problems_come_with_paths() -> None:
    bad = GOOD.replace("next: bye", "next: by").replace("result: refused", "result: nope")
    found = messages(bad)
    assert any(m.startswith("steps.ask.choices[0].next: unknown step 'by'") for m in found)
    assert any(m.startswith("steps.ask.choices[1].result: unknown result code") for m in found)


def test_size_limit() -> None:
    big = GOOD + "#" + "x" * MAX_BYTES
    assert "too large" in messages(big)[0]


@pytest.mark.parametrize(
    ("data", "ctype"),
    [
        ("[" * 200_000, YAML),
        ("- " * 200_000 + "x", YAML),
        ("{a: " * 50_000 + "x" + "}" * 50_000, YAML),
        ("[" * 200_000 + "]" * 200_000, "application/json"),
        ('{"a":' * 5_000 + "1" + "}" * 5_000, "application/json"),
    ],
)
def test_deep_nesting_is_rejected_cleanly(data: str, ctype: str) -> None:
    message = messages(data, ctype)[0]
    assert "nested too deeply" in message or "nesting depth" in message  # ours, or libyaml's own limit


def test_billion_laughs_is_rejected() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    assert "too many values" in messages("\n".join(lines))[0]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00",
        "!!python/object/apply:os.system ['true']",
        "x: 1" + "0" * 5000,
        "--- a\n--- b\n",
        "? [a, b]\n: c\n",
        "",
        "NaN",
        "x: 2026-11-03",
    ],
)
def test_hostile_or_odd_input_raises_only_script_error(data: str | bytes) -> None:
    for ctype in (YAML, "application/json"):
        assert messages(data, ctype)


def test_lone_surrogates_are_rejected() -> None:
    assert "not valid Unicode" in messages('{"id": "a\\ud800"}', "application/json")[0]


def test_numeric_labels_are_text() -> None:
    doc = GOOD.replace("{label: Yes, next: bye}", "{label: 5, next: bye}")
    choice = load_script(doc, YAML).script.step("ask").choices[0]
    assert (choice.label, choice.value) == ("5", "5")


def test_nan_is_not_json() -> None:
    assert "NaN" in messages('{"id": NaN}', "application/json")[0]


def test_import_script_main_prints_problems_one_per_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("next: bye", "next: by").replace("result: refused", "result: nope"))
    assert import_script_main(bad) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("steps.ask.choices[0].next: unknown step 'by'")
    assert err[1].startswith("steps.ask.choices[1].result: unknown result code 'nope'")


def test_import_script_main_saves_a_valid_script(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    saved = []
    path = tmp_path / "good.json"
    path.write_text(json.dumps(dict(load_script(GOOD, YAML).script.document)))
    assert import_script_main(path, save=lambda loaded: saved.append(loaded.script.id) or 4) == 0
    assert saved == ["tiny"]
    assert "tiny version 4" in capsys.readouterr().out


def test_import_script_main_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert import_script_main(tmp_path / "nope.yaml") == 1
    assert "nope.yaml" in capsys.readouterr().err
