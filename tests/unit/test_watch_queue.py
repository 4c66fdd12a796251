"""Queue mode's pure parts: which archive a message is about, and a queue URL's ARN."""

from __future__ import annotations

import json

from bot.aws.clients import queue_arn
from bot.aws.watch_queue import Message
from bot.aws.watch_reads import Archive
from bot.watch.queue import sort_messages
from tests.facts_builder import ACCOUNT, NOW, REGION
from tests.unit.test_archive import task_change

HERE = Archive(None, None)


def message(body: str) -> Message:
    return Message(receipt=f"r-{hash(body)}", body=body)


def test_a_message_goes_to_the_archive_of_the_account_and_region_its_arns_name() -> None:
    ours = message(task_change(1))
    elsewhere = message(task_change(2).replace(f":{ACCOUNT}:", ":999988887777:"))
    # The envelope names another account; the task's and cluster's ARNs are what count.
    envelope = json.loads(task_change(3))
    misleading = message(json.dumps({**envelope, "account": "999988887777"}))

    taken = sort_messages([ours, elsewhere, misleading], {(ACCOUNT, REGION): HERE}, NOW)

    assert taken.by_archive == {HERE: [ours, misleading]}
    assert taken.unwatched == [elsewhere]
    assert taken.batch(HERE).lines == [ours.body, misleading.body]


def test_a_message_that_is_no_ecs_event_is_set_apart_to_be_deleted_not_retried() -> None:
    bad = [message("not json"), message('{"source": "aws.s3"}'), message("[" * 100_000)]

    taken = sort_messages(bad, {(ACCOUNT, REGION): HERE}, NOW)

    assert (taken.by_archive, taken.unwatched) == ({}, bad)


def test_a_queue_url_names_its_arn_on_aws_and_on_an_emulator() -> None:
    assert (
        queue_arn("https://sqs.eu-west-1.amazonaws.com/111122223333/ecs-why-events", "eu-west-1")
        == "arn:aws:sqs:eu-west-1:111122223333:ecs-why-events"
    )
    assert (
        queue_arn("http://127.0.0.1:5000/123456789012/ecs-why-events-dlq/", "us-east-1")
        == "arn:aws:sqs:us-east-1:123456789012:ecs-why-events-dlq"
    )
    assert queue_arn("ecs-why-events", "us-east-1") == "arn:aws:sqs:us-east-1::"
