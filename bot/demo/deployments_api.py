"""The ECS service deployments API, which moto lacks, answered from moto's own state.

ListServiceDeployments, DescribeServiceDeployments and DescribeServiceRevisions are answered
over HTTP in their wire shape (botocore's ECS model), from what moto's backend holds: each of a
service's deployments (PRIMARY, and the ACTIVE one a rollout replaces) is one service
deployment whose target revision is its task definition; the PRIMARY one's sources are the
ACTIVE ones. A revision's images carry the digest ECR gave the pushed tag. Every other request
goes on to moto unchanged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID
from moto.ecr.models import ecr_backends
from moto.ecs.models import ecs_backends

from bot.demo.traffic import WsgiApp

_TARGET = "AmazonEC2ContainerServiceV20141113."
_REGION = re.compile(r"Credential=[^/]+/\d+/([^/]+)/ecs/aws4_request")
# ECS's words for a rollout's state, by moto's rolloutState
_STATUS = {"COMPLETED": "SUCCESSFUL", "IN_PROGRESS": "IN_PROGRESS", "FAILED": "ROLLBACK_FAILED"}
Raw = dict[str, Any]


class DeploymentsApi:
    """WSGI middleware in front of moto's server that answers the three operations."""

    def __init__(self, app: WsgiApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        operation = environ.get("HTTP_X_AMZ_TARGET", "").removeprefix(_TARGET)
        answer_for = _OPERATIONS.get(operation)
        if answer_for is None:
            return self.app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        request = json.loads(environ["wsgi.input"].read(length) or b"{}")
        match = _REGION.search(environ.get("HTTP_AUTHORIZATION", ""))
        state = _State(match.group(1) if match else "us-east-1")
        answer = answer_for(state, request)
        body = json.dumps(answer, default=_epoch).encode()
        start_response(
            "200 OK",
            [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))],
        )
        return [body]


def _epoch(value: object) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    raise TypeError(type(value).__name__)


def _list_service_deployments(state: _State, request: Raw) -> Raw:
    service = state.service(request.get("cluster", "default"), request["service"])
    found = [] if service is None else state.deployments(service)
    return {
        "serviceDeployments": [
            {
                k: d[k]
                for k in (
                    "serviceDeploymentArn",
                    "serviceArn",
                    "clusterArn",
                    "status",
                    "createdAt",
                    "startedAt",
                    "targetServiceRevisionArn",
                )
            }
            for d in found
        ][: request.get("maxResults", 20)]
    }


def _describe_service_deployments(state: _State, request: Raw) -> Raw:
    wanted = set(request.get("serviceDeploymentArns", []))
    found = [d for s in state.services() for d in state.deployments(s)]
    return {
        "serviceDeployments": [
            {k: v for k, v in d.items() if k != "targetServiceRevisionArn"}
            for d in found
            if d["serviceDeploymentArn"] in wanted
        ],
        "failures": [],
    }


def _describe_service_revisions(state: _State, request: Raw) -> Raw:
    wanted = set(request.get("serviceRevisionArns", []))
    revisions = [r for s in state.services() for r in state.revisions(s)]
    return {
        "serviceRevisions": [r for r in revisions if r["serviceRevisionArn"] in wanted],
        "failures": [],
    }


# Each operation's answer to its request, in its wire shape.
_OPERATIONS: dict[str, Callable[[_State, Raw], Raw]] = {
    "ListServiceDeployments": _list_service_deployments,
    "DescribeServiceDeployments": _describe_service_deployments,
    "DescribeServiceRevisions": _describe_service_revisions,
}


class _State:
    """The deployments and revisions of one region's services, as moto's backend holds them."""

    def __init__(self, region: str) -> None:
        self.region = region
        self.ecs: Any = ecs_backends[DEFAULT_ACCOUNT_ID][region]

    def services(self) -> Iterable[Any]:
        return list(self.ecs.services.values())

    def service(self, cluster: str, name: str) -> Any:
        cluster_name = cluster.rsplit("/", 1)[-1]
        return self.ecs.services.get(f"{cluster_name}:{name.rsplit('/', 1)[-1]}")

    def _arn(self, kind: str, service: Any, deployment: Raw) -> str:
        number = str(deployment["id"]).rsplit("/", 1)[-1]
        return (
            f"arn:aws:ecs:{self.region}:{DEFAULT_ACCOUNT_ID}:{kind}/"
            f"{service.cluster_name}/{service.name}/{number}"
        )

    def deployments(self, service: Any) -> list[Raw]:
        """Each of the service's deployments as a service deployment; the PRIMARY one's sources
        are the ACTIVE ones' revisions."""
        primary, *active = service.deployments
        answers = []
        for deployment in service.deployments:
            revision = self._arn("service-revision", service, deployment)
            answer: Raw = {
                "serviceDeploymentArn": self._arn("service-deployment", service, deployment),
                "serviceArn": service.arn,
                "clusterArn": service.cluster_arn,
                "createdAt": deployment.get("createdAt"),
                "startedAt": deployment.get("createdAt"),
                "targetServiceRevisionArn": revision,
                "targetServiceRevision": {
                    "arn": revision,
                    "requestedTaskCount": deployment.get("desiredCount", 0),
                    "runningTaskCount": deployment.get("runningCount", 0),
                    "pendingTaskCount": deployment.get("pendingCount", 0),
                },
                "status": _STATUS.get(deployment.get("rolloutState", ""), "SUCCESSFUL"),
                "sourceServiceRevisions": [],
            }
            if deployment is primary:
                answer["sourceServiceRevisions"] = [
                    {
                        "arn": self._arn("service-revision", service, old),
                        "requestedTaskCount": 0,
                        "runningTaskCount": old.get("runningCount", 0),
                        "pendingTaskCount": 0,
                    }
                    for old in active
                ]
            answers.append(answer)
        return answers

    def revisions(self, service: Any) -> list[Raw]:
        """Each deployment's target revision: its task definition and images."""
        return [
            {
                "serviceRevisionArn": self._arn("service-revision", service, deployment),
                "serviceArn": service.arn,
                "clusterArn": service.cluster_arn,
                "taskDefinition": deployment["taskDefinition"],
                "containerImages": self._images(deployment["taskDefinition"]),
                "createdAt": deployment.get("createdAt"),
            }
            for deployment in service.deployments
        ]

    def _images(self, task_definition_arn: str) -> list[Raw]:
        definition = self.ecs.describe_task_definition(task_definition_arn)
        images = []
        for container in definition.container_definitions:
            image = {"containerName": container["name"], "image": container["image"]}
            if digest := self._digest(container["image"]):
                image["imageDigest"] = digest
            images.append(image)
        return images

    def _digest(self, uri: str) -> str | None:
        """The digest ECR gave the image's tag, when it is in this account's registry."""
        host, _, rest = uri.partition("/")
        repository_name, _, tag = rest.partition(":")
        if ".dkr.ecr." not in host:
            return None
        repository = ecr_backends[DEFAULT_ACCOUNT_ID][self.region].repositories.get(repository_name)
        for image in getattr(repository, "images", []):
            if tag in image.image_tags:
                return str(image.image_digest)
        return None
