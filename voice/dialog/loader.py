"""Load dialog scripts (YAML) into frozen dataclasses; every error names file, line and key."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import GoodEnoughError
from .schema import (
    CATEGORIES,
    COMMANDS,
    Answer,
    Intent,
    Pattern,
    Phase,
    Response,
    Scripts,
    Step,
    Vocabulary,
    Where,
)
from .yamlnodes import Node, Problems, compose

SECTIONS = ("intents", "responses", "steps", "vocabulary", "patterns")
CRISIS_KINDS = ("crisis_self", "crisis_baby", "crisis_danger")
"""Training labels owned by the program: the crisis check, not a script, answers them."""
MAX_EXAMPLE_CHARS = 600
SCRIPT_CATEGORIES = tuple(c for c in CATEGORIES if c != "crisis")
"""A script cannot speak as the crisis reply: that belongs to the program."""


class ScriptError(GoodEnoughError):
    """The scripts are invalid; `problems` lists every problem found, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class _Ref:
    """A reference from one item to another, checked once every file is read."""

    kind: str
    target: str
    node: Node


@dataclass
class _Collected:
    """What has been read so far across all files."""

    intents: dict[str, Intent] = field(default_factory=dict)
    responses: dict[str, Response] = field(default_factory=dict)
    steps: dict[str, Step] = field(default_factory=dict)
    patterns: dict[str, Pattern] = field(default_factory=dict)
    vocab: list[Vocabulary] = field(default_factory=list)
    refs: list[_Ref] = field(default_factory=list)
    first_seen: dict[tuple[str, str], Where] = field(default_factory=dict)

    def claim(self, kind: str, node: Node, ident: str | None = None) -> bool:
        """Register an id (the node's key unless given); a second definition anywhere is an
        error."""
        ident = ident or node.key.rsplit(".", 1)[-1]
        earlier = self.first_seen.get((kind, ident))
        if earlier is not None:
            node.error(f"duplicate id '{ident}' (first defined at {earlier})")
            return False
        self.first_seen[(kind, ident)] = node.where
        return True


