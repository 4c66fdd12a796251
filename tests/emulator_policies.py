"""Two CloudFormation resource types moto's CloudFormation lacks, taught to the in-process
emulator for the organisation templates' test: the event bus policy and the queue policy. Each
writes through the emulator's own backend, as the AWS API would, so the test reads them back."""

from __future__ import annotations

import json
from typing import Any

from moto.cloudformation import parsing
from moto.core.common_models import CloudFormationModel
from moto.events.models import events_backends
from moto.sqs.models import sqs_backends


class _Named:
    """What both types share: a name to refer to, no attributes."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def physical_resource_id(self) -> str:
        return self.name

    @classmethod
    def has_cfn_attr(cls, attr: str) -> bool:
        return False


class EventBusPolicy(_Named, CloudFormationModel):
    @staticmethod
    def cloudformation_name_type() -> str:
        return "StatementId"

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::Events::EventBusPolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> EventBusPolicy:
        properties = cloudformation_json["Properties"]
        statement = {"Sid": properties["StatementId"], **properties["Statement"]}
        document = {"Version": "2012-10-17", "Statement": [statement]}
        events_backends[account_id][region_name].put_permission(
            properties["EventBusName"], "", "", "", {}, json.dumps(document)
        )
        return cls(properties["StatementId"])


class QueuePolicy(_Named, CloudFormationModel):
    @staticmethod
    def cloudformation_name_type() -> str:
        return ""

    @staticmethod
    def cloudformation_type() -> str:
        return "AWS::SQS::QueuePolicy"

    @classmethod
    def create_from_cloudformation_json(
        cls,
        resource_name: str,
        cloudformation_json: Any,
        account_id: str,
        region_name: str,
        **kwargs: Any,
    ) -> QueuePolicy:
        properties = cloudformation_json["Properties"]
        policy = json.dumps(properties["PolicyDocument"])
        for url in properties["Queues"]:
            sqs_backends[account_id][region_name].set_queue_attributes(
                url.rsplit("/", 1)[-1], {"Policy": policy}
            )
        return cls(resource_name)


def teach_emulator() -> None:
    """Make moto's CloudFormation see the two types (it caches the list of its models)."""
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
