"""The reads' one declaration: two reads of one operation keep its answers alike."""

from __future__ import annotations

from bot.aws import reads as r
from bot.model import Fact


def test_reads_sharing_an_operation_agree_on_how_answers_are_cached() -> None:
    by_operation: dict[tuple[str, str], list[r.Read]] = {}
    for read in r.READS:
        by_operation.setdefault((read.service, read.operation), []).append(read)

    shared = {key: reads for key, reads in by_operation.items() if len(reads) > 1}
    assert set(shared) == {("logs", "FilterLogEvents")}
    for reads in shared.values():
        assert len({(read.ttl, read.window) for read in reads}) == 1
        assert r.BY_OPERATION[reads[0].service, reads[0].operation] is reads[0]


def test_container_insights_reads_are_optional_and_name_their_fact() -> None:
    insights = [read for read in r.READS if read.fact is Fact.INSIGHTS]

    assert {read.action for read in insights} == {"ecs:ListAccountSettings", "logs:FilterLogEvents"}
    assert all(read.optional for read in insights)
