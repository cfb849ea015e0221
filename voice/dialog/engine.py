"""Conversation state: one turn in, one Reply out; safety first, then commands, then topics."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, replace

from . import crisis, mend, safety
from .dialog import Dialog
from .heard import Heard
from .placeholders import fill
from .schema import Intent, Response

MAX_TEXT_CHARS = 4000
"""Past the crisis check, longer text is understood from its first part only."""
NEW_TOPIC = 0.6
"""Just after a question, a guess this sure is a new topic; anything less is her answer."""

_YES = re.compile(r"\b(?:yes|yeah|yep|yup|i am|i have|sort of|kind of|maybe|a bit|sometimes)\b")
_NO = re.compile(r"\b(?:no|nope|not really|never|i am not|of course not|god no)\b")
_LEADING_NO = re.compile(r"^(?:no|nope|nah|not really|never|of course not|god no|no way)\b")
_PLAIN_YES = re.compile(r"\b(?:yes|yeah|yep|yup)\b")
_SAFE = re.compile(
    r"\b(?:i am (?:safe|okay|ok|fine|alright|all right)|(?:just|only) venting|not going to"
    r"|i am not going to|we are (?:safe|okay|fine)|i am good|feeling better|i will be okay)\b"
)
_UNSAFE = re.compile(r"\b(?:not safe|not okay|not ok|not fine|scared|do not know|not sure|no)\b")


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


_OPENERS = frozenset(
    "so well um and but is it like okay ok right i mean you know just oh anyway erm".split()  # noqa: SIM905 - a word list reads best as words
)
_AFFIRM = re.compile(r"^(?:yes|yeah|yep|yup|sure|i think so|we are|i am)\b")


def answered_safe(text: str) -> bool:
    """Her answer to 'are you safe right now': only a clear yes counts as safe."""
    words = mend.tidy(text)
    if _SAFE.search(words):
        return True
    return bool(_AFFIRM.search(words)) and not _UNSAFE.search(words)


def answered_unsafe(text: str) -> bool:
    """A plain no, not sure, or scared."""
    return bool(_UNSAFE.search(mend.tidy(text)))


def answered_yes(text: str) -> bool | None:
    """Her answer to the check-in question: True, False, or None when unclear."""
    words = mend.tidy(text)
    if _LEADING_NO.match(words) and not _PLAIN_YES.search(words):
        return False  # "no, i'm just tired": the rest explains the no
    if _NO.search(words) and not _YES.search(words.replace("i am not", "")):
        return False
    return True if _YES.search(words) else None


class Conversation:
    """One conversation with one person, from her first words to goodbye."""

    def __init__(
        self, dialog: Dialog, rng: random.Random | None = None, country: str = "US"
    ) -> None:
        self.dialog = dialog
        self.helplines = dialog.helplines[country]
        self.heard = Heard(rng or random.Random())
        self.last: Reply | None = None
        self.ended = False
        self._last_topic: Response | None = None
        self._pending: str | None = None
        self._crisis_kind = "crisis_self"
        self._stays = 0
        self._held: str | None = None
        self._said = ""

    def respond(self, text: str) -> Reply:
        """The reply to one utterance. Never raises for any text."""
        self._said = text
        risk = safety.assess(self.dialog, text)
        if risk.level == "crisis" and not self._answers_safety(text, risk):
            return self._crisis(risk.kind)
        pending, self._pending = self._pending, None
        if pending == "safety":
            return self._after_crisis(text)
        if pending == "checkin":
            return self._after_check_in(text)
        if risk.level == "ask" and pending is None:
            return self._check_in(text, risk.kind)
        return self._ordinary(text[:MAX_TEXT_CHARS], pending)

    def _answers_safety(self, text: str, risk: safety.Risk) -> bool:
        """True when, just after 'are you safe right now', the model's alarm is only her
        answer ("no, i'm not safe"): she gets the stay-with-her reply, not the first again.
        Explicit crisis words always start the crisis reply afresh."""
        if self._pending != "safety" or risk.source != "model":
            return False
        return answered_unsafe(text) or answered_safe(text)

    def _crisis(self, kind: str) -> Reply:
        self._pending, self._crisis_kind, self._stays = "safety", kind, 0
        text = crisis.crisis_reply(kind, self.helplines)
        return self._remember(Reply(text, "crisis", kind, "crisis"))

    def _check_in(self, text: str, kind: str) -> Reply:
        self._pending, self._held, self._crisis_kind = "checkin", text, kind
        return self._remember(Reply(crisis.CHECK_IN, "crisis", f"{kind}_check_in", "check_in"))

    def _after_check_in(self, text: str) -> Reply:
        held, self._held = self._held, None
        if answered_yes(text) is False:
            return self._ordinary((held or text)[:MAX_TEXT_CHARS], None)
        return self._crisis(self._crisis_kind)

    def _after_crisis(self, text: str) -> Reply:
        if answered_safe(text):
            return self._remember(Reply(crisis.SAFE, "support", self._crisis_kind, "crisis_safe"))
        # Only a bare command leaves the flow at once: "bye for now, got to go" hears the
        # numbers once more first.
        command = self.dialog.whole_command(text)
        if command is not None or (self._stays >= 1 and not answered_unsafe(text)):
            return self._ordinary(text[:MAX_TEXT_CHARS], None)
        self._pending, self._stays = "safety", self._stays + 1
        line = crisis.stay_reply(self._crisis_kind, self.helplines)
        return self._remember(Reply(line, "crisis", self._crisis_kind, "crisis_stay"))

    def _ordinary(self, text: str, step_id: str | None) -> Reply:
        if not self.dialog.normalizer.clean(text):
            # Nothing but sounds, or words in a script it cannot read: say so either way.
            quiet = not any(c.isalnum() or unicodedata.category(c) == "So" for c in text)
            return self._say(self.dialog.response("listening" if quiet else "fallback"), None)
        command = self.dialog.command(text)
        if command is not None:
            return self._command(command)
        if set(self.dialog.normalizer.clean(text).split()) <= _OPENERS:
            # "well", "so um is it": she has started, not finished; wait for the rest.
            return self._say(self.dialog.response("listening"), None)
        answer = self._answer(step_id, text)
        return answer if answer is not None else self._topic(text, step_id)

    def _answer(self, step_id: str | None, text: str) -> Reply | None:
        """The reply when the text answers the question just asked."""
        if step_id is None:
            return None
        answer = self.dialog.answer(step_id, text)
        if answer is None:
            return None
        reply = self.dialog.scripts.steps[step_id].answers[answer].reply
        return self._say(self.dialog.response(reply), step_id)

    def _topic(self, text: str, step_id: str | None) -> Reply:
        guess = self.dialog.guess(text)
        if step_id is not None and guess.confidence < NEW_TOPIC:
            # Just after a question, words that are not clearly about something else are
            # heard as her answer ("i guess i give good hugs").
            guess = replace(guess, label=None)
        if guess.label is None:
            if step_id is not None:
                step = self.dialog.scripts.steps[step_id]
                return self._say(self.dialog.response(step.otherwise), step_id)
            return self._say(self.dialog.response("fallback"), None)
        intent = self.dialog.intents[guess.label]
        if intent.command is not None:
            return self._command(intent)
        return self._say(self.dialog.response(intent.reply), intent.id)

    def _say(self, response: Response, intent: str | None, command: str | None = None) -> Reply:
        line = self.heard.pick(response.say)
        self.heard.mark(line)
        text = self._fill(line)
        category = "command" if command else response.category
        if command is None and response.category not in {"unknown", "command"}:
            self._last_topic = response
        self._pending = response.ask
        if command == "goodbye":
            self.ended = True
        return self._remember(
            Reply(text, category, intent, response.id, command, response.breathing)
        )

    def _fill(self, text: str) -> str:
        """Numbers a script line asks for, from this country's helplines, and what she said
        she forgot."""
        return fill(text, self.helplines, self._said)

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
