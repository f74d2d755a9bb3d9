"""Scripted trainees for the headless player, tests and benchmarks: a decent agent who works the
flood by the book (answer the riskiest waiting customer first, own the problem, give a next
step, take personal matters to DM, point journalists to the press office, keep trolls short,
post status updates from the incident panel), at a human pace.

They are a yardstick, not a model answer: "leaving early never pays" is tested by comparing a
trainee who quits at minute 7 with this bot working the whole drill.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from engine.projection import ThreadState
from engine.records import Like, MoveToDm, PostStatus, Reply, Resolve
from engine.session import ActionError
from stormdesk.drill import LiveDrill
from stormdesk.drills import Drills
from stormdesk.inbox import risk

#: Replies by language and situation; {name} is the customer's first name, {dm} the DM link,
#: {status} the status page from the incident panel.
REPLIES: dict[str, dict[str, str]] = {
    "en": {
        "outage": "Hi {name}, sorry you're without service, that's really frustrating. Our "
                  "engineers are working on it now and we post every update at {status}. "
                  "We'll keep you posted here too.",
        "private": "Hi {name}, I'm sorry about this, let's get it sorted for you. Please don't "
                   "post account details here: send us a DM and we'll look into it right "
                   "away. {dm}",
        "general": "Hi {name}, thanks for flagging this and sorry for the hassle. I'm looking "
                   "into it now and will come back to you here within the hour with what we "
                   "find.",
        "journalist": "Hi {name}, thanks for getting in touch. Our press office handles media "
                      "questions and can give you an on-record answer; confirmed details are "
                      "on {status}.",
        "troll": "We hear you. If there's something we can fix, we're here.",
        "praise": "Thank you so much {name}, that means a lot to the team!",
        "dm_details": "Thanks {name}, I've got everything I need and I'm fixing this now. I'll "
                      "confirm here in DM as soon as it's done.",
        "status": "Update: {down}. Since {since}. We're sorry for the disruption and will "
                  "post the next update here and at {status}.",
        "eta": " Current estimate: {eta}.",
    },
    "ko": {
        "outage": "{name}님, 서비스 이용에 불편을 드려 정말 죄송합니다. 지금 담당 부서에서 "
                  "복구 작업 중이며, 진행 상황은 {status}에서 계속 안내해 드리겠습니다.",
        "private": "{name}님, 불편을 드려 죄송합니다. 개인 정보는 이곳에 남기지 마시고 DM으로 "
                   "보내 주시면 바로 확인해 드리겠습니다. {dm}",
        "general": "{name}님, 알려 주셔서 감사합니다. 불편을 드려 죄송합니다. 지금 바로 확인하고 "
                   "한 시간 안에 이곳에서 다시 안내해 드리겠습니다.",
        "journalist": "{name}님, 연락 주셔서 감사합니다. 언론 문의는 홍보팀에서 공식 답변을 "
                      "드리고 있으며, 확인된 내용은 {status}에서 보실 수 있습니다.",
        "troll": "말씀 잘 들었습니다. 저희가 도와드릴 일이 있으면 언제든 말씀해 주세요.",
        "praise": "{name}님, 따뜻한 말씀 정말 감사합니다! 팀원들에게 꼭 전하겠습니다.",
        "dm_details": "{name}님, 필요한 내용은 모두 확인했습니다. 지금 바로 처리하고 완료되면 "
                      "DM으로 다시 알려 드리겠습니다.",
        "status": "안내: {down}. {since}부터 발생했습니다. 불편을 드려 죄송하며 다음 소식은 "
                  "이곳과 {status}에서 전해 드리겠습니다.",
        "eta": " 현재 예상 복구 시각: {eta}.",
    },
}
PRIVATE_INTENTS = frozenset({"account_access", "billing", "refund", "security"})


def _first_name(display: str, language: str) -> str:
    if not display:
        return "고객" if language == "ko" else "there"
    return display if language == "ko" else display.split()[0]


@dataclass
class Decent:
    """A decent trainee: ``per_minute`` actions a simulated minute, riskiest waiting first."""

    per_minute: int = 3
    _status_for: int = field(default=0, init=False)

    def __call__(self, drills: Drills, drill: LiveDrill) -> None:
        self._status(drills, drill)
        waiting = [t for t in drill.inbox.threads.values()
                   if t.open and (t.waiting_since is not None
                                  or (t.persona == "praise" and not t.liked))]
        waiting.sort(key=lambda t: (-risk(t), t.opened_minute))
        for thread in waiting[: self.per_minute]:
            try:
                self._handle(drills, drill, thread)
            except ActionError:
                continue

    def _say(self, drill: LiveDrill, key: str, thread: ThreadState | None = None) -> str:
        language = drill.scenario.language
        book = REPLIES.get(language, REPLIES["en"])
        facts = drill.inbox.projection.facts
        status = facts.get("status_page") or ("공지사항" if language == "ko"
                                               else "our status page")
        name = _first_name(thread.author.display_name, language) if thread else ""
        text = book[key].format(name=name, dm=drill.scenario.brand.dm_link, status=status,
                                down=facts.get("down", ""), since=facts.get("since", ""))
        return drill.sign(text)

    def _handle(self, drills: Drills, drill: LiveDrill, thread: ThreadState) -> None:
        if thread.persona == "praise" or thread.intent == "praise":
            drills.act(drill, Like(thread.first_mention_id, agent=drill.agent))
            if not thread.answered:
                drills.act(drill, Reply(thread.thread_id, self._say(drill, "praise", thread),
                                        agent=drill.agent))
            return
        if thread.channel == "dm" or thread.last_customer_channel == "dm":
            drills.act(drill, Reply(thread.thread_id, self._say(drill, "dm_details", thread),
                                    "dm", agent=drill.agent))
            drills.act(drill, Resolve(thread.thread_id, agent=drill.agent))
            return
        if thread.answered and thread.persona == "troll":
            return  # one calm line is enough
        if thread.persona == "troll" or thread.intent == "abuse":
            key = "troll"
        elif thread.persona == "journalist":
            key = "journalist"
        elif thread.exposed or thread.persona == "privacy_oversharer" or \
                thread.intent in PRIVATE_INTENTS:
            drills.act(drill, MoveToDm(thread.thread_id, self._say(drill, "private", thread),
                                       agent=drill.agent))
            return
        elif thread.intent in ("outage", "delay", "delivery") and \
                drill.inbox.projection.facts:
            key = "outage"
        else:
            key = "general"
        drills.act(drill, Reply(thread.thread_id, self._say(drill, key, thread),
                                agent=drill.agent))

    def _status(self, drills: Drills, drill: LiveDrill) -> None:
        """A status update whenever the incident panel changes (and the drill expects them)."""
        projection = drill.inbox.projection
        updates = projection.incident_updates
        if not drill.scenario.status_updates_expected or not updates:
            return
        last = projection.statuses[-1].minute if projection.statuses else -1e9
        due = drill.minute - last >= drill.scenario.status_cadence_minutes - 1
        if len(updates) <= self._status_for and not due:
            return
        self._status_for = len(updates)
        text = self._say(drill, "status")
        eta = drill.inbox.projection.facts.get("eta", "")
        if eta:
            extra = REPLIES.get(drill.scenario.language, REPLIES["en"])["eta"].format(eta=eta)
            if len(text) + len(extra) <= 280:
                text = drill.sign(text.removesuffix(drill.signature).rstrip() + extra)
        try:
            drills.act(drill, PostStatus(text[:280], agent=drill.agent))
        except ActionError:
            return
