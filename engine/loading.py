"""Safe loading of YAML data files written outside the code (scenarios): limits before and
during the parse, and errors that name the file, the line and the field.

``yaml.safe_load`` expands aliases (a 1 KB alias bomb took 60 s and 5.7 GB), recurses as deep as
the file nests, keeps the last of two equal keys and reads whatever path it is given, a device
included. Here a file is checked before it is opened (a regular file, at most ``max_bytes``),
read with a bound, decoded as strict UTF-8, and built from the parser's events by a loop of
our own: anchors, aliases, custom tags, complex keys, duplicate keys and a second document are
errors; nesting depth, node count and parse time are bounded. The result remembers the line
of every value, so schema errors can say where a field is.
"""

from __future__ import annotations

import datetime as dt
import os
import stat
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode
from yaml.resolver import Resolver

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Limits:
    """Bounds for one YAML data file (the defaults are the scenario file's)."""

    #: Shipped scenarios are 5-13 KB; 1 MB leaves room for 80x that and reads in ~0.1 s.
    max_bytes: int = 1024 * 1024
    #: A scenario nests 4 levels (injects[0].author.handle); 16 is ample and keeps the value
    #: builder and pydantic far from any recursion limit.
    max_depth: int = 16
    #: Values (scalars, lists, mappings) in one file: shipped scenarios have 300-500.
    max_nodes: int = 50_000
    #: Wall-clock bound on the parse (a 1 MB file parses in well under a second here).
    max_seconds: float = 3.0


