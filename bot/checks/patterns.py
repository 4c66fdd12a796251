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
from functools import cache, lru_cache

from bot.model import Cause, LogStream, Step, Task


@dataclass(frozen=True)
class Rule:
    """One row: where a message sends the diagnosis, what it means, and how to recognise it."""

    cause: Cause
    step: Step
    meaning: str  # plain words for the message; the closest guess when the cause is unknown
    pattern: str
    kind: str = ""  # which failure of its cause: a dependency refused, timed out, unresolved…

    def search(self, text: str) -> bool:
        return _compiled(self.pattern).search(text) is not None

    def named(self, text: str) -> dict[str, str]:
        """What the pattern's named groups read in `text` (a group may have numbered twins,
        `setting2`, for the other wordings of one family): by name, without the number."""
        found = _compiled(self.pattern).search(text)
        read: dict[str, str] = {}
        for name, value in (found.groupdict() if found else {}).items():
            if value:
                read.setdefault(name.rstrip("0123456789"), value)
        return read


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
    # Instances there are, but none has what the task requires: an attribute its placement
    # constraints or its features ask for, or a GPU.
    Rule(Cause.PLACEMENT_CONSTRAINT, Step.RESOURCES, "no instance has what the task requires",
         r"missing an attribute required by your task|RESOURCE:GPU|insufficient GPU"
         r"|MemberOf placement constraint|DistinctInstance placement constraint"),
    Rule(Cause.NO_CONTAINER_INSTANCES, Step.RESOURCES, "no container instance could take it",
         r"No Container Instances were found|encountered error \"?AGENT"
         r"|waiting for Amazon ECS Agent|agent connected|\"Reason\":\"AGENT\""
         r"|RESOURCE:ENI|network interface to unused device index|EMPTY CAPACITY PROVIDER"),
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
    # The host's container runtime (Docker, containerd) or its ECS agent failed the task.
    Rule(Cause.CONTAINER_RUNTIME, Step.STOPPED_REASON, "the host's container runtime failed",
         r"CannotStopContainerError|CannotInspectContainerError|ContainerRuntimeTimeoutError"
         r"|ContainerRuntimeError|DockerTimeoutError"),
    Rule(Cause.UNKNOWN, Step.EXIT_CODE, "the container runtime could not start the container",
         r"Cannot(Start|Create)ContainerError"),
    Rule(Cause.TASK_FAILED_TO_START, Step.STOPPED_REASON,
         "the deployment circuit breaker stopped a deployment whose tasks kept failing",
         r"deployment circuit breaker"),
    Rule(Cause.TASK_FAILED_TO_START, Step.STOPPED_REASON, "ECS could not prepare the task",
         r"ResourceInitializationError|Task failed to start"
         r"|Could not transition to|failed to launch a task"
         r"|tasks failed to start"
         r"|unable to consistently start tasks"),
    Rule(Cause.UNKNOWN, Step.RESOURCES, "ECS could not place the task",
         r"unable to place a task"),
)

