"""IAM: does each role exist, whom does it trust, and which policy documents does it hold.

Its part of the read graph: a role with its inline and attached policies, and the managed
policies' default versions. GetRole, ListRolePolicies and ListAttachedRolePolicies need just
the role name, and the managed policies' default versions are listed for the whole account
before any role is known (so a policy's document is one call after ListAttachedRolePolicies,
not two).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws import reads as r
from bot.aws.graph import Reads, every_found
from bot.aws.managed_policies import known_document
from bot.model import PolicyDocument, Role
from bot.parse.arns import name_of

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


# --------------------------------------------------------------------------- read graph


def role(read: Reads, arn: str) -> asyncio.Task[Role | None]:
    """The role with its inline and attached policies, read once."""
    return read.once(("role", arn), lambda: _read_role(read, arn))


async def _read_role(read: Reads, arn: str) -> Role | None:
    found, inline, managed = await asyncio.gather(
        read(r.GET_ROLE, get_role, read.clients.iam(), arn),
        _inline_policies(read, arn),
        _managed_policies(read, arn),
    )
    return found.model_copy(update={"policies": (*inline, *managed)}) if found else None


async def _inline_policies(read: Reads, role: str) -> list[PolicyDocument]:
    client = read.clients.iam()
    names = await read(r.LIST_ROLE_POLICIES, list_inline_policy_names, client, role)
    return await every_found(
        read(r.GET_ROLE_POLICY, get_inline_policy, client, role, name) for name in names or []
    )


async def _managed_policies(read: Reads, role: str) -> list[PolicyDocument]:
    arns = await read(
        r.LIST_ATTACHED_ROLE_POLICIES, list_attached_policy_arns, read.clients.iam(), role
    )
    return await every_found(_managed_policy(read, arn) for arn in arns or [])


def _managed_policy(read: Reads, arn: str) -> asyncio.Task[PolicyDocument | None]:
    return read.once(("policy", arn), lambda: _read_managed_policy(read, arn))


async def _read_managed_policy(read: Reads, arn: str) -> PolicyDocument | None:
    """The policy's default version, from the account's list (read at once) or else from
    GetPolicy, then its document (an AWS-managed one's from `bot.aws.managed_policies`)."""
    client = read.clients.iam()
    listed = await policy_versions(read)
    version = listed.get(arn) or await read(r.GET_POLICY, get_default_version_id, client, arn)
    if version is None:
        return None
    if (document := known_document(arn, version)) is not None:
        return PolicyDocument(name=name_of(arn), document=document)
    return await read(r.GET_POLICY_VERSION, get_policy_version, client, arn, version)


def policy_versions(read: Reads) -> asyncio.Task[dict[str, str]]:
    """Every attached managed policy's default version, read once (started before any role
    is known)."""
    return read.once("policy-versions", lambda: _read_policy_versions(read))


async def _read_policy_versions(read: Reads) -> dict[str, str]:
    listed = await read(r.LIST_POLICIES, attached_policy_versions, read.clients.iam())
    return listed or {}
