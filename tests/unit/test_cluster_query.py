"""The cluster query language: what ECS's documentation writes parses, any tree survives being
written out and read back, and evaluation keeps to three-valued logic."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.parse.cluster_query import (
    BINARY,
    SETS,
    UNARY,
    AllOf,
    AnyOf,
    Compare,
    Not,
    Query,
    QueryError,
    evaluate,
    parse,
    subjects_of,
    unmet,
)

T3 = {
    "attribute:ecs.instance-type": "t3.medium",
    "attribute:ecs.availability-zone": "us-east-1a",
    "attribute:ecs.capability.docker-remote-api.1.44": "",
    "ec2InstanceId": "i-0abc",
    "agentVersion": "1.86.3",
    "runningTasksCount": "2",
}


# Expressions as ECS's developer guide and real task definitions write them.
@pytest.mark.parametrize(
    ("text", "meets"),
    [
        ("attribute:ecs.instance-type == t3.medium", True),
        ("attribute:ecs.instance-type equals t2.small", False),
        ("attribute:ecs.instance-type =~ t3.*", True),
        (
            "attribute:ecs.instance-type =~ g5.* and attribute:ecs.availability-zone == us-east-1a",
            False,
        ),
        ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", True),
        ("attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b]", False),
        ("attribute:ecs.availability-zone !in [us-east-1c]", True),
        ("attribute:ecs.instance-type != t3.medium || attribute:stack exists", False),
        ("attribute:ecs.capability.docker-remote-api.1.44 exists", True),
        ("attribute:stack !exists && not(attribute:ecs.instance-type matches c5.*)", True),
        ("ec2InstanceId in ['i-0abc', 'i-0def']", True),
        ("agentVersion >= 1.10.0 and runningTasksCount < 3", True),
        ("agentVersion less_than 1.9", False),
        ("attribute:ecs.instance-type =~ '(t3|m5)\\..*'", True),
        ("task:group == service:production", None),
        ("task:group == service:production or attribute:ecs.instance-type == t3.medium", True),
        ("task:group == service:production and attribute:ecs.instance-type == c5.large", False),
    ],
)
def test_documented_expressions_evaluate_against_an_instance(text: str, meets: bool | None) -> None:
    assert evaluate(parse(text), T3) is meets


def test_unmet_names_the_comparisons_an_instance_fails() -> None:
    query = parse(
        "attribute:ecs.instance-type =~ g5.* and attribute:ecs.availability-zone in "
        "[us-east-1a, us-east-1b] and attribute:gpu-pool exists"
    )
    assert [str(c) for c in unmet(query, T3)] == [
        "attribute:ecs.instance-type =~ g5.*",
        "attribute:gpu-pool exists",
    ]
    assert (
        unmet(query, T3 | {"attribute:ecs.instance-type": "g5.xlarge", "attribute:gpu-pool": ""})
        == ()
    )
    assert subjects_of(query) == (
        "attribute:ecs.instance-type",
        "attribute:ecs.availability-zone",
        "attribute:gpu-pool",
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "attribute:x",
        "attribute:x ==",
        "(attribute:x exists",
        "and",
        "a in [b",
        "a ~ b",
        "a == b c",
    ],
)
def test_what_is_not_an_expression_says_so(text: str) -> None:
    with pytest.raises(QueryError):
        parse(text)


# --------------------------------------------------------------------------- properties

SUBJECTS = st.sampled_from(
    [
        "attribute:ecs.instance-type",
        "attribute:ecs.availability-zone",
        "attribute:stack",
        "ec2InstanceId",
        "agentVersion",
        "task:group",
    ]
)
VALUES = st.text(
    alphabet=st.characters(codec="ascii", exclude_characters="'\"\n\r\t\x0b\x0c"),
    min_size=1,
    max_size=12,
) | st.sampled_from(["t3.medium", "us-east-1a", "g5.*", "and", "in", "1.4.0", "a b", "[x]"])
COMPARES = st.one_of(
    st.builds(Compare, SUBJECTS, st.sampled_from(UNARY), st.just(())),
    st.builds(Compare, SUBJECTS, st.sampled_from(BINARY), st.tuples(VALUES)),
    st.builds(
        Compare,
        SUBJECTS,
        st.sampled_from(SETS),
        st.lists(VALUES, min_size=1, max_size=3).map(tuple),
    ),
)


def _flat(kind: type[AllOf] | type[AnyOf], terms: list[Query]) -> Query:
    flat: list[Query] = []
    for term in terms:
        flat.extend(term.terms if isinstance(term, kind) else (term,))
    return kind(tuple(flat))


QUERIES = st.recursive(
    COMPARES,
    lambda inner: st.one_of(
        st.builds(Not, inner),
        st.lists(inner, min_size=2, max_size=3).map(lambda t: _flat(AllOf, t)),
        st.lists(inner, min_size=2, max_size=3).map(lambda t: _flat(AnyOf, t)),
    ),
    max_leaves=8,
)
INSTANCES = st.dictionaries(
    st.sampled_from(
        ["attribute:ecs.instance-type", "attribute:stack", "ec2InstanceId", "agentVersion"]
    ),
    VALUES,
)


@given(QUERIES)
def test_any_expression_written_out_reads_back_the_same(query: Query) -> None:
    assert parse(str(query)) == query


@given(st.text(max_size=60))
def test_any_text_parses_or_says_why(text: str) -> None:
    with contextlib.suppress(QueryError):
        assert str(parse(text))


@given(QUERIES, INSTANCES)
def test_not_inverts_and_unknown_stays_unknown(query: Query, instance: dict[str, str]) -> None:
    found = evaluate(query, instance)
    negated = evaluate(Not(query), instance)
    assert negated == (None if found is None else not found)


@given(st.lists(QUERIES, min_size=2, max_size=3), INSTANCES)
def test_de_morgan_holds_in_three_values(terms: list[Query], instance: dict[str, str]) -> None:
    left = evaluate(Not(AllOf(tuple(terms))), instance)
    right = evaluate(AnyOf(tuple(Not(t) for t in terms)), instance)
    assert left == right


@given(QUERIES, INSTANCES)
def test_an_instance_fails_only_with_a_comparison_to_name(
    query: Query, instance: dict[str, str]
) -> None:
    assert bool(unmet(query, instance)) == (evaluate(query, instance) is False)