# The application's own words, in its log lines (the tail of the awslogs stream). What the
# runtime printed for the container comes first, then the limits it hit (files and threads
# before memory: "unable to create new native thread" is an OutOfMemoryError about threads),
# then the AWS SDKs, then what the app needs from outside: its settings, then the services it
# talks to. Each family keys on its structure (an errno, a runtime's own exception, a host and
# port) rather than one library's sentence, and names what the fix needs in a named group:
# `setting` (a variable, key or file) and `user` (a database login); the checks read the
# endpoint (bot/checks/past_start.py) and the parts of an AWS refusal (bot/checks/task_role.py).
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
    # The ECS agent's own lines about a log driver that cannot start, as in its stop reasons.
    *(rule for rule in RULES if rule.cause is Cause.LOG_GROUP_MISSING),
    Rule(Cause.LOG_CONFIG_INVALID, Step.LOGS, "the log driver could not start",
         r"Failed to initialize logging driver"),
    # A ulimit: open files (EMFILE, errno 24) or processes and threads (EAGAIN on a fork).
    Rule(Cause.FILE_LIMIT, Step.EXIT_CODE, "the process ran out of file descriptors",
         r"\bEMFILE\b|too many (open )?files|\[Errno 24\]|errno[=: ]+24\b|offene Dateien"
         r"|max file limit|worker_connections are not enough|Failed to create kqueue \(24\)",
         kind="files"),
    Rule(Cause.FILE_LIMIT, Step.EXIT_CODE, "the process may start no more threads or processes",
         r"unable to create (new )?native thread|pthread_create failed"
         r"|(fork|clone|spawn)\S*:? (retry: )?Resource temporarily unavailable",
         kind="processes"),
    # The container's memory limit, as a worker's supervisor guesses it.
    Rule(Cause.OUT_OF_MEMORY, Step.EXIT_CODE, "the process was killed at the memory limit",
         r"Perhaps out of memory|died due to OOM"),
    # The runtime's own heap: the JVM's -Xmx, V8's --max-old-space-size, PHP's memory_limit,
    # and the allocators of .NET, Python, Go and Rust.
    Rule(Cause.HEAP_EXHAUSTED, Step.EXIT_CODE, "the runtime ran out of its heap",
         r"OutOfMemoryError|GC overhead limit exceeded|JavaScript heap out of memory"
         r"|Reached heap limit|Allocation failed - process out of memory"
         r"|Allowed memory size of \d+ bytes exhausted|OutOfMemoryException"
         r"|\bMemoryError\b|_ArrayMemoryError|runtime: out of memory|fatal error: out of memory"
         r"|memory allocation of \d+ bytes failed|VirtualAlloc of \d+ bytes failed"),
    Rule(Cause.SEGFAULT, Step.EXIT_CODE, "the process crashed on a segmentation fault",
         r"Segmentation fault|signal=SEGV|\bSIGSEGV\b(?!: segmentation violation)"
         r"|was sent code 139\b"),
    Rule(Cause.DISK_FULL, Step.RESOURCES, "the task's storage is full",
         r"no space left on device|\bENOSPC\b|\[Errno 28\]|err(no|code):? 28\b|error 28\b"
         r"|database or disk is full|disk (is )?full"),
    # What the AWS SDKs say when they find no credentials (Python, JavaScript v2/v3, Java
    # v1/v2, Go v1/v2, .NET, Ruby, PHP, and the AWS CLI).
    Rule(Cause.TASK_ROLE_MISSING, Step.IAM, "the AWS SDK found no credentials",
         r"Unable to locate credentials|Could not load credentials from any providers"
         r"|Missing credentials in config|Unable to load (AWS )?credentials from any"
         r"|NoCredentialProviders|no valid providers in chain|failed to refresh cached credentials"
         r"|Unable to get IAM security credentials|MissingCredentialsError"
         r"|unable to sign request without credentials|Failed to retrieve credentials"
         r"|Error retrieving credentials from the instance"),
    # AWS refusing the app's own call: IAM's sentence names who, what and on what, and why.
    Rule(Cause.TASK_ROLE_DENIED, Step.IAM, "AWS refused a call of the app",
         r"is not authorized to perform:? (?!ecr:)[\w-]+:[\w*]+"
         r"|AccessDenied(Exception)?\b.{0,80}when calling the "
         r"(?!GetAuthorizationToken|BatchGetImage|GetDownloadUrlForLayer)\w+ operation"
         r"|AccessDeniedException: User: arn|Access to the resource \S+ ?is denied"
         r"|Error Code: AccessDenied|\bAccessDenied:"
         r"|S3Exception: Access Denied|AmazonS3Exception: Access Denied|UnauthorizedOperation"),
    Rule(Cause.NO_ROUTE_TO_INTERNET, Step.NETWORK, "the app could not reach an AWS endpoint",
         # a database, cache or broker endpoint lives in the VPC: not an AWS API
         r"((?<![\w.-])(?![\w.-]*\.(rds|cache|docdb|neptune|kafka|mq)\.)[\w.-]*amazonaws\.com"
         r"|ecr\.aws).*(timeout|timed out|request canceled|deadline exceeded)"),
    Rule(Cause.APP_CRASH, Step.EXIT_CODE, "the port the app listens on is already in use",
         r"EADDRINUSE|address already in use"),
    # A setting the app reads and does not find: a variable, a key, a placeholder, a file.
    Rule(Cause.CONFIG_MISSING, Step.EXIT_CODE, "a setting the app needs is missing",
         r"KeyError: '(?P<setting>(?-i:[A-Z][A-Z0-9_]*))'|key not found: \"(?P<setting2>[^\"]+)\""
         r"|Could not resolve placeholder '(?P<setting3>[^']+)'"
         r"|required key (?P<setting4>\S+) missing value"
         r"|(?:environment )?variable '?(?P<setting5>[A-Za-z_][\w.]*)'? (?:is )?"
         r"(?:not set|not defined|undefined|missing|required)"
         r"|Set the (?P<setting6>(?-i:[A-Z][A-Z0-9_]+)) environment variable|ImproperlyConfigured"
         r"|Missing `(?P<setting7>secret_key_base)`|No configuration key"
         r"|Missing required (?:environment variable|configuration|setting)s?:? '?"
         r"(?P<setting8>[\w.]+)?"
         r"|No such file or directory:? '?"
         r"(?P<setting9>[^'\s]*\.(?:ya?ml|json|toml|ini|conf|cfg|env|properties))"
         r"|(?:read|open|load|find) (?:the )?config(?:uration)? file:? '?(?P<setting10>[^'\s]+)?"
         r"|Value cannot be null\. \(Parameter '(?P<setting11>\w+)'\)"
         r"|Parameter name: (?P<setting12>\w*connectionString)"
         r"|validation errors? for Settings|Invalid \S+\.(?:ya?ml|json|toml|ini|conf) path"),
    # What the app talks to: TLS and logins first (a TLS handshake fails on a reachable
    # host), then names that do not resolve, connections refused, and time-outs.
    Rule(Cause.DEPENDENCY_UNREACHABLE, Step.EXIT_CODE, "the TLS handshake with a dependency fails",
         r"x509:|certificate verify failed|SSLHandshakeException|PKIX path building failed"
         r"|unable to get local issuer certificate|self[- ]signed certificate"
         r"|certificate has expired|CERT_HAS_EXPIRED|SSL routines|tls: handshake failure",
         kind="tls"),
    Rule(Cause.DEPENDENCY_UNREACHABLE, Step.EXIT_CODE, "a database refused the app's login",
         r"password authentication failed for user \"(?P<user>[^\"]+)\""
         r"|Access denied for user '(?P<user2>[^']+)'|Login failed for user '(?P<user3>[^']+)'"
         r"|NOAUTH Authentication required|WRONGPASS|SASL authentication failed",
         kind="db-auth"),
    Rule(Cause.DEPENDENCY_UNREACHABLE, Step.EXIT_CODE, "a dependency's name does not resolve",
         r"\b(ENOTFOUND|EAI_AGAIN)\b|UnknownHostException|Name or service not known"
         r"|lookup \S+( on \S+)?: (no such host|server misbehaving|i/o timeout)"
         r"|Temporary failure in name resolution|could not translate host name"
         r"|nodename nor servname|No such host is known",
         kind="dns"),
    Rule(Cause.DEPENDENCY_UNREACHABLE, Step.EXIT_CODE, "a dependency refused the connection",
         r"ECONNREFUSED|connection refused|Communications link failure|actively refused"
         r"|could not connect to server|Connection to \S+ refused|ConnectionRefusedError"
         r"|failed to connect to server|Could not get JDBC Connection|MongoServerSelectionError"
         r"|redis\.exceptions\.ConnectionError|Couldn't create database for"
         r"|couldn't connect to (?:server|host)|connection to \S+ failed"
         r"|network-related or instance-specific error",
         kind="refused"),
    Rule(Cause.DEPENDENCY_UNREACHABLE, Step.EXIT_CODE, "a dependency did not answer in time",
         r"\bETIMEDOUT\b|\bECONNRESET\b|SocketTimeoutException|connect(ion)? timed out"
         r"|Timeout acquiring a connection|\bi/o timeout\b|context deadline exceeded"
         r"|PoolTimedOut|Read timed out|Database connection\W+Failed",
         kind="timeout"),
    # A main process that put itself in the background (or ended) under a supervisor.
    Rule(Cause.NOT_FOREGROUND, Step.EXIT_CODE, "the main process went to the background",
         r"exited: \S+ \(exit status 0; (not )?expected\)|Exited too quickly"
         r"|entered FATAL state, too many start retries"
         r"|\bStarting (nginx|apache2|httpd|php-fpm|cron)\b|\bdaemon(iz|is)ing\b"
         r"|tail: no files remaining|application online, exiting|Exiting PM2"),
    # A log router (FireLens: Fluent Bit, fluentd) or an Envoy proxy with a bad configuration.
    Rule(Cause.LOG_CONFIG_INVALID, Step.LOGS, "the log router's configuration is invalid",
         r"\[error\] \[config\]|configuration file contains? errors|Fluent::ConfigError"
         r"|config error file=|Output plugin '\S+' cannot be loaded|no parser '\S+' found"
         r"|flb_cf_fluentbit|No such file or directory @ rb_sysopen - \s*\S*fluent\S*\.conf"),
    Rule(Cause.LOG_CONFIG_INVALID, Step.LOGS, "the proxy's configuration is invalid",
         r"error initializing config(uration)?|Unable to parse JSON as proto"
         r"|Proto constraint validation failed|has unknown fields"),
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


# Every check reads the same reasons and log lines: each text is matched against a table once.
@lru_cache(maxsize=4096)
def classify(text: str) -> Rule | None:
    """The first row whose pattern occurs in `text`, or None."""
    return _first(RULES, text)


@lru_cache(maxsize=4096)
def classify_log(line: str) -> Rule | None:
    """The row of the application-log table that matches one log line, or None."""
    return _first(LOG_RULES, line)


def _first(rules: tuple[Rule, ...], text: str) -> Rule | None:
    return next((rule for rule in rules if rule.search(text)), None)


def platform_evidence(stopped: Iterable[Task], log_streams: Iterable[LogStream]) -> bool:
    """Whether a stopped task's reasons or a log line read as a platform mismatch: only then
    is an image's manifest worth reading (ecr:BatchGetImage counts as a pull)."""
    tasks = list(stopped)
    texts = [t.stopped_reason or "" for t in tasks]
    texts += [c.reason or "" for t in tasks for c in t.containers]
    lines = [line for stream in log_streams for line in stream.lines]
    rules = [classify(text) for text in texts] + [classify_log(line) for line in lines]
    return any(rule and rule.cause is Cause.PLATFORM_MISMATCH for rule in rules)
