"""The one place boto3 clients are made: retries, timeouts, a read-only guard and a call recorder.

Every client comes from one injected `boto3.Session` (sessions are not thread-safe, clients are),
so clients are created under the session's lock (their models parsed before it is taken) and
then shared by the threads of every diagnosis.
`AWS_ENDPOINT_URL` and the rest of boto3's standard configuration chain apply unchanged.

- `AwsClients`: what the collectors read through: a client per service, which AWS they see
  (`region`, and `scope` for cache keys) and what they called;
- `ServiceClients`: makes each client (the guard, the recorder, the fact cache, ECR's throttling
  retried) and keeps a bounded number of them;
- `CallRecorder`: every operation sent, counted;
- `Sessions`: one session per account (the bot's own, or a role assumed in another) and the
  regions ECS runs in.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    DeferredRefreshableCredentials,
)
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    NoCredentialsError,
    NoRegionError,
    ReadTimeoutError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from bot.aws.fact_cache import FactCache
from bot.aws.reads import iam_action, model_loader
from bot.aws.unavailable import Unavailable
from bot.budget import Budget, BudgetExhausted, request_budget
from bot.cache import Store
from bot.errors import AwsUnavailable, MutatingCallRefused, TargetError
from bot.model import Fact, Gap

if TYPE_CHECKING:
    from botocore.client import BaseClient
    from botocore.model import OperationModel
    from mypy_boto3_ec2 import EC2Client
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecs import ECSClient
    from mypy_boto3_efs import EFSClient
    from mypy_boto3_elbv2 import ElasticLoadBalancingv2Client
    from mypy_boto3_iam import IAMClient
    from mypy_boto3_logs import CloudWatchLogsClient
    from mypy_boto3_sqs import SQSClient

    from bot.settings import Account, Settings

READ_PREFIXES = ("Describe", "List", "Get", "Filter", "BatchGet", "Simulate", "Lookup")

# Read operations that return secret material (values, tokens, credentials, signed layer URLs):
# the bot never needs them, so it must not be able to call them even with a broad policy.
SECRET_OPERATIONS = frozenset(
    {
        "secretsmanager:GetSecretValue",
        "secretsmanager:BatchGetSecretValue",
        "ssm:GetParameter",
        "ssm:GetParameters",
        "ssm:GetParametersByPath",
        "ssm:GetParameterHistory",
        "ecr:GetAuthorizationToken",
        "ecr:GetDownloadUrlForLayer",
        "ecr-public:GetAuthorizationToken",
        "codeartifact:GetAuthorizationToken",
        "sts:GetSessionToken",
        "sts:GetFederationToken",
        "ec2:GetPasswordData",
        "redshift:GetClusterCredentials",
        "lambda:GetFunction",  # returns environment variables and a signed code URL
    }
)

ACCESS_DENIED_CODES = frozenset({"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"})
BAD_CREDENTIALS_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredToken",
        "ExpiredTokenException",
        "AuthFailure",
        "SignatureDoesNotMatch",
    }
)

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottleException",
        "RequestLimitExceeded",
        "TooManyRequestsException",
        "RequestThrottled",
    }
)

MAX_CLIENTS = 32  # per account, region and freshness: 7 services, a few regions each
ECR_THROTTLE_BASE_DELAY = 0.2  # seconds; doubled on each attempt
ECR_THROTTLE_MAX_DELAY = 5.0


def is_read_only(action: str) -> bool:
    operation = action.partition(":")[2]
    return operation.startswith(READ_PREFIXES) and action not in SECRET_OPERATIONS


def refuse_mutating_call(model: OperationModel, **_: Any) -> None:
    """botocore `before-parameter-build` hook: only read operations that reveal no secret pass."""
    action = iam_action(model)
    if not is_read_only(action):
        raise MutatingCallRefused(f"ecs-why only reads AWS: refused {action}")


# The only calls that change anything: on the watch queue (ECS_WHY_WATCH_QUEUE), taking its
# messages, deleting each once handled, handing back what another replica holds, and its depth.
QUEUE_ACTIONS = frozenset(
    {
        "sqs:ReceiveMessage",
        "sqs:DeleteMessage",
        "sqs:ChangeMessageVisibility",
        "sqs:GetQueueAttributes",
    }
)


# A batch action has no IAM action of its own: SQS checks the single action's permission.
BATCH_PERMISSION = {
    "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
}


def queue_arn(url: str, region: str) -> str:
    """The ARN of the queue at `url` (`…/ACCOUNT/NAME`, AWS's or an emulator's)."""
    parts = url.rstrip("/").rsplit("/", 2)
    account, name = (parts[1], parts[2]) if len(parts) == 3 else ("", "")
    return f"arn:aws:sqs:{region}:{account}:{name}"


def queue_client(url: str, *, wait: int) -> tuple[SQSClient, QueueGuard]:
    """The watch queue's client, behind its guard: it may change that queue and nothing else.
    Its reads wait longer than a long poll (`wait` seconds)."""
    session = boto3.Session()
    host = url.split("/")[2] if url.count("/") >= 2 else ""
    named = host.split(".")[1] if host.startswith("sqs.") and host.count(".") >= 3 else None
    region = named or session.region_name
    if region is None:
        raise AwsUnavailable("no AWS region configured: set AWS_REGION")
    config = Config(retries={"mode": "standard"}, read_timeout=wait + 10, connect_timeout=3)
    client: SQSClient = session.client("sqs", region_name=region, config=config)
    guard = QueueGuard(queue_arn(url, region), region)
    client.meta.events.register("before-parameter-build", guard)
    return client, guard


class QueueGuard:
    """The read-only guard of the watch queue's client (a botocore `before-parameter-build`
    hook): the queue actions pass on the queue `arn` only, and GetQueueAttributes on its
    dead-letter queue once that is known (to report its depth); anything else as ever."""

    def __init__(self, arn: str, region: str) -> None:
        self.arn, self.region = arn, region
        self.dead_letter_arn: str | None = None

    def __call__(self, model: OperationModel, params: dict[str, Any], **_: Any) -> None:
        action = BATCH_PERMISSION.get(iam_action(model), iam_action(model))
        if action not in QUEUE_ACTIONS:
            refuse_mutating_call(model)
            return
        target = queue_arn(str(params.get("QueueUrl", "")), self.region)
        if target == self.arn:
            return
        if action == "sqs:GetQueueAttributes" and target == self.dead_letter_arn:
            return
        raise MutatingCallRefused(
            f"ecs-why changes only its own queue: refused {action} on {target}"
        )


def ecr_throttle_delay(response: Any, attempts: int, max_attempts: int) -> float | None:
    """Seconds to wait before retrying an ECR `ThrottleException`, or None to stop retrying."""
    if response is None or attempts >= max_attempts:
        return None
    code = response[1].get("Error", {}).get("Code")
    if code != "ThrottleException":
        return None
    return float(min(ECR_THROTTLE_BASE_DELAY * 2 ** (attempts - 1), ECR_THROTTLE_MAX_DELAY))


class CallRecorder:
    """Counts every operation sent, as IAM-style names; safe to use from many threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def record(self, model: OperationModel, **_: Any) -> None:
        """botocore `before-call` hook: fires once per API call (retries are not counted)."""
        with self._lock:
            self._counts[iam_action(model)] += 1

    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)


