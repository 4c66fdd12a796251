"""All configuration, read once from the environment (names pinned in CONTRACT.md §3)."""

import re
from typing import Annotated

from pydantic import (
    AnyUrl,
    BaseModel,
    Field,
    HttpUrl,
    SecretStr,
    UrlConstraints,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, SettingsConfigDict, SettingsError

# What redis-py's `Redis.from_url` opens, kept as written (pydantic's RedisDsn refuses unix
# sockets and fills in a host, port and database).
RedisUrl = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["redis", "rediss", "unix"])]
# What IAM allows in a role's name and path, ASCII only as IAM has it. Spelled out: pydantic's
# regex engine compiles a Unicode \w in ~20 ms, a fifth of a cold CLI's settings.
IAM_NAME = "A-Za-z0-9_+=,.@-"


class Account(BaseModel):
    """Another AWS account the bot may read, through a role it assumes there."""

    role_arn: str = Field(pattern=rf"^arn:aws(-cn|-us-gov)?:iam::[0-9]{{12}}:role/[/{IAM_NAME}]+$")
    external_id: SecretStr | None = None
    region: str | None = None
    # The AWS CLI profile the team uses for this account: the card's commands say --profile.
    profile: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.+@-]{1,64}$")

    @property
    def account_id(self) -> str:
        """The 12-digit id of the account, from its role's ARN."""
        return self.role_arn.split(":")[4]