class LoadError(ValueError):
    """A data file that cannot be loaded; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Document:
    """Parsed YAML data and the 1-based line of every value in it (by path)."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """The line of ``path``, or of its nearest enclosing value (None at the top)."""
        parts = tuple(path)
        while parts:
            line = self.lines.get(parts)
            if line is not None:
                return line
            parts = parts[:-1]
        return None


# ------------------------------------------------------------------------------ reading files

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISFIFO, "a named pipe"),
          (stat.S_ISSOCK, "a socket"))


def _kind(mode: int) -> str:
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def _not_a_file(path: Path, mode: int) -> LoadError:
    target = ""
    if path.is_symlink():
        target = f" (a link to {os.path.realpath(path)})"
    return LoadError([f"{path.name}: is {_kind(mode)}{target}, not a file; it was not read"])


def read_bytes(path: str | Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most ``max_bytes``; anything else is refused by its
    kind before it is opened (a device, a pipe or a directory is never read)."""
    path = Path(path)
    name = path.name
    try:
        info = os.stat(path)  # follows links: a link to /dev/zero is a character device
    except OSError as exc:
        raise LoadError([f"{name}: cannot read file: {exc.strerror or exc}"]) from None
    if not stat.S_ISREG(info.st_mode):
        raise _not_a_file(path, info.st_mode)
    too_big = LoadError([f"{name}: the file is larger than {max_bytes:,} bytes "
                         f"({max_bytes // 1024:,} KB), the limit for this kind of file"])
    if info.st_size > max_bytes:
        raise too_big
    try:
        # O_NONBLOCK: should the path have become a pipe since the stat, open() does not wait
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise LoadError([f"{name}: cannot read file: {exc.strerror or exc}"]) from None
    with os.fdopen(fd, "rb") as fh:
        mode = os.fstat(fh.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise _not_a_file(path, mode)
        data = fh.read(max_bytes + 1)
    if len(data) > max_bytes:  # it grew since the stat
        raise too_big
    return data


def decode_utf8(data: bytes, name: str) -> str:
    """Strict UTF-8 (a leading byte-order mark is dropped); an error names line and byte."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise LoadError([f"{name}: line {line}: not UTF-8 text (byte 0x{data[exc.start]:02x} "
                         f"at offset {exc.start}); save the file as UTF-8"]) from None
    return text[1:] if text.startswith("\ufeff") else text


# ---------------------------------------------------------------------------------- YAML parse

_STR, _NULL = "tag:yaml.org,2002:str", "tag:yaml.org,2002:null"
#: Tags a data file may carry: plain scalars only (no binary, sets, ordered maps or objects).
_SCALAR_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in (
    "str", "int", "float", "bool", "null", "timestamp"))
_RESOLVER = Resolver()
_CONSTRUCTOR = SafeConstructor()
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when installed


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class _Frame:
    """A mapping or list being built, where it sits, and (for a mapping) its pending key."""

    value: dict[Any, Any] | list[Any]
    path: Path_
    key: Any = None
    key_line: int = 0
    has_key: bool = False
    key_lines: dict[Any, int] = field(default_factory=dict)


def _where(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + _name(part)
    return out


def _name(part: Any) -> str:
    """A field name as an error line shows it (one with a line break quoted, so the error
    stays one line)."""
    text = str(part)
    return text if text.isprintable() else repr(text)


def _tag(tag: str | None) -> str:
    """A tag as the author wrote it (``!!binary``, not ``tag:yaml.org,2002:binary``)."""
    text = str(tag).replace("tag:yaml.org,2002:", "!!")
    return text if len(text) <= 60 else text[:57] + "..."


def _scalar(event: yaml.ScalarEvent, line: int) -> Any:
    tag = event.tag
    if tag in (None, "!"):
        tag = _STR if tag == "!" else _RESOLVER.resolve(ScalarNode, event.value, event.implicit)
    if tag not in _SCALAR_TAGS:
        raise _Refused(line, f"the tag {_tag(event.tag)} is not allowed (plain text, "
                             "numbers, true/false and null only)")
    node = ScalarNode(tag, event.value, None, None, event.style)
    try:
        return _CONSTRUCTOR.yaml_constructors[tag](_CONSTRUCTOR, node)
    except (ValueError, OverflowError, yaml.YAMLError) as exc:
        raise _Refused(line, f"cannot read the value {event.value[:40]!r}: "
                             f"{str(exc).splitlines()[0][:120]}") from None


class _Builder:
    """Builds plain data and its line map from parser events, checking the limits."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.stack: list[_Frame] = []
        self.lines: dict[Path_, int] = {}
        self.root: Any = None
        self.done = False
        self.nodes = 0
        self.deadline = time.monotonic() + limits.max_seconds

    def _child_path(self, line: int, container: bool) -> Path_:
        if not self.stack:
            if self.done:
                raise _Refused(line, "more than one YAML document in the file")
            return ()
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            return (*frame.path, len(frame.value))
        if not frame.has_key:
            if container:
                raise _Refused(line, f"{_where(frame.path) or 'the top level'}: a key must be "
                                     "plain text, not a list or mapping")
            return frame.path
        return (*frame.path, frame.key)

    def _attach(self, value: Any, path: Path_, line: int) -> None:
        if not self.stack:
            self.root, self.done = value, True
            return
        frame = self.stack[-1]
        if isinstance(frame.value, list):
            self.lines[path] = line
            frame.value.append(value)
            return
        if not frame.has_key:  # ``value`` is a key (its text)
            if value in frame.key_lines:
                raise _Refused(line, f"{_where((*frame.path, value))}: the key {value!r} "
                                     f"appears twice (first on line {frame.key_lines[value]})")
            frame.key, frame.key_line, frame.has_key = value, line, True
            frame.key_lines[value] = line
            return
        self.lines[path] = frame.key_line
        frame.value[frame.key] = value
        frame.has_key = False

    def _count(self, line: int) -> None:
        self.nodes += 1
        if self.nodes > self.limits.max_nodes:
            raise _Refused(line, f"more than {self.limits.max_nodes:,} values in the file")
        if self.nodes % 1024 == 0 and time.monotonic() > self.deadline:
            raise _Refused(line, f"the file took longer than {self.limits.max_seconds:g} s "
                                 "to read")

    def feed(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else 0
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(line, f"aliases (*{event.anchor}) are not allowed: write the value "
                                 "out in full")
        anchor = getattr(event, "anchor", None)
        if anchor:
            raise _Refused(line, f"anchors (&{anchor}) are not allowed: write the value out "
                                 "in full")
        if isinstance(event, yaml.ScalarEvent):
            self._count(line)
            path = self._child_path(line, container=False)
            top = self.stack[-1] if self.stack else None
            if isinstance(top, _Frame) and isinstance(top.value, dict) and not top.has_key:
                # a key is a name: kept as written (``1:`` or ``yes:`` stay text, not 1 / True)
                if event.tag not in (None, "!", _STR):
                    raise _Refused(line, f"the tag {_tag(event.tag)} is not allowed on a key")
                self._attach(event.value, path, line)
            else:
                self._attach(_scalar(event, line), path, line)
        elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            self._count(line)
            if event.tag not in (None, "!") and event.tag not in (
                    "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"):
                raise _Refused(line, f"the tag {_tag(event.tag)} is not allowed")
            path = self._child_path(line, container=True)
            if len(self.stack) >= self.limits.max_depth:
                raise _Refused(line, f"{_where(path)}: nested deeper than "
                                     f"{self.limits.max_depth} levels")
            if self.stack:
                self.lines[path] = self.stack[-1].key_line if isinstance(
                    self.stack[-1].value, dict) else line
            value: dict[Any, Any] | list[Any] = \
                {} if isinstance(event, yaml.MappingStartEvent) else []
            self.stack.append(_Frame(value, path))
        elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            frame = self.stack.pop()
            self._attach(frame.value, frame.path, self.lines.get(frame.path, line))


def parse_yaml(text: str, name: str, limits: Limits = Limits()) -> Document:
    """One YAML document as plain data with its line map; ``LoadError`` names file and line."""
    if len(text) > limits.max_bytes:
        raise LoadError([f"{name}: longer than {limits.max_bytes:,} characters"])
    builder = _Builder(limits)
    try:
        for event in yaml.parse(text, Loader=_Loader):
            builder.feed(event)
    except _Refused as exc:
        raise LoadError([f"{name}: line {exc.line}: {exc.message}"]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, max(0, exc.position)) + 1
        raise LoadError([f"{name}: line {line}: not valid YAML: character "
                         f"#x{exc.character if isinstance(exc.character, int) else 0:04x} "
                         "(a control character) is not allowed"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise LoadError([f"{name}: {where}not valid YAML: {problem}"]) from None
    except UnicodeError:
        raise LoadError([f"{name}: not valid text (lone surrogates)"]) from None
    return Document(builder.root, builder.lines)


def load_yaml_file(path: str | Path, limits: Limits = Limits()) -> Document:
    """Read, decode and parse one YAML file within ``limits``."""
    name = Path(path).name
    return parse_yaml(decode_utf8(read_bytes(path, limits.max_bytes), name), name, limits)


# ------------------------------------------------------------------- schema errors, in words

def where(path: Iterable[Any]) -> str:
    """``phases[2].rate_per_minute`` for ``("phases", 2, "rate_per_minute")``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part == "[key]":
            # pydantic marks a bad mapping key by appending "[key]" after the key itself.
            out += " (as a key)"
        else:
            out += ("." if out else "") + _name(part)
    return out


def _number(value: Any) -> str:
    # thousands grouped (2,000); huge or fractional numbers as %g; never a 300-digit string
    if isinstance(value, float):
        return f"{value:,.0f}" if value.is_integer() and 1e3 <= abs(value) < 1e15 \
            else f"{value:g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}" if abs(value) < 10**15 else f"{float(value):g}"
    return _short(value)


def message(error: Mapping[str, Any], patterns: Mapping[str, str]) -> str:
    """A pydantic error in an author's words (``patterns``: wording for regexes)."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    given = error.get("input")
    simple: dict[str, Callable[[], str]] = {
        "greater_than_equal": lambda: f"must be >= {_number(ctx.get('ge'))}",
        "greater_than": lambda: f"must be > {_number(ctx.get('gt'))}",
        "less_than_equal": lambda: f"must be <= {_number(ctx.get('le'))} (got {_number(given)})",
        "less_than": lambda: f"must be < {_number(ctx.get('lt'))}",
        "missing": lambda: "is required",
        "extra_forbidden": lambda: "is not a known field",
        "value_error": lambda: str(ctx.get("error", error["msg"])),
        "literal_error": lambda: f"must be {ctx.get('expected')} (got {_short(given)})",
        "string_too_short": lambda: "must not be empty",
        "finite_number": lambda: f"must be a finite number (got {_short(given)})",
        "bool_parsing": lambda: f"must be true or false (got {_short(given)})",
        "bool_type": lambda: f"must be true or false (got {_short(given)})",
        "dict_type": lambda: "must be a mapping",
        "model_type": lambda: "must be a mapping of fields",
        "model_attributes_type": lambda: "must be a mapping of fields",
        "tuple_type": lambda: "must be a list",
        "list_type": lambda: "must be a list",
    }
    if kind in simple:
        return simple[kind]()
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return f"{patterns.get(pattern, f'must match {pattern}')} (got {_short(given)})"
    if kind == "string_too_long":
        size = len(given) if isinstance(given, str) else "more"
        return f"must be at most {_number(ctx.get('max_length'))} characters (got {_number(size)})"
    if kind == "too_long":
        count = ctx.get("max_length")
        return f"must have at most {_number(count)} items (got {_number(ctx.get('actual_length'))})"
    if kind == "too_short":
        count = ctx.get("min_length")
        return f"must have at least {count} item{'' if count == 1 else 's'}"
    if kind == "string_type":
        # YAML reads an unquoted 12:30 as the number 750 (base 60), so say how to fix it.
        hint = "; put it in quotes" if isinstance(given, int | float | dt.date) else ""
        return f"must be text (got {_short(given)}{hint})"
    if kind in ("float_parsing", "float_type"):
        return f"must be a number (got {_short(given)})"
    if kind in ("int_parsing", "int_type", "int_from_float", "int_parsing_size"):
        return f"must be a whole number (got {_short(given)})"
    msg = str(error["msg"])
    return msg[:1].lower() + msg[1:]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
