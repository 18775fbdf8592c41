"""Reading ``syncline.yml`` with line numbers, for `schema.definition`.

``yaml.safe_load`` forgets where each value came from and silently keeps the last of two equal
keys, so the definition is composed instead (``yaml.compose``): every node keeps its mark, and
each problem can name ``file:line``. This module is the generic half of loading: the document
(syntax errors, duplicate keys, ``${env:NAME[, default]}`` substitution, merge keys) and a typed
view (`Node`, `Block`) that reports a wrong type or an unknown key and lets loading go on, so
that every problem is reported at once. What the keys mean lives in `schema.definition`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml

from schema.errors import DefinitionError
from schema.model import Location

STR_TAG = "tag:yaml.org,2002:str"
SEQ_TAG = "tag:yaml.org,2002:seq"
MAP_TAG = "tag:yaml.org,2002:map"
MERGE_TAG = "tag:yaml.org,2002:merge"
VALUE_TAG = "tag:yaml.org,2002:value"
ENV_REFERENCE = re.compile(r"\$\{env:\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:,\s*([^}]*?))?\s*\}")
"""Serverless Framework's ``${env:NAME}`` / ``${env:NAME, default}`` variable syntax."""
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""PyYAML's libyaml binding, when it was built with it (the wheels are)."""

E = TypeVar("E", bound=Enum)


class Problems:
    """The errors found so far; loading goes on after each one so all are reported together."""

    def __init__(self) -> None:
        self.errors: list[DefinitionError] = []

    def add(self, location: Location, message: str) -> None:
        self.errors.append(DefinitionError(location, message))

    def __bool__(self) -> bool:
        return bool(self.errors)


class Shape(Enum):
    """What a value must look like; the member's value is the noun used in messages."""

    STRING = "a string"
    INTEGER = "an integer"
    NUMBER = "a number"
    BOOLEAN = "true or false"
    MAPPING = "a mapping"
    LIST = "a list"
    ANY = "any value"


@dataclass(frozen=True)
class Node:
    """A composed YAML node with where it is and what it is called (``appSync.caching.ttl``)."""

    raw: yaml.Node
    file: Path
    line: int
    path: str
    key: str = ""
    """The mapping key (or ``list[3]``) this node is the value of, as messages name it."""

    @property
    def location(self) -> Location:
        return Location(self.file, self.line)

    def value(self) -> Any:
        """The Python value, as ``yaml.safe_load`` would build it."""
        return yaml.constructor.SafeConstructor().construct_document(self.raw)

    def describe(self) -> str:
        if isinstance(self.raw, yaml.MappingNode):
            return "a mapping"
        if isinstance(self.raw, yaml.SequenceNode):
            return "a list"
        return "nothing" if self.value() is None else f"'{self.raw.value}'"

    def is_shape(self, shape: Shape) -> bool:
        if shape is Shape.ANY:
            return True
        if shape is Shape.MAPPING:
            return isinstance(self.raw, yaml.MappingNode)
        if shape is Shape.LIST:
            return isinstance(self.raw, yaml.SequenceNode)
        if not isinstance(self.raw, yaml.ScalarNode):
            return False
        value = self.value()
        if shape is Shape.STRING:
            return isinstance(value, str)
        if shape is Shape.BOOLEAN:
            return isinstance(value, bool)
        if shape is Shape.INTEGER:
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, int | float) and not isinstance(value, bool)

    @property
    def name(self) -> str:
        return self.path or "the top level"

    def child(self, raw: yaml.Node, path: str, key: str, line: int | None = None) -> Node:
        own_line = raw.start_mark.line + 1 if raw.start_mark else self.line
        return Node(raw, self.file, own_line if line is None else line, path, key)

    def items(self) -> Iterator[tuple[str, Node, Node]]:
        """``(key, key node, value node)`` of a mapping; the value reports its key's line."""
        if not isinstance(self.raw, yaml.MappingNode):
            return
        for key_raw, value_raw in self.raw.value:
            key = str(key_raw.value) if isinstance(key_raw, yaml.ScalarNode) else "?"
            path = f"{self.path}.{key}" if self.path else key
            key_node = self.child(key_raw, path, key)
            yield key, key_node, self.child(value_raw, path, key, key_node.line)

    def elements(self) -> list[Node]:
        if not isinstance(self.raw, yaml.SequenceNode):
            return []
        return [
            self.child(raw, f"{self.path}[{index}]", f"{self.key}[{index}]")
            for index, raw in enumerate(self.raw.value)
        ]


def did_you_mean(word: str, choices: Collection[str]) -> str:
    import difflib  # for error messages only: not on a valid definition's (cold start's) path

    matches = difflib.get_close_matches(word, list(choices), n=1)
    return f"; did you mean '{matches[0]}'?" if matches else ""


