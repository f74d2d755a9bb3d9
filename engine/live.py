"""What an exercise's lead changes live in a running drill: a mention thrown in, new incident
facts. Both are checked with the scenario schema, so a live inject is refused for exactly what
a scenario file's inject would be (errors name the field)."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from engine.records import InjectMention, UpdateIncident
from engine.scenario import IncidentFacts, Inject, InjectAuthor


class LiveChangeError(ValueError):
    """A live inject or incident update the schema refuses (``problems``: one per field)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _problems(exc: ValidationError, prefix: str = "") -> list[str]:
    out = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"] if p != "function-after")
        ctx: Any = error.get("ctx") or {}
        message = str(ctx.get("error", error["msg"]))
        out.append(f"{prefix}{where}: {message}" if where else f"{prefix}{message}")
    return out


def checked_inject(action: InjectMention, minute: float) -> Inject:
    """The live inject as a scenario inject at ``minute`` (``LiveChangeError`` if refused)."""
    author: InjectAuthor | None = None
    problems: list[str] = []
    if action.author_handle:
        try:
            author = InjectAuthor(handle=action.author_handle,
                                  display_name=action.display_name or action.author_handle,
                                  followers=action.followers, verified=action.verified,
                                  bio=action.bio)
        except ValidationError as exc:
            problems.extend(_problems(exc, "author_"))
    try:
        inject = Inject(at_minute=minute, persona=action.persona, intent=action.intent,
                        text=action.text, author=author, sentiment=action.sentiment)
    except ValidationError as exc:
        problems.extend(_problems(exc))
    if problems:
        raise LiveChangeError(problems)
    return inject


def live_facts(action: UpdateIncident, minute: float) -> dict[str, str]:
    """The incident facts a live update puts on the panel (``LiveChangeError`` if refused)."""
    if not (action.down.strip() or action.affected.strip() or action.eta.strip()
            or action.cause.strip() or action.compensation.strip()):
        raise LiveChangeError(["down: say what is down (or what changed)"])
    try:
        facts = IncidentFacts(
            from_minute=minute, down=action.down.strip(), since=action.since.strip(),
            affected=action.affected.strip(), cause=action.cause.strip() or None,
            eta=action.eta.strip() or None, status_page=action.status_page.strip(),
            compensation=action.compensation.strip() or None,
            keywords=tuple(k.strip() for k in action.keywords if k.strip()))
    except ValidationError as exc:
        raise LiveChangeError(_problems(exc)) from None
    return facts.as_facts()
