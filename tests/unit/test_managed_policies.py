"""AWS-managed policy documents known without asking IAM agree with another public copy."""

from __future__ import annotations

import json

from moto.iam.aws_managed_policies import aws_managed_policies_data

from bot.aws.managed_policies import DOCUMENTS, ECS_TASK_EXECUTION, known_document


def test_each_document_is_the_one_aws_publishes_for_that_version() -> None:
    published = json.loads(aws_managed_policies_data)  # moto's copy of AWS's list
    for arn, version in DOCUMENTS:
        entry = published[arn.rsplit("/", 1)[-1]]
        assert entry["DefaultVersionId"] == version
        assert known_document(arn, version) == entry["Document"]


def test_another_version_is_read_from_iam() -> None:
    assert known_document(ECS_TASK_EXECUTION, "v1") is not None
    assert known_document(ECS_TASK_EXECUTION, "v2") is None
    assert known_document("arn:aws:iam::123456789012:policy/mine", "v1") is None
