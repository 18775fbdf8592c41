"""DynamoDB expressions: tokenizer, recursive-descent parser and evaluator.

One module on purpose: the five expression kinds share one tokenizer, one document-path grammar
and one placeholder resolution, and splitting them would scatter a single grammar. Grammar and
semantics follow the DynamoDB developer guide, "Using expressions in DynamoDB": "Condition and
filter expressions, operators, and functions" (comparators ``= <> < <= > >=``, ``BETWEEN``,
``IN``, ``AND``/``OR``/``NOT``, the functions), "Key condition expressions for Query", "Update
expressions" (``SET``/``REMOVE``/``ADD``/``DELETE``), "Projection expressions", "Document paths"
and "Expression attribute names/values". AppSync passes each section (``condition``, ``update``,
``query``, ``filter``, ``projection``) through as one DynamoDB expression with its
``expressionNames`` / ``expressionValues`` (AppSync developer guide, "JavaScript resolver function
reference for DynamoDB").

Placeholders are resolved while parsing, so the trees hold concrete paths and typed values and
evaluation needs only the item. Parse errors are ``ValidationError``s worded like DynamoDB's
(``Invalid ConditionExpression: Syntax error; token: ...``) plus the character position.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Any, Literal

from resolvers.dynamodb import values as v
from resolvers.dynamodb.errors import ValidationError
from resolvers.dynamodb.reserved import is_reserved
from resolvers.dynamodb.values import AttributeValue, Item

Path = tuple[str | int, ...]


class ExpressionKind(StrEnum):
    """DynamoDB's parameter names, used in its error messages."""

    CONDITION = "ConditionExpression"
    FILTER = "FilterExpression"
    KEY_CONDITION = "KeyConditionExpression"
    UPDATE = "UpdateExpression"
    PROJECTION = "ProjectionExpression"


# --- placeholders --------------------------------------------------------------------------


@dataclass
class Placeholders:
    """``#name`` and ``:value`` substitutions of one request, and which of them were used.

    DynamoDB takes one ``ExpressionAttributeNames``/``Values`` map per request and rejects entries
    no expression uses; AppSync builds those maps from every section of the request object.
    """

    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, AttributeValue] = field(default_factory=dict)
    used_names: set[str] = field(default_factory=set)
    used_values: set[str] = field(default_factory=set)

    def add(self, names: Any, values: Any, where: str) -> None:
        if names is not None:
            if not isinstance(names, Mapping):
                raise ValidationError(f"{where}.expressionNames must be a map")
            for key, name in names.items():
                if not isinstance(key, str) or not key.startswith("#"):
                    raise ValidationError(
                        f"ExpressionAttributeNames contains invalid key: Syntax error; key: {key!r}"
                    )
                if not isinstance(name, str) or not name:
                    raise ValidationError(
                        f"ExpressionAttributeNames contains invalid value: {name!r} for key {key}"
                    )
                if self.names.setdefault(key, name) != name:
                    raise ValidationError(f"{key} is defined twice with different names")
        if values is not None:
            if not isinstance(values, Mapping):
                raise ValidationError(f"{where}.expressionValues must be a map")
            for key, raw in values.items():
                if not isinstance(key, str) or not key.startswith(":"):
                    raise ValidationError(
                        f"ExpressionAttributeValues contains invalid key: Syntax error; key: {key!r}"
                    )
                value = v.validate(raw, f"{where}.expressionValues.{key}")
                if not v.equals(self.values.setdefault(key, value), value):
                    raise ValidationError(f"{key} is defined twice with different values")

    def check_all_used(self) -> None:
        unused_names = sorted(set(self.names) - self.used_names)
        if unused_names:
            raise ValidationError(
                "Value provided in ExpressionAttributeNames unused in expressions: "
                f"keys: {{{', '.join(unused_names)}}}"
            )
        unused_values = sorted(set(self.values) - self.used_values)
        if unused_values:
            raise ValidationError(
                "Value provided in ExpressionAttributeValues unused in expressions: "
                f"keys: {{{', '.join(unused_values)}}}"
            )


# --- tokens --------------------------------------------------------------------------------


class TokenKind(Enum):
    NAME = "name"
    NAME_REF = "#name"
    VALUE_REF = ":value"
    INDEX = "index"
    COMPARATOR = "comparator"
    PUNCT = "punctuation"
    EOF = "end of expression"


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    pos: int


