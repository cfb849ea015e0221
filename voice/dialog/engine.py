"""Conversation state: one turn in, one Reply out; safety first, then commands, then topics."""

from __future__ import annotations

import random
from dataclasses import dataclass

from . import safety
from .dialog import Dialog
from .matcher import Match
from .memory import Heard
from .schema import Intent, Response

SAFE_AFTER_CRISIS = frozenset({"support", "breathing", "command", "crisis"})
"""After crisis language, only these kinds of reply are given; the rest stay supportive."""


@dataclass(frozen=True)
class Reply:
    """What the companion answers to one utterance."""

    text: str
    category: str
    intent: str | None = None
    response_id: str | None = None
    command: str | None = None
    breathing: str | None = None

    def as_dict(self, said: str) -> dict[str, str | None]:
        """The stable machine form: what was said, and this reply."""
        return {
            "text": said,
            "category": self.category,
            "command": self.command,
            "intent": self.intent,
            "response_id": self.response_id,
            "reply": self.text,
        }


def _clearly_better(other: Match, answer: Match) -> bool:
    """A topic match that outweighs the answer to the pending question."""
    return other.coverage > answer.coverage and other.score > 2 * answer.score


class Conversation:
    """One conversation with one person: remembers what was said and heard."""

    def __init__(self, dialog: Dialog, rng: random.Random | None = None) -> None:
        self.dialog = dialog
        self.heard = Heard(rng or random.Random())
        self.in_crisis = False
        self.last: Reply | None = None
        self._last_topic: Response | None = None
        self._pending_step: str | None = None

    def respond(self, text: str) -> Reply:
        """The reply to one utterance. Never raises for any text."""
        if safety.is_crisis(text):
            self.in_crisis = True
            self._pending_step = None
            return self._remember(Reply(safety.CRISIS_REPLY, "crisis", "crisis", "crisis"))
        if not self.dialog.normalizer.clean(text):
            return self._say(self.dialog.response("listening"), "empty")
        command = self.dialog.command(text)
        if command is not None:
            return self._command(command)
        return self._topic(text)

    def _topic(self, text: str) -> Reply:
        step_id, self._pending_step = self._pending_step, None
        if step_id is not None:
            reply = self._answer(step_id, text)
            if reply is not None:
                return reply
        found = self.dialog.intent(text)
        if found is None:
            if step_id is not None:
                step = self.dialog.scripts.steps[step_id]
                return self._say(self.dialog.response(step.otherwise), step_id)
            if not self.dialog.normalizer.tokens(text):
                # "hey", "well", "so um": she has started, not finished; wait for the rest.
                return self._say(self.dialog.response("listening"), None)
            return self._say(self.dialog.response("fallback"), None)
        intent, _ = found
        return self._say(self.dialog.response(intent.reply), intent.id)

    def _answer(self, step_id: str, text: str) -> Reply | None:
        """The reply when the text answers the pending follow-up question."""
        match = self.dialog.steps[step_id].best(text)
        if match is None:
            return None
        elsewhere = self.dialog.intent(text)
        if elsewhere is not None and _clearly_better(elsewhere[1], match):
            return None  # she moved on to something else; follow her
        answer = self.dialog.scripts.steps[step_id].answers[int(match.label)]
        return self._say(self.dialog.response(answer.reply), step_id)

    def _say(self, response: Response, intent: str | None, command: str | None = None) -> Reply:
        if self.in_crisis and response.category not in SAFE_AFTER_CRISIS:
            text = self.heard.pick(safety.FOLLOW_UPS)
            return self._remember(Reply(text, "support", intent, "crisis_followup"))
        text = self.heard.pick(response.say)
        category = "command" if command else response.category
        if command is None and response.category not in {"unknown", "command"}:
            self._last_topic = response
        self._pending_step = response.ask
        return self._remember(
            Reply(text, category, intent, response.id, command, response.breathing)
        )

    def _remember(self, reply: Reply) -> Reply:
        self.heard.mark(reply.text)
        self.last = reply
        return reply

    def _command(self, intent: Intent) -> Reply:
        name = intent.command
        if name == "repeat":
            if self.last is None:
                return self._say(self.dialog.response("nothing_yet"), intent.id, name)
            last = self.last
            return Reply(last.text, "command", intent.id, last.response_id, name, last.breathing)
        if name == "another" and self._last_topic is not None:
            return self._another(intent)
        return self._say(self.dialog.response(intent.reply), intent.id, name)

    def _another(self, intent: Intent) -> Reply:
        """A different line of the same kind: same response first, then its category."""
        last = self._last_topic
        assert last is not None
        pools = [last, *(r for r in self.dialog.in_category(last.category) if r is not last)]
        for response in pools:
            if self.heard.unheard(response.say):
                return self._say(response, intent.id, "another")
        return self._say(last, intent.id, "another")
