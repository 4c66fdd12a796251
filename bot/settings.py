"""All configuration, read once from the environment (names pinned in CONTRACT.md §3)."""

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Account(BaseModel):
    """Another AWS account the bot may read, through a role it assumes there."""

    role_arn: str = Field(pattern=r"^arn:aws(-cn|-us-gov)?:iam::\d{12}:role/[\w+=,.@/-]+$")
    external_id: SecretStr | None = None
    region: str | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = "https://slack.com/api/"
    port: int = Field(default=3000, ge=1, le=65535)
    redis_url: str | None = None

    # boto3 itself reads only AWS_DEFAULT_REGION; the other SDKs' AWS_REGION is honoured too.
    aws_region: str | None = None

    # Diagnoses run on a pool of their own: Bolt's listener pool (5 threads) must stay free to ack.
    diagnosis_workers: int = Field(default=8, ge=1, le=64)
    # Threads one diagnosis may use for concurrent AWS calls.
    aws_concurrency: int = Field(default=16, ge=1, le=64)
    aws_connect_timeout: float = Field(default=3.0, gt=0)
    aws_read_timeout: float = Field(default=10.0, gt=0)
    aws_max_attempts: int = Field(default=5, ge=1, le=10)
    # A whole diagnosis returns what it knows after this many seconds.
    diagnosis_deadline: float = Field(default=25.0, gt=0)
    # How long a finished diagnosis is reused for the same target.
    diagnosis_ttl: int = Field(default=60, ge=0)

    # Short names for other accounts, as JSON: {"prod": {"role_arn": "arn:aws:iam::…:role/…",
    # "external_id": "…", "region": "eu-west-1"}}. `/ecs-why prod:api-service` reads "prod".
    accounts: dict[str, Account] = Field(default_factory=dict, validation_alias="ECS_WHY_ACCOUNTS")

    # Which Slack channels may query what, as JSON: {"C0123ABCD": ["prod:production"],
    # "*": ["staging:*"]} (see bot/access.py). Unset: every channel may query everything.
    channels: dict[str, list[str]] = Field(
        default_factory=dict, validation_alias="ECS_WHY_CHANNELS"
    )
    access_contact: str = Field(
        default="your platform team", validation_alias="ECS_WHY_ACCESS_CONTACT"
    )

    # The event archive (CONTRACT §5): where EventBridge keeps ECS events past ECS's hour.
    events_log_group: str = Field(
        default="/aws/events/ecs-why", validation_alias="ECS_WHY_EVENTS_LOG_GROUP"
    )

    # Watches (CONTRACT §3): seconds between two reads of the event archive by the follower.
    watch_poll: float = Field(default=3.0, gt=0, le=300, validation_alias="ECS_WHY_WATCH_POLL")