class Block:
    """A mapping being validated: unknown and missing keys are reported once, on creation.

    With ``known`` given as ``{key: Shape}``, present keys are also type-checked then. Getters
    return None when a key is absent or wrong; a wrong key is reported only once, so callers read
    on and report everything else.
    """

    def __init__(
        self,
        node: Node,
        problems: Problems,
        known: Collection[str] | Mapping[str, Shape],
        required: Collection[str] = (),
    ) -> None:
        self.node = node
        self.problems = problems
        self.children: dict[str, Node] = {}
        self.bad: set[str] = set()
        for key, key_node, value in node.items():
            if key not in known:
                hint = did_you_mean(key, known)
                problems.add(key_node.location, f"unknown key '{key}' in {node.name}{hint}")
            self.children[key] = value
        for key in required:
            self.require(key)
        if isinstance(known, Mapping):
            for key, shape in known.items():
                self.node_of(key, shape)

    @classmethod
    def of(
        cls,
        node: Node | None,
        problems: Problems,
        known: Collection[str] | Mapping[str, Shape],
        required: Collection[str] = (),
    ) -> Block | None:
        if node is None or not expect(node, Shape.MAPPING, problems):
            return None
        return cls(node, problems, known, required)

    def get(self, key: str) -> Node | None:
        return self.children.get(key)

    def require(self, key: str) -> Node | None:
        node = self.children.get(key)
        if node is None and key not in self.bad:
            self.bad.add(key)
            message = f"missing required key '{key}' in {self.node.name}"
            self.problems.add(self.node.location, message)
        return node

    def node_of(self, key: str, shape: Shape) -> Node | None:
        """The node under ``key`` if it has ``shape``; a wrong shape is reported once."""
        node = self.children.get(key)
        if node is None or key in self.bad:
            return None
        if not expect(node, shape, self.problems):
            self.bad.add(key)
            return None
        return node

    def shaped(self, key: str, shape: Shape, *, required: bool = False) -> Any:
        if required:
            self.require(key)
        node = self.node_of(key, shape)
        return None if node is None else node.value()

    def string(self, key: str, *, required: bool = False) -> str | None:
        value: str | None = self.shaped(key, Shape.STRING, required=required)
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.shaped(key, Shape.BOOLEAN)
        return default if value is None else bool(value)

    def integer(self, key: str, low: int, high: int) -> int | None:
        node = self.node_of(key, Shape.INTEGER)
        return None if node is None else in_range(node, node.value(), low, high, self.problems)

    def number(self, key: str, low: float, high: float) -> float | None:
        node = self.node_of(key, Shape.NUMBER)
        return None if node is None else in_range(node, node.value(), low, high, self.problems)

    def choice(self, key: str, choices: type[E], *, required: bool = False) -> E | None:
        node = self.require(key) if required else self.get(key)
        return None if node is None else enum_value(node, choices, self.problems)

    def regex(self, key: str) -> None:
        node = self.node_of(key, Shape.STRING)
        if node is not None:
            try:
                re.compile(str(node.value()))
            except re.error as error:
                self.problems.add(node.location, f"invalid regular expression for '{key}': {error}")

    def strings(self, key: str) -> tuple[str, ...]:
        node = self.node_of(key, Shape.LIST)
        items = node.elements() if node else []
        return tuple(str(i.value()) for i in items if expect(i, Shape.STRING, self.problems))

    def string_map(self, key: str) -> dict[str, str]:
        """A mapping of names to scalars; numbers and booleans become their YAML text."""
        node = self.node_of(key, Shape.MAPPING)
        result: dict[str, str] = {}
        for name, _, value in node.items() if node else ():
            if isinstance(value.raw, yaml.ScalarNode) and value.value() is not None:
                result[name] = str(value.raw.value)
            else:
                expect(value, Shape.STRING, self.problems)
        return result


def named_entries(node: Node | None, what: str, problems: Problems) -> Iterator[tuple[str, Node]]:
    """A block of named entries: a mapping, or (as the plugin allows) a list of mappings."""
    parts = [] if node is None else node.elements() if node.is_shape(Shape.LIST) else [node]
    seen: dict[str, int] = {}
    for part in parts:
        if not expect(part, Shape.MAPPING, problems):
            continue
        own: set[str] = set()  # a duplicate key inside one mapping is reported once, above
        for name, key_node, value in part.items():
            if name in seen and name not in own:
                message = f"duplicate {what} '{name}' (first defined at line {seen[name]})"
                problems.add(key_node.location, message)
            if name not in seen:
                seen[name] = key_node.line
                own.add(name)
                yield name, value


def expect(node: Node, shape: Shape, problems: Problems) -> bool:
    if node.is_shape(shape):
        return True
    problems.add(node.location, f"expected {shape.value} for '{node.key}', got {node.describe()}")
    return False


def in_range(node: Node, value: Any, low: float, high: float, problems: Problems) -> Any:
    if low <= value <= high:
        return value
    problems.add(node.location, f"'{node.key}' must be between {low} and {high}, got {value}")
    return None


def enum_value(node: Node, choices: type[E], problems: Problems) -> E | None:
    allowed = [str(member.value) for member in choices]
    raw = node.value() if isinstance(node.raw, yaml.ScalarNode) else None
    if isinstance(raw, str) and raw in allowed:
        return choices(raw)
    problems.add(
        node.location,
        f"invalid value {node.describe()} for '{node.key}'; expected one of {', '.join(allowed)}",
    )
    return None


