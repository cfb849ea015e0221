"""Small details from what she said that a reply can carry over ("the permission slip")."""

from __future__ import annotations

import re

_FORGOT = re.compile(
    r"\bforg[oe]t(?:ten)? (?:about |to (?:bring|pack|send|sign|buy|get|book|pay for|do) )?"
    r"(?P<what>(?:(?:the|his|her|their|my|our|a|an) )?(?:[a-z']+ ){0,3}?[a-z']+?)"
    r"(?= (?:again|today|yesterday|this|for|at|and|so|but|on|in|because|when|until)\b|[.,!?]|$)"
)
_VAGUE = frozenset(
    ["it", "that", "this", "them", "everything", "something", "anything", "all", "stuff"]
)
_YOURS = {"my": "your", "our": "your", "i": "you", "me": "you", "mine": "yours"}


def forgotten(text: str) -> str | None:
    """What she says she forgot, told back to her ('my son's lunch' -> "your son's lunch")."""
    found = _FORGOT.search(" ".join(text.lower().split()))
    if found is None:
        return None
    words = found.group("what").split()
    if not words or words[-1] in _VAGUE or len(words) > 5:
        return None
    return " ".join(_YOURS.get(word, word) for word in words)
