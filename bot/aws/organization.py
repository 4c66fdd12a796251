"""The organisation's accounts, found instead of typed.

With ECS_WHY_ORGANIZATION set, the bot reads `organizations:ListAccounts` once at start-up (it
runs in the management account or a delegated administrator's) and adds every active account
under its name, lower-cased with anything but letters and digits as "-" ("Payments Prod" →
`payments-prod`), reached through the role the organisation template made there. Names typed in
ECS_WHY_ACCOUNTS win. Two accounts with one name are each known as NAME-ID instead, and a
channel rule naming the shared name is refused at start-up. A channel rule may name an OU
(`ou-ab12-34cd56ef:production`) or the root: it holds for every account under it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from bot.aws.clients import describe_error, refuse_mutating_call, shared_models
from bot.errors import AwsUnavailable, EcsWhyError
from bot.settings import Account, Settings

if TYPE_CHECKING:
    from mypy_boto3_organizations import OrganizationsClient

PARENT = re.compile(r"^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$")


def short_name(name: str) -> str:
    """What a user types for an account: `Payments (Prod)` → `payments-prod`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "account"


def organizations_client(settings: Settings) -> OrganizationsClient:
    """A read-only Organizations client of the bot's own identity (the API lives in us-east-1)."""
    session = boto3.Session(botocore_session=shared_models(), region_name="us-east-1")
    config = Config(
        retries={"mode": "standard", "total_max_attempts": settings.aws_max_attempts},
        connect_timeout=settings.aws_connect_timeout,
        read_timeout=settings.aws_read_timeout,
    )
    client: OrganizationsClient = session.client("organizations", config=config)
    client.meta.events.register("before-parameter-build", refuse_mutating_call)
    return client


def active_accounts(client: OrganizationsClient, parent: str | None = None) -> dict[str, str]:
    """Each active account's id and name: of the organisation, or under `parent` (an OU or the
    root, with the OUs below it)."""
    if parent is None:
        pages: Iterator[Any] = iter(client.get_paginator("list_accounts").paginate())
    else:
        pages = _under(client, parent)
    return {
        account["Id"]: account["Name"]
        for page in pages
        for account in page.get("Accounts", [])
        if account.get("Status", "ACTIVE") == "ACTIVE"
    }


def _under(client: OrganizationsClient, parent: str) -> Iterator[Any]:
    yield from client.get_paginator("list_accounts_for_parent").paginate(ParentId=parent)
    units = client.get_paginator("list_organizational_units_for_parent")
    for page in units.paginate(ParentId=parent):
        for unit in page.get("OrganizationalUnits", []):
            yield from _under(client, unit["Id"])


def named(accounts: Mapping[str, str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Short name → account id, and each name several accounts share → their ids (those
    accounts are named NAME-ID instead)."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for account_id, name in accounts.items():
        by_name[short_name(name)].append(account_id)
    names: dict[str, str] = {}
    shared = {name: sorted(ids) for name, ids in by_name.items() if len(ids) > 1}
    for name, ids in by_name.items():
        for account_id in ids:
            names[f"{name}-{account_id}" if name in shared else name] = account_id
    return names, shared


def with_organization(settings: Settings, client: OrganizationsClient | None = None) -> Settings:
    """`settings` with the organisation's accounts added and OU rules spelled out as accounts;
    unchanged without ECS_WHY_ORGANIZATION."""
    org = settings.organization
    if org is None:
        return settings
    client = client or organizations_client(settings)
    try:
        names, shared = named(active_accounts(client))
        typed = {account.account_id for account in settings.accounts.values()}
        found = {
            name: Account(
                role_arn=f"arn:aws:iam::{account_id}:role/{org.role_name}",
                external_id=org.external_id,
                region=org.region,
            )
            for name, account_id in names.items()
            if name not in settings.accounts and account_id not in typed
        }
        accounts = {**found, **settings.accounts}
        channels = {
            channel: [spelled for rule in rules for spelled in _spelled(client, rule, accounts)]
            for channel, rules in settings.channels.items()
        }
    except (BotoCoreError, ClientError) as error:
        raise AwsUnavailable(
            "cannot read the organisation's accounts (ECS_WHY_ORGANIZATION): "
            f"{describe_error(error)}; the bot needs organizations:ListAccounts, from the "
            "management account or a delegated administrator"
        ) from error
    refuse_shared_names(channels, shared)
    return settings.model_copy(update={"accounts": accounts, "channels": channels})


def refuse_shared_names(channels: Mapping[str, list[str]], shared: Mapping[str, list[str]]) -> None:
    """A rule must not name an account name several accounts share: which would it mean?"""
    for channel, rules in channels.items():
        for rule in rules:
            account = rule.partition("@")[0].rpartition(":")[0]
            if account in shared:
                raise EcsWhyError(
                    f"ECS_WHY_CHANNELS[{channel}] names account {account!r}, which accounts "
                    f"{', '.join(shared[account])} share: name one as {account}-ID"
                )


def _spelled(client: OrganizationsClient, rule: str, accounts: Mapping[str, Account]) -> list[str]:
    """A rule naming an OU or the root as one rule per account under it."""
    account, _, cluster = rule.partition("@")[0].rpartition(":")
    if not PARENT.fullmatch(account):
        return [rule]
    region = rule.partition("@")[2]
    under = set(active_accounts(client, account))
    suffix = f"@{region}" if region else ""
    return [
        f"{name}:{cluster}{suffix}"
        for name, chosen in sorted(accounts.items())
        if chosen.account_id in under
    ]
