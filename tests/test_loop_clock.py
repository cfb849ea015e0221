"""The live loop on a fake clock: conversations end after a quiet spell or goodbye. The
recogniser, microphone and speaker are stand-ins; the dialog is the real one."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import pytest

from voice.breathing.timeline import timeline
from voice.dialog.dialog import Dialog
from voice.loop import VoiceLoop
from voice.settings import Settings

from .scripted import ScriptedRecognizer


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Chunk:
    pcm: bytes
    captured: float


class Speaker:
    """Says everything at once: never busy, so every chunk reaches the recogniser."""

    text = ""
    duration = 0.0
    speaking = False
    first_frame_at: float | None = None

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str, budget: float | None = None) -> float:
        self.said.append(text)
        return 0.0

    def tone(self, seconds: float) -> None: ...

    def stop(self) -> None: ...

    def adjust(self, command: str) -> None: ...


class Silence:
    def read(self, timeout: float) -> Chunk | None:
        return None


def _talk(dialog: Dialog, script: list[tuple[float, str]], quiet: float) -> list[str]:
    """Feed the loop a chunk every 0.1 fake seconds until the script has been heard; the
    response ids of the replies, in order."""
    clock = Clock()
    recognizer = ScriptedRecognizer(script, clock)
    options = Settings().with_values({"wake": False, "conversation_minutes": quiet / 60})
    speaker = Speaker()
    loop = VoiceLoop(dialog, Silence(), recognizer, recognizer, speaker, options, clock)
    loop.echo_tail_seconds = 0.0
    ids: list[str] = []
    end = clock.now + max(t for t, _ in script) + 1
    while clock.now < end:
        loop.feed(Chunk(b"\0" * 3200, clock.now))
        if loop.conversation.last is not None and len(speaker.said) > len(ids):
            ids.append(loop.conversation.last.response_id or "")
        clock.now += 0.1
    assert not recognizer.missed
    return ids


def test_an_answer_soon_after_the_question_is_heard_as_its_answer(dialog: Dialog) -> None:
    ids = _talk(dialog, [(1.0, "i feel so guilty"), (30.0, "something i did")], quiet=600)
    assert ids == ["triage", "repair"]


def test_after_a_quiet_spell_the_next_words_start_a_new_conversation(dialog: Dialog) -> None:
    ids = _talk(dialog, [(1.0, "i feel so guilty"), (700.0, "say that again")], quiet=600)
    # A new conversation has said nothing yet, so there is nothing to repeat.
    assert ids == ["triage", "nothing_yet"]


def test_the_quiet_spell_is_a_setting(dialog: Dialog) -> None:
    ids = _talk(dialog, [(1.0, "i feel so guilty"), (90.0, "say that again")], quiet=60)
    assert ids == ["triage", "nothing_yet"]
    ids = _talk(dialog, [(1.0, "i feel so guilty"), (90.0, "say that again")], quiet=120)
    assert ids == ["triage", "triage"]


def test_goodbye_ends_the_conversation_at_once(dialog: Dialog) -> None:
    ids = _talk(
        dialog, [(1.0, "i yelled at my kids"), (3.0, "goodbye"), (5.0, "say that again")], 600
    )
    assert ids == ["repair", "goodbye", "nothing_yet"]


class TalkingSpeaker(Speaker):
    """Busy for two fake seconds after each line, as a real speaker is while it talks."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock
        self.until = 0.0

    @property  # type: ignore[override]
    def speaking(self) -> bool:
        return self.clock() < self.until

    def say(self, text: str, budget: float | None = None) -> float:
        self.first_frame_at = self.clock()
        self.until = self.clock() + 2.0
        self.text, self.duration = text, 2.0
        super().say(text, budget)
        return self.duration

    def stop(self) -> None:
        self.until = 0.0


