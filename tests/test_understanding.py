"""The learned router on labelled utterances it was never trained on, and its contract."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voice.dialog.dialog import Dialog, training_lines
from voice.dialog.engine import Conversation
from voice.dialog.router import VectorStore
from voice.evaluate import cross_validate, evaluate, read_rows
from voice.settings import default_cache_dir

from .conftest import DATA, ROOT

EVAL = DATA / "eval"

# Floors a little under what was measured (README, "Understanding"), so a change that makes
# understanding worse fails here. Held-out sets were written apart from the training lines.
FLOORS = {
    "heldout.tsv": (0.88, 0.97),
    "set_a.tsv": (0.92, 1.0),
    "set_b.tsv": (0.91, 1.0),
    "set_c.tsv": (0.93, 1.0),
    "set_d.tsv": (0.93, 0.98),
    "set_e.tsv": (0.87, 0.95),
    "set_f.tsv": (0.86, 0.96),
    "set_g.tsv": (0.88, 0.96),
    "set_h.tsv": (0.85, 0.96),
    "set_i.tsv": (0.86, 0.92),
    "set_j.tsv": (0.84, 0.95),
    "set_k.tsv": (0.83, 0.94),
    "early.tsv": (0.95, 0.95),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(FLOORS))
def test_held_out_accuracy_and_crisis_recall(dialog: Dialog, name: str) -> None:
    report = evaluate(dialog, read_rows(EVAL / name))
    accuracy, recall = FLOORS[name]
    assert report.right / report.total >= accuracy, report.summary()
    assert report.crisis_caught / report.crisis >= recall, report.summary()


@pytest.mark.parametrize("name", ["heldout.tsv", *(f"set_{x}.tsv" for x in "abcdefghijk")])
def test_training_never_sees_the_evaluation_sets(dialog: Dialog, name: str) -> None:
    # heldout was split off before training; sets a to k were written apart, by
    # writers who never saw the training lines; any line they share with them was dropped
    # from training (a to e, and h's overlap with later training lines) or from the set (f to k).
    trained = {" ".join(text.lower().split()) for _, text in dialog.scripts.lines}
    for row in read_rows(EVAL / name):
        assert " ".join(row.text.lower().split()) not in trained, row.text


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("okay stop", "stop"),
        ("sorry can you say that again", "repeat"),
        ("thanks that really helped", "thanks"),
        ("thanks bye", "goodbye"),
        ("could you go a bit slower please", "slower"),
    ],
)
def test_commands_with_a_few_extra_words(dialog: Dialog, text: str, command: str) -> None:
    assert Conversation(dialog).respond(text).command == command


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("good buy", "goodbye"),
        ("re peat that", "repeat"),
        ("slow her please", "slower"),
        ("a bit lauder", "louder"),
    ],
)
def test_commands_as_the_recogniser_mishears_them(dialog: Dialog, text: str, command: str) -> None:
    reply = Conversation(dialog).respond(text)
    assert (reply.category, reply.command) == ("command", command)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("could you say that again i had the tap running", "repeat"),
        ("slow down a bit would you my head is all over the place", "slower"),
        ("louder please the washing machine is spinning", "louder"),
        ("bye for now i need to go and pick up my son", "goodbye"),
        # more than twelve words: a command only because nothing else fits the turn
        (
            "okay stop it there please the little one has finally dropped off and i need quiet",
            "stop",
        ),
        (
            "okay bye for now i have got to run and get my daughter from her swimming lesson",
            "goodbye",
        ),
        (
            "say that one more time would you i missed the middle bit because the baby was crying",
            "repeat",
        ),
    ],
)
def test_a_command_followed_by_its_reason(dialog: Dialog, text: str, command: str) -> None:
    assert Conversation(dialog).respond(text).command == command


@pytest.mark.parametrize(
    "text",
    [
        "i can't stop yelling at them",
        "i keep saying stop it to myself about the guilt",
        "again i forgot to sign the reading log",
        "i have to go back to work on monday and i feel sick about it",
        "see i knew i would mess this up",
        "by the time they are in bed i have nothing left",
        "i try to stop myself but every evening i end up shouting at the kids over nothing at all",
        "thanks to me being so tired we were late for school again and she cried the whole way",
    ],
)
def test_commands_are_never_found_inside_content(dialog: Dialog, text: str) -> None:
    assert Conversation(dialog).respond(text).command is None


def test_gibberish_is_not_understood(dialog: Dialog) -> None:
    assert Conversation(dialog).respond("blorp zibble frab").response_id == "fallback"


def _classify_in_a_process(seed: str, cache: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed, "XDG_CACHE_HOME": str(cache)}
    return subprocess.Popen(
        [sys.executable, "-m", "voice", "classify"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )


def _categories(proc: subprocess.Popen[str], lines: str) -> list[str]:
    out, err = proc.communicate(lines, timeout=300)
    assert proc.returncode == 0, err
    return [json.loads(line)["category"] for line in out.splitlines()]


def test_the_same_utterance_gets_the_same_category_in_every_process() -> None:
    lines = "".join(row.text + "\n" for row in read_rows(EVAL / "set_b.tsv"))
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    # Side by side: the two are independent, and together they take the time of one.
    procs = [_classify_in_a_process(seed, cache) for seed in ("1", "4242")]
    first, second = (_categories(proc, lines) for proc in procs)
    assert first == second and len(first) == lines.count("\n")


@pytest.mark.slow
def test_cross_validation_on_the_scripts_own_phrasings(dialog: Dialog) -> None:
    # Each half of the phrasings judged by a model trained on the other half.
    store = VectorStore(dialog.encoder, default_cache_dir() / "understanding")
    result = cross_validate(dialog, store, folds=2)
    assert result["lines"] == len(set(training_lines(dialog.scripts)))
    assert isinstance(result["accuracy"], float) and result["accuracy"] >= 0.80, result
