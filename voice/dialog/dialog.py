"""The compiled scripts: the understanding model built once, shared by every conversation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import mend, placeholders, slips
from .crisis import Helplines, load_helplines
from .encoder import Encoder
from .loader import CRISIS_KINDS, ScriptError, load_scripts
from .normalize import Normalizer
from .router import Labelled, Progress, Router, VectorStore, train, with_slips
from .schema import Intent, Response, Scripts

REQUIRED_RESPONSES = ("fallback", "listening", "nothing_yet")
"""Responses the engine itself needs: no match, empty input, 'repeat' before any reply."""

BARGE_IN_WORDS = 2
"""A stop phrase that can cut speech short is at most this many words ('never mind')."""

CONFIDENT = 0.30
"""Below this probability for the best kind of reply, nothing fits (chosen on held-out data)."""
COMMAND_SURE = 0.6
"""A command the model guesses (not word for word) must be this likely."""
COMMAND_WORDS = 12
"""A command is short: a longer turn is taken as one only when nothing else fits it."""
KNOWN_WORDS = 0.5
"""Below this share of words the model knows whole, the text is taken as not understood."""
ANSWER_SIMILARITY = 0.55
"""How close (cosine) an answer must be to a follow-up's examples to count as one."""
LEADING_COMMANDS: dict[str, frozenset[str] | None] = {
    "repeat": None,
    "slower": None,
    "faster": None,
    "louder": None,
    "quieter": None,
    "goodbye": frozenset({"bye", "goodbye", "goodnight"}),
}
"""Commands still meant when a reason follows them ("say that again, the kettle was on"),
with the words their leading phrasing must hold (None: any of its phrasings): "i have to go
away for work" is not goodbye."""
LEADING_WORDS = 6
"""A command leading a turn is at most this many words."""
LEADING_TURN = 30
"""Longer turns are about something else, whatever their first words."""


@dataclass(frozen=True)
class Guess:
    """What the model makes of one utterance."""

    label: str | None
    """An intent id, or None when nothing fits well enough."""
    confidence: float
    crisis: float
    """Total probability of the crisis kinds."""
    crisis_kind: str


