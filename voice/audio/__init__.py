"""Microphone, speaker, speech recognition and synthesis: the audio engines, one module each."""
