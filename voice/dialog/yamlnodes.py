"""Strict reading of composed YAML nodes, so every problem names file, line and key path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import yaml

from .schema import Where


@dataclass
class Problems:
    """Collects every problem found, so a script author sees them all at once."""

    messages: list[str] = field(default_factory=list)

    def add(self, where: Where, key: str, message: str) -> None:
        self.messages.append(f"{where}: {key}: {message}")


@dataclass(frozen=True)
class Node:
    """A YAML node with the file it came from and its key path, e.g. responses.repair.say."""

    node: yaml.Node
    path: str
    key: str
    problems: Problems
    line: int | None = None
    """For a mapping entry, the line of its key (where a reader looks for it)."""

    @property
    def where(self) -> Where:
        return Where(self.path, self.line or self.node.start_mark.line + 1)

    def error(self, message: str) -> None:
        self.problems.add(self.where, self.key or "(top)", message)

    def child(self, node: yaml.Node, key: str, line: int | None = None) -> Node:
        return Node(node, self.path, f"{self.key}.{key}" if self.key else key, self.problems, line)

    def is_null(self) -> bool:
        return isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":null")

    def mapping(
        self, allowed: tuple[str, ...] = (), required: tuple[str, ...] = ()
    ) -> dict[str, Node]:
        """The entries of a mapping; unknown keys (when `allowed` is given), duplicates and
        missing required keys are reported."""
        if not isinstance(self.node, yaml.MappingNode):
            self.error("must be a mapping of keys to values")
            return {}
        out: dict[str, Node] = {}
        for key_node, value_node in self.node.value:
            name = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "(complex key)"
            entry = self.child(value_node, name, key_node.start_mark.line + 1)
            keyed = Node(key_node, self.path, entry.key, self.problems)
            if not isinstance(key_node, yaml.ScalarNode) or not name.strip():
                keyed.error("keys must be plain non-empty names")
            elif name in out:
                keyed.error(f"duplicate key (first at line {out[name].where.line})")
            elif allowed and name not in allowed:
                keyed.error(f"unknown key; expected one of: {', '.join(allowed)}")
            else:
                out[name] = entry
        for name in required:
            if name not in out and isinstance(self.node, yaml.MappingNode):
                self.error(f"missing required key '{name}'")
        return out

    def items(self) -> Iterator[Node]:
        """The entries of a non-empty sequence."""
        if not isinstance(self.node, yaml.SequenceNode) or not self.node.value:
            self.error("must be a non-empty list")
            return
        for index, item in enumerate(self.node.value):
            yield self.child(item, f"[{index}]")

    def raw(self) -> str | None:
        """A scalar's text as written, without reporting anything (None: not a scalar)."""
        return str(self.node.value) if isinstance(self.node, yaml.ScalarNode) else None

    def text(self) -> str:
        """A non-empty string scalar."""
        if not isinstance(self.node, yaml.ScalarNode) or self.is_null():
            self.error("must be a piece of text")
            return ""
        value = str(self.node.value).strip()
        if not value:
            self.error("must not be empty")
        return value

    def texts(self) -> tuple[str, ...]:
        """A non-empty list of non-empty, distinct strings."""
        values: list[str] = []
        for item in self.items():
            value = item.text()
            if value and value in values:
                item.error("repeats an earlier entry")
            values.append(value)
        return tuple(values)

    def number(self, low: float, high: float) -> float:
        """A number within [low, high]."""
        try:
            value = float(self.text())
        except ValueError:
            self.error("must be a number")
            return low
        if not low <= value <= high:
            self.error(f"must be between {low:g} and {high:g}")
        return value

    def flag(self) -> bool:
        """A yes/no value."""
        if isinstance(self.node, yaml.ScalarNode) and self.node.tag.endswith(":bool"):
            return str(self.node.value).lower() in {"true", "yes", "on"}
        self.error("must be true or false")
        return False

    def choice(self, options: tuple[str, ...]) -> str:
        """One of a fixed set of names."""
        value = self.text()
        if value and value not in options:
            self.error(f"'{value}' is not one of: {', '.join(options)}")
        return value


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML was built with it: about ten times faster, same marks."""


MAX_DEPTH = 32
"""Lists and mappings nested deeper than this are refused (real scripts use about six)."""


def _bounded(path: str, source: str, problems: Problems) -> bool:
    """False, with the problem reported, when the text nests too deep or repeats a whole
    list or mapping through an alias: both make reading it cost far more than its size."""
    depth, collections = 0, set()
    try:
        for event in yaml.parse(source, Loader=_LOADER):  # events come one at a time
            where = Where(path, event.start_mark.line + 1 if event.start_mark else 1)
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                collections.add(event.anchor)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent) and event.anchor in collections:
                message = f"*{event.anchor} repeats a whole list or mapping; write it out instead"
                problems.add(where, "(alias)", message)
                return False
            if depth > MAX_DEPTH:
                message = f"lists or mappings nested more than {MAX_DEPTH} deep"
                problems.add(where, "(structure)", message)
                return False
    except yaml.YAMLError:
        return True  # composing reports it, with its line
    return True


def compose(path: str, source: str, problems: Problems) -> Node | None:
    """Parse YAML text into a root Node, reporting syntax errors with their line."""
    if not _bounded(path, source, problems):
        return None
    try:
        root = yaml.compose(source, Loader=_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.add(
            Where(path, line),
            "(syntax)",
            f"{exc.problem or exc.context} - check indentation and quotes",
        )
        return None
    except yaml.YAMLError as exc:
        problems.add(Where(path, 1), "(syntax)", str(exc))
        return None
    if root is None:
        problems.add(Where(path, 1), "(top)", "the file is empty")
        return None
    return Node(root, path, "", problems)