class Dialog:
    """Scripts plus the model trained from them; immutable once built."""

    def __init__(
        self,
        scripts: Scripts,
        encoder: Encoder,
        router: Router,
        store: VectorStore | None = None,
    ) -> None:
        missing = [r for r in REQUIRED_RESPONSES if r not in scripts.responses]
        if missing:
            where = scripts.sources[0] if scripts.sources else "dialogs"
            raise ScriptError(
                [f"{where}:1: responses.{r}: the scripts must define it" for r in missing]
            )
        self.scripts = scripts
        self.helplines = load_helplines()
        _check_lines(scripts, self.helplines)
        self.encoder, self.router = encoder, router
        self.normalizer = Normalizer(scripts.vocabulary)
        self.intents = {intent.id: intent for intent in scripts.intents}
        self._crisis = np.array([label in CRISIS_KINDS for label in router.labels])
        self._command = np.array([self._is_command(label) for label in router.labels])
        kinds = [self.category(label) for label in router.labels]
        self._kinds = sorted(set(kinds))
        self._by_kind = np.array([[k == kind for kind in self._kinds] for k in kinds], float)
        self._commands = {
            self._bare(example): intent
            for intent in scripts.intents
            if intent.command is not None
            for example in intent.examples
            if self._bare(example)
        }
        self._misheard = {
            slipped: intent
            for bare, intent in self._commands.items()
            for slipped in slips.every_variant(bare)
            if self._bare(slipped) not in self._commands
        }
        """Command phrasings as the recogniser may mishear them ("good buy", "lauder")."""
        self._answers = self._answer_vectors(store or VectorStore(encoder, None))
        self._last: tuple[str, np.ndarray] | None = None

    @classmethod
    def from_paths(
        cls, paths: list[Path], cache_dir: Path | None, progress: Progress | None = None
    ) -> Dialog:
        """Load, validate and compile scripts, training (or loading) the model."""
        scripts = load_scripts(paths)
        folder = None if cache_dir is None else cache_dir / "understanding"
        encoder = Encoder.shared(folder)
        store = VectorStore(encoder, folder)
        router = train(
            training_lines(scripts),
            lambda raw: training_set(scripts, raw),
            store,
            progress,
            reading_key(scripts),
        )
        return cls(scripts, encoder, router, store)

    def _answer_vectors(self, store: VectorStore) -> dict[str, list[np.ndarray]]:
        """Per step, per answer it listens for, the vectors of that answer's phrasings."""
        read = {
            step_id: [[self.read(ex) for ex in answer.examples] for answer in step.answers]
            for step_id, step in self.scripts.steps.items()
        }
        texts = [text for answers in read.values() for group in answers for text in group]
        rows = iter(store.fixed(texts))
        return {
            step_id: [np.array([next(rows) for _ in group]) for group in answers]
            for step_id, answers in read.items()
        }

    def _bare(self, text: str) -> str:
        words = self.normalizer.clean(text).split()
        kept = [w for w in words if w not in self.scripts.vocabulary.polite]
        return " ".join(dict.fromkeys(kept))

    def stop_phrases(self) -> tuple[str, ...]:
        """The stop command's short phrasings, as they can cut speech short mid-sentence."""
        found = {
            bare
            for bare, intent in self._commands.items()
            if intent.command == "stop" and len(bare.split()) <= BARGE_IN_WORDS
        }
        return tuple(sorted(found))

    def command(self, text: str) -> Intent | None:
        """The command this whole utterance is, word for word (polite words aside, misheard
        words allowed), or one of the leading commands followed by a reason."""
        found = self.whole_command(text)
        return found if found is not None else self._leading_command(text)

    def whole_command(self, text: str) -> Intent | None:
        """The command the whole utterance is, word for word or as misheard."""
        bare = self._bare(text)
        return (self._commands.get(bare) or self._misheard.get(bare)) if bare else None

    def _leading_command(self, text: str) -> Intent | None:
        """'sorry can you say that again the kettle was going': a command phrasing the turn
        starts with, when that command cannot mean anything else there."""
        words = self.normalizer.clean(text).split()
        if len(words) > LEADING_TURN:
            return None
        for end in range(min(LEADING_WORDS, len(words) - 1), 0, -1):
            bare = self._bare(" ".join(words[:end]))
            intent = self._commands.get(bare)
            if intent is not None and _leads(intent.command, bare.split()):
                return intent
        return None

    def read(self, text: str) -> str:
        """The text as the model reads it: slips mended, idioms read as meant, fillers gone."""
        return self.normalizer.clean(mend.tidy(text))

    def vector(self, read: str) -> np.ndarray:
        """The sentence vector of read text. The crisis check, the follow-up answers and the
        router all read the same turn, so the last one is kept for the next call."""
        if self._last is None or self._last[0] != read:
            self._last = (read, self.encoder.embed([read])[0])
        return self._last[1]

    def window_vectors(self, read: str, windows: list[tuple[int, int]]) -> np.ndarray:
        """The read text's vector, then one per window of its words (start, end)."""
        rows = self.encoder.embed_windows(read, windows)
        self._last = (read, rows[0])
        return rows

    def guess(self, text: str) -> Guess:
        """The intent that best fits; commands only for short turns; nothing for gibberish."""
        read = self.read(text)
        return self.guess_read(read, self.vector(read))

    def guess_read(self, read: str, vector: np.ndarray) -> Guess:
        """`guess` for text already read, with its vector."""
        guess = self.guess_vector(vector, read)
        if self.encoder.known_share(read) < KNOWN_WORDS:
            return Guess(None, guess.confidence, guess.crisis, guess.crisis_kind)
        return guess

    def guess_vector(self, vector: np.ndarray, read: str, commands: bool = True) -> Guess:
        """The guess for read text and its vector. Commands only when allowed, and from a
        long turn only when nothing else fits it ("ok stop that now, the baby's asleep and
        I don't want to wake her" is a command; "I can't stop yelling" is not)."""
        probs = self.router.probabilities(vector, read)
        crisis = float(probs[self._crisis].sum())
        kinds = [(probs[i], label) for i, label in enumerate(self.router.labels) if self._crisis[i]]
        kind = max(kinds)[1] if kinds else CRISIS_KINDS[0]
        short = len(read.split()) <= COMMAND_WORDS
        best, confidence = self._best(probs, commands and short)
        if self._command[best] and probs[best] < COMMAND_SURE:
            best, confidence = self._best(probs, commands=False)
        if confidence < CONFIDENT and commands and not short:
            top, sure = self._best(probs, commands=True)
            if self._command[top] and probs[top] >= COMMAND_SURE:
                best, confidence = top, sure
        label = self.router.labels[best] if confidence >= CONFIDENT else None
        return Guess(label, confidence, crisis, kind)

    def _best(self, probs: np.ndarray, commands: bool) -> tuple[int, float]:
        """The index of the best intent, and its kind's probability."""
        allowed = ~self._crisis & (commands | ~self._command)
        # Many intents share one kind of reply: judge confidence on the kind, then pick the
        # intent within it, so near-equal intents of one category do not look unsure.
        per_kind = (probs * allowed) @ self._by_kind
        top = int(np.argmax(per_kind))
        best = int(np.argmax(probs * allowed * self._by_kind[:, top]))
        return best, float(per_kind[top])

    def category(self, label: str | None) -> str:
        """The category a label's reply has ('command' for every command, 'unknown' for
        no label)."""
        if label is None:
            return "unknown"
        if label in CRISIS_KINDS:
            return "crisis"
        intent = self.intents.get(label)
        if intent is None:
            return "unknown"
        if intent.command is not None:
            return "command"
        return self.scripts.responses[intent.reply].category

    def _is_command(self, label: str) -> bool:
        intent = self.intents.get(label)
        return intent is not None and intent.command is not None

    def answer(self, step_id: str, text: str) -> int | None:
        """Which answer to the step's question the text is, if it is one."""
        vector = self.vector(self.read(text))
        best, index = ANSWER_SIMILARITY, None
        for n, examples in enumerate(self._answers[step_id]):
            score = float((examples @ vector).max()) if len(examples) else 0.0
            if score > best:
                best, index = score, n
        return index

    def response(self, response_id: str) -> Response:
        """A response by id."""
        return self.scripts.response(response_id)

    def in_category(self, category: str) -> list[Response]:
        """Every response of a category, in script order."""
        return [r for r in self.scripts.responses.values() if r.category == category]

    def mantras(self) -> list[str]:
        """Every short mantra from the mantra responses, for weaving into breathing: the
        words after a lead-in such as 'Try saying to yourself:', which a breath has no room
        for."""
        found = []
        for response in self.in_category("mantra"):
            for line in response.say:
                words = line.split(": ", 1)[-1]
                if len(words.split()) <= 10:
                    found.append(words[:1].upper() + words[1:])
        return list(dict.fromkeys(found))