_TOKEN_RE = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<name_ref>\#[A-Za-z0-9_]+)
    | (?P<value_ref>:[A-Za-z0-9_]+)
    | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<index>[0-9]+)
    | (?P<comparator><>|<=|>=|=|<|>)
    | (?P<punct>[.,()\[\]+\-])
    """,
    re.VERBOSE,
)
_TOKEN_KINDS = {
    "name_ref": TokenKind.NAME_REF,
    "value_ref": TokenKind.VALUE_REF,
    "name": TokenKind.NAME,
    "index": TokenKind.INDEX,
    "comparator": TokenKind.COMPARATOR,
    "punct": TokenKind.PUNCT,
}


def _syntax_error(kind: ExpressionKind, text: str, token: str, pos: int) -> ValidationError:
    near = text[max(0, pos - 12) : pos + len(token) + 12]
    return ValidationError(
        f'Invalid {kind}: Syntax error; token: "{token}", near: "{near}" (at character {pos + 1})'
    )


def tokenize(text: str, kind: ExpressionKind) -> list[Token]:
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        match = _TOKEN_RE.match(text, pos)
        if match is None:
            raise _syntax_error(kind, text, text[pos], pos)
        group = match.lastgroup
        assert group is not None
        if group != "space":
            tokens.append(Token(_TOKEN_KINDS[group], match.group(), pos))
        pos = match.end()
    tokens.append(Token(TokenKind.EOF, "<EOF>", len(text)))
    return tokens


# --- trees ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PathOperand:
    path: Path


@dataclass(frozen=True, slots=True)
class ValueOperand:
    value: AttributeValue


@dataclass(frozen=True, slots=True)
class SizeOperand:
    path: Path


Operand = PathOperand | ValueOperand | SizeOperand


class Comparator(StrEnum):
    EQ = "="
    NE = "<>"
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


@dataclass(frozen=True, slots=True)
class Comparison:
    op: Comparator
    left: Operand
    right: Operand


@dataclass(frozen=True, slots=True)
class Between:
    subject: Operand
    low: Operand
    high: Operand


@dataclass(frozen=True, slots=True)
class In:
    subject: Operand
    choices: tuple[Operand, ...]


@dataclass(frozen=True, slots=True)
class AttributeExists:
    path: Path
    exists: bool


@dataclass(frozen=True, slots=True)
class AttributeType:
    path: Path
    type_name: str


@dataclass(frozen=True, slots=True)
class BeginsWith:
    path: Path
    prefix: Operand


@dataclass(frozen=True, slots=True)
class Contains:
    path: Path
    operand: Operand


@dataclass(frozen=True, slots=True)
class And:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Or:
    left: Condition
    right: Condition


@dataclass(frozen=True, slots=True)
class Not:
    operand: Condition


Condition = (
    Comparison
    | Between
    | In
    | AttributeExists
    | AttributeType
    | BeginsWith
    | Contains
    | And
    | Or
    | Not
)


@dataclass(frozen=True, slots=True)
class IfNotExists:
    path: Path
    default: UpdateValue


@dataclass(frozen=True, slots=True)
class ListAppend:
    first: UpdateValue
    second: UpdateValue


@dataclass(frozen=True, slots=True)
class Arithmetic:
    op: Literal["+", "-"]
    left: UpdateValue
    right: UpdateValue


UpdateValue = PathOperand | ValueOperand | IfNotExists | ListAppend | Arithmetic


@dataclass(frozen=True, slots=True)
class UpdateExpression:
    set_actions: tuple[tuple[Path, UpdateValue], ...] = ()
    remove_paths: tuple[Path, ...] = ()
    add_actions: tuple[tuple[Path, AttributeValue], ...] = ()
    delete_actions: tuple[tuple[Path, AttributeValue], ...] = ()

    def target_paths(self) -> list[Path]:
        return [
            *(p for p, _ in self.set_actions),
            *self.remove_paths,
            *(p for p, _ in self.add_actions),
            *(p for p, _ in self.delete_actions),
        ]


SortOperator = Literal["=", "<", "<=", ">", ">=", "BETWEEN", "begins_with"]


@dataclass(frozen=True, slots=True)
class SortKeyCondition:
    name: str
    op: SortOperator
    operands: tuple[AttributeValue, ...]

    def matches(self, value: AttributeValue) -> bool:
        if self.op == "BETWEEN":
            low, high = (v.compare(value, bound) for bound in self.operands)
            return low is not None and high is not None and low >= 0 and high <= 0
        if self.op == "begins_with":
            return _begins_with(value, self.operands[0])
        order = v.compare(value, self.operands[0])
        return order is not None and _ORDER_TESTS[Comparator(self.op)](order)


@dataclass(frozen=True, slots=True)
class KeyCondition:
    partition_name: str
    partition_value: AttributeValue
    sort: SortKeyCondition | None


# --- parser --------------------------------------------------------------------------------

_CONDITION_FUNCTIONS = frozenset(
    {"attribute_exists", "attribute_not_exists", "attribute_type", "begins_with", "contains"}
)
_UPDATE_FUNCTIONS = frozenset({"if_not_exists", "list_append"})
_GRAMMAR_WORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN", "SET", "REMOVE", "ADD", "DELETE"})
_MAX_IN_OPERANDS = 100


class _Parser:
    def __init__(self, text: Any, kind: ExpressionKind, placeholders: Placeholders) -> None:
        if not isinstance(text, str):
            raise ValidationError(f"Invalid {kind}: the expression must be a string")
        if not text.strip():
            raise ValidationError(f"Invalid {kind}: The expression can not be empty;")
        self.text = text
        self.kind = kind
        self.placeholders = placeholders
        self.tokens = tokenize(text, kind)
        self.index = 0

    # token helpers

    def peek(self, offset: int = 0) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def advance(self) -> Token:
        token = self.peek()
        self.index += 1
        return token

    def error(self, token: Token | None = None) -> ValidationError:
        token = token or self.peek()
        return _syntax_error(self.kind, self.text, token.text, token.pos)

    def invalid(self, message: str) -> ValidationError:
        return ValidationError(f"Invalid {self.kind}: {message}")

    def at_word(self, word: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token.kind is TokenKind.NAME and token.text.upper() == word

    def at_punct(self, text: str) -> bool:
        token = self.peek()
        return token.kind is TokenKind.PUNCT and token.text == text

    def expect_punct(self, text: str) -> Token:
        if not self.at_punct(text):
            raise self.error()
        return self.advance()

    def expect_end(self) -> None:
        if self.peek().kind is not TokenKind.EOF:
            raise self.error()

    def at_call(self, names: Iterable[str]) -> bool:
        token, following = self.peek(), self.peek(1)
        return (
            token.kind is TokenKind.NAME
            and following.kind is TokenKind.PUNCT
            and following.text == "("
            and token.text in names
        )

    # paths and operands

    def path(self) -> Path:
        elements: list[str | int] = [self.path_name()]
        while True:
            if self.at_punct("."):
                self.advance()
                elements.append(self.path_name())
            elif self.at_punct("["):
                self.advance()
                token = self.advance()
                if token.kind is not TokenKind.INDEX:
                    raise self.error(token)
                elements.append(int(token.text))
                self.expect_punct("]")
            else:
                return tuple(elements)

    def path_name(self) -> str:
        token = self.advance()
        if token.kind is TokenKind.NAME_REF:
            if token.text not in self.placeholders.names:
                raise self.invalid(
                    "An expression attribute name used in the document path is not defined; "
                    f"attribute name: {token.text}"
                )
            self.placeholders.used_names.add(token.text)
            return self.placeholders.names[token.text]
        if token.kind is not TokenKind.NAME or token.text.upper() in _GRAMMAR_WORDS:
            raise self.error(token)
        if self.peek().kind is TokenKind.PUNCT and self.peek().text == "(":
            raise self.invalid(f"Invalid function name; function: {token.text}")
        if is_reserved(token.text):
            raise self.invalid(
                f"Attribute name is a reserved keyword; reserved keyword: {token.text}"
            )
        return token.text

    def value_ref(self) -> AttributeValue:
        token = self.advance()
        if token.kind is not TokenKind.VALUE_REF:
            raise self.error(token)
        if token.text not in self.placeholders.values:
            raise self.invalid(
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {token.text}"
            )
        self.placeholders.used_values.add(token.text)
        return self.placeholders.values[token.text]

    def operand(self) -> Operand:
        token = self.peek()
        if token.kind is TokenKind.VALUE_REF:
            return ValueOperand(self.value_ref())
        if self.at_call({"size"}):
            self.advance()
            self.expect_punct("(")
            path = self.path()
            self.expect_punct(")")
            return SizeOperand(path)
        if self.at_call(_CONDITION_FUNCTIONS | _UPDATE_FUNCTIONS):
            raise self.invalid(
                f"The function is not allowed to be used this way in an expression; "
                f"function: {token.text}"
            )
        return PathOperand(self.path())

    # conditions

    def condition(self) -> Condition:
        left = self.conjunction()
        while self.at_word("OR"):
            self.advance()
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.at_word("AND"):
            self.advance()
            left = And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.at_word("NOT"):
            self.advance()
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Condition:
        if self.at_punct("("):
            self.advance()
            inner = self.condition()
            self.expect_punct(")")
            return inner
        if self.at_call(_CONDITION_FUNCTIONS):
            return self.function()
        subject = self.operand()
        token = self.peek()
        if token.kind is TokenKind.COMPARATOR:
            self.advance()
            op = Comparator(token.text)
            right = self.operand()
            self.check_distinct(op.value, subject, (right,))
            if op not in (Comparator.EQ, Comparator.NE):
                for side in (subject, right):
                    self.check_orderable(op.value, side)
            return Comparison(op, subject, right)
        if self.at_word("BETWEEN"):
            self.advance()
            low = self.operand()
            if not self.at_word("AND"):
                raise self.error()
            self.advance()
            high = self.operand()
            self.check_distinct("BETWEEN", subject, (low, high))
            for side in (subject, low, high):
                self.check_orderable("BETWEEN", side)
            if isinstance(low, ValueOperand) and isinstance(high, ValueOperand):
                order = v.compare(low.value, high.value)
                if order is None or order > 0:
                    raise self.invalid(
                        "The BETWEEN operator requires upper bound to be greater than or equal "
                        f"to lower bound; lower bound operand: AttributeValue: {low.value}, "
                        f"upper bound operand: AttributeValue: {high.value}"
                    )
            return Between(subject, low, high)
        if self.at_word("IN"):
            self.advance()
            self.expect_punct("(")
            choices = [self.operand()]
            while self.at_punct(","):
                self.advance()
                choices.append(self.operand())
            self.expect_punct(")")
            self.check_distinct("IN", subject, choices)
            if len(choices) > _MAX_IN_OPERANDS:
                raise self.invalid(
                    f"The IN operator is provided with too many operands; number of operands: "
                    f"{len(choices)}"
                )
            return In(subject, tuple(choices))
        raise self.error()

    def check_distinct(self, op: str, first: Operand, others: Sequence[Operand]) -> None:
        """DynamoDB refuses ``a = a``, ``a BETWEEN :x AND a``, ``contains(a, a)``: a path
        compared with itself (values and ``size()`` may repeat)."""
        if isinstance(first, PathOperand) and any(
            isinstance(other, PathOperand) and other.path == first.path for other in others
        ):
            shown = ", ".join(f"[{p}]" if isinstance(p, int) else p for p in first.path)
            raise self.invalid(
                "The first operand must be distinct from the remaining operands for this "
                f"operator or function; operator: {op}, first operand: [{shown}]"
            )

    def check_orderable(self, op: str, operand: Operand) -> None:
        if isinstance(operand, ValueOperand) and v.value_type(operand.value) not in v.SCALAR_TYPES:
            raise self.invalid(
                "Incorrect operand type for operator or function; "
                f"operator: {op}, operand type: {v.value_type(operand.value)}"
            )

    def function(self) -> Condition:
        name = self.advance().text
        self.expect_punct("(")
        path = self.path()
        condition: Condition
        if name in ("attribute_exists", "attribute_not_exists"):
            condition = AttributeExists(path, exists=name == "attribute_exists")
        else:
            self.expect_punct(",")
            operand = self.operand()
            self.check_distinct(name, PathOperand(path), (operand,))
            if name == "attribute_type":
                condition = AttributeType(path, self.type_name(operand))
            elif name == "begins_with":
                self.check_function_operand(name, operand, ("S", "B"))
                condition = BeginsWith(path, operand)
            else:
                # Any operand type: a list may hold lists, maps and sets (DynamoDB Local agrees,
                # tests/resolvers/dynamodb/differential/test_expressions.py).
                condition = Contains(path, operand)
        self.expect_punct(")")
        return condition

    def type_name(self, operand: Operand) -> str:
        if not isinstance(operand, ValueOperand) or v.value_type(operand.value) != "S":
            raise self.invalid(
                "Incorrect operand type for operator or function; "
                "operator or function: attribute_type, operand type: not a string value"
            )
        name = operand.value["S"]
        if name not in v.TYPE_NAMES:
            raise self.invalid(f"Invalid attribute type name found; type: {name}")
        return str(name)

    def check_function_operand(self, name: str, operand: Operand, allowed: Sequence[str]) -> None:
        if isinstance(operand, ValueOperand) and v.value_type(operand.value) not in allowed:
            raise self.invalid(
                "Incorrect operand type for operator or function; "
                f"operator or function: {name}, operand type: {v.value_type(operand.value)}"
            )

    # updates

    def update(self) -> UpdateExpression:
        sections: dict[str, list[Any]] = {}
        while self.peek().kind is not TokenKind.EOF:
            token = self.advance()
            word = token.text.upper() if token.kind is TokenKind.NAME else ""
            if word not in ("SET", "REMOVE", "ADD", "DELETE"):
                raise self.error(token)
            if word in sections:
                raise self.invalid(
                    f'The "{word}" section can only be used once in an update expression;'
                )
            actions = sections[word] = [self.update_action(word)]
            while self.at_punct(","):
                self.advance()
                actions.append(self.update_action(word))
        update = UpdateExpression(
            set_actions=tuple(sections.get("SET", ())),
            remove_paths=tuple(sections.get("REMOVE", ())),
            add_actions=tuple(sections.get("ADD", ())),
            delete_actions=tuple(sections.get("DELETE", ())),
        )
        check_disjoint(update.target_paths(), self.kind)
        return update

    def update_action(self, word: str) -> Any:
        path = self.path()
        if word == "REMOVE":
            return path
        if word == "SET":
            token = self.advance()
            if token.kind is not TokenKind.COMPARATOR or token.text != "=":
                raise self.error(token)
            return (path, self.update_value())
        value = self.value_ref()
        kind = v.value_type(value)
        allowed = ("N", *v.SET_TYPES) if word == "ADD" else tuple(v.SET_TYPES)
        if kind not in allowed:
            raise self.invalid(
                f"Incorrect operand type for operator or function; operator: {word}, "
                f"operand type: {kind}"
            )
        return (path, value)

    def update_value(self) -> UpdateValue:
        left = self.update_operand()
        if self.at_punct("+") or self.at_punct("-"):
            op: Literal["+", "-"] = "+" if self.advance().text == "+" else "-"
            return Arithmetic(op, left, self.update_operand())
        return left

    def update_operand(self) -> UpdateValue:
        if self.peek().kind is TokenKind.VALUE_REF:
            return ValueOperand(self.value_ref())
        if self.at_call(_UPDATE_FUNCTIONS):
            name = self.advance().text
            self.expect_punct("(")
            result: UpdateValue
            if name == "if_not_exists":
                path = self.path()
                self.expect_punct(",")
                result = IfNotExists(path, self.update_operand())
            else:
                first = self.update_operand()
                self.expect_punct(",")
                result = ListAppend(first, self.update_operand())
            self.expect_punct(")")
            return result
        if self.at_call(_CONDITION_FUNCTIONS | {"size"}):
            raise self.invalid(
                f"The function is not allowed in an update expression; function: {self.peek().text}"
            )
        return PathOperand(self.path())

    # projections

    def projection(self) -> tuple[Path, ...]:
        paths = [self.path()]
        while self.at_punct(","):
            self.advance()
            paths.append(self.path())
        self.expect_end()
        check_disjoint(paths, self.kind)
        return tuple(paths)


def _format_path(path: Path) -> str:
    return "[" + ", ".join(f"[{p}]" if isinstance(p, int) else p for p in path) + "]"


def check_disjoint(paths: Sequence[Path], kind: ExpressionKind) -> None:
    """DynamoDB rejects two paths where one is (a prefix of) the other."""
    for i, first in enumerate(paths):
        for second in paths[i + 1 :]:
            shorter = min(len(first), len(second))
            if first[:shorter] != second[:shorter]:
                continue
            relation = "conflict" if len(first) == len(second) else "overlap"
            raise ValidationError(
                f"Invalid {kind}: Two document paths {relation} with each other; must remove or "
                f"rewrite one of these paths; path one: {_format_path(first)}, path two: "
                f"{_format_path(second)}"
            )


# --- public parse functions ----------------------------------------------------------------


def parse_condition(text: Any, placeholders: Placeholders, kind: ExpressionKind) -> Condition:
    parser = _Parser(text, kind, placeholders)
    condition = parser.condition()
    parser.expect_end()
    return condition


def parse_update(text: Any, placeholders: Placeholders) -> UpdateExpression:
    parser = _Parser(text, ExpressionKind.UPDATE, placeholders)
    return parser.update()


def parse_projection(text: Any, placeholders: Placeholders) -> tuple[Path, ...]:
    return _Parser(text, ExpressionKind.PROJECTION, placeholders).projection()


def parse_key_condition(
    text: Any, placeholders: Placeholders, partition_key: str, sort_key: str | None
) -> KeyCondition:
    """``pk = :v [AND sk (= | < | <= | > | >= | BETWEEN | begins_with)]`` against one key schema."""
    kind = ExpressionKind.KEY_CONDITION
    condition = parse_condition(text, placeholders, kind)
    parts = [condition.left, condition.right] if isinstance(condition, And) else [condition]
    partition: AttributeValue | None = None
    sort: SortKeyCondition | None = None
    for part in parts:
        name, op, operands = _key_part(part)
        if name == partition_key and op == "=":
            if partition is not None:
                raise ValidationError(
                    f"Invalid {kind}: KeyConditionExpressions must only contain one condition per key"
                )
            partition = operands[0]
        elif name == sort_key and name != partition_key:
            if sort is not None:
                raise ValidationError(
                    f"Invalid {kind}: KeyConditionExpressions must only contain one condition per key"
                )
            sort = SortKeyCondition(name, op, operands)
        else:
            raise ValidationError("Query key condition not supported")
    if partition is None:
        raise ValidationError(f"Query condition missed key schema element: {partition_key}")
    for operand in (partition, *(sort.operands if sort else ())):
        if v.value_type(operand) not in v.SCALAR_TYPES:
            raise ValidationError(
                f"Invalid {kind}: Incorrect operand type for operator or function; "
                f"operand type: {v.value_type(operand)}"
            )
    if sort is not None and sort.op == "begins_with" and v.value_type(sort.operands[0]) == "N":
        raise ValidationError(
            f"Invalid {kind}: Incorrect operand type for operator or function; "
            "operator or function: begins_with, operand type: N"
        )
    return KeyCondition(partition_key, partition, sort)


_FLIPPED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "=": "="}


def _key_part(part: Condition) -> tuple[str, SortOperator, tuple[AttributeValue, ...]]:
    kind = ExpressionKind.KEY_CONDITION
    if isinstance(part, Comparison) and part.op is not Comparator.NE:
        left, right, op = part.left, part.right, part.op.value
        if isinstance(left, ValueOperand) and isinstance(right, PathOperand):
            left, right, op = right, left, _FLIPPED[op]
        if isinstance(left, PathOperand) and isinstance(right, ValueOperand):
            return _key_name(left.path), op, (right.value,)  # type: ignore[return-value]
    elif isinstance(part, Between):
        if isinstance(part.subject, PathOperand) and all(
            isinstance(b, ValueOperand) for b in (part.low, part.high)
        ):
            low, high = part.low, part.high
            assert isinstance(low, ValueOperand)
            assert isinstance(high, ValueOperand)
            return _key_name(part.subject.path), "BETWEEN", (low.value, high.value)
    elif isinstance(part, BeginsWith) and isinstance(part.prefix, ValueOperand):
        return _key_name(part.path), "begins_with", (part.prefix.value,)
    operator = {And: "AND", Or: "OR", Not: "NOT", In: "IN"}.get(type(part), type(part).__name__)
    if isinstance(part, Comparison):
        operator = part.op.value
    raise ValidationError(f"Invalid operator used in {kind}: {operator}")


def _key_name(path: Path) -> str:
    if len(path) != 1 or not isinstance(path[0], str):
        raise ValidationError(
            "Invalid KeyConditionExpression: Key conditions cannot use nested attributes"
        )
    return path[0]


# --- evaluation ----------------------------------------------------------------------------


def get_path(item: Mapping[str, AttributeValue], path: Path) -> AttributeValue | None:
    head = path[0]
    assert isinstance(head, str)
    current = item.get(head)
    for element in path[1:]:
        if current is None:
            return None
        if isinstance(element, int):
            elements = current.get("L")
            current = (
                elements[element] if elements is not None and element < len(elements) else None
            )
        else:
            members = current.get("M")
            current = members.get(element) if members is not None else None
    return current


def _operand_value(operand: Operand, item: Mapping[str, AttributeValue]) -> AttributeValue | None:
    if isinstance(operand, ValueOperand):
        return operand.value
    value = get_path(item, operand.path)
    if isinstance(operand, PathOperand) or value is None:
        return value
    return _size(value)


def _size(value: AttributeValue) -> AttributeValue | None:
    kind = v.value_type(value)
    raw = value[kind]
    if kind == "S" or kind in v.SET_TYPES or kind in ("L", "M"):
        return {"N": str(len(raw))}
    if kind == "B":
        return {"N": str(v.value_size(value))}
    return None


_ORDER_TESTS = {
    Comparator.LT: lambda order: order < 0,
    Comparator.LE: lambda order: order <= 0,
    Comparator.GT: lambda order: order > 0,
    Comparator.GE: lambda order: order >= 0,
}


def _begins_with(value: AttributeValue, prefix: AttributeValue) -> bool:
    kind = v.value_type(value)
    if kind != v.value_type(prefix) or kind not in ("S", "B"):
        return False
    return bool(v.key_bytes(value).startswith(v.key_bytes(prefix)))


def _contains(value: AttributeValue, operand: AttributeValue) -> bool:
    kind, operand_kind = v.value_type(value), v.value_type(operand)
    if kind == "S" and operand_kind == "S":
        return bool(operand["S"] in value["S"])
    if kind == "B" and operand_kind == "B":
        return v.key_bytes(operand)[1:] in v.key_bytes(value)[1:]
    if v.SET_TYPES.get(kind) == operand_kind:
        return any(v.equals({operand_kind: m}, operand) for m in value[kind])
    if kind == "L":
        return any(v.equals(element, operand) for element in value["L"])
    return False


def evaluate(condition: Condition, item: Mapping[str, AttributeValue]) -> bool:
    """Whether ``item`` satisfies ``condition``; a missing attribute makes a comparison false."""
    if isinstance(condition, And):
        return evaluate(condition.left, item) and evaluate(condition.right, item)
    if isinstance(condition, Or):
        return evaluate(condition.left, item) or evaluate(condition.right, item)
    if isinstance(condition, Not):
        return not evaluate(condition.operand, item)
    if isinstance(condition, AttributeExists):
        return (get_path(item, condition.path) is not None) == condition.exists
    if isinstance(condition, AttributeType):
        value = get_path(item, condition.path)
        return value is not None and v.value_type(value) == condition.type_name
    if isinstance(condition, BeginsWith):
        value, prefix = get_path(item, condition.path), _operand_value(condition.prefix, item)
        return value is not None and prefix is not None and _begins_with(value, prefix)
    if isinstance(condition, Contains):
        value, operand = get_path(item, condition.path), _operand_value(condition.operand, item)
        return value is not None and operand is not None and _contains(value, operand)
    if isinstance(condition, Comparison):
        left, right = _operand_value(condition.left, item), _operand_value(condition.right, item)
        if condition.op in (Comparator.EQ, Comparator.NE):
            same = left is not None and right is not None and v.equals(left, right)
            return same == (condition.op is Comparator.EQ)
        order = None if left is None or right is None else v.compare(left, right)
        return order is not None and _ORDER_TESTS[condition.op](order)
    if isinstance(condition, Between):
        subject = _operand_value(condition.subject, item)
        low, high = _operand_value(condition.low, item), _operand_value(condition.high, item)
        if subject is None or low is None or high is None:
            return False
        above, below = v.compare(subject, low), v.compare(subject, high)
        return above is not None and below is not None and above >= 0 and below <= 0
    subject = _operand_value(condition.subject, item)
    return subject is not None and any(
        (choice := _operand_value(c, item)) is not None and v.equals(subject, choice)
        for c in condition.choices
    )


# --- updates -------------------------------------------------------------------------------


def _operand_type_error(function: str, value: AttributeValue) -> ValidationError:
    return ValidationError(
        "Invalid UpdateExpression: Incorrect operand type for operator or function; "
        f"operator or function: {function}, operand type: {v.value_type(value)}"
    )


def _update_value(value: UpdateValue, item: Item) -> AttributeValue:
    if isinstance(value, ValueOperand):
        return value.value
    if isinstance(value, PathOperand):
        found = get_path(item, value.path)
        if found is None:
            raise ValidationError(
                "The provided expression refers to an attribute that does not exist in the item"
            )
        return found
    if isinstance(value, IfNotExists):
        found = get_path(item, value.path)
        return found if found is not None else _update_value(value.default, item)
    if isinstance(value, ListAppend):
        first, second = _update_value(value.first, item), _update_value(value.second, item)
        for operand in (first, second):
            if v.value_type(operand) != "L":
                raise _operand_type_error("list_append", operand)
        return {"L": [*first["L"], *second["L"]]}
    left, right = _update_value(value.left, item), _update_value(value.right, item)
    for operand in (left, right):
        if v.value_type(operand) != "N":
            raise ValidationError("An operand in the update expression has an incorrect data type")
    right_number = Decimal(right["N"]) if value.op == "+" else -Decimal(right["N"])
    return {"N": v.format_number(v.add_numbers(Decimal(left["N"]), right_number))}


def _invalid_update_path() -> ValidationError:
    return ValidationError(
        "The document path provided in the update expression is invalid for update"
    )


def _parent(item: Item, path: Path) -> tuple[Any, str | int]:
    """The container (dict of attributes / members, or list) that holds the last element."""
    container: Any = item
    for element in path[:-1]:
        child = container[element] if _holds(container, element) else None
        if child is None:
            raise _invalid_update_path()
        container = child.get("L") if "L" in child else child.get("M")
        if container is None:
            raise _invalid_update_path()
    return container, path[-1]


def _holds(container: Any, element: str | int) -> bool:
    if isinstance(element, int):
        return isinstance(container, list) and element < len(container)
    return isinstance(container, dict) and element in container


def _assign(item: Item, path: Path, value: AttributeValue) -> None:
    container, last = _parent(item, path)
    if isinstance(last, int):
        if not isinstance(container, list):
            raise _invalid_update_path()
        if last < len(container):
            container[last] = value
        else:
            container.append(value)
    else:
        if not isinstance(container, dict):
            raise _invalid_update_path()
        container[last] = value


def _remove(item: Item, path: Path) -> None:
    container, last = _parent(item, path)
    if isinstance(last, int) != isinstance(container, list):
        raise _invalid_update_path()
    if _holds(container, last):
        del container[last]


def apply_update(update: UpdateExpression, item: Item) -> Item:
    """Apply an update to a copy of ``item``; every operand reads the item as it was before."""
    result = copy.deepcopy(item)
    for path, value in update.set_actions:
        _assign(result, path, _update_value(value, item))
    # Removing list elements by their original indexes: highest index first.
    for path in sorted(update.remove_paths, key=_removal_order, reverse=True):
        _remove(result, path)
    for path, operand in update.add_actions:
        current = get_path(item, path)
        _assign(result, path, _add(current, operand))
    for path, operand in update.delete_actions:
        current = get_path(item, path)
        if current is None:
            continue
        remaining = _delete(current, operand)
        if remaining is None:
            _remove(result, path)
        else:
            _assign(result, path, remaining)
    return result


def _removal_order(path: Path) -> tuple[Any, ...]:
    return tuple((1, e) if isinstance(e, int) else (0, e) for e in path)


def _add(current: AttributeValue | None, operand: AttributeValue) -> AttributeValue:
    kind = v.value_type(operand)
    if current is None:
        return operand
    if v.value_type(current) != kind:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    if kind == "N":
        total = v.add_numbers(Decimal(current["N"]), Decimal(operand["N"]))
        return {"N": v.format_number(total)}
    members = v.set_members(current)
    for identity, member in v.set_members(operand).items():
        members.setdefault(identity, member)
    return {kind: list(members.values())}


def _delete(current: AttributeValue, operand: AttributeValue) -> AttributeValue | None:
    kind = v.value_type(operand)
    if v.value_type(current) != kind:
        raise ValidationError("An operand in the update expression has an incorrect data type")
    removed = v.set_members(operand)
    remaining = [m for i, m in v.set_members(current).items() if i not in removed]
    return {kind: remaining} if remaining else None


# --- projections ---------------------------------------------------------------------------


class _Branch(dict[Any, Any]):
    """An inner node of a projection tree, as opposed to a projected typed value."""


def project(item: Mapping[str, AttributeValue], paths: Sequence[Path]) -> Item:
    """The parts of ``item`` the paths name, nested as in the item; list elements keep order."""
    tree = _Branch()
    for path in paths:
        value = get_path(item, path)
        if value is None:
            continue
        node = tree
        for element in path[:-1]:
            node = node.setdefault(element, _Branch())
        node[path[-1]] = copy.deepcopy(value)
    return {str(name): _rebuild(sub) for name, sub in tree.items()}


def _rebuild(node: Any) -> AttributeValue:
    if not isinstance(node, _Branch):
        return node  # type: ignore[no-any-return]
    if all(isinstance(k, int) for k in node):
        return {"L": [_rebuild(node[k]) for k in sorted(node)]}
    return {"M": {k: _rebuild(sub) for k, sub in node.items()}}
