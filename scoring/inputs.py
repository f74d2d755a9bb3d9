"""Untrusted JSON-lines input for the command lines (``python -m scoring``, the headless
player): bounded line reading, field checks against the record types, and text made safe to
print on a terminal.

Nothing here trusts the data: a line is at most ``MAX_LINE_CHARS`` long and decoded on its
own (one bad line never hides the others), a device or a directory is refused by its kind
before it is opened, a value is checked against the record field's type before a record is
built from it, and text with control characters or lone surrogates is escaped before it is
printed or refused before it is written.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import stat
import sys
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import IO, Any, Literal, Union, get_args, get_origin, get_type_hints

from engine.records import EVENT_TYPES, Event, event_from_dict

#: A line longer than this is reported and skipped (a reply case or an event is a few KB; a
#: DM may hold 10,000 characters).
MAX_LINE_CHARS = 100_000
#: A transcript larger than this is refused (a 100k-mention drill writes about 100 MB).
MAX_TRANSCRIPT_BYTES = 256 * 1024 * 1024
#: Bad lines listed before the rest are only counted.
MAX_LISTED = 20


class InputError(Exception):
    """A problem with the input, to report in one line (never a traceback)."""


_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (escape sequences), bidi
    overrides and lone surrogates are shown escaped (``\\x1b``), never sent as they are."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape", "backslashreplace")
                        .decode("ascii"), text)


def _where(parent: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else key


_RAW_IN_JSON = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def json_line(value: Any) -> str:
    """One JSON line, readable (non-ASCII kept) yet safe on a terminal: what ``json.dumps``
    leaves raw and a terminal or an editor would act on (DEL, C1 controls such as the 8-bit
    CSI, line separators, bidi overrides) is written as a ``\\uXXXX`` escape."""
    text = json.dumps(value, ensure_ascii=False)
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def unfit_value(value: Any) -> str | None:
    """The first value JSON can carry but a record must not, as "field: why": a lone surrogate
    (not text: it cannot be written as UTF-8, so the line is refused instead of the batch), or
    NaN / Infinity / a number out of range (not a finite number). Iterative: any depth."""
    stack: list[tuple[str, Any]] = [("", value)]
    while stack:
        where, item = stack.pop()
        if isinstance(item, str):
            match = _SURROGATE.search(item)
            if match:
                return f"{where or 'text'}: contains a lone surrogate at character " \
                       f"{match.start() + 1}, which is not text"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"{where or 'value'}: {item} is not a finite number"
        elif isinstance(item, dict):
            for key in item:
                if isinstance(key, str) and _SURROGATE.search(key):
                    return f"{where or 'a key'}: a key contains a lone surrogate, which is " \
                           "not text"
            stack.extend(reversed([(_where(where, str(k)), v) for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend(reversed([(_where(where, i), v) for i, v in enumerate(item)]))
    return None


def open_input(path: str) -> IO[bytes]:
    """A readable byte stream: stdin for "-", a regular file or a pipe; a device or a
    directory is refused by its kind before it is opened."""
    if path == "-":
        return sys.stdin.buffer
    try:
        mode = os.stat(path).st_mode
        if not (stat.S_ISREG(mode) or stat.S_ISFIFO(mode)):
            kind = "a directory" if stat.S_ISDIR(mode) else "a device or socket"
            raise InputError(f"{path}: is {kind}, not a file; it was not read")
        return open(path, "rb")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None


def read_lines(stream: IO[bytes], limit: int = MAX_LINE_CHARS
               ) -> Iterator[tuple[int, str | None, str | None]]:
    """``(number, text, problem)`` per line: the text, or why the line cannot be read (too
    long, not UTF-8); a long line is skipped without being held in memory."""
    number = 0
    while True:
        raw = stream.readline(limit * 4 + 1)  # UTF-8: at most 4 bytes per character
        if not raw:
            return
        number += 1
        if not raw.endswith(b"\n") and len(raw) > limit * 4:
            while (rest := stream.readline(1 << 16)) and not rest.endswith(b"\n"):
                pass
            yield number, None, f"longer than {limit:,} characters"
            continue
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield number, None, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column " \
                                f"{exc.start + 1})"
            continue
        if len(text.rstrip("\r\n")) > limit:
            yield number, None, f"longer than {limit:,} characters"
            continue
        yield number, text, None


# ---------------------------------------------------------------------------------------- rate


def loads(text: str) -> Any:
    """One JSON value; nesting deeper than the interpreter allows and integers of thousands of
    digits are ``InputError``s, never crashes. NaN, Infinity and 1e400 are read as floats:
    ``unfit_value`` then names the field that holds one."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg}, column {exc.colno})") from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None
    except ValueError as exc:  # an integer of thousands of digits
        raise InputError(f"not valid JSON ({str(exc).splitlines()[0][:80]})") from None


