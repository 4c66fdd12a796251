"""AWS-managed policy documents, by ARN and version: known without asking IAM.

An AWS-managed policy's version never changes once published (a change is a new version), so
a document known here saves a GetPolicyVersion after ListAttachedRolePolicies: the IAM chain
is one round trip shorter for the roles that hold only these. The version in force still
comes from IAM (ListPolicies or GetPolicy); a version not in this table is read as before.

Source: AWS's reference for AmazonECSTaskExecutionRolePolicy, default version v1
(docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonECSTaskExecutionRolePolicy.html).
"""

from __future__ import annotations

from typing import Any

ECS_TASK_EXECUTION = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"

DOCUMENTS: dict[tuple[str, str], dict[str, Any]] = {
    (ECS_TASK_EXECUTION, "v1"): {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": [
                    "ecr:GetAuthorizationToken",
                    "ecr:BatchCheckLayerAvailability",
                    "ecr:GetDownloadUrlForLayer",
                    "ecr:BatchGetImage",
                    "logs:CreateLogStream",
                    "logs:PutLogEvents",
                ],
                "Resource": "*",
            }
        ],
    },
}


def known_document(arn: str, version: str) -> dict[str, Any] | None:
    """The document of an AWS-managed policy's version, when this table holds it."""
    return DOCUMENTS.get((arn, version))
