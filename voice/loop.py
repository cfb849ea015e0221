"""The voice loop: mic -> recogniser -> dialog -> speech, with wake phrase, follow-up window,
half-duplex listening and barge-in. Engines come in through narrow interfaces."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from voice.breathing.player import BREATHING_WORDS, BreathingPlayer
from voice.breathing.timeline import Exercise
from voice.dialog.dialog import Dialog
from voice.dialog.engine import Conversation, Reply
from voice.settings import Settings
from voice.transcript import Recognizer, Retunable, Transcript
from voice.wake import WakePhrase

_LOGGER = logging.getLogger(__name__)

ECHO_WINDOW = 1.5
"""A barge-in word heard within this many seconds of when the assistant itself says it
is taken for an echo of its own voice."""


class Chunk(Protocol):
    """Microphone audio: 16 kHz mono int16, and when it arrived (monotonic seconds)."""

    @property
    def pcm(self) -> bytes: ...

    @property
    def captured(self) -> float: ...


class Source(Protocol):
    """Microphone chunks; None when none arrived in time."""

    def read(self, timeout: float) -> Chunk | None: ...


class Speech(Protocol):
    """What the loop needs from speech output."""

    text: str
    duration: float

    @property
    def speaking(self) -> bool: ...

    @property
    def first_frame_at(self) -> float | None: ...

    def say(self, text: str, budget: float | None = None) -> float: ...

    def tone(self, seconds: float) -> None: ...

    def stop(self) -> None: ...

    def adjust(self, command: str) -> None: ...


def barge_words(dialog: Dialog) -> tuple[str, ...]:
    """What the barge-in listener listens for while it speaks: the stop command's short
    phrasings from the scripts, and the breathing controls."""
    return tuple(sorted({*dialog.stop_phrases(), *BREATHING_WORDS}))


KEPT = 200
"""Turns and barge-ins remembered for the timings log and the benchmarks: `run` lasts for
days, so older ones are forgotten."""
ECHO_TAIL_SECONDS = 0.3
"""After its own speech ends, what the microphone hears this long is taken for echo."""


@dataclass
class Turn:
    """Monotonic times of one turn, from the end of speech to the first frame of the reply."""

    endpoint: float
    """When the chunk that completed the utterance was captured."""
    transcript: float
    reply: float
    category: str
    first_frame: float | None = None
    speech_end: float | None = None
    """When her last word ended, from the recogniser's word times (None without them)."""


@dataclass
class BargeIn:
    """A barge-in: when the word was detected and when playback was stopped."""

    heard_at: float
    stopped_at: float
    word: str


@dataclass
class _State:
    follow_until: float = 0.0
    quiet_until: float = 0.0
    last_heard: float = 0.0
    was_busy: bool = False
    closing: bool = False
    player: BreathingPlayer | None = None
    player_thread: threading.Thread | None = None
    pending: Turn | None = None
    turns: deque[Turn] = field(default_factory=lambda: deque(maxlen=KEPT))
    barge_ins: deque[BargeIn] = field(default_factory=lambda: deque(maxlen=KEPT))


