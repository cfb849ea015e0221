"""`goodenough eval`: how well labelled utterances are understood, each a fresh conversation."""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from voice.dialog.dialog import Dialog, training_lines, training_set
from voice.dialog.engine import Conversation
from voice.dialog.router import VectorStore, fit
from voice.dialog.safety import CRISIS


@dataclass(frozen=True)
class Row:
    """One labelled utterance: text, category, and the command name when it is one."""

    text: str
    category: str
    command: str = ""


def read_rows(path: Path) -> list[Row]:
    """Tab-separated text, category, optional command; '#' lines are comments."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) < 2:
            raise ValueError(f"{path}:{number}: expected text<TAB>category[<TAB>command]")
        rows.append(Row(parts[0], parts[1].strip(), parts[2].strip() if len(parts) > 2 else ""))
    return rows


@dataclass
class Report:
    """Counts from one labelled set."""

    total: int = 0
    right: int = 0
    crisis: int = 0
    crisis_caught: int = 0
    crisis_asked: int = 0
    false_alarms: int = 0
    false_questions: int = 0
    commands: int = 0
    commands_right: int = 0
    expected: Counter[str] = field(default_factory=Counter)
    predicted: Counter[str] = field(default_factory=Counter)
    hits: Counter[str] = field(default_factory=Counter)
    confusions: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, row: Row, category: str, command: str | None, asked: bool) -> None:
        self.total += 1
        self.expected[row.category] += 1
        self.predicted[category] += 1
        if category == row.category:
            self.right += 1
            self.hits[category] += 1
        else:
            self.confusions[(row.category, category)] += 1
        if row.category == "crisis":
            self.crisis += 1
            self.crisis_caught += category == "crisis"
            self.crisis_asked += asked
        elif category == "crisis":
            self.false_alarms += not asked
            self.false_questions += asked
        if row.command:
            self.commands += 1
            self.commands_right += command == row.command

    def summary(self) -> dict[str, object]:
        """The figures, ready to print as JSON."""
        cats = sorted(self.expected | self.predicted)
        return {
            "utterances": self.total,
            "accuracy": round(self.right / max(self.total, 1), 3),
            "crisis_caught": f"{self.crisis_caught}/{self.crisis}",
            "crisis_by_question": self.crisis_asked,
            "non_crisis_answered_as_crisis": self.false_alarms,
            "non_crisis_asked_the_question": self.false_questions,
            "commands_right": f"{self.commands_right}/{self.commands}",
            "recall": {
                c: round(self.hits[c] / self.expected[c], 3) for c in cats if self.expected[c]
            },
            "precision": {
                c: round(self.hits[c] / self.predicted[c], 3) for c in cats if self.predicted[c]
            },
            "confusions": [
                f"{want} -> {got}: {n}" for (want, got), n in self.confusions.most_common(8)
            ],
        }


def evaluate(dialog: Dialog, rows: list[Row]) -> Report:
    """Every row through a fresh conversation, as `classify` does."""
    report = Report()
    for row in rows:
        reply = Conversation(dialog).respond(row.text)
        asked = reply.response_id == "check_in"
        report.add(row, reply.category, reply.command, asked)
    return report


def cross_validate(dialog: Dialog, store: VectorStore, folds: int) -> dict[str, object]:
    """Category accuracy on the scripts' own phrasings, each fold judged by a model trained
    on the others (a line and its slip variant always fall in the same fold)."""
    lines = sorted(set(training_lines(dialog.scripts)), key=lambda x: (x.label, x.text))
    random.Random(0).shuffle(lines)
    right = total = 0
    for fold in range(folds):
        held = lines[fold::folds]
        kept = [x for n, x in enumerate(lines) if n % folds != fold]
        learn = training_set(dialog.scripts, kept)
        vectors = store.vectors([x.text for x in learn])
        labels = tuple(sorted({x.label for x in learn}))
        router = fit(vectors, [x.text for x in learn], [x.label for x in learn], labels)
        judged = Dialog(dialog.scripts, dialog.encoder, router, store)
        reads = [judged.read(line.text) for line in held]
        # The held lines were read and embedded with the rest: their vectors are kept.
        for line, read, vector in zip(held, reads, store.vectors(reads), strict=True):
            guess = judged.guess_read(read, vector)
            want = dialog.category(line.label)
            got = "crisis" if guess.crisis >= CRISIS else judged.category(guess.label)
            right += got == want
            total += 1
    return {"folds": folds, "lines": total, "accuracy": round(right / max(total, 1), 3)}


def run(dialog: Dialog, paths: list[Path]) -> str:
    """One JSON object per file."""
    return "\n".join(
        json.dumps({"file": str(p), **evaluate(dialog, read_rows(p)).summary()}) for p in paths
    )