def budget_account(role_arn: str | None, scope: str) -> str:
    """Whose ECS request buckets clients draw on: the assumed role's account, else the identity
    their `scope` names (the bot's own account, whose id it need not ask)."""
    return role_arn.split(":")[4] if role_arn else "own-" + scope.partition(":")[2]


def drawing(budget: Budget, account: Callable[[], str]) -> Callable[[str, str], None]:
    """`draw(region, action)`: a token from `budget` for the account `account` names."""
    return lambda region, action: budget.draw(account(), region, action)


class AwsClients:
    """Guarded, recorded boto3 clients made from one session, one per service and region: what
    the collectors read through, which AWS that is (`region`, `scope`) and what they called."""

    def __init__(
        self,
        session: boto3.Session,
        settings: Settings,
        *,
        store: Store | None = None,
        immutable_only: bool = False,
        role_arn: str | None = None,
        region: str | None = None,
        session_lock: threading.Lock | None = None,
        budget: Budget | None = None,
    ) -> None:
        self._session = session
        # The session may be shared with other AwsClients (other regions): so is its lock.
        self._session_lock = session_lock or threading.Lock()
        self._region = region or session.region_name
        self._role_arn = role_arn
        self._scope: str | None = None
        self.recorder = CallRecorder()
        # Answers are cached in `store` by how long they stay true; `immutable_only` (a re-run)
        # reuses only those that can never change.
        fact_cache = (
            FactCache(store, lambda: self.scope, immutable_only=immutable_only) if store else None
        )
        draw = drawing(
            budget or request_budget(settings, store),
            lambda: budget_account(self._role_arn, self.scope),
        )
        self._clients = ServiceClients(
            session, self._session_lock, self._region, settings, self.recorder, fact_cache, draw
        )
        self.unavailable = Unavailable()  # what optional reads found missing here

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        region: str | None = None,
        account: str | None = None,
        store: Store | None = None,
        immutable_only: bool = False,
        sessions: Sessions | None = None,
        budget: Budget | None = None,
    ) -> AwsClients:
        """Clients from boto3's standard chain (profile, keys, endpoint), in `region` if given,
        or in a configured account through the role the bot assumes there."""
        sessions = sessions or Sessions(settings)
        session, role_arn, lock = sessions.get(account)
        return cls(
            session,
            settings,
            store=store,
            immutable_only=immutable_only,
            role_arn=role_arn,
            region=sessions.ecs_region(region),
            session_lock=lock,
            budget=budget,
        )

    @property
    def scope(self) -> str:
        """Which AWS these clients see, for cache keys: the region and a digest of the profile,
        access key id and endpoint (no credential itself)."""
        if self._scope is None:
            endpoint = self.ecs().meta.endpoint_url
            with self._session_lock:  # sessions are not thread-safe
                credentials = None if self._role_arn else self._session.get_credentials()
            # An assumed role's keys change at every renewal; the role itself does not.
            key_id = self._role_arn or (credentials.access_key if credentials else "")
            identity = f"{self._session.profile_name}|{key_id}|{endpoint}".encode()
            self._scope = f"{self.region}:{hashlib.sha256(identity).hexdigest()[:16]}"
        return self._scope

    @property
    def region(self) -> str:
        """The region of the session (boto3's standard chain), or AwsUnavailable if none."""
        region = self._region
        if not region:
            raise AwsUnavailable(
                "no AWS region configured: set AWS_REGION (or pass --region, or set a "
                "region in your AWS profile)"
            )
        return region

    def calls(self) -> dict[str, int]:
        """How many times each operation was called through these clients."""
        return self.recorder.counts()

    def client(
        self, service_name: str, region: str | None = None, *, optional: bool = False
    ) -> BaseClient:
        """The shared client for a service (in `region`, default: the session's); `optional`:
        the one for optional reads, which tries once and never drains the retry budget."""
        return self._clients.get(service_name, region, optional=optional)

    def ecs(self, *, optional: bool = False) -> ECSClient:
        return cast("ECSClient", self.client("ecs", optional=optional))

    def logs(self, region: str | None = None) -> CloudWatchLogsClient:
        return cast("CloudWatchLogsClient", self.client("logs", region))

    def iam(self) -> IAMClient:
        return cast("IAMClient", self.client("iam"))

    def ec2(self) -> EC2Client:
        return cast("EC2Client", self.client("ec2"))

    def ecr(self, region: str | None = None) -> ECRClient:
        return cast("ECRClient", self.client("ecr", region))

    def elbv2(self) -> ElasticLoadBalancingv2Client:
        return cast("ElasticLoadBalancingv2Client", self.client("elbv2"))

    def efs(self) -> EFSClient:
        return cast("EFSClient", self.client("efs"))


