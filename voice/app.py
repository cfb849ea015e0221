"""Builds the real engines, the one place that does: the speech model and recognisers, the
microphone, the speaker and voice, and the listening loop that joins them. The command line
calls it; it never calls back."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from voice.audio import recognizer as asr
from voice.audio.devices import AudioDeviceError, Mic, ResilientMic, Speaker, rescan_devices
from voice.audio.speech import SpeechOut
from voice.audio.synthesizer import SpeechError, Synthesizer
from voice.dialog.crisis import all_replies
from voice.dialog.dialog import Dialog
from voice.dialog.engine import Reply
from voice.dialog.placeholders import fill
from voice.loop import VoiceLoop, barge_words
from voice.settings import Settings
from voice.transcript import Recognizer

_LOGGER = logging.getLogger(__name__)


@dataclass
class Session:
    """The running pieces, so they can be closed in order."""

    loop: VoiceLoop
    mic: Mic
    speech: SpeechOut
    warming: threading.Thread | None = None
    """Renders the script lines in the background, so replies start without waiting."""

    def close(self) -> None:
        self.mic.close()
        self.speech.close()


def scripted_texts(dialog: Dialog, country: str) -> list[str]:
    """Every script line the assistant can say, as it will be said (placeholders filled for
    her country): worth having ready."""
    helplines = dialog.helplines[country]
    lines = [fill(t, helplines) for r in dialog.scripts.responses.values() for t in r.say]
    for pattern in dialog.scripts.patterns.values():
        lines += [pattern.intro, pattern.closing, *(p.cue for p in pattern.phases)]
    return lines


def rescan_when_idle(loop: VoiceLoop, speech: SpeechOut) -> None:
    """Let PortAudio find devices plugged in since it started. It closes every stream, so
    only while nothing plays; the speaker reopens itself for the next sound."""
    if loop.busy():
        return
    speech.speaker.close()
    rescan_devices()
    _LOGGER.info("looked for audio devices again")


def speech_out(settings: Settings) -> SpeechOut:
    """The real speaker and voice, opened."""
    synth = Synthesizer(settings.speech.voice, settings.speech.rate_wpm, settings.cache_dir)
    speaker = Speaker(settings.speech.speaker)
    speaker.open()
    return SpeechOut(synth, speaker, settings.speech.volume)


def speaker_for_chat(settings: Settings, dialog: Dialog) -> Callable[[Reply], None]:
    """Speaks each chat reply to the end before the next prompt; the crisis replies are
    rendered first, so they cannot fail when needed."""
    speech = speech_out(settings)
    speech.keep_ready(all_replies(dialog.helplines[settings.talk.country]))

    def speak(reply: Reply) -> None:
        speech.say(reply.text)
        speech.speaker.wait()

    return speak


def open_session(settings: Settings, dialog: Dialog) -> Session:
    """`goodenough run`'s engines: the speech model first (the slow, most likely to fail
    part), its recognisers, then everything else."""
    path = asr.find_model(
        settings.listening.model, settings.listening.model_named_by, settings.listening.models_dir
    )
    _LOGGER.info("loading speech model %s", path)
    model = asr.load_model(path, settings.listening.endpoint_silence_seconds)
    stall = max(1.0, 2 * settings.listening.endpoint_silence_seconds)
    recognizer = asr.VoskRecognizer(model, stall_seconds=stall)
    barge = asr.VoskRecognizer(model, grammar=barge_words(dialog))
    return assemble(settings, dialog, recognizer, barge)


def assemble(
    settings: Settings, dialog: Dialog, recognizer: Recognizer, barge: Recognizer
) -> Session:
    """Speech (the crisis replies rendered first), the microphone and the loop around the
    given recognisers; the speech cache warms only once everything has opened."""
    speech = speech_out(settings)
    try:
        speech.keep_ready(all_replies(dialog.helplines[settings.talk.country]))
    except SpeechError as exc:
        speech.close()
        raise SpeechError(
            f"the crisis replies could not be rendered, so it will not start: {exc}"
        ) from exc
    mic = Mic(settings.listening.mic)
    try:
        mic.open()
    except AudioDeviceError:
        speech.close()
        raise
    warming = speech.synth.warm(scripted_texts(dialog, settings.talk.country))
    source = ResilientMic(mic)
    loop = VoiceLoop(dialog, source, recognizer, barge, speech, settings)
    source.rescan = lambda: rescan_when_idle(loop, speech)
    return Session(loop, mic, speech, warming)
