"""Breathing: exact timelines for every shipped pattern, and the player on a fake clock."""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass, field

import pytest

from voice.breathing.player import STOP_LINE, BreathingPlayer
from voice.breathing.timeline import TONE_SECONDS, Exercise, speech_seconds, timeline
from voice.dialog.dialog import Dialog

from .conftest import in_process


def test_every_pattern_timeline_is_exact(dialog: Dialog) -> None:
    assert {"box", "four_seven_eight", "sigh", "coherent"} <= set(dialog.scripts.patterns)
    for pattern in dialog.scripts.patterns.values():
        cues = timeline(Exercise(pattern, dialog.mantras()))
        lead = speech_seconds(pattern.intro) + 1.0
        cycle = sum(p.seconds for p in pattern.phases)
        expected = []
        for number in range(pattern.rounds):
            offset = lead + number * cycle
            for phase in pattern.phases:
                if not pattern.tone:
                    expected.append((round(offset, 3), "phase", phase.name, number))
                else:  # a tone at the change, its words after it in the first round only
                    expected.append((round(offset, 3), "tone", phase.name, number))
                    if number == 0:
                        words_at = round(offset + TONE_SECONDS, 3)
                        expected.append((words_at, "phase", phase.name, number))
                offset += phase.seconds
        got = [(c.at, c.kind, c.phase, c.round) for c in cues if c.kind in {"phase", "tone"}]
        assert got == expected, pattern.id
        assert cues[0].kind == "intro" and cues[0].at == 0
        assert cues[-1].kind == "closing"
        assert cues[-1].at == round(lead + pattern.rounds * cycle, 3)
        for cue, after in itertools.pairwise(cues):
            assert cue.at <= after.at and cue.at + cue.budget <= after.at + 1e-6


def test_shipped_patterns_have_their_shapes(dialog: Dialog) -> None:
    shapes = {
        p.id: [(ph.name, ph.seconds) for ph in p.phases] for p in dialog.scripts.patterns.values()
    }
    assert shapes["box"] == [("in", 4), ("hold", 4), ("out", 4), ("hold", 4)]
    assert shapes["four_seven_eight"] == [("in", 4), ("hold", 7), ("out", 8)]
    assert [n for n, _ in shapes["sigh"]] == ["in", "in", "out"]
    assert shapes["coherent"] == [("in", 5.5), ("out", 5.5)]
    coherent = dialog.scripts.patterns["coherent"]
    assert coherent.rounds == 11  # two minutes at 11 s a breath, rounded up


def test_counts_mantras_and_pace(dialog: Dialog) -> None:
    box = dialog.scripts.patterns["box"]
    cues = timeline(Exercise(box, dialog.mantras()))
    counts = [c for c in cues if c.kind == "count" and c.round == 0 and c.phase == "in"]
    first_in = next(c for c in cues if c.kind == "phase")
    assert [c.text for c in counts] == ["two", "three", "four"]
    assert [round(c.at - first_in.at, 3) for c in counts] == [1.0, 2.0, 3.0]
    spoken = [c.text for c in cues if c.kind == "mantra"]
    assert spoken and len(spoken) == len(set(spoken))
    assert all(c.round % 2 == 1 and c.phase == "out" for c in cues if c.kind == "mantra")
    slow = timeline(Exercise(box, dialog.mantras(), pace=1.5, rounds=2))
    phases = [c.at for c in slow if c.kind == "phase"]
    assert [round(b - a, 3) for a, b in itertools.pairwise(phases)] == [6.0] * 7
    quiet = timeline(Exercise(box, count=False, tone=True))
    assert not any(c.kind == "count" for c in quiet)
    tones = [c for c in quiet if c.kind == "tone"]
    assert len(tones) == 4 * box.rounds
    # Each tone has room to sound before anything else starts; words only in round one.
    assert all(c.budget >= TONE_SECONDS for c in tones)
    assert {c.round for c in quiet if c.kind == "phase"} == {0}


@dataclass
class FakeClock:
    """Jumps straight to each deadline; controls arrive at scripted times."""

    now_value: float = 100.0
    controls: list[tuple[float, str]] = field(default_factory=list)
    player: BreathingPlayer | None = None

    def now(self) -> float:
        return self.now_value

    def wait_until(self, deadline: float, wake: threading.Event) -> bool:
        if self.controls and self.controls[0][0] < deadline:
            self.now_value, command = self.controls.pop(0)
            assert self.player is not None
            self.player.control(command)
            return wake.is_set()
        self.now_value = max(self.now_value, deadline)
        return False


