"""The demo account: one service per cause code of CONTRACT.md §4, plus healthy ones.

`SCENARIOS` says what each service must be diagnosed as; `build_account` creates the whole
account in a moto emulator of this process. Stopped reasons, container reasons and service
events use AWS's own wording (see tests/unit/real_messages.py for sources); each scenario also
holds the configuration that proves its cause (the subnet without a route, the role without the
permission, the missing log group…), so a diagnosis can show both the symptom and the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import boto3

from bot.demo.archive import deploy_event_archive, turn_on_event_capture
from bot.demo.backend_patch import MotoAccount, prepare_emulator
from bot.demo.builder import build_service
from bot.demo.infrastructure import (
    CAPACITY_PROVIDER,
    Clients,
    build_infrastructure,
    retire_doomed_host,
)
from bot.demo.specs import (
    Placement,
    Scenario,
    ServiceSpec,
    SideContainer,
    Stop,
    container,
    ec2_task,
    fargate_task,
    migration,
    repeat,
)
from bot.model import Cause, Step

if TYPE_CHECKING:
    from mypy_boto3_ecs.type_defs import HealthCheckTypeDef

__all__ = ["SCENARIOS", "SPECS", "Scenario", "build_account"]

# ----------------------------------------------------------------------------- wordings

ESSENTIAL_EXITED = "Essential container in task exited"
# The cluster whose team turned on AWS's own event capture: its history is read there first.
CAPTURED_CLUSTER = "production"
UNABLE_TO_ASSUME = (
    "(service {service}) failed to launch a task with (error ECS was unable to assume the role "
    "'arn:aws:iam::{{account}}:role/{role}' that was provided for this task. Please verify that "
    "the role being passed has the proper trust relationship and permissions and that your IAM "
    "user has permissions to pass this role.)."
)
NO_PLACEMENT = (
    "(service {service}) was unable to place a task because no container instance met all of "
    "its requirements. The closest matching (container-instance {{closest_instance}}) {problem}. "
    "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."
)
UNABLE_TO_PLACE = (
    "(service {service}) was unable to place a task. Reason: {reason}. For more information, "
    "see the Troubleshooting section of the Amazon ECS Developer Guide."
)
CONSISTENTLY_FAILING = (
    "(service {service}) is unable to consistently start tasks successfully. For more "
    "information, see the Troubleshooting section of the Amazon ECS Developer Guide."
)
ELB_FAILED = "Task failed ELB health checks in (target-group {target_group})"
CONTAINER_UNHEALTHY = "Task failed container health checks"


def every(minutes: int, message: str, times: int = 4) -> tuple[tuple[int, str], ...]:
    """A service event repeated as ECS repeats it while the problem lasts."""
    return tuple((1 + index * minutes, message) for index in range(times))


def curl_check(
    path: str, *, interval: int = 30, start_period: int | None = None
) -> HealthCheckTypeDef:
    check: HealthCheckTypeDef = {
        "command": ["CMD-SHELL", f"curl -f http://localhost:8080{path} || exit 1"],
        "interval": interval,
        "timeout": 5,
        "retries": 3,
    }
    if start_period is not None:
        check["startPeriod"] = start_period
    return check


# ----------------------------------------------------------------------------- log lines

PLANTED_SECRETS = (  # for the redaction tests: a dumped environment and a DSN
    "[payments-api] env: NODE_ENV=production PORT=8080 AWS_REGION=us-east-1 "
    "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    "[payments-api] connecting to postgres host=payments-db.internal port=5432 user=payments "
    "password=hunter2 dbname=payments sslmode=require",
)
NODE_CRASH = (
    "> payments-api@1.8.2 start",
    "> node dist/server.js",
    "[payments-api] loading configuration from environment",
    *PLANTED_SECRETS,
    "/app/dist/config/rates.js:42",
    "    const codes = settings.currencies.map((currency) => currency.code);",
    "                                      ^",
    "TypeError: Cannot read properties of undefined (reading 'map')",
    "    at loadRates (/app/dist/config/rates.js:42:39)",
    "    at Object.<anonymous> (/app/dist/server.js:18:15)",
    "    at Module._compile (node:internal/modules/cjs/loader:1256:14)",
    "    at Module._extensions..js (node:internal/modules/cjs/loader:1310:10)",
    "    at Module.load (node:internal/modules/cjs/loader:1119:32)",
    "    at Module._load (node:internal/modules/cjs/loader:960:12)",
    "    at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:86:12)",
    "    at node:internal/main/run_main_module:23:47",
    "Node.js v18.19.0",
)
NO_CREDENTIALS = (
    "INFO:sqs_poller:polling https://sqs.us-east-1.amazonaws.com/123456789012/order-events",
    "Traceback (most recent call last):",
    '  File "/app/poller.py", line 74, in <module>',
    "    main()",
    '  File "/app/poller.py", line 58, in main',
    "    response = sqs.receive_message(QueueUrl=QUEUE_URL, WaitTimeSeconds=20)",
    '  File "/usr/local/lib/python3.12/site-packages/botocore/client.py", line 565, in _api_call',
    "    return self._make_api_call(operation_name, kwargs)",
    '  File "/usr/local/lib/python3.12/site-packages/botocore/client.py", line 999, in '
    "_make_api_call",
    "    http, parsed_response = self._make_request(",
    '  File "/usr/local/lib/python3.12/site-packages/botocore/auth.py", line 418, in add_auth',
    "    raise NoCredentialsError()",
    "botocore.exceptions.NoCredentialsError: Unable to locate credentials",
)
REDIS_REFUSED = (
    "INFO indexer: connecting to search-cache.internal:6379",
    "Traceback (most recent call last):",
    '  File "/app/indexer/main.py", line 31, in <module>',
    "    cache.ping()",
    '  File "/usr/local/lib/python3.12/site-packages/redis/commands/core.py", line 1219, in ping',
    '    return self.execute_command("PING", **kwargs)',
    '  File "/usr/local/lib/python3.12/site-packages/redis/connection.py", line 707, in connect',
    "    raise ConnectionError(self._error_message(e))",
    "redis.exceptions.ConnectionError: Error 111 connecting to search-cache.internal:6379. "
    "Connection refused.",
)
# The JVM's own words when its heap is full (java.lang.OutOfMemoryError, as in
# tests/unit/real_messages.py); it then exits 1, not 137.
JVM_HEAP = (
    "INFO  RiskEngine - scoring window 2026-12-01T20:00Z loaded (412,118 positions)",
    "WARN  GcMonitor - old generation 97% full after full GC",
    'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
    "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
)
INDEXER_GROWING = (
    "INFO indexer: starting full reindex of catalog (1,204,332 documents)",
    "INFO indexer: loaded batch 1/24 into memory (rss=612 MiB)",
    "INFO indexer: loaded batch 6/24 into memory (rss=1408 MiB)",
    "INFO indexer: loaded batch 11/24 into memory (rss=1897 MiB)",
)
CART_CRASH = (
    "> cart-api@2.1.0 start",
    "> node dist/server.js",
    "[cart-api] payment provider: stripe (api version from STRIPE_API_VERSION)",
    "/app/dist/payments/stripe.js:19",
    "    throw new Error(`unsupported Stripe API version: ${version}`);",
    "    ^",
    "Error: unsupported Stripe API version: undefined",
    "    at createClient (/app/dist/payments/stripe.js:19:11)",
    "    at Object.<anonymous> (/app/dist/server.js:12:16)",
    "Node.js v20.11.1",
)
# An environment value the diagnosis must never show (environment variables are plain text).
CART_ENV_VALUE = "https://hooks.example.internal/cart?sig=9f8e7d6c"
SPRING_STARTING = (
    "INFO 1 --- [main] c.a.catalog.CatalogApplication : Starting CatalogApplication v3.2.0 "
    "using Java 17.0.10 with PID 1",
    "INFO 1 --- [main] c.a.catalog.CatalogApplication : The following 1 profile is active: "
    '"production"',
    "INFO 1 --- [main] o.s.b.w.embedded.tomcat.TomcatWebServer : Tomcat initialized with "
    "port 8080 (http)",
    "INFO 1 --- [main] com.zaxxer.hikari.HikariDataSource : HikariPool-1 - Start completed.",
    "INFO 1 --- [main] c.a.catalog.cache.CatalogCacheLoader : Warming catalog cache: "
    "1,204,332 items to load before accepting traffic",
    "INFO 1 --- [main] c.a.catalog.cache.CatalogCacheLoader : Warming catalog cache: "
    "310,000/1,204,332 items",
    "INFO 1 --- [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown : Commencing graceful "
    "shutdown. Waiting for active requests to complete",
)
PRICING_TRAFFIC = (
    "pricing-service 5.0.3 listening on :8080",
    "GET /v1/prices?sku=AC-1042 200 12ms",
    "GET /v1/prices?sku=AC-2201 200 9ms",
    "GET /v1/prices?sku=BX-0007 200 11ms",
    "Received SIGTERM, shutting down",
)
CHECKOUT_WEB_404 = (
    "checkout-web 4.1.0 listening on 0.0.0.0:8080 (health endpoint: /healthz)",
    '10.0.0.37 - - "GET /health HTTP/1.1" 404 19 "-" "ELB-HealthChecker/2.0"',
    '10.0.1.122 - - "GET /health HTTP/1.1" 404 19 "-" "ELB-HealthChecker/2.0"',
    '10.0.0.37 - - "GET /health HTTP/1.1" 404 19 "-" "ELB-HealthChecker/2.0"',
)
NEXT_STARTED = (
    "> web-frontend@2.0.0 start",
    "> next start -p 3000",
    "ready - started server on 0.0.0.0:3000, url: http://localhost:3000",
)
HEALTHY_TRAFFIC = (
    "healthy-service 3.4.1 listening on :8080",
    '10.0.0.37 - - "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"',
    '10.0.1.122 - - "GET /api/v1/accounts/42 HTTP/1.1" 200 512 "-" "okhttp/4.12.0"',
    '10.0.0.37 - - "GET /healthz HTTP/1.1" 200 2 "-" "ELB-HealthChecker/2.0"',
)
GRACEFUL_SHUTDOWN = ("Received SIGTERM, draining connections", "Shutdown complete")
QUOTE_503 = (
    "quote-service 1.2.0 listening on 0.0.0.0:8080",
    "health: dependency pricing-db unreachable (timeout after 2000 ms)",
    '127.0.0.1 - - "GET /healthz HTTP/1.1" 503 61 "-" "curl/8.5.0"',
    '127.0.0.1 - - "GET /healthz HTTP/1.1" 503 61 "-" "curl/8.5.0"',
    '127.0.0.1 - - "GET /healthz HTTP/1.1" 503 61 "-" "curl/8.5.0"',
)
MIGRATION_FAILED = (
    "INFO  [alembic.runtime.migration] Context impl PostgresqlImpl.",
    "INFO  [alembic.runtime.migration] Running upgrade 4f2a9c1d7e3b -> 9b8e7f6a5d4c, add "
    "accounts.plan_id",
    'sqlalchemy.exc.ProgrammingError: (psycopg2.errors.UndefinedTable) relation "plans" does '
    "not exist",
)
NOTIFY_REDIS = (
    "notify-worker 2.3.0 starting",
    "redis.exceptions.ConnectionError: Error 111 connecting to notify-cache.internal:6379. "
    "Connection refused.",
)
# The address moto gives an RDS instance (AWS's has a random label where moto has a's).
LEDGER_DB = "ledger-db.aaaaaaaaaa.us-east-1.rds.amazonaws.com"
LEDGER_TIMEOUT = (
    "ledger-worker 0.9.1 starting: 4 consumers",
    "Traceback (most recent call last):",
    '  File "/app/ledger/worker.py", line 31, in <module>',
    "    pool = psycopg2.pool.SimpleConnectionPool(1, 4, dsn=DSN, connect_timeout=30)",
    f'psycopg2.OperationalError: connection to server at "{LEDGER_DB}" (10.0.10.57), port '
    "5432 failed: Connection timed out",
    "\tIs the server running on that host and accepting TCP/IP connections?",
)
NOTIFY_NO_ENV = (
    "notify-worker 2.3.0 starting",
    "Traceback (most recent call last):",
    '  File "/app/worker.py", line 12, in <module>',
    '    SMTP_HOST = os.environ["SMTP_HOST"]',
    "KeyError: 'SMTP_HOST'",
)
SLOW_START = (
    "INFO 1 --- [main] c.a.slow.SlowStartApplication : Starting SlowStartApplication v1.0.3",
    "INFO 1 --- [main] o.s.b.w.embedded.tomcat.TomcatWebServer : Tomcat initialized with "
    "port 8080 (http)",
    "INFO 1 --- [main] c.a.slow.cache.ReferenceDataLoader : loading reference data (48,112 rows)",
    "INFO 1 --- [main] c.a.slow.cache.ReferenceDataLoader : reference data loaded",
    "INFO 1 --- [main] o.s.b.w.embedded.tomcat.TomcatWebServer : Tomcat started on port 8080 "
    "(http) with context path ''",
    "INFO 1 --- [ionShutdownHook] o.s.b.w.e.tomcat.GracefulShutdown : Commencing graceful "
    "shutdown. Waiting for active requests to complete",
)
RAILS_NO_SECRET = (
    "=> Booting Puma",
    "=> Rails 7.1.3 application starting in production",
    "ArgumentError: Missing `secret_key_base` for 'production' environment, set this string "
    "with `bin/rails credentials:edit` (ArgumentError)",
)
UPLOADS_EMFILE = (
    "upload-api listening on :8080",
    "Error: EMFILE: too many open files, open '/app/uploads/tmp/chunk-81723'",
    "    at Object.openSync (node:fs:596:3)",
)
ORDERS_DENIED = (
    "INFO orders-writer: writing batch 1 of 12 to table orders",
    "botocore.exceptions.ClientError: An error occurred (AccessDeniedException) when calling "
    "the PutItem operation: User: arn:aws:sts::123456789012:assumed-role/orders-writer-role/"
    "6f1e2a0c9b7d4e5f8a3b2c1d0e9f8a7b is not authorized to perform: dynamodb:PutItem on "
    "resource: arn:aws:dynamodb:us-east-1:123456789012:table/orders because no identity-based "
    "policy allows the dynamodb:PutItem action",
)
EXPORT_DISK_FULL = (
    "INFO export: writing /tmp/export-2026-12.csv (4,112,904 rows)",
    "OSError: [Errno 28] No space left on device: '/tmp/export-2026-12.csv'",
)
DAEMONIZED = (
    "report-daemon: starting scheduler in the background",
    "report-daemon: scheduler started (pid 27), launcher exiting",
)

# ----------------------------------------------------------------------------- scenarios

SPECS: tuple[ServiceSpec, ...] = (
    # --- healthy, and stopped on purpose
    ServiceSpec(
        Scenario(
            "healthy-service",
            "production",
            None,
            None,
            "",
            "Runs 2 of 2 tasks behind the ALB with healthy targets; nothing stopped.",
        ),
        fargate_task(
            container(
                "healthy-service",
                "{registry}/healthy-service:3.4.1",
                health_check=curl_check("/healthz"),
            ),
            task_role="app-task-role",
        ),
        running=2,
        running_logs=HEALTHY_TRAFFIC,
        target_group="healthy-service",
        grace_period=60,
    ),
    ServiceSpec(
        Scenario(
            "legacy-proxy",
            "legacy-ec2",
            None,
            None,
            "",
            "nginx on both EC2 hosts, holding host port 80; healthy.",
        ),
        ec2_task(
            container(
                "legacy-proxy", "public.ecr.aws/nginx/nginx:1.25", port=80, host_port=80, memory=256
            )
        ),
        running=2,
        placement=None,
        hosts=("host-a", "host-b"),
    ),
    ServiceSpec(
        Scenario(
            "deploying-service",
            "production",
            Cause.DEPLOYMENT_OR_SCALE_IN,
            Step.STOPPED_REASON,
            "Scaling activity initiated by",
            "A rolling deployment replaced 3 tasks (exit 143 on SIGTERM); now steady on the new "
            "revision.",
        ),
        fargate_task(container("deploying-service", "{registry}/deploying-service:1.5.0")),
        stops=repeat(
            Stop(
                "Scaling activity initiated by (deployment {deployment})",
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(days=2),
                logs=GRACEFUL_SHUTDOWN,
                failure=False,
            ),
            3,
        ),
        minutes_between_stops=1,
        running=2,
        previous_revision=True,
        events=(
            (1, "(service deploying-service) (deployment {deployment}) deployment completed."),
        ),
    ),
    ServiceSpec(
        Scenario(
            "queue-worker",
            "production",
            Cause.STOPPED_BY_USER,
            Step.STOPPED_REASON,
            "Task stopped by user",
            "Someone called StopTask on 3 workers; the scheduler replaced them.",
        ),
        fargate_task(container("queue-worker", "{registry}/queue-worker:7.2.0", port=None)),
        stops=repeat(
            Stop(
                "Task stopped by user",
                code="UserInitiated",
                exit_code=0,
                ran=timedelta(hours=5),
                logs=(
                    "[2024-06-11 09:12:01,224: INFO/MainProcess] celery@ip-10-0-10-21 ready.",
                    "[2024-06-11 14:02:17,904: INFO/ForkPoolWorker-2] Task orders.sync[8f1c] "
                    "succeeded in 0.41s: None",
                    "worker: Warm shutdown (MainProcess)",
                ),
                failure=False,
            ),
            3,
        ),
        minutes_between_stops=1,
        running=2,
    ),
    ServiceSpec(
        Scenario(
            "thumbnail-worker",
            "production",
            Cause.SPOT_INTERRUPTION,
            Step.STOPPED_REASON,
            "Your Spot Task was interrupted.",
            "Fargate Spot reclaimed 3 tasks; replacements run on Spot again.",
        ),
        fargate_task(container("thumbnail-worker", "{registry}/thumbnail-worker:2.0.4", port=None)),
        stops=repeat(
            Stop(
                "Your Spot Task was interrupted.",
                code="SpotInterruption",
                exit_code=143,
                ran=timedelta(hours=3),
                logs=("thumbnail-worker consuming from thumbnails-queue", *GRACEFUL_SHUTDOWN),
                failure=False,
            ),
            3,
        ),
        minutes_between_stops=9,
        running=2,
        capacity_provider="FARGATE_SPOT",
    ),
    ServiceSpec(
        Scenario(
            "invoice-renderer",
            "legacy-ec2",
            Cause.INFRASTRUCTURE,
            Step.STOPPED_REASON,
            "terminated.",
            "The EC2 host of 3 tasks was terminated; they were replaced on the other hosts.",
        ),
        ec2_task(
            container("invoice-renderer", "{registry}/invoice-renderer:5.1.0", cpu=512, memory=1024)
        ),
        desired=3,
        stops=repeat(
            Stop(
                "Host EC2 (instance {doomed_instance}) terminated.",
                code="TerminationNotice",
                ran=timedelta(hours=9),
                logs=("rendering invoice batch 2024-06-11/0412", "rendered 250 invoices"),
                failure=False,
            ),
            3,
        ),
        minutes_between_stops=0,
        running=3,
        placement=None,
        hosts=("host-a", "host-b", "host-a"),
        stopped_hosts=("host-doomed",),
    ),
    ServiceSpec(
        Scenario(
            "geo-lookup",
            "production",
            Cause.TASK_FAILED_TO_START,
            Step.STOPPED_REASON,
            "Task failed to start",
            "Tasks fail to start and ECS says nothing more specific.",
        ),
        fargate_task(container("geo-lookup", "{registry}/geo-lookup:1.0.9")),
        stops=repeat(Stop("Task failed to start", code="TaskFailedToStart"), 4),
    ),
    # --- exit codes
    ServiceSpec(
        Scenario(
            "payments-api",
            "production",
            Cause.APP_CRASH,
            Step.EXIT_CODE,
            "TypeError: Cannot read properties of undefined (reading 'map')",
            "Node exits 1 at start-up on a missing setting; its logs also leak two secrets.",
        ),
        fargate_task(container("payments-api", "{registry}/payments-api:1.8.2")),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=7), logs=NODE_CRASH), 4
        ),
        events=every(11, CONSISTENTLY_FAILING.format(service="payments-api"), times=2),
    ),
    ServiceSpec(
        Scenario(
            "pdf-export",
            "production",
            Cause.EXEC_PERMISSION_DENIED,
            Step.EXIT_CODE,
            "Permission denied",
            "Exit 126: the entrypoint script starts a binary that is not executable.",
        ),
        fargate_task(container("pdf-export", "{registry}/pdf-export:0.14.2")),
        stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                exit_code=126,
                ran=timedelta(seconds=1),
                logs=(
                    "+ exec /app/bin/start-export --port 8080",
                    "/usr/local/bin/docker-entrypoint.sh: line 12: /app/bin/start-export: "
                    "Permission denied",
                ),
            ),
            4,
        ),
    ),
    ServiceSpec(
        Scenario(
            "recommendations-api",
            "production",
            Cause.COMMAND_NOT_FOUND,
            Step.EXIT_CODE,
            "executable file not found",
            "The command names gunicorn, which the image does not have.",
        ),
        fargate_task(
            container(
                "recommendations-api",
                "{registry}/recommendations-api:3.0.0",
                command=["gunicorn", "--bind", "0.0.0.0:8080", "recommendations.wsgi:app"],
            )
        ),
        stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                container_reason=(
                    "CannotStartContainerError: ResourceInitializationError: failed to create new "
                    "container runtime task: failed to create shim task: OCI runtime create "
                    "failed: runc create failed: unable to start container process: exec: "
                    '"gunicorn": executable file not found in $PATH: unknown'
                ),
            ),
            4,
        ),
        events=every(11, CONSISTENTLY_FAILING.format(service="recommendations-api"), times=2),
    ),
    ServiceSpec(
        Scenario(
            "search-indexer",
            "production",
            Cause.OUT_OF_MEMORY,
            Step.EXIT_CODE,
            "OutOfMemoryError",
            "4 of 5 tasks were killed at the 2 GiB limit (exit 137); one died on Redis instead.",
        ),
        fargate_task(
            container("search-indexer", "{registry}/search-indexer:4.4.0", port=None, memory=2048),
            cpu="1024",
            memory="2048",
        ),
        stops=(
            *repeat(
                Stop(
                    ESSENTIAL_EXITED,
                    exit_code=137,
                    container_reason="OutOfMemoryError: Container killed due to memory usage",
                    ran=timedelta(minutes=4),
                    logs=INDEXER_GROWING,
                ),
                2,
            ),
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=3), logs=REDIS_REFUSED),
            *repeat(
                Stop(
                    ESSENTIAL_EXITED,
                    exit_code=137,
                    container_reason="OutOfMemoryError: Container killed due to memory usage",
                    ran=timedelta(minutes=4),
                    logs=INDEXER_GROWING,
                ),
                2,
            ),
        ),
        minutes_between_stops=8,
        desired=1,
    ),
    ServiceSpec(
        Scenario(
            "image-resizer",
            "production",
            Cause.SEGFAULT,
            Step.EXIT_CODE,
            "139",
            "A native image library crashes the process (exit 139) on some uploads.",
        ),
        fargate_task(container("image-resizer", "{registry}/image-resizer:2.9.1")),
        stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                exit_code=139,
                ran=timedelta(seconds=95),
                logs=(
                    "image-resizer listening on :8080",
                    "processing s3://acme-uploads/2024/06/IMG_4021.HEIC (12.4 MB)",
                    "/usr/local/bin/docker-entrypoint.sh: line 8:     7 Segmentation fault      "
                    "(core dumped) node server.js",
                ),
            ),
            4,
        ),
    ),
    ServiceSpec(
        Scenario(
            "ws-gateway",
            "production",
            Cause.SIGTERM,
            Step.EXIT_CODE,
            "143",
            "The app's own watchdog sends it SIGTERM (exit 143) when its event loop stalls.",
        ),
        fargate_task(container("ws-gateway", "{registry}/ws-gateway:2.4.1")),
        stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                exit_code=143,
                ran=timedelta(minutes=25),
                logs=(
                    "ws-gateway 2.4.1 listening on 0.0.0.0:8080",
                    "accepted 1,204 websocket connections",
                    "watchdog: event loop blocked for 30s, sending SIGTERM to pid 1",
                    "Received SIGTERM, closing 1,187 websocket connections",
                ),
            ),
            3,
        ),
        minutes_between_stops=9,
    ),
    # --- logs
    ServiceSpec(
        Scenario(
            "notifications-api",
            "production",
            Cause.LOG_GROUP_MISSING,
            Step.LOGS,
            "The specified log group does not exist",
            "awslogs points at /ecs/notifications-api, which was never created.",
        ),
        fargate_task(container("notifications-api", "{registry}/notifications-api:1.12.0")),
        stops=repeat(
            Stop(
                "ResourceInitializationError: failed to validate logger args: create stream has "
                "been retried 1 times: failed to create Cloudwatch log stream: "
                "ResourceNotFoundException: The specified log group does not exist. : exit "
                "status 1",
                code="TaskFailedToStart",
            ),
            4,
        ),
        log_group_exists=False,
    ),
    ServiceSpec(
        Scenario(
            "audit-shipper",
            "legacy-ec2",
            Cause.LOG_CONFIG_INVALID,
            Step.LOGS,
            "failed to initialize logging driver",
            "The fluentd log driver points at a Fluent Bit socket that nothing serves.",
        ),
        ec2_task(
            container(
                "audit-shipper",
                "{registry}/audit-shipper:0.9.3",
                port=None,
                log_driver="fluentd",
                log_options={"fluentd-address": "unix:///var/run/fluent.sock", "tag": "audit"},
            )
        ),
        stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                container_reason=(
                    "CannotStartContainerError: Error response from daemon: failed to initialize "
                    "logging driver: dial unix /var/run/fluent.sock: connect: no such file or "
                    "directory"
                ),
            ),
            4,
        ),
        placement=None,
        hosts=("host-a", "host-b"),
    ),
    # --- image
    ServiceSpec(
        Scenario(
            "checkout-api",
            "production",
            Cause.IMAGE_NOT_FOUND,
            Step.IMAGE,
            "checkout-api:2.4.0: not found",
            "The task definition names tag 2.4.0; the repository only has 2.3.0 and 2.3.1.",
        ),
        fargate_task(container("checkout-api", "{registry}/checkout-api:2.4.0")),
        stops=repeat(
            Stop(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                "failed to resolve ref {registry}/checkout-api:2.4.0: "
                "{registry}/checkout-api:2.4.0: not found",
                code="TaskFailedToStart",
            ),
            4,
        ),
        rollout_failed=True,
        pushed_tags=("2.3.0", "2.3.1"),
    ),
    ServiceSpec(
        Scenario(
            "billing-worker",
            "production",
            Cause.ECR_PERMISSION_DENIED,
            Step.IMAGE,
            "billing-exec-role",
            "Its execution role may get an ECR token but not pull (no ecr:BatchGetImage); ECS "
            "cuts the reason before its '403 Forbidden'.",
        ),
        fargate_task(
            container("billing-worker", "{registry}/billing-worker:latest", port=None),
            execution_role="billing-exec-role",
        ),
        stops=repeat(
            Stop(
                "CannotPullContainerError: pull image manifest has been retried 1 time(s): "
                "failed to resolve ref {registry}/billing-worker:latest: pulling from host "
                "{registry} failed with status code [manifests latest]: 403 Forbidden",
                code="TaskFailedToStart",
            ),
            4,
        ),
    ),
    ServiceSpec(
        Scenario(
            "ledger-ui",
            "production",
            Cause.REGISTRY_AUTH,
            Step.IMAGE,
            "failed to authorize",
            "The image is in a private registry and the task definition has no "
            "repositoryCredentials.",
        ),
        fargate_task(container("ledger-ui", "registry.acme-corp.com/platform/ledger-ui:4.2.0")),
        stops=repeat(
            Stop(
                "CannotPullContainerError: inspect image has been retried 1 time(s): failed to "
                'resolve ref "registry.acme-corp.com/platform/ledger-ui:4.2.0": failed to '
                "authorize: failed to fetch anonymous token.",
                code="TaskFailedToStart",
            ),
            4,
        ),
    ),
    ServiceSpec(
        Scenario(
            "ml-inference",
            "production",
            Cause.PLATFORM_MISMATCH,
            Step.IMAGE,
            "exec format error",
            "The image's binary was built for arm64; the task runs on X86_64.",
        ),
        fargate_task(
            container("ml-inference", "{registry}/ml-inference:0.9.0"), cpu="1024", memory="2048"
        ),
        stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                exit_code=255,
                ran=timedelta(seconds=1),
                logs=("exec /app/server: exec format error",),
            ),
            4,
        ),
    ),
    # --- IAM
    ServiceSpec(
        Scenario(
            "ledger-sync",
            "legacy-ec2",
            Cause.EXECUTION_ROLE_MISSING,
            Step.IAM,
            "no basic auth credentials",
            "No execution role: the EC2 hosts' own role cannot pull from ECR.",
        ),
        ec2_task(
            container("ledger-sync", "{registry}/ledger-sync:3.1.0", port=None),
            execution_role=None,
        ),
        stops=repeat(
            Stop(
                "CannotPullContainerError: Error response from daemon: Get "
                "https://{registry}/v2/ledger-sync/manifests/3.1.0: no basic auth credentials",
                code="TaskFailedToStart",
                container_reason="CannotPullContainerError: Error response from daemon: Get "
                "https://{registry}/v2/ledger-sync/manifests/3.1.0: no basic auth credentials",
            ),
            4,
        ),
        placement=None,
        hosts=("host-a", "host-b"),
    ),
    ServiceSpec(
        Scenario(
            "inventory-api",
            "production",
            Cause.ROLE_NOT_FOUND,
            Step.IAM,
            "ecsTaskExecutionRole-staging",
            "Its execution role was copied from staging and does not exist in this account.",
        ),
        fargate_task(
            container("inventory-api", "{registry}/inventory-api:6.0.1"),
            execution_role="ecsTaskExecutionRole-staging",
        ),
        events=every(
            5,
            UNABLE_TO_ASSUME.format(service="inventory-api", role="ecsTaskExecutionRole-staging"),
        ),
    ),
    ServiceSpec(
        Scenario(
            "reporting-api",
            "production",
            Cause.TRUST_POLICY,
            Step.IAM,
            "reporting-exec-role",
            "Its execution role trusts ec2.amazonaws.com, not ecs-tasks.amazonaws.com.",
        ),
        fargate_task(
            container("reporting-api", "{registry}/reporting-api:2.2.0"),
            execution_role="reporting-exec-role",
        ),
        events=every(
            5, UNABLE_TO_ASSUME.format(service="reporting-api", role="reporting-exec-role")
        ),
    ),
    ServiceSpec(
        Scenario(
            "orders-api",
            "production",
            Cause.SECRETS_ACCESS_DENIED,
            Step.IAM,
            "unable to retrieve secret from asm",
            "The execution role may not call secretsmanager:GetSecretValue on its DB secret.",
        ),
        fargate_task(
            container("orders-api", "{registry}/orders-api:9.3.0", secrets={"DB": "{db_secret}"})
        ),
        stops=repeat(
            Stop(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution "
                "resource retrieval failed: unable to retrieve secret from asm: service call has "
                "been retried 1 time(s): failed to fetch secret {db_secret} from secrets manager: "
                "AccessDeniedException: User: arn:aws:sts::{account}:assumed-role/"
                "ecsTaskExecutionRole/8f6d2c1b is not authorized to perform: "
                "secretsmanager:GetSecretValue",
                code="TaskFailedToStart",
            ),
            4,
        ),
    ),
    ServiceSpec(
        Scenario(
            "sqs-poller",
            "production",
            Cause.TASK_ROLE_MISSING,
            Step.IAM,
            "NoCredentialsError",
            "The app calls SQS with boto3 but the task definition has no task role.",
        ),
        fargate_task(container("sqs-poller", "{registry}/sqs-poller:1.3.2", port=None)),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=3), logs=NO_CREDENTIALS), 3
        ),
    ),
    # --- network
    ServiceSpec(
        Scenario(
            "analytics-api",
            "production",
            Cause.NO_ROUTE_TO_INTERNET,
            Step.NETWORK,
            "unable to retrieve ecr registry auth",
            "Runs in the isolated subnet: no NAT, no internet gateway, no VPC endpoints.",
        ),
        fargate_task(container("analytics-api", "{registry}/analytics-api:1.1.0")),
        stops=repeat(
            Stop(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution "
                "resource retrieval failed: unable to retrieve ecr registry auth: service call "
                "has been retried 3 time(s): RequestError: send request failed caused by: Post "
                '"https://api.ecr.{region}.amazonaws.com/": dial tcp 52.46.157.188:443: i/o '
                "timeout",
                code="TaskFailedToStart",
            ),
            4,
        ),
        placement=Placement(("isolated-a",), "app-tasks"),
    ),
    ServiceSpec(
        Scenario(
            "fraud-scorer",
            "production",
            Cause.MISSING_VPC_ENDPOINT,
            Step.NETWORK,
            "starport-layer-bucket",
            "The data VPC has ECR and Logs endpoints but no S3 gateway endpoint for image layers.",
        ),
        fargate_task(container("fraud-scorer", "{registry}/fraud-scorer:2.7.0")),
        stops=repeat(
            Stop(
                "CannotPullContainerError: ref pull has been retried 5 time(s): failed to copy: "
                "httpReadSeeker: failed open: failed to do request: Get "
                '"https://prod-{region}-starport-layer-bucket.s3.{region}.amazonaws.com/'
                'a41f3c-{account}-5b7e0d92/9c1e-4a7b": dial tcp 52.217.161.80:443: i/o timeout',
                code="TaskFailedToStart",
            ),
            4,
        ),
        placement=Placement(("data-a",), "data-tasks"),
    ),
    ServiceSpec(
        Scenario(
            "email-sender",
            "production",
            Cause.SECURITY_GROUP_NO_EGRESS,
            Step.NETWORK,
            "connection issue between the task and Amazon ECR",
            "Private subnets with a NAT, but its security group has no outbound rule.",
        ),
        fargate_task(container("email-sender", "{registry}/email-sender:3.3.0", port=None)),
        stops=repeat(
            Stop(
                "ResourceInitializationError: unable to pull secrets or registry auth: The task "
                "cannot pull registry auth from Amazon ECR: There is a connection issue between "
                "the task and Amazon ECR. Check your task network configuration. RequestError: "
                'send request failed caused by: Post "https://api.ecr.{region}.amazonaws.com/": '
                "dial tcp 3.219.15.126:443: i/o timeout",
                code="TaskFailedToStart",
            ),
            4,
        ),
        placement=Placement(("private-a", "private-b"), "locked-down"),
    ),
    ServiceSpec(
        Scenario(
            "content-store",
            "production",
            Cause.EFS_MOUNT_FAILED,
            Step.NETWORK,
            "failed to invoke EFS utils commands",
            "Its EFS file system has a mount target in zone a only; the task runs in zone b.",
        ),
        fargate_task(
            container("content-store", "{registry}/content-store:1.0.4", volume="content"),
            volumes=[
                {
                    "name": "content",
                    "efsVolumeConfiguration": {
                        "fileSystemId": "{efs}",
                        "transitEncryption": "ENABLED",
                    },
                }
            ],
        ),
        stops=repeat(
            Stop(
                "ResourceInitializationError: failed to invoke EFS utils commands to set up EFS "
                'volumes: stderr: Failed to resolve "{efs}.efs.{region}.amazonaws.com" - check '
                "that your file system ID is correct, and ensure that the VPC has an EFS mount "
                "target for this file system ID.",
                code="TaskFailedToStart",
            ),
            4,
        ),
        placement=Placement(("private-b",), "app-tasks"),
    ),
    # --- resources
    ServiceSpec(
        Scenario(
            "legacy-reports",
            "legacy-ec2",
            Cause.INSUFFICIENT_CPU,
            Step.RESOURCES,
            "has insufficient CPU units available",
            "Needs 1536 CPU units; the roomiest host has 1280 left.",
        ),
        ec2_task(container("legacy-reports", "{registry}/legacy-reports:8.1.0", cpu=1536)),
        placement=None,
        events=every(
            5,
            NO_PLACEMENT.format(
                service="legacy-reports", problem="has insufficient CPU units available"
            ),
        ),
    ),
    ServiceSpec(
        Scenario(
            "legacy-indexer",
            "legacy-ec2",
            Cause.INSUFFICIENT_MEMORY,
            Step.RESOURCES,
            "has insufficient memory available",
            "Needs 3072 MiB; the roomiest host has 2624 MiB left.",
        ),
        ec2_task(container("legacy-indexer", "{registry}/legacy-indexer:2.0.0", memory=3072)),
        placement=None,
        events=every(
            5,
            NO_PLACEMENT.format(
                service="legacy-indexer", problem="has insufficient memory available"
            ),
        ),
    ),
    ServiceSpec(
        Scenario(
            "legacy-nginx",
            "legacy-ec2",
            Cause.PORT_IN_USE,
            Step.RESOURCES,
            "is already using a port required by your task",
            "Wants host port 80, which legacy-proxy holds on every host.",
        ),
        ec2_task(
            container(
                "legacy-nginx", "public.ecr.aws/nginx/nginx:1.25", port=80, host_port=80, memory=128
            )
        ),
        placement=None,
        events=every(
            5,
            NO_PLACEMENT.format(
                service="legacy-nginx", problem="is already using a port required by your task"
            ),
        ),
    ),
    ServiceSpec(
        Scenario(
            "gpu-inference",
            "legacy-ec2",
            Cause.PLACEMENT_CONSTRAINT,
            Step.RESOURCES,
            "is missing an attribute required by your task",
            "Its task definition requires an attribute no instance of the cluster has: every "
            "placement fails, though instances are connected.",
        ),
        ec2_task(
            container("gpu-inference", "{registry}/gpu-inference:0.3.0", port=None)
            | {"resourceRequirements": [{"type": "GPU", "value": "1"}]}
        ),
        desired=1,
        placement=None,
        events=every(
            5,
            NO_PLACEMENT.format(
                service="gpu-inference", problem="is missing an attribute required by your task"
            ),
        ),
    ),
    ServiceSpec(
        Scenario(
            "frame-renderer",
            "legacy-ec2",
            Cause.PLACEMENT_CONSTRAINT,
            Step.RESOURCES,
            "attribute:ecs.instance-type =~ c6i.*",
            "Its task definition keeps it to compute-optimised instances in two zones "
            "(memberOf); the cluster runs only t3.medium hosts.",
            extra=True,
        ),
        ec2_task(container("frame-renderer", "{registry}/frame-renderer:1.2.0", port=None))
        | {
            "placementConstraints": [
                {
                    "type": "memberOf",
                    "expression": "attribute:ecs.instance-type =~ c6i.* and "
                    "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]",
                }
            ]
        },
        desired=2,
        placement=None,
        events=every(
            5,
            NO_PLACEMENT.format(
                service="frame-renderer",
                problem="is missing an attribute required by your task",
            ),
        ),
    ),
    ServiceSpec(
        Scenario(
            "nightly-batch",
            "batch-ec2",
            Cause.NO_CONTAINER_INSTANCES,
            Step.RESOURCES,
            "No Container Instances were found in your cluster",
            "Its EC2 cluster has no container instances at all.",
        ),
        ec2_task(container("nightly-batch", "{registry}/nightly-batch:1.0.0", port=None)),
        desired=1,
        placement=None,
        events=every(
            5,
            "(service nightly-batch) was unable to place a task because no container instance "
            "met all of its requirements. Reason: No Container Instances were found in your "
            "cluster. For more information, see the Troubleshooting section of the Amazon ECS "
            "Developer Guide.",
        ),
    ),
    ServiceSpec(
        Scenario(
            "video-transcoder",
            "production",
            Cause.FARGATE_CAPACITY,
            Step.RESOURCES,
            "Capacity is unavailable at this time",
            "Two 4 vCPU tasks have waited in PROVISIONING for 25 minutes.",
        ),
        fargate_task(
            container("video-transcoder", "{registry}/video-transcoder:1.6.0", port=None),
            cpu="4096",
            memory="16384",
        ),
        provisioning=2,
        events=every(
            6,
            UNABLE_TO_PLACE.format(
                service="video-transcoder",
                reason="Capacity is unavailable at this time. Please try again later or in a "
                "different availability zone",
            ),
        ),
    ),
    ServiceSpec(
        Scenario(
            "ml-training",
            "production",
            Cause.SERVICE_QUOTA,
            Step.RESOURCES,
            "reached the limit on the number of vCPUs",
            "Four 8 vCPU tasks exceed the account's Fargate vCPU quota.",
        ),
        fargate_task(
            container("ml-training", "{registry}/ml-training:0.3.0", port=None),
            cpu="8192",
            memory="32768",
        ),
        desired=4,
        events=every(
            5,
            UNABLE_TO_PLACE.format(
                service="ml-training",
                reason="You’ve reached the limit on the number of vCPUs you can run concurrently",
            ),
        ),
    ),
    ServiceSpec(
        Scenario(
            "legacy-etl",
            "legacy-ec2",
            Cause.DISK_FULL,
            Step.RESOURCES,
            "no space left on device",
            "Image pulls fail: the hosts' Docker volume is full.",
        ),
        ec2_task(container("legacy-etl", "{registry}/legacy-etl:5.5.0", port=None)),
        stops=repeat(
            Stop(
                "CannotPullContainerError: write /var/lib/docker/tmp/GetImageBlob302715498: no "
                "space left on device",
                code="TaskFailedToStart",
                container_reason="CannotPullContainerError: write "
                "/var/lib/docker/tmp/GetImageBlob302715498: no space left on device",
            ),
            4,
        ),
        placement=None,
        hosts=("host-a", "host-b"),
    ),
    ServiceSpec(
        Scenario(
            "ledger-export",
            "legacy-ec2",
            Cause.CONTAINER_RUNTIME,
            Step.STOPPED_REASON,
            "CannotInspectContainerError",
            "The Docker daemon on its host hangs: ECS gives up inspecting the containers it "
            "started.",
        ),
        ec2_task(container("ledger-export", "{registry}/ledger-export:2.0.1", port=None)),
        stops=repeat(
            Stop(
                "CannotInspectContainerError: Could not transition to inspecting; timed out "
                "after waiting 30s",
                code="TaskFailedToStart",
            ),
            3,
        ),
        placement=None,
        hosts=("host-a",),
    ),
    # --- health checks
    ServiceSpec(
        Scenario(
            "catalog-service",
            "production",
            Cause.HEALTH_CHECK_START_PERIOD,
            Step.HEALTH_CHECK,
            CONTAINER_UNHEALTHY,
            "Warms a cache for ~2 minutes, but the health check gives it no start period.",
        ),
        fargate_task(
            container(
                "catalog-service",
                "{registry}/catalog-service:3.2.0",
                memory=2048,
                health_check=curl_check("/actuator/health", interval=10),
            ),
            cpu="1024",
            memory="2048",
        ),
        stops=repeat(
            Stop(
                CONTAINER_UNHEALTHY,
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(seconds=42),
                logs=SPRING_STARTING,
                health="UNHEALTHY",
            ),
            4,
        ),
    ),
    ServiceSpec(
        Scenario(
            "pricing-service",
            "production",
            Cause.HEALTH_CHECK_FAILING,
            Step.HEALTH_CHECK,
            CONTAINER_UNHEALTHY,
            "Serves traffic fine for 20 minutes, then its health check command keeps failing.",
        ),
        fargate_task(
            container(
                "pricing-service",
                "{registry}/pricing-service:5.0.3",
                health_check=curl_check("/healthz", start_period=60),
            )
        ),
        stops=repeat(
            Stop(
                CONTAINER_UNHEALTHY,
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(minutes=22),
                logs=PRICING_TRAFFIC,
                health="UNHEALTHY",
            ),
            3,
        ),
        minutes_between_stops=12,
        running=1,
    ),
    ServiceSpec(
        Scenario(
            "web-frontend",
            "production",
            Cause.HEALTH_CHECK_PORT_MISMATCH,
            Step.HEALTH_CHECK,
            "8080",
            "Serves port 3000; its target group health-checks port 8080.",
        ),
        fargate_task(container("web-frontend", "{registry}/web-frontend:2.0.0", port=3000)),
        stops=repeat(
            Stop(
                ELB_FAILED,
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(minutes=4),
                logs=NEXT_STARTED,
            ),
            3,
        ),
        running=2,
        running_logs=NEXT_STARTED,
        target_group="web-frontend",
        target_health=("unhealthy", "Target.FailedHealthChecks", "Health checks failed"),
        grace_period=60,
        events=every(
            5,
            "(service web-frontend) (port 3000) is unhealthy in (target-group {target_group}) "
            "due to (reason Health checks failed).",
            times=3,
        ),
    ),
    ServiceSpec(
        Scenario(
            "checkout-web",
            "production",
            Cause.ELB_HEALTH_CHECK,
            Step.HEALTH_CHECK,
            "Health checks failed with these codes: [404]",
            "The target group checks /health; the app only serves /healthz.",
        ),
        fargate_task(container("checkout-web", "{registry}/checkout-web:4.1.0")),
        stops=repeat(
            Stop(
                ELB_FAILED,
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(minutes=3),
                logs=CHECKOUT_WEB_404,
            ),
            3,
        ),
        running=2,
        running_logs=CHECKOUT_WEB_404,
        target_group="checkout-web",
        target_health=(
            "unhealthy",
            "Target.ResponseCodeMismatch",
            "Health checks failed with these codes: [404]",
        ),
        grace_period=60,
        events=every(
            5,
            "(service checkout-web) (port 8080) is unhealthy in (target-group {target_group}) "
            "due to (reason Health checks failed with these codes: [404]).",
            times=3,
        ),
    ),
    ServiceSpec(
        Scenario(
            "shipping-api",
            "platform",
            Cause.SECURITY_GROUP_NO_INGRESS,
            Step.NETWORK,
            "failed ELB health checks",
            "Its tasks' security group admits nothing: the load balancer's health checks time "
            "out and ECS replaces every task.",
        ),
        fargate_task(container("shipping-api", "{registry}/shipping-api:1.2.0")),
        stops=repeat(
            Stop(
                ELB_FAILED,
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(minutes=3),
            ),
            3,
        ),
        placement=Placement(("private-a", "private-b"), "closed-in"),
        target_group="shipping-api",
        target_health=("unhealthy", "Target.Timeout", "Request timed out"),
        grace_period=60,
    ),
    # --- not determinable
    ServiceSpec(
        Scenario(
            "report-exporter",
            "production",
            Cause.UNKNOWN,
            Step.IMAGE,
            "signal: killed",
            "Image pulls are killed half-way, yet its subnet routes through the NAT, its security "
            "group allows egress and its role may pull: the pull's size or time, not the network.",
            state="unknown",
        ),
        fargate_task(container("report-exporter", "{registry}/report-exporter:1.4.0", port=None)),
        stops=repeat(
            Stop(
                "ResourceInitializationError: unable to pull secrets or registry auth: pull "
                "command failed: : signal: killed",
                code="TaskFailedToStart",
            ),
            4,
        ),
        desired=1,
    ),
    # --- what was seen outranks what could go wrong (issue 11). In a cluster of their own:
    # moto's ListTasks ignores serviceName, and production already holds 100 stopped tasks.
    ServiceSpec(
        Scenario(
            "profile-api",
            "platform",
            None,
            None,
            "",
            "Runs 2 of 2 tasks; its log group was deleted since: the next task to start fails.",
            warning=Cause.LOG_GROUP_MISSING,
        ),
        fargate_task(container("profile-api", "{registry}/profile-api:2.2.0")),
        running=2,
        log_group_exists=False,
    ),
    ServiceSpec(
        Scenario(
            "scaled-in-worker",
            "platform",
            Cause.DEPLOYMENT_OR_SCALE_IN,
            Step.STOPPED_REASON,
            "Scaling activity initiated by",
            "Auto scaling took it from 4 tasks to 2; the 2 it stopped were meant to stop.",
            extra=True,
        ),
        fargate_task(container("scaled-in-worker", "{registry}/scaled-in-worker:1.1.0", port=None)),
        stops=repeat(
            Stop(
                "Scaling activity initiated by (deployment {deployment})",
                code="ServiceSchedulerInitiated",
                exit_code=0,
                ran=timedelta(hours=6),
                logs=GRACEFUL_SHUTDOWN,
                failure=False,
            ),
            2,
        ),
        minutes_between_stops=1,
        running=2,
    ),
    ServiceSpec(
        Scenario(
            "inventory-sync",
            "platform",
            Cause.NO_ROUTE_TO_INTERNET,
            Step.NETWORK,
            "unable to retrieve ecr registry auth",
            "Pulls time out in a subnet with no way out; its log group is missing too, which "
            "the tasks never got far enough to meet.",
            warning=Cause.LOG_GROUP_MISSING,
            extra=True,
        ),
        fargate_task(container("inventory-sync", "{registry}/inventory-sync:0.8.1", port=None)),
        stops=repeat(
            Stop(
                "ResourceInitializationError: unable to pull secrets or registry auth: execution "
                "resource retrieval failed: unable to retrieve ecr registry auth: service call "
                "has been retried 3 time(s): RequestError: send request failed caused by: Post "
                '"https://api.ecr.{region}.amazonaws.com/": dial tcp 52.46.157.188:443: i/o '
                "timeout",
                code="TaskFailedToStart",
            ),
            4,
        ),
        placement=Placement(("isolated-a",), "app-tasks"),
        log_group_exists=False,
    ),
    ServiceSpec(
        Scenario(
            "quote-service",
            "platform",
            Cause.HEALTH_CHECK_FAILING,
            Step.HEALTH_CHECK,
            "503",
            "Listens at once, but its health endpoint answers 503 (a dependency check fails).",
            extra=True,
        ),
        fargate_task(
            container(
                "quote-service",
                "{registry}/quote-service:1.2.0",
                health_check=curl_check("/healthz", start_period=30),
            )
        ),
        stops=repeat(
            Stop(
                CONTAINER_UNHEALTHY,
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(minutes=5),
                logs=QUOTE_503,
                health="UNHEALTHY",
            ),
            3,
        ),
        minutes_between_stops=5,
    ),
    ServiceSpec(
        Scenario(
            "wishlist-api",
            "platform",
            Cause.IMAGE_NOT_FOUND,
            Step.IMAGE,
            "wishlist-api:3.1.0: not found",
            "Pulls failed on tag 3.1.0, which has been pushed since: the cause AWS named stands.",
            extra=True,
        ),
        fargate_task(container("wishlist-api", "{registry}/wishlist-api:3.1.0")),
        stops=repeat(
            Stop(
                "CannotPullContainerError: pull image manifest has been retried 5 time(s): "
                "failed to resolve ref {registry}/wishlist-api:3.1.0: "
                "{registry}/wishlist-api:3.1.0: not found",
                code="TaskFailedToStart",
            ),
            3,
        ),
    ),
    ServiceSpec(
        Scenario(
            "accounts-web",
            "platform",
            Cause.APP_CRASH,
            Step.EXIT_CODE,
            "migrate",
            "Its essential: false migration container exits 1, so the app (dependsOn SUCCESS) "
            "never starts.",
            extra=True,
        ),
        fargate_task(
            container("accounts-web", "{registry}/accounts-web:5.0.0"),
            memory="1024",
            side=migration("migrate", "{registry}/accounts-web:5.0.0", "accounts-web"),
        ),
        stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                exit_code=143,
                container_reason=(
                    "CannotStartContainerError: dependency graph: failed to resolve container "
                    "ordering dependency [migrate({registry}/accounts-web:5.0.0) "
                    "(STOPPED->RUNNING) - Exit: 1] for target [accounts-web("
                    "{registry}/accounts-web:5.0.0) (NONE->RUNNING)]"
                ),
                ran=timedelta(seconds=12),
                side=SideContainer("migrate", exit_code=1, logs=MIGRATION_FAILED),
            ),
            3,
        ),
    ),
    ServiceSpec(
        Scenario(
            "notify-worker",
            "platform",
            Cause.DEPENDENCY_UNREACHABLE,
            Step.EXIT_CODE,
            "Connection refused",
            "Two different failures, both exit 1: Redis refuses connections, and a variable is "
            "missing on the newer revision's tasks.",
            extra=True,
        ),
        fargate_task(container("notify-worker", "{registry}/notify-worker:2.3.0", port=None)),
        stops=(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=4), logs=NOTIFY_REDIS),
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=2), logs=NOTIFY_NO_ENV),
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=4), logs=NOTIFY_REDIS),
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=2), logs=NOTIFY_NO_ENV),
        ),
    ),
    ServiceSpec(
        Scenario(
            "ledger-worker",
            "platform",
            Cause.DEPENDENCY_UNREACHABLE,
            Step.EXIT_CODE,
            "port 5432 failed: Connection timed out",
            "Its PostgreSQL (RDS ledger-db) admits only the bastion's group on 5432: the "
            "worker's connections time out.",
            extra=True,
        ),
        fargate_task(container("ledger-worker", "{registry}/ledger-worker:0.9.1", port=None)),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=33), logs=LEDGER_TIMEOUT),
            3,
        ),
    ),
    ServiceSpec(
        Scenario(
            "slow-start-api",
            "platform",
            Cause.HEALTH_CHECK_START_PERIOD,
            Step.HEALTH_CHECK,
            "Tomcat started on port 8080",
            "Ready after about a minute, but the load balancer starts judging it after 30 s.",
            extra=True,
        ),
        fargate_task(container("slow-start-api", "{registry}/slow-start-api:1.0.3")),
        stops=repeat(
            Stop(
                ELB_FAILED,
                code="ServiceSchedulerInitiated",
                exit_code=143,
                ran=timedelta(seconds=75),
                logs=SLOW_START,
            ),
            3,
        ),
        target_group="slow-start-api",
        grace_period=30,
    ),
    ServiceSpec(
        Scenario(
            "batch-cp-runner",
            "batch-cp",
            Cause.NO_CONTAINER_INSTANCES,
            Step.RESOURCES,
            "batch-cp-asg",
            "Two tasks wait in PROVISIONING on an EC2 capacity provider whose managed scaling is "
            "off, in a cluster with no instances.",
            extra=True,
        ),
        ec2_task(container("batch-cp-runner", "{registry}/batch-cp-runner:0.4.0", port=None)),
        placement=None,
        provisioning=2,
        capacity_provider=CAPACITY_PROVIDER,
    ),
    ServiceSpec(
        Scenario(
            "report-daemon",
            "platform",
            Cause.NOT_FOREGROUND,
            Step.EXIT_CODE,
            "launcher exiting",
            "Its entrypoint starts the daemon in the background and returns: the essential "
            "container exits 0.",
            extra=True,
        ),
        fargate_task(container("report-daemon", "{registry}/report-daemon:3.0.1", port=None)),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=0, ran=timedelta(seconds=3), logs=DAEMONIZED), 4
        ),
    ),
    ServiceSpec(
        Scenario(
            "risk-engine",
            "platform",
            Cause.HEAP_EXHAUSTED,
            Step.EXIT_CODE,
            "Java heap space",
            "The JVM runs out of its 256 MiB heap and exits 1, far below the container's 1 GiB: "
            "the kernel never killed it, its log says why.",
            extra=True,
        ),
        fargate_task(
            container(
                "risk-engine",
                "{registry}/risk-engine:7.2.0",
                port=None,
                memory=1024,
                command=["java", "-Xmx256m", "-jar", "/app/risk-engine.jar"],
            ),
            memory="1024",
        ),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(minutes=6), logs=JVM_HEAP), 3
        ),
    ),
    # Failures past the start: what the app's own last words say.
    ServiceSpec(
        Scenario(
            "billing-api",
            "platform",
            Cause.CONFIG_MISSING,
            Step.EXIT_CODE,
            "secret_key_base",
            "A Rails app started without SECRET_KEY_BASE: it stops on boot, naming the setting.",
        ),
        fargate_task(container("billing-api", "{registry}/billing-api:4.0.2", port=None)),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=6), logs=RAILS_NO_SECRET), 3
        ),
    ),
    ServiceSpec(
        Scenario(
            "upload-api",
            "platform",
            Cause.FILE_LIMIT,
            Step.EXIT_CODE,
            "EMFILE",
            "A Node service leaks file handles until it hits its open-files ulimit.",
        ),
        fargate_task(container("upload-api", "{registry}/upload-api:2.2.0", port=None)),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(minutes=9), logs=UPLOADS_EMFILE), 3
        ),
    ),
    ServiceSpec(
        Scenario(
            "orders-writer",
            "platform",
            Cause.TASK_ROLE_DENIED,
            Step.IAM,
            "dynamodb:PutItem",
            "Its task role may read the orders table but not write it: DynamoDB refuses PutItem "
            "and the app exits.",
        ),
        fargate_task(
            container("orders-writer", "{registry}/orders-writer:1.8.1", port=None),
            task_role="orders-writer-role",
        ),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=20), logs=ORDERS_DENIED), 3
        ),
    ),
    ServiceSpec(
        Scenario(
            "export-worker",
            "platform",
            Cause.DISK_FULL,
            Step.RESOURCES,
            "No space left on device",
            "A Fargate task writes a large export to /tmp until its ephemeral storage is full.",
            extra=True,
        ),
        fargate_task(container("export-worker", "{registry}/export-worker:0.9.3", port=None)),
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(minutes=4), logs=EXPORT_DISK_FULL), 3
        ),
    ),
)

# Time: a rollout that broke a service, and failures only the event archive remembers.
SPECS += (
    ServiceSpec(
        Scenario(
            "cart-api",
            "production",
            Cause.APP_CRASH,
            Step.EXIT_CODE,
            "Error: unsupported Stripe API version: undefined",
            "Revision 2 (image 2.1.0, a new secret, half the memory) exits 1 at start-up; "
            "revision 1 still runs under the ACTIVE deployment.",
        ),
        fargate_task(
            container(
                "cart-api",
                "{registry}/cart-api:2.0.3",
                memory=1024,
                environment={"LOG_LEVEL": "info"},
            ),
            memory="1024",
            execution_role="cart-exec-role",
        ),
        new_revision=fargate_task(
            container(
                "cart-api",
                "{registry}/cart-api:2.1.0",
                memory=512,
                environment={"LOG_LEVEL": "info", "WEBHOOK_URL": CART_ENV_VALUE},
                secrets={"STRIPE_KEY": "{db_secret}"},
            ),
            memory="1024",
            execution_role="cart-exec-role",  # it may read the secret
        ),
        pushed_tags=("2.0.3", "2.1.0"),
        running=2,
        stops=repeat(
            Stop(ESSENTIAL_EXITED, exit_code=1, ran=timedelta(seconds=5), logs=CART_CRASH), 3
        ),
        events=every(9, CONSISTENTLY_FAILING.format(service="cart-api"), times=2),
    ),
    ServiceSpec(
        Scenario(
            "nightly-reports",
            "production",
            Cause.OUT_OF_MEMORY,
            Step.EXIT_CODE,
            "OutOfMemoryError",
            "Killed at its 1 GiB limit three times 9 hours ago: ECS has forgotten those tasks, "
            "the event archive has not; it has run steadily since.",
            since=timedelta(hours=12),
            state="recovered",
        ),
        fargate_task(
            container(
                "nightly-reports", "{registry}/nightly-reports:3.2.1", port=None, memory=1024
            ),
            memory="1024",
        ),
        desired=1,
        running=1,
        archived_stops=repeat(
            Stop(
                ESSENTIAL_EXITED,
                exit_code=137,
                container_reason="OutOfMemoryError: Container killed due to memory usage",
                ran=timedelta(minutes=14),
                logs=(
                    "INFO reports: building the nightly revenue report (31 days, 12 regions)",
                    "INFO reports: joined orders and refunds (rss=884 MiB)",
                ),
            ),
            3,
        ),
    ),
)

SCENARIOS: tuple[Scenario, ...] = tuple(spec.scenario for spec in SPECS)


def build_account(
    session: boto3.Session,
    *,
    endpoint_url: str | None = None,
    specs: Sequence[ServiceSpec] = SPECS,
) -> None:
    """Create the demo account (or its infrastructure with other `specs`: a bench's) in the
    moto emulator that `session` (or `endpoint_url`) reaches.

    The emulator must run in this process (see `bot.demo.emulator`): fields no API can set are
    written to its backends directly. Refuses any endpoint that is not local, so the demo can
    never create anything in a real account.
    """
    clients = Clients.connect(session, endpoint_url)
    for endpoint in clients.endpoints():
        if not endpoint.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ValueError(f"the demo account is only built in a local emulator, not {endpoint}")
    prepare_emulator()
    region = clients.ecs.meta.region_name
    account_id = session.client("sts", endpoint_url=endpoint_url).get_caller_identity()["Account"]
    moto = MotoAccount(account_id, region)
    infra = build_infrastructure(clients, moto, account_id, region)
    deploy_event_archive(clients)
    turn_on_event_capture(clients, region, account_id, CAPTURED_CLUSTER)
    now = datetime.now(UTC)
    for spec in specs:
        build_service(clients, moto, infra, spec, now)
    retire_doomed_host(clients, infra)
    moto.refresh_cluster_counts()
