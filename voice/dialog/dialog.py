"""The compiled scripts: matchers built once, shared by every conversation."""

from __future__ import annotations

from pathlib import Path

from .loader import ScriptError, load_scripts
from .matcher import Match, Matcher
from .normalize import Normalizer
from .schema import Intent, Response, Scripts

REQUIRED_RESPONSES = ("fallback", "listening", "nothing_yet")
"""Responses the engine itself needs: no match, empty input, 'repeat' before any reply."""

POLITE = frozenset(
    [
        "please",
        "ok",
        "okay",
        "just",
        "now",
        "hey",
        "friend",
        "can",
        "could",
        "would",
        "will",
        "you",
        "maybe",
        "kindly",
        "so",
        "and",
        "oh",
        "well",
    ]
)
"""Words stripped around a command: 'okay stop please' is still 'stop'."""


class Dialog:
    """Scripts plus the matchers built from them; immutable once built."""

    def __init__(self, scripts: Scripts) -> None:
        missing = [r for r in REQUIRED_RESPONSES if r not in scripts.responses]
        if missing:
            raise ScriptError(
                [f"responses.{r}: the scripts must define this response" for r in missing]
            )
        self.scripts = scripts
        self.normalizer = Normalizer(scripts.vocabulary)
        self.intents = {intent.id: intent for intent in scripts.intents}
        topical = [i for i in scripts.intents if i.command is None]
        self.matcher = Matcher(self.normalizer, ((i.id, ex) for i in topical for ex in i.examples))
        self.steps = {
            step_id: Matcher(
                self.normalizer,
                ((str(n), ex) for n, answer in enumerate(step.answers) for ex in answer.examples),
                min_coverage=0.5,
                min_weight=0.5,
            )
            for step_id, step in scripts.steps.items()
        }
        self._commands = {
            self._bare(example): intent
            for intent in scripts.intents
            if intent.command is not None
            for example in intent.examples
            if self._bare(example)
        }

    @classmethod
    def from_paths(cls, paths: list[Path]) -> Dialog:
        """Load, validate and compile scripts; raises ScriptError listing every problem."""
        return cls(load_scripts(paths))

    def _bare(self, text: str) -> str:
        words = self.normalizer.clean(text).split()
        kept = [w for w in words if w not in POLITE]
        return " ".join(dict.fromkeys(kept))

    def command(self, text: str) -> Intent | None:
        """The command intent this whole utterance asks for, if it is one."""
        bare = self._bare(text)
        return self._commands.get(bare) if bare else None

    def intent(self, text: str) -> tuple[Intent, Match] | None:
        """The topical intent that best fits, if any fits well enough."""
        match = self.matcher.best(text)
        return (self.intents[match.label], match) if match else None

    def response(self, response_id: str) -> Response:
        """A response by id."""
        return self.scripts.response(response_id)

    def in_category(self, category: str) -> list[Response]:
        """Every response of a category, in script order."""
        return [r for r in self.scripts.responses.values() if r.category == category]