@dataclass
class FakeVoice:
    said: list[tuple[str, float]] = field(default_factory=list)
    tones: list[float] = field(default_factory=list)

    def say(self, text: str, budget: float) -> None:
        self.said.append((text, budget))

    def tone(self, seconds: float) -> None:
        self.tones.append(seconds)


def play(
    dialog: Dialog, name: str, controls: list[tuple[float, str]] = ()
) -> tuple[BreathingPlayer, FakeVoice]:  # type: ignore[assignment]
    clock = FakeClock(controls=list(controls))
    voice = FakeVoice()
    player = BreathingPlayer(
        Exercise(dialog.scripts.patterns[name], dialog.mantras()), voice, clock
    )
    clock.player = player
    player.run()
    return player, voice


def test_player_hits_every_deadline_exactly(dialog: Dialog) -> None:
    player, voice = play(dialog, "four_seven_eight")
    schedule = timeline(player.exercise)
    assert [p.cue for p in player.played] == schedule
    assert all(p.started == p.scheduled == 100.0 + p.cue.at for p in player.played)
    assert voice.said[-1][0] == schedule[-1].text


def test_stop_ends_at_once_with_a_closing_line(dialog: Dialog) -> None:
    player, voice = play(dialog, "box", [(110.0, "stop")])
    assert player.stopped
    assert voice.said[-1][0] == STOP_LINE
    assert all(p.scheduled <= 110.0 for p in player.played)


def test_slower_stretches_what_is_left(dialog: Dialog) -> None:
    player, _ = play(dialog, "box", [(120.0, "slower")])
    phases = [p for p in player.played if p.cue.kind == "phase"]
    before = [
        b.scheduled - a.scheduled for a, b in itertools.pairwise(phases) if b.scheduled <= 120.0
    ]
    after = [
        b.scheduled - a.scheduled for a, b in itertools.pairwise(phases) if a.scheduled >= 120.0
    ]
    assert set(round(d, 3) for d in before) == {4.0}
    assert set(round(d, 3) for d in after) == {4.8}
    assert player.exercise.pace == pytest.approx(1.2)


def test_faster_and_again(dialog: Dialog) -> None:
    player, voice = play(dialog, "sigh", [(105.0, "faster"), (110.0, "again")])
    assert player.exercise.pace == pytest.approx(1 / 1.2)
    intros = [text for text, _ in voice.said if text == dialog.scripts.patterns["sigh"].intro]
    assert len(intros) == 2  # started over
    assert not player.stopped


def test_breathe_json_and_list_commands() -> None:
    listed = in_process(["breathe", "--list"])
    assert listed.returncode == 0
    assert b"box" in listed.stdout and b"coherent" in listed.stdout
    result = in_process(["breathe", "--pattern", "box", "--rounds", "2", "--pace", "1.5", "--json"])
    data = json.loads(result.stdout)
    assert data["pattern"] == "box" and data["rounds"] == 2 and data["pace"] == 1.5
    phases = [c for c in data["cues"] if c["kind"] == "phase"]
    assert len(phases) == 8 and phases[1]["at"] - phases[0]["at"] == pytest.approx(6.0)
    bad = in_process(["breathe", "--pattern", "yoga"])
    assert bad.returncode == 2 and b"no pattern 'yoga'" in bad.stderr


def test_tones_sound_for_their_full_length(dialog: Dialog) -> None:
    clock = FakeClock()
    voice = FakeVoice()
    box = dialog.scripts.patterns["box"]
    player = BreathingPlayer(Exercise(box, rounds=2, tone=True, count=False), voice, clock)
    player.run()
    assert voice.tones == [TONE_SECONDS] * 8
    # The words name each phase once, after its tone; then the tones carry on alone.
    assert [text for text, _ in voice.said[1:5]] == [p.cue for p in box.phases]
    assert len(voice.said) == 1 + 4 + 1  # intro, four cues, closing


@pytest.mark.parametrize(("flag", "tones"), [("--tone", True), ("--no-tone", False), (None, True)])
def test_tone_flags_are_honoured(flag: str | None, tones: bool) -> None:
    # coherent asks for tones in its pattern; --no-tone must still silence them.
    args = ["breathe", "coherent", "--rounds", "1", "--json"]
    result = in_process([*args, *([flag] if flag else [])])
    assert result.returncode == 0, result.stderr
    cues = json.loads(result.stdout)["cues"]
    assert any(c["kind"] == "tone" for c in cues) is tones