@pytest.mark.parametrize("transcripts", [False, True])
def test_logs_keep_her_words_and_topics_private(
    dialog: Dialog, caplog: pytest.LogCaptureFixture, transcripts: bool
) -> None:
    clock = Clock()
    recognizer = ScriptedRecognizer([(1.0, "i yelled at my kids")], clock)
    barge = ScriptedRecognizer([(1.5, "stop")], clock)
    options = Settings().with_values(
        {"wake": False, "timings": True, "log_transcripts": transcripts}
    )
    speaker = TalkingSpeaker(clock)
    loop = VoiceLoop(dialog, Silence(), recognizer, barge, speaker, options, clock)
    caplog.set_level(logging.DEBUG)
    for _ in range(40):
        loop.feed(Chunk(b"\0" * 3200, clock.now))
        loop._note_first_frame()
        clock.now += 0.1
    assert loop.barge_ins and loop.turns  # both happened, so both were logged
    logged = caplog.text.lower()
    assert ("yelled" in logged, "guilt" in logged, "'stop'" in logged) == (transcripts,) * 3


@pytest.mark.parametrize("said", ["hush", "oh never mind", "cancel"])
def test_the_stop_commands_in_the_scripts_cut_speech_short(dialog: Dialog, said: str) -> None:
    # These were stop commands in commands.yaml that could not interrupt speech. (The reply
    # must not say the word itself, or it would rightly be taken for an echo.)
    clock = Clock()
    recognizer = ScriptedRecognizer([(1.0, "everything is too much i am so overwhelmed")], clock)
    barge = ScriptedRecognizer([(1.5, said)], clock)
    speaker = TalkingSpeaker(clock)
    options = Settings().with_values({"wake": False})
    loop = VoiceLoop(dialog, Silence(), recognizer, barge, speaker, options, clock)
    for _ in range(25):
        loop.feed(Chunk(b"\0" * 3200, clock.now))
        clock.now += 0.1
    assert [b.word for b in loop.barge_ins] == [said.removeprefix("oh ")]
    assert not speaker.speaking


@pytest.mark.parametrize(("tone", "tones"), [(True, 4), (False, 0)])
def test_the_breathing_settings_reach_the_live_loop(dialog: Dialog, tone: bool, tones: int) -> None:
    clock = Clock()
    recognizer = ScriptedRecognizer([(1.0, "can we do box breathing")], clock)
    speaker = Speaker()
    played: list[float] = []
    speaker.tone = played.append  # type: ignore[method-assign]
    options = Settings().with_values(
        {"wake": False, "breathing_tone": tone, "breathing_count": False}
    )
    loop = VoiceLoop(dialog, Silence(), recognizer, recognizer, speaker, options, clock)
    for _ in range(15):
        loop.feed(Chunk(b"\0" * 3200, clock.now))
        clock.now += 0.1
    assert loop.state.player is not None and loop.state.player_thread is not None
    loop.state.player.control("stop")
    loop.state.player_thread.join(timeout=5)
    exercise = loop.state.player.exercise
    assert exercise.uses_tone is tone and exercise.count is False
    assert len([c for c in timeline(exercise) if c.kind == "tone" and c.round == 0]) == tones


def _run_for(loop: VoiceLoop, clock: Clock, seconds: float) -> None:
    end = clock.now + seconds
    while clock.now < end:
        loop.feed(Chunk(b"\0" * 3200, clock.now))
        loop._note_first_frame()  # as run() does after every chunk
        clock.now += 0.1


def test_wake_phrase_follow_up_window_and_half_duplex(dialog: Dialog) -> None:
    clock = Clock()
    recognizer = ScriptedRecognizer(
        [
            (0.5, "what is the weather like"),  # no wake phrase: ignored
            (1.5, "hey friend i yelled at my kids this morning"),  # answered, 1.5 to 3.5 s
            (2.5, "and another thing"),  # while it talks: never heard
            (5.0, "give me a mantra"),  # inside the follow-up window (to 6.5 s)
            (14.0, "i feel so guilty"),  # the window closed at 10 s: ignored
        ],
        clock,
    )
    speaker = TalkingSpeaker(clock)
    options = Settings().with_values({"follow_up_seconds": 3.0})
    loop = VoiceLoop(
        dialog, Silence(), recognizer, ScriptedRecognizer([], clock), speaker, options, clock
    )
    recognizer.start = clock.now
    _run_for(loop, clock, 16.0)
    assert [text for _, text in recognizer.missed] == ["and another thing"]
    assert [turn.category for turn in loop.turns] == ["guilt", "mantra"]
    assert [round(turn.transcript - 1000.0, 1) for turn in loop.turns] == [1.5, 5.0]


