"""Crisis check: runs before any matching, and no script can switch it off or reword it."""

from __future__ import annotations

import re

from .normalize import Normalizer

HELPLINES = (
    "Call or text 988, or the maternal mental health hotline, 1-833-852-6262, any hour. "
    "If anyone is in danger right now, call 911."
)

CRISIS_REPLY = "I'm really glad you told me. You deserve help right now. " + HELPLINES

FOLLOW_UPS = (
    "I'm still right here with you. Please reach out now: call or text 988, "
    "or the moms' hotline, 1-833-852-6262. Is someone nearby who can be with you?",
    "You don't have to hold this alone. Call or text 988, or 1-833-852-6262, any hour. "
    "If anyone is in danger, call 911.",
    "Let's keep you and your baby safe. Can you call or text 988 now, "
    "or the maternal hotline, 1-833-852-6262? I'll stay right here.",
)

_ME = r"my ?self"
_CHILD = (
    r"(?:my |the |our |this |that )?(?:baby|babies|newborn|infant|son|daughter|child|children"
    r"|kid|kids|toddler|little one|twins)"
)
_HARM = (
    r"(?:hurt|hurting|harm|harming|hit|hitting|shake|shaking|smother\w*|suffocat\w*|drown\w*"
    r"|kill|killing|strangl\w*|throw|throwing|choke|choking|stab\w*)"
)
_PATTERNS = (
    rf"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|hang|hanging|shoot|poison|drown"
    rf"|starve|starving|overdose)\w* {_ME}\b"
    r"(?! (?:a|an|some|another|off|free|loose|short|slack)\b)",  # "cut myself a slice"
    r"\bsuicid\w*",
    r"\b(?:end|ending|take|taking) (?:my|my own) life\b",
    r"\bend(?:ing)? it all\b",
    r"\b(?:want|wanted|wanna|wish|going|gonna|ready|plan|planning|thinking about|thought about"
    r"|rather) (?:to )?(?:just )?die\b",
    r"\b(?:wish|wished) i (?:was|were|had) (?:dead|never been born|not born)\b",
    r"\bbetter off (?:dead|without me|if i was gone|if i were gone)\b",
    r"\b(?:do not|not) want to (?:be alive|live|exist|be here anymore|wake up)\b",
    r"\bno (?:reason|point) (?:to|in) (?:live|living|going on)\b",
    r"\bcan not go on (?:living|anymore)\b",
    r"\bhope i (?:do not|never) wake up\b",
    r"\b(?:overdose|od) on\b",
    rf"(?<!never ){_HARM} {_CHILD}\b",
    rf"\b(?:thoughts|thinking|thought|urge|urges|scared i will|afraid i will|might) (?:of |about )?"
    rf"{_HARM} {_CHILD}\b",
    rf"\b{_CHILD} (?:would be )?better off without me\b",
)
_CRISIS = re.compile("|".join(f"(?:{p})" for p in _PATTERNS))


def is_crisis(text: str) -> bool:
    """True when the text speaks of self-harm, suicide, or harming a child."""
    return _CRISIS.search(Normalizer.words(text)) is not None