def read_document(file: Path, env: Mapping[str, str], problems: Problems) -> Node | None:
    """Compose ``file``, report duplicate keys and substitute ``${env:...}``; None on failure."""
    try:
        data = file.read_bytes()
    except OSError as error:
        problems.add(Location(file, 1), f"cannot read {file}: {error.strerror or error}")
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.add(Location(file, line), "the file is not valid UTF-8")
        return None
    try:
        # libyaml composes the example's file ~20x faster than the Python loader (a cold
        # start's first event reads it; docs/deploy.md). It keeps the marks; on an error the
        # Python loader reads the file again, for its messages and positions.
        root = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        reported = len(problems.errors)
        root = _compose_slowly(text, file, problems)
        if len(problems.errors) > reported:
            return None
    if root is None:
        problems.add(Location(file, 1), "the file is empty")
        return None
    _walk(root, lambda node: _check_duplicates(node, file, problems))
    _walk(root, lambda node: _substitute(node, file, env, problems))
    _walk(root, lambda node: _check_tag(node, file, problems))
    _walk(root, lambda node: _flatten_merge_keys(node, file, problems))
    return Node(root, file, root.start_mark.line + 1 if root.start_mark else 1, "", file.name)


def _compose_slowly(text: str, file: Path, problems: Problems) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problems.add(Location(file, line), f"YAML syntax error: {error.problem or error}")
        return None
    except yaml.reader.ReaderError as error:
        line = text[: error.position].count("\n") + 1
        problems.add(Location(file, line), f"YAML syntax error: {error.reason}")
        return None


def _walk(root: yaml.Node, visit: Callable[[yaml.Node], None]) -> None:
    """Visit each node once (aliases share nodes, and may even form cycles)."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        visit(node)
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            stack.extend(child for pair in node.value for child in pair)


def _check_duplicates(node: yaml.Node, file: Path, problems: Problems) -> None:
    if not isinstance(node, yaml.MappingNode):
        return
    first_line: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == MERGE_TAG:
            continue
        line = key.start_mark.line + 1 if key.start_mark else 1
        if key.value in first_line:
            message = f"duplicate key '{key.value}' (first defined at line {first_line[key.value]})"
            problems.add(Location(file, line), message)
        else:
            first_line[key.value] = line


def _substitute(node: yaml.Node, file: Path, env: Mapping[str, str], problems: Problems) -> None:
    if not isinstance(node, yaml.ScalarNode) or node.tag != STR_TAG or "${env:" not in node.value:
        return
    line = node.start_mark.line + 1 if node.start_mark else 1

    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return _unquote(default)
        problems.add(Location(file, line), f"environment variable '{name}' is not set")
        return ""

    whole = ENV_REFERENCE.fullmatch(node.value.strip()) is not None
    node.value = ENV_REFERENCE.sub(replace, node.value)
    if whole and not node.style:  # plain: None from the Python loader, "" from libyaml
        # An unquoted `ttl: ${env:TTL, 60}` is the integer 60, as if written in place.
        resolver = yaml.resolver.Resolver()
        node.tag = resolver.resolve(yaml.ScalarNode, node.value, (True, False))  # type: ignore[no-untyped-call]


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _check_tag(node: yaml.Node, file: Path, problems: Problems) -> None:
    """Leave only nodes ``safe_load`` can build, so `Node.value` never fails later.

    CloudFormation's ``!Ref`` / ``!GetAtt`` tags are the likely visitors: a Syncline server has
    no stack to resolve them against.
    """
    line = node.start_mark.line + 1 if node.start_mark else 1
    fallbacks: dict[type[yaml.Node], str] = {yaml.MappingNode: MAP_TAG, yaml.SequenceNode: SEQ_TAG}
    fallback = fallbacks.get(type(node), STR_TAG)
    if node.tag in (MERGE_TAG, VALUE_TAG):
        node.tag = node.tag if node.tag == MERGE_TAG else STR_TAG
    elif node.tag not in yaml.constructor.SafeConstructor.yaml_constructors:
        problems.add(Location(file, line), f"unsupported YAML tag '{node.tag}'")
        node.tag = fallback
    elif isinstance(node, yaml.ScalarNode):
        try:
            yaml.constructor.SafeConstructor().construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError):
            problems.add(
                Location(file, line),
                f"invalid value '{node.value}' for tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}'",
            )
            node.tag = STR_TAG


def _flatten_merge_keys(node: yaml.Node, file: Path, problems: Problems) -> None:
    if isinstance(node, yaml.MappingNode):
        try:
            yaml.constructor.SafeConstructor().flatten_mapping(node)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or node.start_mark
            line = mark.line + 1 if mark else 1
            problems.add(Location(file, line), f"invalid merge key: {error.problem}")
            node.value = [(k, v) for k, v in node.value if k.tag != MERGE_TAG]
