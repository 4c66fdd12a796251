"""ECS's cluster query language: the expressions of `memberOf` placement constraints.

`parse` turns `attribute:ecs.instance-type =~ g5.* and attribute:ecs.availability-zone in
[us-east-1a, us-east-1b]` into a tree; `evaluate` says whether one container instance meets it,
`unmet` which comparisons it fails. Evaluation has three values: a subject the bot does not read
(`task:group`, `registeredAt`) is unknown, never a failure, so an instance is said to fail a
constraint only when what the bot read proves it.
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

# Operators by their canonical symbol; the word forms AWS accepts map onto them.
UNARY = ("exists", "!exists")
SETS = ("in", "!in")
BINARY = ("==", "!=", "=~", "!~", ">", ">=", "<", "<=")
_WORDS = {
    "equals": "==",
    "not_equals": "!=",
    "matches": "=~",
    "not_matches": "!~",
    "greater_than": ">",
    "greater_than_equal": ">=",
    "less_than": "<",
    "less_than_equal": "<=",
    "not_exists": "!exists",
    "not_in": "!in",
    "exists": "exists",
    "in": "in",
}
_AND, _OR, _NOT = ("and", "&&"), ("or", "||"), ("not", "!")
_KEYWORDS = frozenset({*_WORDS, *_AND, *_OR, *_NOT, *UNARY, *SETS})
_TOKEN = re.compile(
    r"\s*(?:(?P<quoted>'[^']*'|\"[^\"]*\")|(?P<symbol>==|!=|=~|!~|>=|<=|&&|\|\||[()\[\],<>])"
    r"|(?P<word>!?[^\s()\[\],'\"!=<>~&|]+)|(?P<bang>!))"
)
# A bare value needs no quotes when it is one word token and no keyword.
_BARE = re.compile(r"[^\s()\[\],'\"!=<>~&|]+")


class QueryError(ValueError):
    """The text is not a cluster query expression."""


@dataclass(frozen=True)
class Compare:
    """`subject operator [argument]`: one comparison against one subject of an instance."""

    subject: str
    operator: str  # a canonical symbol of UNARY, SETS or BINARY
    values: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.operator in UNARY:
            return f"{self.subject} {self.operator}"
        if self.operator in SETS:
            return f"{self.subject} {self.operator} [{', '.join(map(_quote, self.values))}]"
        return f"{self.subject} {self.operator} {_quote(self.values[0])}"


@dataclass(frozen=True)
class Not:
    term: Query

    def __str__(self) -> str:
        return f"not ({self.term})" if isinstance(self.term, AllOf | AnyOf) else f"not {self.term}"


@dataclass(frozen=True)
class AllOf:
    """Every term holds (`and`, `&&`)."""

    terms: tuple[Query, ...]

    def __str__(self) -> str:
        return " and ".join(f"({t})" if isinstance(t, AnyOf) else str(t) for t in self.terms)


@dataclass(frozen=True)
class AnyOf:
    """At least one term holds (`or`, `||`)."""

    terms: tuple[Query, ...]

    def __str__(self) -> str:
        return " or ".join(map(str, self.terms))


Query = Compare | Not | AllOf | AnyOf


def _quote(value: str) -> str:
    if _BARE.fullmatch(value) and value.lower() not in _KEYWORDS:
        return value
    return f'"{value}"' if "'" in value else f"'{value}'"


# --------------------------------------------------------------------------- parsing


def parse(text: str) -> Query:
    """The expression's tree; QueryError says where the text stops making sense."""
    parser = _Parser(list(_tokens(text)))
    query = parser.expression()
    if parser.peek() is not None:
        raise QueryError(f"unexpected {parser.peek()!r} in {text!r}")
    return query


def _tokens(text: str) -> Iterator[tuple[str, str]]:
    """(kind, text) pairs: quoted values come out without their quotes."""
    position, end = 0, len(text.rstrip())
    while position < end:
        found = _TOKEN.match(text, position)
        if found is None or found.end() == position:
            raise QueryError(f"cannot read {text[position:]!r}")
        position = found.end()
        kind = found.lastgroup or ""
        value = found[kind]
        if kind == "quoted":
            yield "value", value[1:-1]
        elif kind == "bang":
            yield "symbol", "!"
        elif kind == "word" and value.startswith("!") and value[1:].lower() in ("in", "exists"):
            yield "symbol", value.lower()
        elif kind == "word" and value.startswith("!"):
            yield "symbol", "!"
            yield "word", value[1:]
        else:
            yield kind, value