class ServiceClients:
    """One client per service and region, made from one session under its lock and then shared
    by the threads of every diagnosis; each refuses mutating calls, counts its calls in
    `recorder`, keeps its answers in `fact_cache` (if any), retries ECR's throttling and draws
    each ECS call not answered from the cache on the request budget (`draw(region, action)`)."""

    def __init__(
        self,
        session: boto3.Session,
        session_lock: threading.Lock,
        region: str | None,
        settings: Settings,
        recorder: CallRecorder,
        fact_cache: FactCache | None,
        draw: Callable[[str, str], None],
    ) -> None:
        self._session, self._session_lock, self._region = session, session_lock, region
        self._recorder, self._fact_cache, self._draw = recorder, fact_cache, draw
        self._lock = threading.Lock()  # held only to look up or store a client
        # Bounded: task definitions name log and registry regions too.
        self._made: OrderedDict[tuple[str, str | None, bool], BaseClient] = OrderedDict()
        self._making: dict[tuple[str, str | None, bool], threading.Lock] = {}
        self._max_attempts = settings.aws_max_attempts
        self._config = Config(
            # attempts in all, the first one included (`max_attempts` would count retries)
            retries={"mode": "standard", "total_max_attempts": settings.aws_max_attempts},
            connect_timeout=settings.aws_connect_timeout,
            read_timeout=settings.aws_read_timeout,
            # Clients are shared by every diagnosis running at once.
            max_pool_connections=settings.aws_concurrency * settings.diagnosis_workers,
        )
        # Optional reads try once, on a client of their own: its retry quota is its own too.
        self._optional = self._config.merge(
            Config(retries={"mode": "standard", "total_max_attempts": 1})
        )

    def get(self, service_name: str, region: str | None, *, optional: bool = False) -> BaseClient:
        """The client for a service in `region` (None: the session's), made on first use; the
        least recently used is dropped past MAX_CLIENTS. A client being made holds up only
        those who want that same client, never the others."""
        key = (service_name, None if region == self._region else region, optional)
        with self._lock:
            if (made := self._made.get(key)) is not None:
                self._made.move_to_end(key)
                return made
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if (made := self._made.get(key)) is not None:
                    return made
            client = self._make(*key)
            with self._lock:
                self._made[key] = client
                self._making.pop(key, None)
                if len(self._made) > MAX_CLIENTS:
                    self._made.popitem(last=False)
            return client

    def _make(self, service_name: str, region: str | None, optional: bool) -> BaseClient:
        # The service's model is parsed outside the session's lock (EC2's takes a fifth of a
        # second): the lock then covers only the session's own bookkeeping.
        model_loader().load_service_model(service_name, "service-2")
        try:
            with self._session_lock:
                client: BaseClient = self._session.client(
                    service_name,  # type: ignore[call-overload]
                    region_name=region or self._region,
                    config=self._optional if optional else self._config,
                )
        except NoRegionError as error:
            raise AwsUnavailable("no AWS region configured: set AWS_REGION") from error
        events = client.meta.events
        events.register("before-parameter-build", refuse_mutating_call)
        events.register("before-call", self._recorder.record)
        if self._fact_cache is not None:
            self._fact_cache.install(client)
        if service_name == "ecs":
            # After the fact cache's hook: an answer from the cache costs no token.
            events.register("before-call", partial(self._draw_for, client.meta.region_name))
        if service_name == "ecr":
            # needs-retry handlers return a delay; botocore-stubs types every handler as -> None.
            events.register("needs-retry.ecr", self._retry_ecr_throttle)  # type: ignore[arg-type]
        return client

    def _draw_for(self, region: str, model: OperationModel, **_: Any) -> None:
        self._draw(region, model.name)

    def _retry_ecr_throttle(self, response: Any, attempts: int, **_: Any) -> float | None:
        # botocore's standard retry mode does not know ECR's `ThrottleException` code.
        return ecr_throttle_delay(response, attempts, self._max_attempts)


