"""The reads' one declaration: two reads of one operation keep its answers alike."""

from __future__ import annotations

from pathlib import Path

import botocore
from botocore.loaders import JSONFileLoader

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


def test_data_files_are_parsed_to_the_same_values_as_botocores_own_loader() -> None:
    """botocore's models, gzipped and not, read as botocore reads them (in plain dicts)."""
    data = Path(botocore.__file__).parent / "data"
    for file in ("ecs/2014-11-13/service-2", "endpoints", "sdk-default-configuration"):
        assert r.PlainJsonFiles().load_file(str(data / file)) == JSONFileLoader().load_file(
            str(data / file)
        )
    assert r.PlainJsonFiles().load_file(str(data / "no-such-model")) is None
    assert r.model_loader().load_service_model("ec2", "service-2")["metadata"]["serviceId"] == "EC2"