def value_problem(value: Any, hint: Any) -> str | None:
    """Why ``value`` (decoded JSON) does not fit the record field type ``hint``, or None."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Literal:
        return None if value in args and isinstance(value, str) else \
            f"must be one of {', '.join(map(str, args))} (got {short(value)})"
    if origin is Union or type(hint).__name__ == "UnionType":
        if value is None and type(None) in args:
            return None
        return value_problem(value, next(a for a in args if a is not type(None)))
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    checks: dict[Any, tuple[bool, str]] = {
        str: (isinstance(value, str), "must be text"),
        bool: (isinstance(value, bool), "must be true or false"),
        int: (numeric and isinstance(value, int), "must be a whole number"),
        float: (numeric and math.isfinite(value), "must be a finite number"),
    }
    if hint in checks:
        ok, wording = checks[hint]
        return None if ok else f"{wording} (got {short(value)})"
    if origin in (tuple, list):
        if not isinstance(value, list):
            return f"must be a list (got {short(value)})"
        return next((f"[{i}]{p if p.startswith('.') else ': ' + p}" for i, v in enumerate(value)
                     if (p := value_problem(v, args[0])) is not None), None)
    if origin is dict:
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            return f"must be a mapping of text (got {short(value)})"
        return None
    if isinstance(hint, type) and hasattr(hint, "__dataclass_fields__"):
        if not isinstance(value, dict):
            return f"must be an object (got {short(value)})"
        found = record_problems(hint, value)
        return f".{found[0]}" if found else None
    return None


def short(value: Any) -> str:
    """A value as it may appear in a message: its repr, escaped and cut to 60 characters."""
    text = repr(value)
    return printable(text if len(text) <= 60 else text[:57] + "...")


def record_problems(cls: type, data: dict[str, Any]) -> list[str]:
    """Every field of ``data`` that does not fit the record class ``cls`` (one line each)."""
    hints = get_type_hints(cls)
    own = {f.name: f for f in fields(cls)}
    problems = [f"{key}: is not a field of {cls.__name__}"
                for key in data if key not in own and key != "type"]
    for name, spec in own.items():
        if name not in data:
            if spec.default is spec.default_factory:  # both MISSING: required
                problems.append(f"{name}: is required")
            continue
        found = value_problem(data[name], hints[name])
        if found is not None:
            problems.append(f"{name}{found}" if found.startswith((".", "[")) else
                            f"{name}: {found}")
    minute = data.get("minute")
    if not problems and "minute" in own and isinstance(minute, int | float) and minute < 0:
        problems.append(f"minute: must be >= 0 (got {minute})")
    return problems


def event_from_line(raw: str) -> Event:
    """One transcript line as an engine event; raises InputError saying what is wrong."""
    data = loads(raw)
    if not isinstance(data, dict):
        raise InputError("not an engine event (an event must be a JSON object)")
    kind = data.get("type")
    cls = EVENT_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise InputError(f"not an engine event (unknown event type {short(kind)})")
    problems = record_problems(cls, data)
    bad = unfit_value(data)
    if bad and not problems:
        problems.append(bad)
    if problems:
        raise InputError(f"{cls.__name__}: " + "; ".join(problems))
    try:
        return event_from_dict(data)
    except (ValueError, TypeError) as exc:
        raise InputError(f"not an engine event ({printable(str(exc))})") from None


def read_transcript(path: str, numbers: list[int] | None = None) -> list[Event]:
    """Engine events from a JSON-lines file; raises InputError listing the bad lines (by
    number and field). The file is read line by line within bounds; ``numbers`` (if given)
    receives each event's line number."""
    name = "<stdin>" if path == "-" else Path(path).name
    events: list[Event] = []
    problems: list[str] = []
    with contextlib.ExitStack() as files:  # never closes stdin
        stream = open_input(path)
        if stream is not sys.stdin.buffer:
            files.enter_context(stream)
        if path != "-" and stat.S_ISREG(os.fstat(stream.fileno()).st_mode) and \
                os.fstat(stream.fileno()).st_size > MAX_TRANSCRIPT_BYTES:
            raise InputError(f"{name}: larger than {MAX_TRANSCRIPT_BYTES // 2**20} MB")
        size = 0
        for lineno, raw, problem in read_lines(stream):
            size += len(raw or "")
            if size > MAX_TRANSCRIPT_BYTES:
                problems.append(f"{name}:{lineno}: the transcript passes "
                                f"{MAX_TRANSCRIPT_BYTES // 2**20} MB; the rest was not read")
                break
            if raw is not None and not raw.strip():
                continue
            try:
                if problem is not None:
                    raise InputError(problem)
                events.append(event_from_line(raw or ""))
                if numbers is not None:
                    numbers.append(lineno)
            except InputError as exc:
                problems.append(f"{name}:{lineno}: {exc}")
    if problems:
        more = len(problems) - MAX_LISTED
        raise InputError("\n".join(problems[:MAX_LISTED]) +
                       (f"\n... and {more} more bad lines" if more > 0 else ""))
    if not events:
        raise InputError(f"{name}: no events")
    return events