class Sessions:
    """One boto3 session per account, shared by the clients of every region and freshness.

    A session holds the service models and endpoint data it loaded (about 10 MiB each): one
    per region would let a user who names many regions grow the process without bound.
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._made: dict[str | None, tuple[boto3.Session, str | None, threading.Lock]] = {}
        self._regions: frozenset[str] | None = None
        self._lock = threading.Lock()

    def get(self, account: str | None) -> tuple[boto3.Session, str | None, threading.Lock]:
        """The session of `account` (None: the bot's own), the role assumed there, its lock."""
        with self._lock:
            if account not in self._made:
                self._made[account] = (*self._make(account), threading.Lock())
            return self._made[account]

    def _make(self, account: str | None) -> tuple[boto3.Session, str | None]:
        settings = self._settings
        if account is None:
            return boto3.Session(
                botocore_session=shared_models(), region_name=settings.aws_region
            ), None
        if account in settings.accounts:
            chosen = settings.accounts[account]
            region = chosen.region or settings.aws_region
            return assumed_role_session(chosen, region), chosen.role_arn
        known = ", ".join(sorted(settings.accounts)) or "none are configured (ECS_WHY_ACCOUNTS)"
        raise TargetError(f"unknown account {account!r}: expected one of {known}")

    def ecs_region(self, region: str | None) -> str | None:
        """`region` (None: the session's) if botocore knows ECS there, else TargetError: each
        region costs clients, and a user may name any."""
        if region is not None and region not in self.regions():
            raise TargetError(
                f"{region!r} is not a region ECS runs in: expected one like us-east-1 or eu-west-1"
            )
        return region

    def regions(self) -> frozenset[str]:
        """Every region botocore's endpoint data lists ECS in, in every partition."""
        if self._regions is None:
            session, _, lock = self.get(None)
            with lock:
                self._regions = frozenset(
                    region
                    for partition in session.get_available_partitions()
                    for region in session.get_available_regions("ecs", partition)
                )
        return self._regions


class _AssumedRole(CredentialProvider):
    """Hands botocore the assumed role's credentials in place of the standard chain's."""

    METHOD = CANONICAL_NAME = "ecs-why-assume-role"

    def __init__(self, credentials: DeferredRefreshableCredentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> DeferredRefreshableCredentials:
        return self._credentials


def assumed_role_session(account: Account, region: str | None) -> boto3.Session:
    """A session in another account, by the same AssumeRole flow as an AWS profile's role_arn.

    The credentials are fetched on first use and renewed shortly (10-15 min) before they
    expire; an hour is the longest AWS allows when roles are chained, so that is what we ask.
    """
    source = shared_models()  # the standard chain: the bot's own identity
    extra: dict[str, Any] = {"RoleSessionName": "ecs-why", "DurationSeconds": 3600}
    if account.external_id is not None:
        extra["ExternalId"] = account.external_id.get_secret_value()
    fetcher = AssumeRoleCredentialFetcher(
        client_creator=source.create_client,
        source_credentials=source.get_credentials(),
        role_arn=account.role_arn,
        extra_args=extra,
    )
    credentials = DeferredRefreshableCredentials(
        refresh_using=fetcher.fetch_credentials, method="assume-role"
    )
    assumed = shared_models()
    assumed.get_component("credential_provider").insert_before("env", _AssumedRole(credentials))
    return boto3.Session(botocore_session=assumed, region_name=region)


def shared_models() -> botocore.session.Session:
    """A botocore session that parses no service model another session already parsed."""
    session = botocore.session.Session()
    session.register_component("data_loader", model_loader())
    return session


def error_code(error: BaseException) -> str | None:
    """The AWS error code of a failed call, if AWS answered."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code") or "") or None
    return None


def describe_error(error: BaseException) -> str:
    """A short message for a failed call that is safe to show: no credentials, no signatures."""
    code = error_code(error)
    if code in ACCESS_DENIED_CODES:
        return "access denied"
    if code in BAD_CREDENTIALS_CODES:
        return "invalid or expired credentials"
    if code in THROTTLING_CODES:
        return "throttled"
    if code:
        return code
    if isinstance(error, ConnectTimeoutError | ReadTimeoutError):
        return "timed out"
    if isinstance(error, BotoConnectionError):
        return "endpoint unreachable"
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials found"
    if isinstance(error, BudgetExhausted):
        return str(error)
    if isinstance(error, BotoCoreError | MutatingCallRefused):
        return type(error).__name__
    return "failed"


def unavailable(error: BaseException, endpoint: str) -> AwsUnavailable:
    """The one-line error for a diagnosis that cannot start: AWS unreachable or refusing."""
    message = describe_error(error)
    if isinstance(error, BotoConnectionError | ReadTimeoutError):
        return AwsUnavailable(f"cannot reach AWS at {endpoint}: {message}")
    if isinstance(error, NoCredentialsError):
        return AwsUnavailable(
            "no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY"
        )
    action = "ecs"
    if isinstance(error, ClientError | BudgetExhausted):
        operation = error.operation_name if isinstance(error, ClientError) else error.action
        action = f"ecs:{operation}"
    if error_code(error) in ACCESS_DENIED_CODES | BAD_CREDENTIALS_CODES:
        return AwsUnavailable(f"AWS refused {action}: {message}")
    return AwsUnavailable(f"{action} failed: {message}")


def gap_from_error(fact: Fact, action: str, error: BaseException) -> Gap:
    """The gap a failed read of `fact` leaves, e.g. `iam:GetRole: access denied`."""
    return Gap(fact=fact, action=action, message=describe_error(error))
