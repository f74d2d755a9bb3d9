"""The editor's scenario text: validating YAML exactly as ``python -m engine validate`` does,
writing a form's data back as the file it will save, and the problems sorted by field.

Validation never has its own rules: text goes through the engine's safe loader
(``engine.loading``: size, UTF-8, aliases, tags, duplicate keys, depth) and schema
(``engine.scenario.parse_scenario``), so the editor shows the same lines ``engine validate``
prints for the same file, and a file the editor saves is one ``engine validate`` accepts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from engine.loading import Limits, LoadError, decode_utf8, parse_yaml
from engine.scenario import Scenario, ScenarioError, parse_scenario

#: The name problems are reported under when the text has no file name yet.
DRAFT_NAME = "draft.yaml"
#: ``name: line 4: phases[0].rate_per_minute: must be ...`` -> the field and the message.
_PROBLEM = re.compile(r"^(?:line \d+(?:, column \d+)?: )?"
                      r"(?P<field>[A-Za-z_][A-Za-z0-9_.\[\]]*(?: \(as a key\))?): (?P<text>.*)$")


@dataclass(frozen=True)
class Check:
    """The outcome of validating one text: the scenario, or the engine's problem lines."""

    text: str
    scenario: Scenario | None
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.scenario is not None

    def by_field(self) -> dict[str, list[str]]:
        """Problems keyed by field path (``phases[2].rate_per_minute``); ``""`` holds those
        about the whole file (not valid YAML, an anchor, a missing top-level mapping)."""
        return problems_by_field(self.problems)


def problems_by_field(problems: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in problems:
        _, _, rest = line.partition(": ")
        match = _PROBLEM.match(rest)
        key = match.group("field") if match else ""
        out.setdefault(key, []).append(match.group("text") if match else rest)
    return out


def field_problems(by_field: dict[str, list[str]], prefix: str) -> list[str]:
    """The messages about ``prefix`` and everything inside it (``phases[1]`` gets
    ``phases[1].name`` and ``phases[1].personas.troll``), each with its field."""
    found: list[str] = []
    for key, messages in by_field.items():
        if key == prefix or key.startswith((prefix + ".", prefix + "[")):
            inner = key[len(prefix):].lstrip(".")
            found.extend(f"{inner}: {m}" if inner else m for m in messages)
    return found


def scenario_from_bytes(data: bytes, name: str = DRAFT_NAME) -> Scenario:
    """A scenario from a file's bytes (an upload), read exactly as ``load_scenario`` reads a
    file: the same size limit, UTF-8 rule, safe parse and schema, and the same messages."""
    limits = Limits()
    try:
        if len(data) > limits.max_bytes:
            raise LoadError([f"{name}: the file is larger than {limits.max_bytes:,} bytes "
                             f"({limits.max_bytes // 1024:,} KB), the limit for this kind of "
                             "file"])
        document = parse_yaml(decode_utf8(data, name), name, limits)
    except LoadError as exc:
        raise ScenarioError(exc.problems) from None
    return parse_scenario(document.data, name, document)


def scenario_from_text(text: str, name: str = DRAFT_NAME) -> Scenario:
    """A scenario from text typed or generated in the editor (saved as UTF-8)."""
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        raise ScenarioError([f"{name}: not valid text (lone surrogates)"]) from None
    return scenario_from_bytes(data, name)


def check_text(text: str, name: str = DRAFT_NAME) -> Check:
    try:
        return Check(text, scenario_from_text(text, name))
    except ScenarioError as exc:
        return Check(text, None, list(exc.problems))


def data_of(text: str, name: str = DRAFT_NAME) -> dict[str, Any] | None:
    """The plain data of a text the safe loader accepts (None when it is not a mapping or not
    YAML at all): what the form edits."""
    try:
        data = parse_yaml(text, name).data
    except LoadError:
        return None
    return data if isinstance(data, dict) else None


class _Dumper(yaml.SafeDumper):
    """Plain YAML the safe loader reads back: never an anchor or alias (the loader refuses
    them), keys in the order given, text as written."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    # Long or multi-line text as a block (readable, and diffs line by line).
    style = "|" if "\n" in value and not value.endswith((" ", "\t")) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def to_yaml(data: dict[str, Any]) -> str:
    """The file the editor saves for ``data`` (plain data: mappings, lists, text, numbers)."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100,
                     default_flow_style=False)