class VoiceLoop:
    """Runs the conversation; every engine is passed in, so tests can swap any of them."""

    def __init__(
        self,
        dialog: Dialog,
        source: Source,
        recognizer: Recognizer,
        barge: Recognizer,
        speech: Speech,
        settings: Settings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.dialog = dialog
        self.source, self.recognizer, self.barge, self.speech = source, recognizer, barge, speech
        self.clock = clock
        self.echo_tail_seconds = ECHO_TAIL_SECONDS
        self._use_settings(settings)
        self.conversation = Conversation(dialog, country=self.talk.country)
        self.stop_phrases = dialog.stop_phrases()
        """What cuts speech short: the stop command's short phrasings, from the scripts."""
        self.state = _State()

    def _use_settings(self, settings: Settings) -> None:
        self.listening, self.breathing, self.talk = (
            settings.listening,
            settings.breathing,
            settings.talk,
        )
        self.wake = WakePhrase(self.listening.wake_phrase)

    def use_dialog(self, dialog: Dialog, settings: Settings | None = None) -> None:
        """New scripts (and settings) from now on, after a reload; the conversation starts
        afresh with them."""
        if settings is not None:
            self._use_settings(settings)
        self.dialog = dialog
        self.stop_phrases = dialog.stop_phrases()
        if isinstance(self.barge, Retunable):
            self.barge.listen_for(barge_words(dialog))
        self.conversation = Conversation(dialog, country=self.talk.country)

    @property
    def turns(self) -> list[Turn]:
        """The latest turns' times (up to KEPT), oldest first."""
        return list(self.state.turns)

    @property
    def barge_ins(self) -> list[BargeIn]:
        """The latest barge-ins (up to KEPT), oldest first."""
        return list(self.state.barge_ins)

    def run(self, stop: threading.Event, alive: Callable[[], None] = lambda: None) -> None:
        """Listen and answer until `stop` is set; `alive` is called every turn of the loop
        (a service's watchdog ping), so a loop that hangs stops calling it."""
        while not stop.is_set():
            alive()
            chunk = self.source.read(0.2)
            if chunk is not None:
                self.feed(chunk)
            self._note_first_frame()
        self.speech.stop()
        if self.state.player is not None:
            self.state.player.control("stop")

    def busy(self) -> bool:
        """Speaking, or guiding a breathing exercise."""
        thread = self.state.player_thread
        return self.speech.speaking or (thread is not None and thread.is_alive())

    def feed(self, chunk: Chunk) -> None:
        """One microphone chunk: to barge-in listening while busy, else to the recogniser."""
        if self.busy():
            self.state.was_busy = True
            self._listen_for_barge_in(chunk)
            return
        now = self.clock()
        if self.state.was_busy:
            self._finished_speaking(now)
        if now < self.state.quiet_until:
            return  # the room still rings with our own voice
        result = self.recognizer.accept(chunk.pcm)
        if result is not None and result.final:
            self._on_final(result, chunk.captured)

    def _finished_speaking(self, now: float) -> None:
        state = self.state
        state.was_busy = False
        state.quiet_until = now + self.echo_tail_seconds
        state.follow_until = 0.0 if state.closing else now + self.listening.follow_up_seconds
        state.closing = False
        state.player = state.player_thread = None
        self.barge.reset()
        self.recognizer.reset()

    def _on_final(self, result: Transcript, endpoint: float) -> None:
        text = result.text.strip()
        if not text:
            return
        heard = self.clock()
        if self.listening.log_transcripts:
            _LOGGER.info("heard: %s", text)
        utterance = self._addressed(text, heard)
        if utterance is None:
            _LOGGER.debug("not addressed to me; ignored")
            return
        reply = self._conversation(heard).respond(utterance)
        self.state.pending = Turn(
            endpoint, heard, self.clock(), reply.category, speech_end=_speech_end(result, endpoint)
        )
        if self.listening.log_transcripts:
            _LOGGER.info("reply (%s): %s", reply.category, reply.text)
        self._act(reply)

    def _conversation(self, now: float) -> Conversation:
        """The conversation going on, or a new one after goodbye or a quiet spell."""
        quiet = now - self.state.last_heard > self.talk.conversation_minutes * 60
        if self.conversation.ended or (quiet and self.state.last_heard):
            self.conversation = Conversation(self.dialog, country=self.talk.country)
        self.state.last_heard = now
        return self.conversation

    def _addressed(self, text: str, now: float) -> str | None:
        """What was said to the assistant, or None if it was not addressed."""
        after = self.wake.after(text)
        if not self.listening.wake or now < self.state.follow_until:
            return text if after is None else after
        return after

    def _act(self, reply: Reply) -> None:
        command = reply.command
        if command == "stop":
            self.speech.stop()
            self.state.pending = None
            return
        if command in ("slower", "faster", "louder", "quieter"):
            self.speech.adjust(command)
        self.state.closing = command == "goodbye"
        if reply.breathing:
            self._breathe(reply)
            return
        self._say(reply.text)

    def _say(self, text: str, budget: float | None = None) -> None:
        self.recognizer.reset()  # half-duplex: nothing heard before or during speech carries over
        self.speech.say(text, budget)

    def _breathe(self, reply: Reply) -> None:
        assert reply.breathing is not None
        pattern = self.dialog.scripts.patterns[reply.breathing]
        exercise = Exercise(
            pattern,
            self.dialog.mantras(),
            count=self.breathing.count,
            tone=self.breathing.tone,
        )
        player = BreathingPlayer(exercise, self.speech)
        self.recognizer.reset()
        thread = threading.Thread(target=player.run, name="breathing", daemon=True)
        self.state.player, self.state.player_thread = player, thread
        thread.start()

    def _listen_for_barge_in(self, chunk: Chunk) -> None:
        result = self.barge.accept(chunk.pcm)
        if result is None or not result.text:
            return
        heard = f" {' '.join(result.text.lower().split())} "
        for phrase in self.stop_phrases:
            if f" {phrase} " in heard and not self._is_echo(phrase.split()[0]):
                self._barge_in(phrase, chunk.captured)
                return
        player = self.state.player
        for word in heard.split():
            if player is not None and word in BREATHING_WORDS and not self._is_echo(word):
                player.control(word)
                self.barge.reset()
                return

    def _barge_in(self, word: str, heard_at: float) -> None:
        if self.state.player is not None:
            self.state.player.control("stop")
        else:
            self.speech.stop()
        self.state.barge_ins.append(BargeIn(heard_at, self.clock(), word))
        if self.listening.log_transcripts:
            _LOGGER.info("barge-in: '%s'", word)
        else:
            _LOGGER.info("barge-in: speech stopped")
        self.barge.reset()

    def _is_echo(self, word: str) -> bool:
        """True when the assistant is saying this very word about now."""
        spoken = self.speech.text.lower().replace(",", " ").replace(".", " ").split()
        start = self.speech.first_frame_at
        if word not in spoken or start is None or not spoken:
            return False
        now = self.clock()
        step = self.speech.duration / len(spoken)
        return any(
            abs(start + (i + 0.5) * step - now) < ECHO_WINDOW
            for i, w in enumerate(spoken)
            if w == word
        )

    def _note_first_frame(self) -> None:
        turn = self.state.pending
        start = self.speech.first_frame_at
        # A breathing exercise starts on its own thread: until it plays, the speaker still
        # shows the sound before it, which is not this turn's.
        if turn is None or start is None or start < turn.reply:
            return
        turn.first_frame = start
        self.state.pending = None
        self.state.turns.append(turn)
        if self.listening.timings:
            silence = "unknown"
            if turn.speech_end is not None:
                silence = f"{(turn.endpoint - turn.speech_end) * 1000:.0f} ms"
            # What she talked about is hers: the category only with --log-transcripts.
            _LOGGER.info(
                "timings%s: speech end->endpoint %s, ->transcript %.1f ms, ->reply %.2f ms, "
                "->first frame %.1f ms",
                f" ({turn.category})" if self.listening.log_transcripts else "",
                silence,
                (turn.transcript - turn.endpoint) * 1000,
                (turn.reply - turn.transcript) * 1000,
                (turn.first_frame - turn.reply) * 1000,
            )


def _speech_end(result: Transcript, endpoint: float) -> float | None:
    """Monotonic time her last word ended: the final came `audio_end - last word's end`
    seconds of audio after it, and that audio ended when the endpoint chunk was captured."""
    if not result.words:
        return None
    trailing = result.audio_end - result.words[-1].end
    return endpoint - trailing if 0.0 <= trailing < 30.0 else None