def script_files(paths: Iterable[Path]) -> list[Path]:
    """Expand directories to their *.yaml files, sorted for stable output."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return files


def read_example_files(
    paths: Iterable[Path], intents: set[str], problems: Problems
) -> tuple[tuple[str, str], ...]:
    """(label, line) from every examples/*.txt beside the scripts: one phrasing per line,
    the file named after its intent (or a crisis kind); '#' starts a comment line."""
    labels = intents | set(CRISIS_KINDS)
    found: list[tuple[str, str]] = []
    for folder in (p / "examples" for p in paths if p.is_dir()):
        for path in sorted(folder.glob("*.txt")) if folder.is_dir() else ():
            label = path.stem
            if label not in labels:
                problems.add(
                    Where(str(path), 1),
                    "(file)",
                    f"no intent '{label}'; name the file "
                    "after an intent id, or a crisis kind: " + ", ".join(CRISIS_KINDS),
                )
                continue
            text = _read_text(path, problems)
            for number, raw in enumerate((text or "").splitlines(), start=1):
                line = raw.strip()
                if len(line) > MAX_EXAMPLE_CHARS:
                    problems.add(Where(str(path), number), label, "too long for one phrasing")
                elif line and not line.startswith("#"):
                    found.append((label, line))
    return tuple(found)


def load_scripts(paths: Iterable[Path]) -> Scripts:
    """Read and validate every script; raise ScriptError listing all problems."""
    problems = Problems()
    seen = _Collected()
    files = script_files(paths)
    if not files:
        raise ScriptError(["no dialog scripts found: pass a folder holding *.yaml files"])
    for path in files:
        _read_file(path, seen, problems)
    _check_refs(seen)
    lines = read_example_files(paths, set(seen.intents), problems)
    if problems.messages:
        raise ScriptError(problems.messages)
    return Scripts(
        intents=tuple(seen.intents.values()),
        responses=dict(seen.responses),
        steps=dict(seen.steps),
        vocabulary=_merge_vocab(seen.vocab),
        patterns=dict(seen.patterns),
        sources=tuple(str(path) for path in files),
        lines=lines,
    )


def _read_text(path: Path, problems: Problems) -> str | None:
    """A script file's text; anything but a regular, readable UTF-8 file is a problem."""
    if not path.is_file():
        problems.add(Where(str(path), 1), "(file)", "not a regular file; remove it or rename it")
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.add(Where(str(path), 1), "(file)", f"cannot read: {exc}")
        return None


def _read_file(path: Path, seen: _Collected, problems: Problems) -> None:
    source = _read_text(path, problems)
    if source is None:
        return
    root = compose(str(path), source, problems)
    if root is None:
        return
    readers = {
        "intents": _read_intents,
        "responses": _read_responses,
        "steps": _read_steps,
        "patterns": _read_patterns,
        "vocabulary": _read_vocabulary,
    }
    for name, section in root.mapping(allowed=SECTIONS).items():
        readers[name](section, seen)


def _read_intents(section: Node, seen: _Collected) -> None:
    for ident, node in section.mapping().items():
        fields = node.mapping(
            allowed=("examples", "reply", "command"), required=("examples", "reply")
        )
        if not seen.claim("intent", node):
            continue
        command = fields["command"].choice(COMMANDS) if "command" in fields else None
        reply = fields["reply"].text() if "reply" in fields else ""
        if reply:
            seen.refs.append(_Ref("responses", reply, fields["reply"]))
        examples = fields["examples"].texts() if "examples" in fields else ()
        seen.intents[ident] = Intent(ident, examples, reply, command, node.where)


def _read_responses(section: Node, seen: _Collected) -> None:
    for ident, node in section.mapping().items():
        fields = node.mapping(
            allowed=("category", "say", "ask", "expects_answer", "breathing"),
            required=("category", "say"),
        )
        if not seen.claim("response", node):
            continue
        category = fields["category"].choice(SCRIPT_CATEGORIES) if "category" in fields else ""
        say = fields["say"].texts() if "say" in fields else ()
        ask = _optional_ref(fields, "ask", "steps", seen)
        if say:
            _questions_heard(fields, ask)
        breathing = _optional_ref(fields, "breathing", "patterns", seen)
        seen.responses[ident] = Response(ident, category, say, ask, breathing, node.where)


def _questions_heard(fields: dict[str, Node], ask: str | None) -> None:
    """A line that asks her something needs a step that hears the answer, unless the script
    says plainly that the question expects none."""
    if "expects_answer" in fields and not fields["expects_answer"].flag():
        if ask is not None:
            fields["expects_answer"].error("cannot be false when 'ask' names a step")
        return
    if ask is not None:
        return
    for item in fields["say"].items():
        if _asks(item.raw() or ""):
            item.error(
                "asks a question but nothing hears the answer: add 'ask: <step>' to the "
                "response, or 'expects_answer: false' if no answer is wanted"
            )


def _asks(line: str) -> bool:
    return line.strip().rstrip("\"')\u201d\u2019").endswith("?")


def _optional_ref(fields: dict[str, Node], key: str, kind: str, seen: _Collected) -> str | None:
    if key not in fields:
        return None
    target = fields[key].text()
    seen.refs.append(_Ref(kind, target, fields[key]))
    return target


def _read_steps(section: Node, seen: _Collected) -> None:
    for ident, node in section.mapping().items():
        fields = node.mapping(allowed=("answers", "otherwise"), required=("answers", "otherwise"))
        if not seen.claim("step", node):
            continue
        answers = []
        for item in fields["answers"].items() if "answers" in fields else ():
            parts = item.mapping(allowed=("examples", "reply"), required=("examples", "reply"))
            if "examples" in parts and "reply" in parts:
                target = parts["reply"].text()
                seen.refs.append(_Ref("responses", target, parts["reply"]))
                answers.append(Answer(parts["examples"].texts(), target))
        otherwise = _optional_ref(fields, "otherwise", "responses", seen) or ""
        seen.steps[ident] = Step(ident, tuple(answers), otherwise, node.where)


def _read_patterns(section: Node, seen: _Collected) -> None:
    allowed = ("title", "phases", "rounds", "minutes", "intro", "closing", "tone", "examples")
    for ident, node in section.mapping().items():
        fields = node.mapping(allowed=allowed, required=("title", "phases", "intro", "closing"))
        if not seen.claim("pattern", node) or "phases" not in fields:
            continue
        phases = tuple(_read_phase(item) for item in fields["phases"].items())
        cycle = sum(phase.seconds for phase in phases) or 1.0
        rounds = _pattern_rounds(node, fields, cycle)
        seen.patterns[ident] = Pattern(
            id=ident,
            title=fields["title"].text() if "title" in fields else ident,
            phases=phases,
            rounds=rounds,
            intro=fields["intro"].text() if "intro" in fields else "",
            closing=fields["closing"].text() if "closing" in fields else "",
            tone=fields["tone"].flag() if "tone" in fields else False,
            examples=fields["examples"].texts() if "examples" in fields else (),
            where=node.where,
        )
        if "examples" in fields:
            _ask_for(seen.patterns[ident], fields["examples"], seen)


def _ask_for(pattern: Pattern, node: Node, seen: _Collected) -> None:
    """A pattern with examples is asked for by name: it makes its own intent, and its own
    reply (its opening line), both named after the pattern."""
    if seen.claim("intent", node, pattern.id):
        seen.intents[pattern.id] = Intent(
            pattern.id, pattern.examples, pattern.id, None, node.where
        )
    if seen.claim("response", node, pattern.id):
        seen.responses[pattern.id] = Response(
            pattern.id, "breathing", (pattern.intro,), None, pattern.id, node.where
        )


def _pattern_rounds(node: Node, fields: dict[str, Node], cycle: float) -> int:
    if ("rounds" in fields) == ("minutes" in fields):
        node.error("give exactly one of 'rounds' or 'minutes'")
        return 1
    if "rounds" in fields:
        rounds = fields["rounds"].number(1, 100)
        if rounds != int(rounds):
            fields["rounds"].error("must be a whole number of rounds")
        return int(rounds)
    return max(1, math.ceil(fields["minutes"].number(0.1, 60) * 60 / cycle))


def _read_phase(item: Node) -> Phase:
    parts = item.mapping(
        allowed=("name", "seconds", "cue", "count", "mantra"), required=("name", "seconds", "cue")
    )
    return Phase(
        name=parts["name"].choice(("in", "hold", "out", "rest")) if "name" in parts else "in",
        seconds=parts["seconds"].number(0.5, 30) if "seconds" in parts else 1.0,
        cue=parts["cue"].text() if "cue" in parts else "",
        count=parts["count"].flag() if "count" in parts else False,
        mantra=parts["mantra"].flag() if "mantra" in parts else False,
    )


def _read_vocabulary(section: Node, seen: _Collected) -> None:
    fields = section.mapping(allowed=("fillers", "corrections", "polite"))
    corrections = (
        tuple(
            (key.rsplit(".", 1)[-1], node.text())
            for key, node in ((n.key, n) for n in fields["corrections"].mapping().values())
        )
        if "corrections" in fields
        else ()
    )
    fillers = frozenset(fields["fillers"].texts()) if "fillers" in fields else frozenset()
    polite = frozenset(fields["polite"].texts()) if "polite" in fields else frozenset()
    seen.vocab.append(Vocabulary(fillers=fillers, corrections=corrections, polite=polite))


def _merge_vocab(parts: list[Vocabulary]) -> Vocabulary:
    return Vocabulary(
        fillers=frozenset().union(*(p.fillers for p in parts)),
        corrections=tuple(pair for p in parts for pair in p.corrections),
        polite=frozenset().union(*(p.polite for p in parts)),
    )


def _check_refs(seen: _Collected) -> None:
    tables: dict[str, dict[str, object]] = {
        "responses": dict(seen.responses),
        "steps": dict(seen.steps),
        "patterns": dict(seen.patterns),
    }
    for ref in seen.refs:
        if ref.target and ref.target not in tables[ref.kind]:
            ref.node.error(f"refers to '{ref.target}', which no script defines under {ref.kind}")
