"""IAM: does each role exist, whom does it trust, and which policy documents does it hold.

Each call takes only what it needs, so the collector can start them all as early as possible:
GetRole, ListRolePolicies and ListAttachedRolePolicies need just the role name, and the
managed policies' default versions are listed for the whole account before any role is known
(so a policy's document is one call after ListAttachedRolePolicies, not two).
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from bot.arns import name_of
from bot.model import PolicyDocument, Role

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

log = logging.getLogger(__name__)

MAX_LISTED_POLICIES = 1000  # one page, the most IAM returns at once


def decode_policy(document: Any) -> dict[str, Any]:
    """A policy document as a dict; IAM returns URL-encoded JSON that botocore usually decodes."""
    if isinstance(document, str):
        decoded: dict[str, Any] = json.loads(unquote(document))
        return decoded
    return dict(document or {})


def _missing(error: ClientError) -> bool:
    return error.response["Error"]["Code"] == "NoSuchEntity"


def get_role(iam: IAMClient, role: str) -> Role:
    """The role and its trust policy, or `exists=False` when there is no such role."""
    try:
        response = iam.get_role(RoleName=name_of(role))
    except ClientError as error:
        if not _missing(error):
            raise
        return Role(arn=role, name=name_of(role), exists=False)
    return Role(
        arn=role,
        name=name_of(role),
        exists=True,
        trust_policy=decode_policy(response["Role"].get("AssumeRolePolicyDocument")),
    )


def list_inline_policy_names(iam: IAMClient, role: str) -> list[str]:
    try:
        return list(iam.list_role_policies(RoleName=name_of(role))["PolicyNames"])
    except ClientError as error:
        if not _missing(error):  # a missing role is reported by get_role
            raise
        return []


def get_inline_policy(iam: IAMClient, role: str, policy_name: str) -> PolicyDocument:
    response = iam.get_role_policy(RoleName=name_of(role), PolicyName=policy_name)
    return PolicyDocument(name=policy_name, document=decode_policy(response["PolicyDocument"]))


def list_attached_policy_arns(iam: IAMClient, role: str) -> list[str]:
    try:
        response = iam.list_attached_role_policies(RoleName=name_of(role))
    except ClientError as error:
        if not _missing(error):  # a missing role is reported by get_role
            raise
        return []
    return [p["PolicyArn"] for p in response["AttachedPolicies"] if "PolicyArn" in p]


def attached_policy_versions(iam: IAMClient) -> dict[str, str]:
    """The default version of every managed policy attached to anything in the account, by ARN.

    One page only, and never a gap: a policy it does not show (a longer list, or the call
    refused by an older policy of the bot's) is asked for with GetPolicy instead.
    """
    try:
        response = iam.list_policies(OnlyAttached=True, MaxItems=MAX_LISTED_POLICIES)
    except (ClientError, BotoCoreError) as error:
        log.info("the list of managed policies is not available (%s): using GetPolicy", error)
        return {}
    return {
        p["Arn"]: p["DefaultVersionId"]
        for p in response.get("Policies", [])
        if "Arn" in p and "DefaultVersionId" in p
    }


def get_default_version_id(iam: IAMClient, policy_arn: str) -> str:
    return str(iam.get_policy(PolicyArn=policy_arn)["Policy"]["DefaultVersionId"])


def get_policy_version(iam: IAMClient, policy_arn: str, version_id: str) -> PolicyDocument:
    response = iam.get_policy_version(PolicyArn=policy_arn, VersionId=version_id)
    return PolicyDocument(
        name=name_of(policy_arn),
        document=decode_policy(response["PolicyVersion"].get("Document")),
    )
