"""Crisis check: runs before everything else, on the whole utterance however long; no script
can switch it off or reword it. Recall first: explicit patterns, then the model's crisis
probability (over the whole turn and over windows of a long one), then a middle band where
it asks a direct question; a turn that sits right beside the crisis phrasings it was taught
gets that question too."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .mend import tidy, without_repeats

if TYPE_CHECKING:
    from .dialog import Dialog

CRISIS = 0.5
"""Model crisis probability at or above which the crisis reply is given at once."""
ASK = 0.25
"""From here up to CRISIS, it asks whether she has thoughts of harming herself or the baby."""
WINDOW_WORDS = 14
"""Long turns are also read in overlapping windows of this many words."""
WINDOW_CRISIS = 0.8
"""A window alone gives the crisis reply at this probability, the question from CRISIS."""
LONG_TURN = 24
"""Turns of more words than this are also read in windows."""
MAX_WINDOWS = 100

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
_SELF = (
    rf"\b(?:kill|killing|hurt|hurting|harm|harming|cut|cutting|hang|hanging|shoot|poison|drown"
    rf"|starve|starving|overdose|burn|burning)\w* {_ME}\b"
    r"(?! (?:a|an|some|another|off|free|loose|short|slack|trying|to)\b)",
    r"\bsuicid\w*",
    r"\b(?:end|ending|take|taking) (?:my|my own) life\b",
    r"\bend(?:ing)? it all\b",
    r"\b(?:want|wanted|wanna|wish|going|gonna|ready|plan|planning|thinking about|thought about"
    r"|rather|would rather|like) (?:to )?(?:just )?(?:die|be dead)\b",
    r"\b(?:wish|wished) i (?:was|were|had) (?:dead|never been born|not born|not here)\b",
    r"\bbetter off (?:dead|without me|if i was gone|if i were gone|if i was not here)\b",
    r"\b(?:happier|fine|better) without me\b",
    r"\b(?:do not|not|never) want to (?:be alive|live|exist|be here|wake up)\b",
    r"\btired of (?:being alive|living|existing)\b",
    r"\bno (?:reason|point) (?:to|in) (?:live|living|going on|being alive|me being here)\b",
    r"\bcan not go on (?:living|anymore|like this)\b",
    r"\b(?:hope|wish) i (?:do not|never|would not|will not) wake up\b",
    r"\bsleep and (?:never|not) wake up\b",
    r"\b(?:overdose|od) on\b",
    r"\b(?:counting|saving|stockpiling|saved up|hoarding) (?:up )?(?:my |the )?"
    r"(?:pills|tablets)\b",
    r"\b(?:disappear|vanish)\b(?: \w+){0,10} (?:for good|forever|for ever|permanently)\b",
    r"\b(?:wish|wished) i (?:had |would have |would )?never (?:woken|woke|wake) up\b",
    r"\b(?:envy|jealous of) (?:people|those|anyone|the ones|everyone) who (?:have |has )?"
    r"(?:died|are dead|is dead)\b",
    r"\bnobody would (?:notice|care|miss me) if i\b",
    r"\b(?:step|walk|stepping|walking) in front of (?:a |the )?"
    r"(?:bus|train|lorry|truck|car|traffic)\b",
    r"\b(?:not|never) turn the wheel\b|\bcrash the car on purpose\b",
    r"\b(?:note|notes|letter|letters) just in case\b",
    r"\bworked out (?:how|when) (?:i would|to)\b",
    r"\b(?:car|engine) (?:running )?in the (?:closed |shut )?garage\b",
    r"\b(?:just |a |such a )?dead weight (?:in|on|to|round|around)\b",
    r"\bi am (?:just )?dead weight\b",
    r"\b(?:(?:i am|i feel like) (?:just |such )?|^(?:just |such )?)a (?:burden|weight|drain) "
    r"(?:to|on) (?:everyone|everybody"
    r"|all of them|them all|my family|the family|my kids|my children|my husband|my partner)\b",
    r"\b(?:keep|kept) (?:looking|staring) (?:at|down at) the (?:train line|train tracks|railway"
    r"|tracks|bridge)\b",
)
_BABY = (
    rf"(?<!never ){_HARM} {_CHILD}\b",
    rf"\b(?:thoughts|thinking|thought|urge|urges|scared i will|afraid i will|might|picture"
    rf"|picturing|images of|flashes of|what if i) (?:of |about )?{_HARM} {_CHILD}\b",
    rf"\b{_CHILD} (?:would be )?better off without me\b",
    rf"\b(?:do not|can not) trust myself (?:alone )?with {_CHILD}\b",
)
_DANGER = (
    r"\b(?:he|she|my partner|my husband|my boyfriend|my ex) (?:strangled|choked|hit|punched|kicked"
    r"|shoved|pushed|beat|beats|hits|chokes|strangles) me\b",
    r"\b(?:he|she|my partner|my husband|my ex) (?:threatened|says he will|said he would"
    r"|said he will) (?:to )?(?:kill|hurt)\b",
    r"\b(?:he|she|my partner|my husband|my boyfriend|my ex) (?:gets|got|is getting|turns)"
    r" (?:rough|violent|physical) (?:with me|when)\b",
    r"\bwhen (?:he|she) (?:drinks|is drunk|has been drinking) (?:he|she) (?:gets|turns)"
    r" (?:rough|violent|nasty|physical)\b",
    r"\b(?:my partner|my husband|my boyfriend|my ex|my wife|my girlfriend)(?: \w+){0,2}"
    r" (?:threw|throws|has thrown)"
    r"(?: \w+){0,3} at (?:me|my head|my face)\b",
    r"\b(?:pinned|pushed|shoved|slammed|threw|held|put|had) me (?:up )?against (?:the|a)"
    r" (?:wall|door|fridge|counter|worktop|floor)\b",
    r"\b(?:grabbed|held|had|took|got|put) me(?: \w+){0,5} by (?:the|my) (?:neck|throat)\b",
    r"\b(?:he|she|my partner|my husband|my boyfriend|my ex|my wife|my girlfriend)"
    r" (?:grabbed|dragged|yanked|pulled) me(?: \w+){0,3} by (?:the|my) hair\b",
    r"\b(?:scared|afraid|frightened) (?:to go|of going) home\b",
    r"\b(?:scared|afraid|frightened) of (?:my partner|my husband|my boyfriend|my ex|him)\b",
)
_KINDS = (
    ("crisis_self", re.compile("|".join(f"(?:{p})" for p in _SELF))),
    ("crisis_baby", re.compile("|".join(f"(?:{p})" for p in _BABY))),
    ("crisis_danger", re.compile("|".join(f"(?:{p})" for p in _DANGER))),
)


@dataclass(frozen=True)
class Risk:
    """What the crisis check found: level none, ask or crisis, and which kind."""

    level: str
    kind: str = "crisis_self"
    source: str = ""
    """'pattern', 'model' or 'neighbours': why."""


def _readings(text: str) -> tuple[str, str]:
    """The tidied words as the patterns read them: as said, and with stammered runs said once."""
    words = tidy(text)
    return words, without_repeats(words)


def pattern_kind(text: str) -> str | None:
    """The crisis kind explicit words show, if any (baby and danger before self)."""
    readings = _readings(text)
    for kind, regex in (_KINDS[1], _KINDS[2], _KINDS[0]):
        if any(regex.search(words) for words in readings):
            return kind
    return None


def crisis_excerpt(text: str, context: int = 12) -> str | None:
    """The explicit crisis words in a text with a few words either side, if it has any."""
    for words in _readings(text):
        found = [m for _, regex in _KINDS for m in [regex.search(words)] if m is not None]
        if found:
            first = min(found, key=lambda m: m.start())
            before = words[: first.start()].split()[-context:]
            after = words[first.end() :].split()[:context]
            return " ".join([*before, first.group(0), *after])
    return None


def is_crisis(text: str) -> bool:
    """True when explicit words speak of self-harm, harming a child, or danger."""
    return pattern_kind(text) is not None


def windows(words: int) -> list[tuple[int, int]]:
    """Overlapping windows (first word, end) over a long turn; none over a short one."""
    if words <= LONG_TURN:
        return []
    step = WINDOW_WORDS // 2
    starts = list(range(0, words - step, step))
    if len(starts) > 2 * MAX_WINDOWS:
        # Beyond minutes of speech: the patterns still read it all, the model its ends.
        starts = starts[:MAX_WINDOWS] + starts[-MAX_WINDOWS:]
    return [(i, min(i + WINDOW_WORDS, words)) for i in starts]


def assess(dialog: Dialog, text: str) -> Risk:
    """The crisis check for one utterance (the whole of it, however long)."""
    kind = pattern_kind(text)
    if kind is not None:
        return Risk("crisis", kind, "pattern")
    read = dialog.read(text)
    words = read.split()
    if not words or dialog.whole_command(text) is not None:
        # "good buy" is goodbye misheard: only the patterns judge a bare command.
        return Risk("none")
    spans = windows(len(words))
    vectors = dialog.window_vectors(read, spans)
    texts = [read, *(" ".join(words[a:b]) for a, b in spans)]
    guesses = [
        dialog.guess_vector(v, span, commands=False) for v, span in zip(vectors, texts, strict=True)
    ]
    whole, parts = guesses[0], guesses[1:]
    # A window is read without the rest of the turn, so it must be surer than the whole.
    worst = max(parts, key=lambda g: g.crisis, default=whole)
    if whole.crisis >= CRISIS or worst.crisis >= WINDOW_CRISIS:
        return Risk("crisis", max(whole, worst, key=lambda g: g.crisis).crisis_kind, "model")
    if whole.crisis >= ASK or worst.crisis >= CRISIS:
        return Risk("ask", max(whole, worst, key=lambda g: g.crisis).crisis_kind, "model")
    near = dialog.router.near
    kind = None if near is None else near.kind_near(vectors[0])
    if kind is not None:
        return Risk("ask", kind, "neighbours")
    return Risk("none")