class _Parser:
    """Recursive descent: or binds loosest, then and, then not, then a comparison."""

    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> str | None:
        return self.tokens[self.at][1] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        if self.at >= len(self.tokens):
            raise QueryError("the expression ends too soon")
        self.at += 1
        return self.tokens[self.at - 1]

    def keyword(self, *words: str) -> bool:
        """Takes the next token when it is one of `words` (any case), unquoted."""
        if self.at < len(self.tokens):
            kind, text = self.tokens[self.at]
            if kind != "value" and text.lower() in words:
                self.at += 1
                return True
        return False

    def expression(self) -> Query:
        terms = [self.conjunction()]
        while self.keyword(*_OR):
            terms.append(self.conjunction())
        return terms[0] if len(terms) == 1 else AnyOf(_flat(AnyOf, terms))

    def conjunction(self) -> Query:
        terms = [self.unary()]
        while self.keyword(*_AND):
            terms.append(self.unary())
        return terms[0] if len(terms) == 1 else AllOf(_flat(AllOf, terms))

    def unary(self) -> Query:
        if self.keyword(*_NOT):
            return Not(self.unary())
        if self.keyword("("):
            inner = self.expression()
            if not self.keyword(")"):
                raise QueryError("a parenthesis is not closed")
            return inner
        return self.comparison()

    def comparison(self) -> Query:
        kind, subject = self.take()
        if kind != "word" or subject.lower() in _KEYWORDS:
            raise QueryError(f"expected a subject, found {subject!r}")
        kind, said = self.take()
        operator = _WORDS.get(said.lower(), said) if kind != "value" else said
        if operator in UNARY:
            return Compare(subject, operator)
        if operator in SETS:
            return Compare(subject, operator, self.values())
        if operator in BINARY:
            return Compare(subject, operator, (self.value(),))
        raise QueryError(f"{said!r} is not an operator")

    def values(self) -> tuple[str, ...]:
        if not self.keyword("["):
            return (self.value(),)
        found = [self.value()]
        while self.keyword(","):
            found.append(self.value())
        if not self.keyword("]"):
            raise QueryError("a list is not closed")
        return tuple(found)

    def value(self) -> str:
        kind, text = self.take()
        if kind == "symbol":
            raise QueryError(f"expected a value, found {text!r}")
        return text


def _flat(kind: type[AllOf] | type[AnyOf], terms: list[Query]) -> tuple[Query, ...]:
    """`a and (b and c)` is one conjunction of three."""
    flat: list[Query] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, kind) else (term,))
    return tuple(flat)


# --------------------------------------------------------------------------- evaluation


def evaluate(query: Query, subjects: Mapping[str, str]) -> bool | None:
    """Whether an instance whose readable subjects are `subjects` meets the query; None when it
    turns on a subject the bot did not read. An `attribute:…` absent from `subjects` is known
    to be absent; any other subject absent from them is unknown."""
    if isinstance(query, Compare):
        return _compare(query, subjects)
    if isinstance(query, Not):
        inner = evaluate(query.term, subjects)
        return None if inner is None else not inner
    found = [evaluate(term, subjects) for term in query.terms]
    if isinstance(query, AllOf):
        return False if False in found else (None if None in found else True)
    return True if True in found else (None if None in found else False)


def unmet(query: Query, subjects: Mapping[str, str]) -> tuple[Compare, ...]:
    """The comparisons that make the query false for this instance (none when it holds or
    cannot be told): what the evidence names."""
    if evaluate(query, subjects) is not False:
        return ()
    if isinstance(query, Compare):
        return (query,)
    if isinstance(query, Not):
        return tuple(_comparisons(query.term))
    return tuple(c for term in query.terms for c in unmet(term, subjects))


def _comparisons(query: Query) -> Iterator[Compare]:
    if isinstance(query, Compare):
        yield query
    elif isinstance(query, Not):
        yield from _comparisons(query.term)
    else:
        for term in query.terms:
            yield from _comparisons(term)


def subjects_of(query: Query) -> tuple[str, ...]:
    """The subjects the query reads, each once, in order."""
    return tuple(dict.fromkeys(c.subject for c in _comparisons(query)))


def _compare(compare: Compare, subjects: Mapping[str, str]) -> bool | None:
    subject, operator, values = compare.subject, compare.operator, compare.values
    if subject not in subjects and not subject.startswith("attribute:"):
        return None  # not read: task:group, registeredAt…
    value = subjects.get(subject)
    if operator in UNARY:
        return (value is not None) == (operator == "exists")
    if value is None:
        return operator in ("!=", "!~", "!in")
    if operator in SETS:
        return (value in values) == (operator == "in")
    if operator in ("=~", "!~"):
        try:
            found = re.fullmatch(values[0], value) is not None
        except re.error:
            return None
        return found == (operator == "=~")
    if operator in ("==", "!="):
        return (value == values[0]) == (operator == "==")
    return _order(value, values[0], operator)


def _order(value: str, bound: str, operator: str) -> bool | None:
    """>, >=, <, <= between numbers or dotted versions (agentVersion, runningTasksCount)."""
    left, right = _version(value), _version(bound)
    if left is None or right is None:
        return None
    return {
        ">": left > right,
        ">=": left >= right,
        "<": left < right,
        "<=": left <= right,
    }[operator]


def _version(text: str) -> tuple[int, ...] | None:
    parts = text.split(".")
    return tuple(map(int, parts)) if all(p.isdigit() for p in parts) else None
