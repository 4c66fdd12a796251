"""Known AWS messages, as data: one ordered table from message to (cause, step).

The table reads task stopped reasons, container reasons, service events and target-health
reasons. The first matching row wins, so rows go from most to least specific: an image pull
that timed out is a network problem before it is a pull problem, and "the log group does not
exist" beats a generic ResourceInitializationError. Patterns match anywhere in the text,
ignore case, and key on the words AWS keeps across agent versions (Docker's "Error response
from daemon" and containerd's "has been retried N time(s)"), so a reason AWS cut at about
255 characters, or a console or CLI cut anywhere, still matches on its head: at worst on its
family's row ("the image could not be pulled").

Application log lines have a separate table: they are the app's (or its runtime's) words, not
AWS's, and what a crash with a bare exit code 1 really was.
Every row is tested against real messages in tests/unit/real_messages.py.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from bot.model import Cause, LogStream, Step, Task


@dataclass(frozen=True)
class Rule:
    """One row: where a message sends the diagnosis, what it means, and how to recognise it."""

    cause: Cause
    step: Step
    meaning: str  # plain words for the message; the closest guess when the cause is unknown
    pattern: str

    def search(self, text: str) -> bool:
        return _compiled(self.pattern).search(text) is not None


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE | re.DOTALL | re.MULTILINE)


# fmt: off
RULES: tuple[Rule, ...] = (
    # The kernel's verdict on the container beats whatever ECS did next.
    Rule(Cause.OUT_OF_MEMORY, Step.EXIT_CODE, "the container ran out of memory",
         r"OutOfMemoryError|Container killed due to memory usage|OOM-killed|died due to OOM"),
    # Stopped by the platform, or on purpose. (StopTask's "Task stopped by user" needs no row:
    # its stop code, UserInitiated, says it; see STOP_CODES.)
    Rule(Cause.SPOT_INTERRUPTION, Step.STOPPED_REASON, "Spot capacity was reclaimed",
         r"Your Spot Task was interrupted"),
    Rule(Cause.INFRASTRUCTURE, Step.STOPPED_REASON, "AWS retired the task's infrastructure",
         r"performing maintenance on the underlying infrastructure"),
    Rule(Cause.INFRASTRUCTURE, Step.STOPPED_REASON, "the container instance went away",
         r"Host EC2 \(instance|Container instance deregistration forced"),
    Rule(Cause.DEPLOYMENT_OR_SCALE_IN, Step.STOPPED_REASON, "a deployment or scale-in",
         r"Scaling activity initiated by \(deployment"),
    # A deployment that cannot move: its percentages, or protected tasks, hold it.
    Rule(Cause.DEPLOYMENT_OR_SCALE_IN, Step.STOPPED_REASON,
         "the deployment configuration or task protection holds the service",
         r"minimumHealthyPercent or maximumPercent|task set \S+ was unable to scale in"
         r"|number of protected tasks"),
    # Health checks.
    Rule(Cause.ELB_HEALTH_CHECK, Step.HEALTH_CHECK, "load balancer health checks failed",
         r"failed ELB health checks|is (un|not )healthy in \(?(target-group|elb)"
         r"|Target\.(ResponseCodeMismatch|Timeout|FailedHealthChecks)|Health checks failed"
         r"|^Request timed out"),
    Rule(Cause.HEALTH_CHECK_FAILING, Step.HEALTH_CHECK, "the container health check failed",
         r"failed container health checks"),
    # Roles. ("unable to assume the role" also reads so when the role does not exist: the
    # IAM check tells them apart.)
    Rule(Cause.EXECUTION_ROLE_MISSING, Step.IAM, "Fargate needs an execution role here",
         r"requires task definition to have execution role"),
    Rule(Cause.ROLE_NOT_FOUND, Step.IAM, "a role the task definition names is not valid",
         r"Role is not valid"),
    Rule(Cause.TRUST_POLICY, Step.IAM, "ECS could not assume a role",
         r"unable to assume the role|IAM trust relationship has been misconfigured"),
    # EFS mounts time out too: claim them before the network timeouts.
    Rule(Cause.EFS_MOUNT_FAILED, Step.NETWORK, "an EFS volume could not be mounted",
         r"EFS utils|efs-utils|mount\.nfs|\bfs-[0-9a-f]+\.efs\."),
    # The agent's own diagnosis of a network problem, whatever it was fetching.
    Rule(Cause.NO_ROUTE_TO_INTERNET, Step.NETWORK, "the task could not reach an AWS endpoint",
         r"connection issue between the task and|check your (task )?network configuration"),
    # Explicit refusals beat the "repository does not exist" around them. An ECR pull refused
    # reads "pull access denied" in Docker's words and "403 Forbidden" in containerd's.
    Rule(Cause.ECR_PERMISSION_DENIED, Step.IMAGE, "ECR refused the image pull",
         r"not authorized to perform: ecr:|role has the permissions to pull images"
         r"|pull access denied for \S*\.dkr\.ecr\.|\.dkr\.ecr\..*(no basic auth|403 Forbidden)"),
    Rule(Cause.SECRETS_ACCESS_DENIED, Step.IAM, "a secret or parameter could not be read",
         r"not authorized to perform: (secretsmanager|ssm|kms):|Access to KMS is not allowed"
         r"|can.t find the specified secret|can.t retrieve the secret with ARN"),
    Rule(Cause.LOG_GROUP_MISSING, Step.LOGS, "the awslogs log group does not exist",
         r"log group does not exist|cannot find the Amazon CloudWatch log group"),
    # The log driver asks the agent for credentials: failing that is the driver's setup.
    Rule(Cause.LOG_CONFIG_INVALID, Step.LOGS, "the log driver could not get its credentials",
         r"logging driver: CredentialsEndpointError"),
    # Timeouts. The agent retries an AWS call (ECR auth, Secrets Manager, SSM) only on errors
    # worth retrying, which a refusal is not: "retried 5 time(s)" means timeouts. (Not so for
    # a pull: containerd retries a registry's refusals too.)
    Rule(Cause.NO_ROUTE_TO_INTERNET, Step.NETWORK, "a connection timed out",
         r"i/o timeout|context deadline exceeded|context canceled|request canceled"
         r"|Client\.Timeout exceeded|TLS handshake timeout|signal: killed|RequestError"
         r"|service call has been retried ([2-9]|\d\d) time|Could not reach any registry endpoint"
         r"|CannotPullContainerError: timeout\b|CannotPullContainerError.*dial tcp: lookup"
         r"|failed to do request: .*dial tcp"),
    # A secrets fetch cut off (at 255 characters) before its reason, retried once: refused.
    Rule(Cause.SECRETS_ACCESS_DENIED, Step.IAM, "a secret or parameter could not be read",
         r"from (asm|ssm): service call has been retried 1 time|failed to fetch secret"),
    Rule(Cause.LOG_CONFIG_INVALID, Step.LOGS, "the log driver could not start",
         r"logging driver|logger args|unknown log opt"),
    # Image pulls.
    Rule(Cause.PLATFORM_MISMATCH, Step.IMAGE, "the image is built for another platform",
         r"descriptor (matching|for) platform|no match(ing manifest)? for platform"
         r"|no matching manifest for|exec format error"),
    Rule(Cause.IMAGE_NOT_FOUND, Step.IMAGE, "the image or tag does not exist",
         r"manifest for \S+ not found|manifest unknown|repository \S+ not found"
         r"|Tag \S+ not found in repository|image \S+ not found|repository does not exist"
         r"|Check whether the image exists|: not found\b"),
    # A registry's refusal, or its rate limit for anonymous pulls: both want credentials.
    Rule(Cause.REGISTRY_AUTH, Step.IMAGE, "the registry wants credentials it did not get",
         r"no basic auth credentials|unauthorized|failed to authorize|anonymous token"
         r"|\bdenied: denied\b|failed open: unexpected status code|toomanyrequests"
         r"|pull rate limit"),
    Rule(Cause.UNKNOWN, Step.IMAGE, "the image's layers do not match its manifest",
         r"mismatched image rootfs and manifest layers"
         r"|layers from manifest don.t match image configuration"),
    # The runtime could not exec the entrypoint (runc's words, old and new).
    Rule(Cause.COMMAND_NOT_FOUND, Step.EXIT_CODE, "the entrypoint does not exist in the image",
         r"executable file not found|(exec:? |stat )\S+?(: |\.\.\.)no such file"
         r"|starting container process caused.{0,120}no such file or directory"
         r"|Container command \S+ not found"),
    Rule(Cause.EXEC_PERMISSION_DENIED, Step.EXIT_CODE, "the entrypoint is not executable",
         r"exec:? \S+: permission denied|starting container process caused.*permission denied"
         r"|exec user process caused:? \W?(permission denied|operation not permitted)"),
    Rule(Cause.DISK_FULL, Step.RESOURCES, "the host ran out of disk space",
         r"no space left on device|Thin Pool has \d+ free data blocks"),
    # Placement.
    Rule(Cause.INSUFFICIENT_CPU, Step.RESOURCES, "no instance had enough free CPU",
         r"insufficient CPU|RESOURCE:CPU"),
    Rule(Cause.INSUFFICIENT_MEMORY, Step.RESOURCES, "no instance had enough free memory",
         r"insufficient memory|RESOURCE:MEMORY"),
    Rule(Cause.PORT_IN_USE, Step.RESOURCES, "the host port was taken everywhere",
         r"already using a port required by your task|insufficient PORTS|RESOURCE:PORTS"),
    # No instance that could take the task: none at all, none connected, none with a free
    # network interface or the attribute the task needs. (No code says "out of ENIs".)
    Rule(Cause.NO_CONTAINER_INSTANCES, Step.RESOURCES, "no container instance could take it",
         r"No Container Instances were found|encountered error \"?AGENT"
         r"|waiting for Amazon ECS Agent|agent connected|\"Reason\":\"AGENT\""
         r"|RESOURCE:ENI|network interface to unused device index"
         r"|missing an attribute required by your task|EMPTY CAPACITY PROVIDER"),
    Rule(Cause.FARGATE_CAPACITY, Step.RESOURCES, "AWS had no capacity for the task",
         r"Capacity is unavailable at this time|RESOURCE:FARGATE"
         r"|Timeout waiting for network interface provisioning"),
    Rule(Cause.SERVICE_QUOTA, Step.RESOURCES, "an account limit was reached",
         r"reached the limit on the number of|configuration is above your limit"
         r"|provisioning capacity limit|No Fargate configuration exists"
         r"|operations are being throttled|ThrottlingException"),
    # Families with nothing more specific: where the evidence points, and little else.
    Rule(Cause.UNKNOWN, Step.IMAGE, "the image could not be pulled",
         r"CannotPullContainerError"),
    Rule(Cause.UNKNOWN, Step.STOPPED_REASON, "the container runtime could not stop the container",
         r"CannotStopContainerError"),
    Rule(Cause.UNKNOWN, Step.EXIT_CODE, "the container runtime could not start the container",
         r"Cannot(Start|Create|Inspect)ContainerError"),
    Rule(Cause.TASK_FAILED_TO_START, Step.STOPPED_REASON,
         "the deployment circuit breaker stopped a deployment whose tasks kept failing",
         r"deployment circuit breaker"),
    Rule(Cause.TASK_FAILED_TO_START, Step.STOPPED_REASON, "ECS could not prepare the task",
         r"ResourceInitializationError|Task failed to start|DockerTimeoutError"
         r"|ContainerRuntimeTimeoutError|Could not transition to|failed to launch a task"
         r"|tasks failed to start"
         r"|unable to consistently start tasks"),
    Rule(Cause.UNKNOWN, Step.RESOURCES, "ECS could not place the task",
         r"unable to place a task"),
)

# The application's own words, in its log lines (the tail of the awslogs stream). What the
# runtime printed for the container comes first, then the AWS SDKs, then the app's own
# failures; the last rows are crashes whose exit code alone would say only "it exited".
LOG_RULES: tuple[Rule, ...] = (
    Rule(Cause.PLATFORM_MISMATCH, Step.IMAGE, "the binary is built for another CPU",
         r"exec format error"),
    Rule(Cause.EXEC_PERMISSION_DENIED, Step.EXIT_CODE, "the entrypoint is not executable",
         r"exec user process caused:? \W?(permission denied|operation not permitted)"
         r"|exec:? \S+: permission denied"),
    Rule(Cause.COMMAND_NOT_FOUND, Step.EXIT_CODE, "the command does not exist in the image",
         r"executable file not found|\bexec:? \S+: not found|: command not found"
         r"|(exec:? |stat )\S+: no such file or directory"
         r"|starting container process caused.{0,120}no such file or directory"),
    # JVM, Node.js, Python, Go, and gunicorn guessing why its worker was killed.
    Rule(Cause.OUT_OF_MEMORY, Step.EXIT_CODE, "the process ran out of memory",
         r"OutOfMemoryError|JavaScript heap out of memory|\bMemoryError\b"
         r"|runtime: out of memory|Perhaps out of memory|died due to OOM"),
    Rule(Cause.SEGFAULT, Step.EXIT_CODE, "the process crashed on a segmentation fault",
         r"Segmentation fault|signal=SEGV|\bSIGSEGV\b|was sent code 139\b"),
    # What the AWS SDKs say when they find no credentials (Python, JavaScript v2/v3, Java
    # v1/v2, Go v1/v2, .NET, Ruby, PHP, and the AWS CLI).
    Rule(Cause.TASK_ROLE_MISSING, Step.IAM, "the AWS SDK found no credentials",
         r"Unable to locate credentials|Could not load credentials from any providers"
         r"|Missing credentials in config|Unable to load (AWS )?credentials from any"
         r"|NoCredentialProviders|no valid providers in chain|failed to refresh cached credentials"
         r"|Unable to get IAM security credentials|MissingCredentialsError"
         r"|unable to sign request without credentials"
         r"|Error retrieving credentials from the instance"),
    Rule(Cause.SECRETS_ACCESS_DENIED, Step.IAM, "the app's role may not read a secret or parameter",
         r"not authorized to perform: (secretsmanager|ssm|kms):"),
    Rule(Cause.NO_ROUTE_TO_INTERNET, Step.NETWORK, "the app could not reach an AWS endpoint",
         r"(amazonaws\.com|ecr\.aws).*(timeout|timed out|request canceled|deadline exceeded)"),
    Rule(Cause.APP_CRASH, Step.EXIT_CODE, "the port the app listens on is already in use",
         r"EADDRINUSE|address already in use"),
    Rule(Cause.APP_CRASH, Step.EXIT_CODE, "a required environment variable is not set",
         r"KeyError: '[A-Z][A-Z0-9_]*'"),
    Rule(Cause.APP_CRASH, Step.EXIT_CODE, "the app could not reach a database or another service",
         r"ECONNREFUSED|ETIMEDOUT|ENOTFOUND|Connection refused|could not connect to server"
         r"|Connection to \S+ refused|connection to \S+ failed|Name or service not known"
         r"|lookup \S+ on \S+: no such host|PoolTimedOut|Database connection\W+Failed"),
)
# fmt: on

# The service event that marks a healthy service: failures older than it are history.
STEADY_STATE = "has reached a steady state"

# What a stop code says when the reason text matched no row.
STOP_CODES: dict[str, Cause] = {
    "UserInitiated": Cause.STOPPED_BY_USER,
    "SpotInterruption": Cause.SPOT_INTERRUPTION,
    "TerminationNotice": Cause.INFRASTRUCTURE,
    "ServiceSchedulerInitiated": Cause.DEPLOYMENT_OR_SCALE_IN,
    "TaskFailedToStart": Cause.TASK_FAILED_TO_START,
}


def classify(text: str, rules: tuple[Rule, ...] = RULES) -> Rule | None:
    """The first row whose pattern occurs in `text`, or None."""
    return next((rule for rule in rules if rule.search(text)), None)


def classify_log(line: str) -> Rule | None:
    """The row of the application-log table that matches one log line, or None."""
    return classify(line, LOG_RULES)


def platform_evidence(stopped: Iterable[Task], log_streams: Iterable[LogStream]) -> bool:
    """Whether a stopped task's reasons or a log line read as a platform mismatch: only then
    is an image's manifest worth reading (ecr:BatchGetImage counts as a pull)."""
    tasks = list(stopped)
    texts = [t.stopped_reason or "" for t in tasks]
    texts += [c.reason or "" for t in tasks for c in t.containers]
    lines = [line for stream in log_streams for line in stream.lines]
    rules = [classify(text) for text in texts] + [classify_log(line) for line in lines]
    return any(rule and rule.cause is Cause.PLATFORM_MISMATCH for rule in rules)