class Organization(BaseModel):
    """Accounts found in the AWS Organization instead of typed (bot/aws/organization.py): the
    role the bot assumes in each (deploy/org-member.yaml's ReadRoleName) and its external id."""

    role_name: str = Field(default="ecs-why-read", pattern=rf"^[{IAM_NAME}]{{1,64}}$")
    external_id: SecretStr | None = None
    region: str | None = None  # where a target naming no region is read; default: the bot's


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: HttpUrl = HttpUrl("https://slack.com/api/")
    port: int = Field(default=3000, ge=1, le=65535)
    redis_url: RedisUrl | None = None  # unset: each process keeps its own store in memory

    # boto3 itself reads only AWS_DEFAULT_REGION; the other SDKs' AWS_REGION is honoured too.
    aws_region: str | None = None
    aws_default_region: str | None = None

    # Diagnoses run on a pool of their own: Bolt's listener pool (5 threads) must stay free to ack.
    diagnosis_workers: int = Field(default=8, ge=1, le=64)
    # Threads one diagnosis may use for concurrent AWS calls.
    aws_concurrency: int = Field(default=16, ge=1, le=64)
    aws_connect_timeout: float = Field(default=3.0, gt=0)
    aws_read_timeout: float = Field(default=10.0, gt=0)
    aws_max_attempts: int = Field(default=5, ge=1, le=10)
    # The share of each of ECS's request buckets (per account, region and category of actions)
    # the bot may use: the customer's own tooling draws on the same buckets (bot/budget.py).
    aws_budget_share: float = Field(
        default=0.5, gt=0, le=0.9, validation_alias="ECS_WHY_AWS_BUDGET_SHARE"
    )
    # Seconds an ECS read waits for a token when its bucket is empty, before it becomes a gap.
    aws_budget_wait: float = Field(
        default=3.0, ge=0, le=10, validation_alias="ECS_WHY_AWS_BUDGET_WAIT"
    )
    # A whole diagnosis returns what it knows after this many seconds.
    diagnosis_deadline: float = Field(default=25.0, gt=0)
    # How long a finished diagnosis is reused for the same target.
    diagnosis_ttl: int = Field(default=60, ge=0)

    # HTTP mode: connections open at once (idle ones included), and seconds after which an idle
    # connection is closed. Run behind a proxy that buffers requests (README, Security).
    # At most 900: waitress watches them with select(), which stops at file descriptor 1023.
    http_connection_limit: int = Field(default=500, ge=10, le=900)
    http_channel_timeout: int = Field(default=30, ge=1, le=600)

    # Diagnoses that ask AWS one user, and one channel, may start within `rate_limit_window` s.
    rate_limit_user: int = Field(default=10, ge=1, le=1000)
    rate_limit_channel: int = Field(default=30, ge=1, le=1000)
    rate_limit_window: float = Field(default=60.0, gt=0, le=3600)
    # Answers that cost AWS nothing (from the cache, Details, a page of a list) one user may
    # have within the window: a cap against floods only.
    rate_limit_free: int = Field(default=60, ge=1, le=10_000)

    # Short names for other accounts, as JSON: {"prod": {"role_arn": "arn:aws:iam::…:role/…",
    # "external_id": "…", "region": "eu-west-1", "profile": "prod-readonly"}}.
    # `/ecs-why prod:api-service` reads "prod".
    accounts: dict[str, Account] = Field(default_factory=dict, validation_alias="ECS_WHY_ACCOUNTS")
    # Every active account of the organisation as well, by its name: {"role_name":
    # "ecs-why-read", "external_id": "…"} (from the management or a delegated account).
    organization: Organization | None = Field(default=None, validation_alias="ECS_WHY_ORGANIZATION")

    # Which Slack channels may query what, as JSON: {"C0123ABCD": ["prod:production"],
    # "*": ["staging:*"]} (see bot/slack/access.py). Unset: every channel may query everything.
    channels: dict[str, list[str]] = Field(
        default_factory=dict, validation_alias="ECS_WHY_CHANNELS"
    )
    access_contact: str = Field(
        default="your platform team", validation_alias="ECS_WHY_ACCESS_CONTACT"
    )

    @field_validator("redis_url", "watch_queue", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    def default_regions(self) -> dict[str, str]:
        """The region each account (by short name; `default`: the bot's own) is read in when a
        target names none, as far as the environment says (an AWS profile's is not seen)."""
        own = self.aws_region or self.aws_default_region
        named = {name: account.region or own for name, account in self.accounts.items()}
        return {name: region for name, region in {"default": own, **named}.items() if region}

    def account_ids(self) -> dict[str, str]:
        """Each configured account's short name and 12-digit id."""
        return {name: account.account_id for name, account in self.accounts.items()}

    # The event archive (CONTRACT §5): where EventBridge keeps ECS events past ECS's hour.
    events_log_group: str = Field(
        default="/aws/events/ecs-why", validation_alias="ECS_WHY_EVENTS_LOG_GROUP"
    )

    # Watches (CONTRACT §3): seconds between two reads of the event archive by the follower.
    watch_poll: float = Field(default=3.0, gt=0, le=300, validation_alias="ECS_WHY_WATCH_POLL")
    # Seconds the follower's lease lasts unrenewed: a replica that died is taken over after it,
    # and no Slack call of the follower may take longer (bot/watch/follow.py).
    watch_lease: float = Field(default=10.0, ge=2, le=120, validation_alias="ECS_WHY_WATCH_LEASE")
    # Watches from a queue instead (deploy/org-central.yaml): its URL. Every replica takes
    # messages from it; each is hidden from the others for `watch_queue_visibility` seconds (more
    # than the worst handling time), and deleted once its incident update is stored.
    watch_queue: str | None = Field(default=None, validation_alias="ECS_WHY_WATCH_QUEUE")
    watch_queue_wait: int = Field(
        default=20, ge=0, le=20, validation_alias="ECS_WHY_WATCH_QUEUE_WAIT"
    )
    watch_queue_visibility: int = Field(
        default=300, ge=1, le=43200, validation_alias="ECS_WHY_WATCH_QUEUE_VISIBILITY"
    )


def settings_error(error: ValidationError | SettingsError) -> str:
    """Bad settings as one line naming each variable and what is wrong, never the value (a
    Redis URL may hold a password)."""
    if isinstance(error, SettingsError):  # a JSON variable that is not JSON
        field = re.search(r'field "(\w+)"', str(error))
        variable = _variable(field[1]) if field else "a variable"
        return f"bad setting: {variable}: {error.__cause__ or error}"
    problems = []
    for problem in error.errors(include_url=False, include_input=False):
        variable, *inside = (str(part) for part in problem["loc"])
        where = "".join(f"[{part}]" for part in inside)
        problems.append(f"{variable.upper()}{where}: {problem['msg']}")
    return "bad setting: " + "; ".join(problems)


def _variable(field: str) -> str:
    """The environment variable a field of Settings is read from."""
    info = Settings.model_fields.get(field)
    alias = info.validation_alias if info is not None else None
    return alias if isinstance(alias, str) else field.upper()