def test_its_own_voice_saying_a_stop_word_is_not_a_barge_in(dialog: Dialog) -> None:
    clock = Clock()
    barge = ScriptedRecognizer([(0.3, "enough"), (1.8, "stop")], clock)
    speaker = TalkingSpeaker(clock)
    loop = VoiceLoop(
        dialog, Silence(), ScriptedRecognizer([], clock), barge, speaker, Settings(), clock
    )
    barge.start = clock.now
    loop._say("Enough. Good enough is enough, and you can rest now.")
    _run_for(loop, clock, 2.5)
    # "enough" came while the speaker itself was saying it: an echo; "stop" was hers.
    assert [b.word for b in loop.barge_ins] == ["stop"]
    assert not speaker.speaking


def _quiet_loop(dialog: Dialog, speaker: Speaker) -> VoiceLoop:
    """A loop on a fake clock that hears nothing: its turns are set by the test."""
    clock = Clock()
    return VoiceLoop(
        dialog,
        Silence(),
        ScriptedRecognizer([], clock),
        ScriptedRecognizer([], clock),
        speaker,
        Settings(),
        clock,
    )


def test_a_turn_takes_the_first_frame_of_a_sound_started_after_its_reply(dialog: Dialog) -> None:
    from voice.loop import Turn

    speaker = Speaker()
    loop = _quiet_loop(dialog, speaker)
    loop.state.pending = Turn(
        endpoint=1004.9, transcript=1005.0, reply=1005.0, category="breathing"
    )
    speaker.first_frame_at = 1001.0  # the sound before: a breathing exercise has not played yet
    loop._note_first_frame()
    assert loop.turns == []
    speaker.first_frame_at = 1005.2
    loop._note_first_frame()
    assert [turn.first_frame for turn in loop.turns] == [1005.2]


def test_speech_is_prepared_as_it_will_be_said(dialog: Dialog) -> None:
    from voice.app import scripted_texts

    texts = scripted_texts(dialog, "GB")
    assert texts and not [t for t in texts if "{" in t]
    assert any("Samaritans, 116 123" in t for t in texts)  # GB's stand-in perinatal line


class ListeningFor(ScriptedRecognizer):
    """A barge-in recogniser that keeps the phrases it is told to listen for."""

    def __init__(self, clock: Clock) -> None:
        super().__init__([], clock)
        self.phrases: tuple[str, ...] = ()

    def listen_for(self, phrases: tuple[str, ...]) -> None:
        self.phrases = phrases


def test_reloaded_scripts_change_what_can_interrupt_speech(dialog: Dialog, tmp_path: Path) -> None:
    import shutil

    from .conftest import DIALOGS

    scripts = tmp_path / "dialogs"
    shutil.copytree(DIALOGS, scripts)
    commands = scripts / "commands.yaml"
    text = commands.read_text(encoding="utf-8")
    commands.write_text(text.replace("okay stop]", "okay stop, whoa there]"), encoding="utf-8")
    clock = Clock()
    barge = ListeningFor(clock)
    loop = VoiceLoop(
        dialog, Silence(), ScriptedRecognizer([], clock), barge, Speaker(), Settings(), clock
    )
    assert "whoa there" not in loop.stop_phrases
    from voice.dialog.loader import load_scripts

    # The new scripts with the model already trained: stop phrases are matched word for word.
    loop.use_dialog(Dialog(load_scripts([scripts]), dialog.encoder, dialog.router))
    assert "whoa there" in loop.stop_phrases and "whoa there" in barge.phrases
    assert "slower" in barge.phrases  # the breathing controls stay


def test_a_loop_that_runs_for_days_keeps_only_the_latest_turns(dialog: Dialog) -> None:
    from voice.loop import KEPT, Turn

    speaker = Speaker()
    loop = _quiet_loop(dialog, speaker)
    for n in range(KEPT + 50):
        loop.state.pending = Turn(endpoint=n, transcript=n + 0.1, reply=n + 0.1, category="guilt")
        speaker.first_frame_at = n + 0.5
        loop._note_first_frame()
    assert len(loop.turns) == KEPT
    assert [turn.endpoint for turn in loop.turns[-2:]] == [KEPT + 48, KEPT + 49]