def _leads(command: str | None, words: list[str]) -> bool:
    """Whether a command's phrasing can lead a longer turn. One word leads only if it is a
    command's own name: "again i forgot" is not "repeat"; "louder, the kettle's on" is."""
    if command not in LEADING_COMMANDS or (len(words) == 1 and words[0] not in LEADING_COMMANDS):
        return False
    needed = LEADING_COMMANDS[command]
    return needed is None or not needed.isdisjoint(words)


def _check_lines(scripts: Scripts, countries: dict[str, Helplines]) -> None:
    """Every line short enough to hear, with every country's numbers, and its placeholders
    known."""
    found = [
        f"{response.where or 'dialogs'}: responses.{response.id}.say: {line[:40]!r}...: {problem}"
        for response in scripts.responses.values()
        for line in response.say
        for problem in placeholders.problems(line, countries)
    ]
    if found:
        raise ScriptError(found)


def training_set(scripts: Scripts, lines: list[Labelled] | None = None) -> list[Labelled]:
    """Lines (by default every phrasing in the scripts) as the model learns them: read as
    `Dialog.read` reads, each with a recognition-slip variant where one applies."""
    normalizer = Normalizer(scripts.vocabulary)
    chosen = training_lines(scripts) if lines is None else lines
    read = (
        Labelled(normalizer.clean(mend.tidy(line.text)), line.label) for line in with_slips(chosen)
    )
    return [line for line in read if line.text]


_READERS = ("mend.py", "slips.py", "normalize.py", "ngrams.py")
"""The code that decides how a training line is read: a change to it means training again."""


def reading_key(scripts: Scripts) -> str:
    """What, besides the lines, decides what the model learns from: the vocabulary and the
    code that tidies text (read from disk in a few microseconds)."""
    vocabulary = scripts.vocabulary
    parts = [
        " ".join(sorted(vocabulary.fillers)),
        " ".join(sorted(vocabulary.polite)),
        repr(vocabulary.corrections),
        *((Path(__file__).parent / name).read_text(encoding="utf-8") for name in _READERS),
    ]
    return "\x00".join(parts)


def training_lines(scripts: Scripts) -> list[Labelled]:
    """Every labelled phrasing: the intents' examples and the examples/ folders."""
    lines = [Labelled(ex, intent.id) for intent in scripts.intents for ex in intent.examples]
    return lines + [Labelled(text, label) for label, text in scripts.lines]
