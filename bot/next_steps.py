"""The next step of a diagnosis, built from the facts it read rather than from a template.

A cause code says what kind of fault it is; the facts say where it is: the log stream, the
role, the route table, the target group. Each builder below turns (cause, facts) into a
sentence about this evidence and, when one command fixes or proves it, that AWS CLI command,
shell-quoted and using only options the CLI has (a test holds every command to botocore's
service model). A value the facts do not hold is named in words, never as a `<placeholder>`.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot import console
from bot.arns import name_of, partition, secret_read
from bot.checks.evidence import role_name
from bot.checks.network import endpoint_suffix, needed_endpoints, task_subnets
from bot.model import (
    Cause,
    ContainerDefinition,
    Facts,
    Finding,
    Gap,
    LogStream,
    NextStep,
    Step,
    Subnet,
    Task,
    TaskDefinition,
)

RUNBOOK = "AWSSupport-TroubleshootECSTaskFailedToStart"
TRUST_ECS_TASKS = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            "Action": "sts:AssumeRole",
        }
    ],
}
# Service Quotas codes of the vCPU limits ECS runs into.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-quotas.html
FARGATE_VCPU = ("fargate", "L-3032A538", "Fargate On-Demand vCPU resource count")
EC2_VCPU = ("ec2", "L-1216C47A", "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances")


def aws(*words: str) -> str:
    """An AWS CLI command line, each word quoted only when the shell needs it."""
    return shlex.join(("aws", *words))


def compact(document: object) -> str:
    return json.dumps(document, separators=(",", ":"))


@dataclass(frozen=True)
class Scene:
    """Where the cause is: the names a next step needs, read once from the facts."""

    cause: Finding
    facts: Facts

    @property
    def region(self) -> str:
        return self.facts.region

    @property
    def cluster(self) -> str | None:
        if self.facts.cluster:
            return self.facts.cluster.name
        task = self.facts.focus_task
        return self.facts.target.cluster or (name_of(task.cluster_arn) if task else None)

    @property
    def service(self) -> str | None:
        return self.facts.service.name if self.facts.service else self.facts.target.service

    @property
    def task(self) -> Task | None:
        return self.facts.focus_task

    @property
    def definition(self) -> TaskDefinition | None:
        return self.facts.task_definition

    @property
    def revision(self) -> str | None:
        definition = self.definition
        return f"{definition.family}:{definition.revision}" if definition else None

    @property
    def container(self) -> ContainerDefinition | None:
        """The container the cause is about, else the first essential one."""
        containers = self.definition.containers if self.definition else ()
        named = [c for c in containers if c.name == self.cause.where.container]
        essential = [c for c in containers if c.essential]
        return next(iter(named or essential or containers), None)

    @property
    def stream(self) -> LogStream | None:
        """The log stream of the container at fault in the focus task, when it was read."""
        task, container = self.task, self.container
        streams = [s for s in self.facts.log_streams if task is None or s.task_id == task.task_id]
        mine = [s for s in streams if container is None or s.container == container.name]
        return next(iter(mine or streams), None)

    @property
    def execution_policy(self) -> str:
        """The ARN of AWS's managed execution-role policy, in this region's partition."""
        policy = "iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
        return f"arn:{partition(self.facts.region)}:{policy}"

    def subnets(self) -> list[Subnet]:
        network = self.facts.network
        return task_subnets(self.facts, network) if network else []

    def rollback(self) -> str | None:
        """The revision an older deployment still runs, when the failing one replaced it."""
        service = self.facts.service
        if service is None:
            return None
        primary = next((d for d in service.deployments if d.status == "PRIMARY"), None)
        older = [
            d
            for d in service.deployments
            if d.status == "ACTIVE"
            and primary
            and d.task_definition_arn != primary.task_definition_arn
        ]
        return name_of(older[0].task_definition_arn) if older else None


Builder = Callable[[Scene], NextStep]


def next_step(cause: Finding, facts: Facts) -> NextStep:
    """What to do about `cause`, in words and (when one fits) as one command; a fault the
    configuration no longer shows needs new tasks, not the fix again."""
    scene = Scene(cause, facts)
    if cause.particulars.fixed_since and (cluster := scene.cluster) and (name := scene.service):
        return _redeploy(scene, cluster, name)
    if cause.particulars.unscaled_providers or cause.particulars.stuck_groups:
        return _scaling(scene)
    return _BUILDERS[cause.code](scene)


def _redeploy(scene: Scene, cluster: str, service: str) -> NextStep:
    """Start tasks on today's configuration, so they show whether the fix landed."""
    action = (
        "Today's configuration no longer shows this fault: start new tasks with a forced "
        "deployment, then diagnose again to confirm they run."
    )
    command = aws(
        "ecs",
        "update-service",
        "--cluster",
        cluster,
        "--service",
        service,
        "--force-new-deployment",
    )
    return _step(scene, action, command)


def grant_read(gap: Gap, step: Step) -> NextStep:
    """When a read the diagnosis needed was refused: the permission to grant, at `step`."""
    action = (
        f"Let ecs-why read what it needs: {gap.note}. Grant {gap.action} to the role ecs-why "
        "runs as (deploy/iam-policy.json lists them all), then diagnose again."
    )
    return NextStep(step=step, action=action)


def _step(
    scene: Scene, action: str, command: str | None = None, link: tuple[str, str] | None = None
) -> NextStep:
    label, url = link if link else (None, None)
    return NextStep(
        step=scene.cause.step,
        action=action,
        command=command,
        console_url=url,
        console_label=label,
    )


def _rollback_command(scene: Scene) -> str | None:
    revision = scene.rollback()
    if revision is None or scene.cluster is None or scene.service is None:
        return None
    return aws(
        "ecs",
        "update-service",
        "--cluster",
        scene.cluster,
        "--service",
        scene.service,
        "--task-definition",
        revision,
    )


def _rollback_words(scene: Scene) -> str:
    revision = scene.rollback()
    return (
        f" Until then, roll back to {revision}, which the service still runs." if revision else ""
    )


def _log_tail(scene: Scene) -> str | None:
    stream = scene.stream
    if stream is None:
        return None
    return aws(
        "logs",
        "get-log-events",
        "--log-group-name",
        stream.group,
        "--log-stream-name",
        stream.stream,
        "--limit",
        "50",
        "--query",
        "events[].message",
    )


def _log_link(scene: Scene) -> tuple[str, str] | None:
    stream = scene.stream
    if stream is None:
        return None
    return ("Log stream", console.log_stream(scene.region, stream.group, stream.stream))


# --------------------------------------------------------------------------- stopped-reason


def _deployment(scene: Scene) -> NextStep:
    action = "Nothing to fix: the scheduler replaced these tasks on purpose."
    if scene.cluster and scene.service:
        action += (
            " If the deployment or scale-in was unexpected, its deployments say who started it."
        )
        command = aws(
            "ecs",
            "describe-services",
            "--cluster",
            scene.cluster,
            "--services",
            scene.service,
            "--query",
            "services[0].deployments",
        )
        link = (
            "Deployments",
            console.service_deployments(scene.region, scene.cluster, scene.service),
        )
        return _step(scene, action, command, link)
    return _step(scene, action)


def _stop_task_lookup(scene: Scene) -> str:
    words = [
        "cloudtrail",
        "lookup-events",
        "--lookup-attributes",
        "AttributeKey=EventName,AttributeValue=StopTask",
    ]
    stopped = [t.stopped_at for t in scene.facts.stopped_tasks if t.stopped_at]
    if stopped:
        start = min(stopped) - timedelta(minutes=5)
        words += ["--start-time", start.strftime("%Y-%m-%dT%H:%M:%SZ")]
    return aws(*words, "--query", "Events[].[EventTime,Username]")


def _stopped_by_user(scene: Scene) -> NextStep:
    task = f" (the last was task {scene.task.task_id})" if scene.task else ""
    action = (
        f"Find who calls StopTask on these tasks{task}: CloudTrail names the user or role of each "
        "call. Then stop the script, pipeline or person doing it."
    )
    return _step(
        scene,
        action,
        _stop_task_lookup(scene),
        ("CloudTrail StopTask events", console.stop_task_events(scene.region)),
    )


def _spot(scene: Scene) -> NextStep:
    action = (
        "Spot capacity comes and goes: keep an on-demand base so the service never runs on Spot "
        "alone, and let the app finish its work within the two-minute notice."
    )
    if scene.cluster is None or scene.service is None:
        return _step(scene, action)
    command = aws(
        "ecs",
        "update-service",
        "--cluster",
        scene.cluster,
        "--service",
        scene.service,
        "--capacity-provider-strategy",
        "capacityProvider=FARGATE,base=1,weight=1",
        "capacityProvider=FARGATE_SPOT,weight=3",
        "--force-new-deployment",
    )
    return _step(scene, action, command)


def _infrastructure(scene: Scene) -> NextStep:
    instances = scene.cause.particulars.instances
    if instances:
        action = (
            f"Instance {instances[0]} went away under the tasks: see why in its state reason (and "
            "its Auto Scaling group's activity). The service replaces the tasks by itself; run at "
            "least two so one host cannot take the service down."
        )
        command = aws(
            "ec2",
            "describe-instances",
            "--instance-ids",
            *instances,
            "--query",
            "Reservations[].Instances[].[InstanceId,State.Name,StateReason.Message]",
        )
        return _step(
            scene, action, command, ("EC2 instance", console.instance(scene.region, instances[0]))
        )
    action = (
        "The platform under the tasks went away (for Fargate, a task retirement: the AWS Health "
        "Dashboard lists them). The service replaces such tasks; run at least two to ride it out."
    )
    return _step(scene, action)


def _failed_to_start(scene: Scene) -> NextStep:
    action = (
        "ECS says no more than that the task failed to start: AWS's runbook "
        f"{RUNBOOK} checks the usual reasons (image, secrets, logs, network) for this task."
    )
    return _runbook(scene, action, scene.task)


def _runbook(scene: Scene, action: str, task: Task | None) -> NextStep:
    """AWS's runbook for a task that failed to start, run on this task."""
    link = ("Run the runbook", console.runbook(scene.region, RUNBOOK))
    if scene.cluster is None or task is None:
        return _step(scene, action, link=link)
    command = aws(
        "ssm",
        "start-automation-execution",
        "--document-name",
        RUNBOOK,
        "--parameters",
        f"ClusterName={scene.cluster},TaskId={task.task_id}",
    )
    return _step(scene, action, command, link)


def _unknown(scene: Scene) -> NextStep:
    task = scene.task
    if task is not None and task.stopped_reason and scene.cluster:
        action = (
            f"Nothing ecs-why reads explains “{task.stopped_reason}”: AWS's runbook {RUNBOOK} "
            "checks this task's image, secrets, logs and network from inside the account."
        )
        return _runbook(scene, action, task)
    action = "Nothing ecs-why reads explains it; the service's latest events are the raw evidence."
    if scene.cluster is None or scene.service is None:
        return _step(scene, action)
    command = aws(
        "ecs",
        "describe-services",
        "--cluster",
        scene.cluster,
        "--services",
        scene.service,
        "--query",
        "services[0].events[:10].[createdAt,message]",
    )
    return _step(scene, action, command)


# --------------------------------------------------------------------------- exit-code


def _crash(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    particulars = scene.cause.particulars
    line = particulars.quoted
    if line is None:
        action = (
            f"{name} exits without a word in the logs ecs-why read: its log stream holds the rest."
        )
        return _step(scene, action, _rollback_command(scene) or _log_tail(scene), _log_link(scene))
    where = f" at {particulars.source}" if particulars.source else ""
    action = f"{name} fails with “{line}”{where}: fix that code path and deploy the fix."
    if particulars.variables:
        names = ", ".join(particulars.variables)
        action = (
            f"{name} fails with “{line}”{where}: it reads {names}, which the task definition "
            f"{scene.revision} does not set. Add it (or a secret of that name) in a new revision."
        )
    action += _rollback_words(scene)
    return _step(scene, action, _rollback_command(scene) or _log_tail(scene), _log_link(scene))


def _exec_denied(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    path = scene.cause.particulars.not_executable
    fix = f"`RUN chmod +x {path}`" if path else "`RUN chmod +x` on its entrypoint"
    action = (
        f"{path or 'The entrypoint'} is not executable in the image of {name}: add {fix} to its "
        "Dockerfile, push the image and deploy it." + _rollback_words(scene)
    )
    return _step(scene, action, _rollback_command(scene), _log_link(scene))


def _command_not_found(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    binary = scene.cause.particulars.binary
    container = scene.container
    runs = " ".join((*container.entry_point, *container.command)) if container else ""
    what = f"“{binary}”" if binary else "the command"
    action = (
        f"The image of {name} has no {what} on its PATH"
        + (f", but the task definition {scene.revision} runs `{runs}`" if runs else "")
        + ": install it in the image, or correct the command in a new revision."
        + _rollback_words(scene)
    )
    command = _rollback_command(scene)
    if command is None and scene.revision:
        command = aws(
            "ecs",
            "describe-task-definition",
            "--task-definition",
            scene.revision,
            "--query",
            "taskDefinition.containerDefinitions[].[name,image,entryPoint,command]",
        )
    return _step(scene, action, command)


def _out_of_memory(scene: Scene) -> NextStep:
    memory = scene.cause.particulars
    name = scene.container.name if scene.container else "the container"
    revision = scene.revision or "the task definition"
    if memory.memory_scope == "container":
        raise_it = f"raise container {name}'s memory ({memory.memory_limit} MiB)"
    elif memory.memory_scope == "task":
        raise_it = f"raise the task's memory ({memory.memory_limit} MiB)"
    elif memory.memory_reservation:
        raise_it = (
            f"give container {name} a hard memory limit above what it needs (it has only a "
            f"reservation of {memory.memory_reservation} MiB, which limits nothing), or move it "
            "to instances with more memory"
        )
    else:
        raise_it = f"give container {name} more memory"
    action = (
        f"{name} outgrows its memory: {raise_it} in a new revision of {revision}, or make it "
        "use less; the service's memory utilisation shows whether it grows until it is killed."
    )
    command = None
    if scene.cluster and scene.service:
        end = scene.facts.collected_at
        command = aws(
            "cloudwatch",
            "get-metric-statistics",
            "--namespace",
            "AWS/ECS",
            "--metric-name",
            "MemoryUtilization",
            "--dimensions",
            f"Name=ClusterName,Value={scene.cluster}",
            f"Name=ServiceName,Value={scene.service}",
            "--statistics",
            "Maximum",
            "--period",
            "300",
            "--start-time",
            (end - timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "--end-time",
            end.strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
    return _step(scene, action, command)


def _segfault(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    line = scene.cause.particulars.quoted
    seen = f" Its log says “{line}”." if line else ""
    action = (
        f"A native crash in {name}.{seen} Look at native libraries built for another libc or CPU "
        "and at recent dependency upgrades, and reproduce with the same input."
        + _rollback_words(scene)
    )
    return _step(scene, action, _rollback_command(scene) or _log_tail(scene), _log_link(scene))


def _sigterm(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the container"
    line = scene.cause.particulars.sender
    if line:
        action = (
            f"The SIGTERM comes from inside {name}: “{line}”. Fix what trips it (or tune the "
            "watchdog) rather than the stop."
        )
        return _step(scene, action, _log_tail(scene), _log_link(scene))
    action = (
        f"{name} was told to stop (exit 143) and nothing in ECS says by whom: CloudTrail's "
        "StopTask events name any caller; if there is none, something inside the container sent it."
    )
    return _step(
        scene,
        action,
        _stop_task_lookup(scene),
        ("CloudTrail StopTask events", console.stop_task_events(scene.region)),
    )


# --------------------------------------------------------------------------- logs


def _log_group(scene: Scene) -> str | None:
    containers = scene.definition.containers if scene.definition else ()
    groups = [
        c.log_options["awslogs-group"] for c in containers if "awslogs-group" in c.log_options
    ]
    named = [g for g in groups if g == scene.cause.where.log_group]
    return next(iter(named or groups), None)


def _log_group_missing(scene: Scene) -> NextStep:
    group = _log_group(scene)
    if group is None:
        action = "Create the log group the task definition names, or let awslogs create it."
        return _step(scene, action, link=("Log groups", console.log_groups(scene.region)))
    action = (
        f"Create log group {group} (or set awslogs-create-group to true and allow the execution "
        "role logs:CreateLogGroup); the next tasks start once it exists."
    )
    command = aws("logs", "create-log-group", "--log-group-name", group, "--region", scene.region)
    return _step(scene, action, command, ("Log groups", console.log_groups(scene.region)))


def _log_config_invalid(scene: Scene) -> NextStep:
    container = scene.container
    driver = container.log_driver if container and container.log_driver else "log"
    name = container.name if container else "the container"
    action = (
        f"The {driver} driver of {name} cannot start: check its logConfiguration options in "
        f"{scene.revision or 'the task definition'}"
        + (
            ", and that its log router (FireLens or a fluentd agent) is running before it starts"
            if driver in ("fluentd", "awsfirelens")
            else ""
        )
        + "."
    )
    link = None
    if scene.definition:
        link = (
            "Task definition",
            console.task_definition(
                scene.region, scene.definition.family, scene.definition.revision
            ),
        )
    return _step(scene, action, link=link)


# --------------------------------------------------------------------------- image


def _image(scene: Scene) -> tuple[str, str | None, str | None]:
    """The image at fault: its URI, ECR repository and tag."""
    images = [i for i in scene.facts.images if i.uri == scene.cause.where.image]
    image = next(iter(images or scene.facts.images), None)
    if image is not None:
        return image.uri, image.repository if image.registry == "ecr" else None, image.tag
    uri = scene.container.image if scene.container else "its image"
    return uri, None, None


def _image_not_found(scene: Scene) -> NextStep:
    uri, repository, tag = _image(scene)
    if repository is not None and _repository_missing(scene, uri):
        action = (
            f"ECR has no repository {repository}: correct the image URI {uri} in a new revision, "
            "or create the repository and push the image." + _rollback_words(scene)
        )
        command = aws("ecr", "describe-repositories", "--query", "repositories[].repositoryUri")
        return _step(scene, action, _rollback_command(scene) or command)
    if repository is None:
        action = f"{uri} does not exist: push it, or point a new revision at an image that exists."
        return _step(scene, action, _rollback_command(scene))
    action = (
        f"ECR repository {repository} has no tag {tag}: push it, or point a new revision of "
        f"{scene.revision or 'the task definition'} at one of the tags it has."
        + _rollback_words(scene)
    )
    command = aws(
        "ecr",
        "list-images",
        "--repository-name",
        repository,
        "--filter",
        "tagStatus=TAGGED",
        "--query",
        "imageIds[].imageTag",
    )
    link = None
    if scene.facts.account:
        link = (
            "ECR repository",
            console.ecr_repository(scene.region, scene.facts.account, repository),
        )
    return _step(scene, action, _rollback_command(scene) or command, link)


def _repository_missing(scene: Scene, uri: str) -> bool:
    return any(i.uri == uri and i.repository_exists is False for i in scene.facts.images)


def _execution_role_name(scene: Scene) -> str | None:
    definition = scene.definition
    arn = definition.execution_role_arn if definition else None
    return role_name(arn)


def _ecr_denied(scene: Scene) -> NextStep:
    role = _execution_role_name(scene)
    uri, repository, _ = _image(scene)
    if role is None:
        return _execution_role_missing(scene)
    action = (
        f"Let the execution role {role} pull {uri}: attach the AWS managed policy "
        "AmazonECSTaskExecutionRolePolicy"
        + (
            f", and check that the policy of repository {repository} does not deny it"
            if repository
            else ""
        )
        + "."
    )
    command = aws(
        "iam",
        "attach-role-policy",
        "--role-name",
        role,
        "--policy-arn",
        scene.execution_policy,
    )
    return _step(scene, action, command, ("IAM role", console.role(scene.region, role)))


def _registry_auth(scene: Scene) -> NextStep:
    uri, _, _ = _image(scene)
    registry = uri.split("/", 1)[0]
    container = scene.container
    role = _execution_role_name(scene) or "the execution role"
    credentials = container.repository_credentials if container else None
    if credentials:
        action = (
            f"{registry} refuses the credentials in {credentials}: check that the secret holds a "
            f"valid username and password and that {role} may read it."
        )
        command = aws("secretsmanager", "describe-secret", "--secret-id", credentials)
        return _step(scene, action, command, ("Secret", console.secret(scene.region, credentials)))
    action = (
        f"{registry} wants credentials and the task sends none: store its username and password "
        f"as a Secrets Manager secret, name it in repositoryCredentials of "
        f"{container.name if container else 'the container'}, and let {role} read it."
    )
    return _step(scene, action)


def _platform_mismatch(scene: Scene) -> NextStep:
    uri, _, _ = _image(scene)
    definition = scene.definition
    arch = (definition.cpu_architecture if definition else None) or "X86_64"
    platform = "linux/arm64" if arch == "ARM64" else "linux/amd64"
    action = (
        f"{uri} is not built for the task's {platform}: build and push it for that platform "
        f"(`docker buildx build --platform {platform}`, or a multi-architecture image), or set "
        "runtimePlatform.cpuArchitecture to the image's architecture in a new revision."
        + _rollback_words(scene)
    )
    return _step(scene, action, _rollback_command(scene))


# --------------------------------------------------------------------------- iam


def _create_role(name: str) -> str:
    return aws(
        "iam",
        "create-role",
        "--role-name",
        name,
        "--assume-role-policy-document",
        compact(TRUST_ECS_TASKS),
    )


def _execution_role_missing(scene: Scene) -> NextStep:
    family = scene.definition.family if scene.definition else (scene.service or "ecs")
    name = f"{family}-execution-role"
    action = (
        f"Create an execution role for {scene.revision or family} with the AWS managed policy "
        "AmazonECSTaskExecutionRolePolicy, set it as executionRoleArn in a new revision, and "
        "update the service to that revision."
    )
    command = "\n".join(
        (
            _create_role(name),
            aws(
                "iam",
                "attach-role-policy",
                "--role-name",
                name,
                "--policy-arn",
                scene.execution_policy,
            ),
        )
    )
    return _step(scene, action, command)


def _role_at_fault(scene: Scene) -> tuple[str, str] | None:
    """(kind, name) of the task definition's role the cause is about."""
    definition = scene.definition
    name = scene.cause.where.role
    if definition is None or name is None:
        return None
    for kind, role_arn in (
        ("execution", definition.execution_role_arn),
        ("task", definition.task_role_arn),
    ):
        if role_name(role_arn) == name:
            return kind, name
    return None


def _role_not_found(scene: Scene) -> NextStep:
    fault = _role_at_fault(scene)
    if fault is None:
        action = "Create the role the task definition names, or point it at one that exists."
        return _step(scene, action)
    kind, name = fault
    action = (
        f"IAM has no role {name}, which {scene.revision} names as its {kind} role: create it "
        "trusted by ecs-tasks.amazonaws.com"
        + (
            " with AmazonECSTaskExecutionRolePolicy"
            if kind == "execution"
            else " with what the app needs"
        )
        + ", or point a new revision at a role that exists."
    )
    lines = [_create_role(name)]
    if kind == "execution":
        lines.append(
            aws(
                "iam",
                "attach-role-policy",
                "--role-name",
                name,
                "--policy-arn",
                scene.execution_policy,
            )
        )
    return _step(scene, action, "\n".join(lines))


def _trust_policy(scene: Scene) -> NextStep:
    fault = _role_at_fault(scene)
    if fault is None:
        action = "Let the role trust ecs-tasks.amazonaws.com to assume it (sts:AssumeRole)."
        return _step(scene, action)
    _, name = fault
    action = (
        f"Role {name} trusts another service, not ECS tasks: replace its trust policy with one "
        "that lets ecs-tasks.amazonaws.com assume it."
    )
    command = aws(
        "iam",
        "update-assume-role-policy",
        "--role-name",
        name,
        "--policy-document",
        compact(TRUST_ECS_TASKS),
    )
    return _step(scene, action, command, ("IAM role", console.role(scene.region, name)))


def _secrets_denied(scene: Scene) -> NextStep:
    role = _execution_role_name(scene)
    containers = scene.definition.containers if scene.definition else ()
    reads: dict[str, list[str]] = {}
    for container in containers:
        for secret in container.secrets:
            action_name, resource = secret_read(scene.facts, secret.value_from)
            reads.setdefault(action_name, []).append(resource)
    if role is None or not reads:
        action = (
            "Let the execution role read the task's secrets (and decrypt them with their KMS key)."
        )
        return _step(scene, action)
    statements = [
        {"Effect": "Allow", "Action": name, "Resource": sorted(set(resources))}
        for name, resources in reads.items()
    ]
    policy = {"Version": "2012-10-17", "Statement": statements}
    action = (
        f"Allow {role} to read the task's secrets with this inline policy; add kms:Decrypt on "
        "their key if it is customer-managed."
    )
    command = aws(
        "iam",
        "put-role-policy",
        "--role-name",
        role,
        "--policy-name",
        "read-task-secrets",
        "--policy-document",
        compact(policy),
    )
    return _step(scene, action, command, ("IAM role", console.role(scene.region, role)))


def _task_role_missing(scene: Scene) -> NextStep:
    name = scene.container.name if scene.container else "the app"
    family = scene.definition.family if scene.definition else (scene.service or "ecs")
    line = scene.cause.particulars.quoted
    said = f" (“{line}”)" if line else ""
    action = (
        f"{name} finds no AWS credentials{said}: create a task role with the permissions the app "
        f"needs and set it as taskRoleArn (not executionRoleArn) in a new revision of {family}."
    )
    return _step(scene, action, _create_role(f"{family}-task-role"))


# --------------------------------------------------------------------------- network


def _no_route(scene: Scene) -> NextStep:
    subnets = scene.subnets()
    network = scene.facts.network
    tables = list(dict.fromkeys(s.route_table_id for s in subnets if s.route_table_id))
    names = ", ".join(s.id for s in subnets) or "the task's subnet"
    action = (
        f"{names} has no way out: route 0.0.0.0/0 of "
        f"{', '.join(tables) or 'its route table'} to a NAT gateway (the command lists the VPC's), "
        "or turn on a public IP with an internet gateway route, or add VPC endpoints for ECR, S3, "
        "CloudWatch Logs and the secrets the task reads."
    )
    link = ("Route table", console.route_table(scene.region, tables[0])) if tables else None
    if network is None or network.vpc_id is None:
        return _step(scene, action, link=link)
    command = aws(
        "ec2",
        "describe-nat-gateways",
        "--filter",
        f"Name=vpc-id,Values={network.vpc_id}",
        "--query",
        "NatGateways[].[NatGatewayId,SubnetId,State]",
    )
    return _step(scene, action, command, link)


def _missing_endpoint(scene: Scene) -> NextStep:
    network = scene.facts.network
    subnets = scene.subnets()
    if network is None or network.vpc_id is None:
        return _step(scene, "Create the VPC endpoints the task needs in its VPC.")
    present = {endpoint_suffix(endpoint) for endpoint in network.vpc_endpoints}
    missing = [name for name in needed_endpoints(scene.facts) if name not in present]
    tables = list(dict.fromkeys(s.route_table_id for s in subnets if s.route_table_id))
    groups = [g.id for g in network.security_groups]
    lines = []
    for name in missing:
        service = f"com.amazonaws.{scene.region}.{name}"
        if name == "s3" and tables:
            lines.append(
                aws(
                    "ec2",
                    "create-vpc-endpoint",
                    "--vpc-id",
                    network.vpc_id,
                    "--vpc-endpoint-type",
                    "Gateway",
                    "--service-name",
                    service,
                    "--route-table-ids",
                    *tables,
                )
            )
        elif name != "s3" and subnets:
            lines.append(
                aws(
                    "ec2",
                    "create-vpc-endpoint",
                    "--vpc-id",
                    network.vpc_id,
                    "--vpc-endpoint-type",
                    "Interface",
                    "--service-name",
                    service,
                    "--subnet-ids",
                    *(s.id for s in subnets),
                    *(("--security-group-ids", *groups) if groups else ()),
                    "--private-dns-enabled",
                )
            )
    what = ", ".join(missing) or "the endpoints it needs"
    action = (
        f"{network.vpc_id} has no NAT for the task and lacks the {what} endpoint"
        f"{'s' if len(missing) > 1 else ''}: create "
        + ("it" if len(missing) == 1 else "them")
        + (" (S3 is a gateway endpoint on the subnet's route table)" if "s3" in missing else "")
        + "."
    )
    return _step(
        scene,
        action,
        "\n".join(lines) or None,
        ("VPC endpoints", console.vpc_endpoints(scene.region, network.vpc_id)),
    )


def _no_egress(scene: Scene) -> NextStep:
    network = scene.facts.network
    groups = [g for g in (network.security_groups if network else ()) if not g.egress]
    group = groups[0] if groups else None
    if group is None:
        action = "Give the task's security groups outbound rules: at least HTTPS 443."
        return _step(scene, action)
    action = (
        f"Security group {group.id} ({group.name}) lets nothing out: allow at least HTTPS 443 "
        "(to ECR, S3, logs and secrets), plus what the app itself talks to."
    )
    command = aws(
        "ec2",
        "authorize-security-group-egress",
        "--group-id",
        group.id,
        "--ip-permissions",
        "IpProtocol=tcp,FromPort=443,ToPort=443,IpRanges=[{CidrIp=0.0.0.0/0}]",
    )
    return _step(
        scene, action, command, ("Security group", console.security_group(scene.region, group.id))
    )


def _efs(scene: Scene) -> NextStep:
    volumes = scene.definition.efs_volumes if scene.definition else ()
    volume = volumes[0] if volumes else None
    zone = scene.task.availability_zone if scene.task else None
    subnet = scene.task.subnet_id if scene.task else None
    if volume is None:
        return _step(
            scene, "Check the EFS volume's mount targets, port 2049 and the VPC's DNS settings."
        )
    zones = (
        scene.facts.network.efs_mount_target_zones.get(volume.file_system_id)
        if scene.facts.network
        else None
    )
    link = ("EFS file system", console.efs_file_system(scene.region, volume.file_system_id))
    if zones is not None and zone and zone not in zones and subnet:
        groups = [g.id for g in scene.facts.network.security_groups] if scene.facts.network else []
        action = (
            f"{volume.file_system_id} has no mount target in {zone}, where the task ran: add one "
            f"in {subnet}, with a security group that lets the task in on TCP 2049."
        )
        command = aws(
            "efs",
            "create-mount-target",
            "--file-system-id",
            volume.file_system_id,
            "--subnet-id",
            subnet,
            *(("--security-groups", *groups) if groups else ()),
        )
        return _step(scene, action, command, link)
    action = (
        f"Check that {volume.file_system_id} has a mount target in each zone of the task's "
        "subnets, that TCP 2049 is open between the task and them, and that the VPC resolves "
        "DNS names."
    )
    command = aws("efs", "describe-mount-targets", "--file-system-id", volume.file_system_id)
    return _step(scene, action, command, link)


# --------------------------------------------------------------------------- resources


def _instances_link(scene: Scene) -> tuple[str, str] | None:
    if scene.cluster is None:
        return None
    return ("Cluster infrastructure", console.cluster_instances(scene.region, scene.cluster))


def _capacity(scene: Scene) -> NextStep:
    particulars = scene.cause.particulars
    if scene.cause.code is Cause.INSUFFICIENT_CPU:
        what, free = "CPU", f"{particulars.cpu_needed or 'enough'} CPU units"
    else:
        what, free = "memory", f"{particulars.memory_needed or 'enough'} MiB of memory"
    cluster = scene.cluster or "the cluster"
    action = (
        f"No container instance has {free} free for the task: add container instances to "
        f"{cluster} (its Auto Scaling group, or a capacity provider with managed scaling), or "
        f"lower the task's {what} in a new revision."
    )
    command = None
    if scene.cluster:
        command = aws(
            "ecs", "list-container-instances", "--cluster", scene.cluster, "--status", "ACTIVE"
        )
    return _step(scene, action, command, _instances_link(scene))


def _scaling(scene: Scene) -> NextStep:
    """Tasks wait for an EC2 capacity provider: turn its managed scaling on, or find why its
    Auto Scaling group, scaled by ECS, does not grow."""
    particulars = scene.cause.particulars
    if unscaled := particulars.unscaled_providers:
        action = (
            f"Capacity provider {unscaled[0]} has managed scaling off, so ECS launches no "
            "instance for the tasks that wait: turn managed scaling on (or set the Auto Scaling "
            "group's desired capacity by hand)."
        )
        command = aws(
            "ecs",
            "update-capacity-provider",
            "--name",
            unscaled[0],
            "--auto-scaling-group-provider",
            "managedScaling={status=ENABLED,targetCapacity=100}",
        )
        return _step(scene, action, command, _instances_link(scene))
    group = particulars.stuck_groups[0]
    action = (
        f"ECS scales Auto Scaling group {group}, yet it does not grow: raise its maximum size if "
        "it is at it, else see its scaling activities for instances that fail to launch or to "
        "join the cluster."
    )
    command = aws(
        "autoscaling",
        "describe-scaling-activities",
        "--auto-scaling-group-name",
        group,
        "--max-records",
        "5",
    )
    return _step(scene, action, command, _instances_link(scene))


def _port_in_use(scene: Scene) -> NextStep:
    ports = ", ".join(map(str, scene.cause.particulars.host_ports))
    taken = f"Host port {ports} is" if ports else "A host port the task needs is"
    action = (
        f"{taken} already taken on every container instance: a fixed host port fits one task "
        "per instance. Use host port 0 (dynamic ports behind the load balancer) or awsvpc "
        "networking in a new revision, or add instances."
    )
    return _step(scene, action, link=_instances_link(scene))


def _no_instances(scene: Scene) -> NextStep:
    cluster = scene.cluster or "the cluster"
    action = (
        f"{cluster} has no connected container instance: launch instances with "
        f"ECS_CLUSTER={cluster} in /etc/ecs/ecs.config and an instance profile with "
        "AmazonEC2ContainerServiceforEC2Role, "
        "or find why their agents disconnected; or move the service to Fargate."
    )
    command = None
    if scene.cluster:
        command = aws("ecs", "list-container-instances", "--cluster", scene.cluster)
    return _step(scene, action, command, _instances_link(scene))


def _fargate_capacity(scene: Scene) -> NextStep:
    subnets = scene.facts.service.subnets if scene.facts.service else ()
    now = f" (now {', '.join(subnets)})" if subnets else ""
    action = (
        "Fargate has no capacity for this task size in the service's zones right now: give the "
        f"service subnets in more Availability Zones{now}, retry later, or mix in FARGATE_SPOT."
    )
    return _step(scene, action)


def _service_quota(scene: Scene) -> NextStep:
    code, quota, name = FARGATE_VCPU if scene.facts.on_fargate else EC2_VCPU
    definition, service = scene.definition, scene.facts.service
    total = ""
    if definition and definition.cpu and definition.cpu.isdigit() and service:
        vcpus = int(definition.cpu) / 1024 * service.desired
        total = f"; {service.desired} tasks of {scene.revision} ask for {vcpus:g} vCPUs in all"
    action = (
        f"The account's “{name}” quota in {scene.region} is used up{total}. Request an increase "
        "(Service Quotas), or lower desired counts elsewhere."
    )
    command = aws(
        "service-quotas", "get-service-quota", "--service-code", code, "--quota-code", quota
    )
    return _step(
        scene, action, command, ("Service Quotas", console.service_quotas(scene.region, code))
    )


def _disk_full(scene: Scene) -> NextStep:
    if scene.facts.on_fargate:
        action = (
            "The task ran out of ephemeral storage: raise ephemeralStorage (up to 200 GiB) in a "
            "new revision, or slim the image."
        )
        return _step(scene, action)
    task = scene.task
    instance = None
    if task and task.container_instance_arn and scene.facts.cluster:
        instance = next(
            (
                i.ec2_instance_id
                for i in scene.facts.cluster.instances
                if i.arn == task.container_instance_arn
            ),
            None,
        )
    where = f"Instance {instance}" if instance else "The container instance"
    action = (
        f"{where} is out of disk: see what fills its Docker volume (`docker system df`), prune "
        "unused images, cap container logs (json-file max-size) or grow the volume."
    )
    link = ("EC2 instance", console.instance(scene.region, instance)) if instance else None
    return _step(scene, action, link=link)


# --------------------------------------------------------------------------- health-check


def _start_period(scene: Scene) -> NextStep:
    container = next(
        (c for c in (scene.definition.containers if scene.definition else ()) if c.health_check),
        None,
    )
    check = container.health_check if container else None
    name = container.name if container else "the container"
    now = f"{check.start_period} s" if check else "its start period"
    action = (
        f"Raise the health check startPeriod of {name} (now {now}) above the app's start-up time, "
        f"up to 300 s, in a new revision of {scene.revision or 'the task definition'}; behind a "
        "load balancer set the service's health check grace period too."
    )
    command = None
    if (
        scene.cluster
        and scene.service
        and scene.facts.service
        and scene.facts.service.load_balancers
    ):
        command = aws(
            "ecs",
            "update-service",
            "--cluster",
            scene.cluster,
            "--service",
            scene.service,
            "--health-check-grace-period-seconds",
            "300",
        )
    return _step(scene, action, command)


def _health_failing(scene: Scene) -> NextStep:
    container = next(
        (c for c in (scene.definition.containers if scene.definition else ()) if c.health_check),
        None,
    )
    name = container.name if container else "the container"
    check = container.health_check if container else None
    runs = " ".join(word for word in check.command if word != "CMD-SHELL") if check else None
    action = (
        f"Run {name}'s check by hand in a running task"
        + (f" (`{runs}`)" if runs else "")
        + ": the command must exist in the image, target the port the app listens on, and exit 0 "
        "when the app is healthy."
    )
    running = scene.facts.running_tasks
    if not (running and scene.cluster and container):
        return _step(scene, action, _log_tail(scene), _log_link(scene))
    command = aws(
        "ecs",
        "execute-command",
        "--cluster",
        scene.cluster,
        "--task",
        running[0].task_id,
        "--container",
        container.name,
        "--interactive",
        "--command",
        "sh",
    )
    return _step(scene, action, command)


def _target_group(scene: Scene) -> tuple[str, str] | None:
    """(arn, name) of the target group the evidence names, else the service's first."""
    groups = [(g.arn, g.name) for g in scene.facts.target_groups]
    if not groups and scene.facts.service:
        groups = [
            (r.target_group_arn, r.target_group_arn.split("/")[-2])
            for r in scene.facts.service.load_balancers
        ]
    named = [g for g in groups if g[1] == scene.cause.where.target_group]
    return next(iter(named or groups), None)


def _served_port(scene: Scene) -> int | None:
    service = scene.facts.service
    refs = service.load_balancers if service else ()
    if refs:
        return refs[0].container_port
    container = scene.container
    return (
        container.port_mappings[0].container_port if container and container.port_mappings else None
    )


def _port_mismatch(scene: Scene) -> NextStep:
    group = _target_group(scene)
    port = _served_port(scene)
    if group is None:
        return _step(scene, "Make the target group health-check the port the container serves.")
    arn, name = group
    action = (
        f"Target group {name} health-checks a port the container does not serve: check the "
        f"traffic port{f' ({port})' if port else ''} instead."
    )
    command = aws(
        "elbv2",
        "modify-target-group",
        "--target-group-arn",
        arn,
        "--health-check-port",
        "traffic-port",
    )
    return _step(scene, action, command, ("Target group", console.target_group(scene.region, arn)))


def _elb_health(scene: Scene) -> NextStep:
    group = _target_group(scene)
    if group is None:
        return _step(scene, "Compare the load balancer's health check with what the app answers.")
    arn, name = group
    details = next((g for g in scene.facts.target_groups if g.arn == arn), None)
    checked = details.health_check_path if details else None
    link = ("Target group", console.target_group(scene.region, arn))
    particulars = scene.cause.particulars
    codes = ", ".join(map(str, particulars.status_codes))
    if codes and (path := particulars.health_path):
        action = (
            f"The app answers {codes} to {checked or 'the health check path'} but serves its "
            f"health check at {path}: point target group {name} at {path}."
        )
        command = aws(
            "elbv2", "modify-target-group", "--target-group-arn", arn, "--health-check-path", path
        )
        return _step(scene, action, command, link)
    action = (
        f"Targets of {name} fail its health check"
        + (f" on {checked}" if checked else "")
        + (f" with {codes}" if codes else "")
        + ": compare its path, port and success codes with what the app answers, let the load "
        "balancer's security group reach the task, and give slow starters a grace period."
    )
    command = aws("elbv2", "describe-target-health", "--target-group-arn", arn)
    return _step(scene, action, command, link)


_BUILDERS: dict[Cause, Builder] = {
    Cause.DEPLOYMENT_OR_SCALE_IN: _deployment,
    Cause.STOPPED_BY_USER: _stopped_by_user,
    Cause.SPOT_INTERRUPTION: _spot,
    Cause.INFRASTRUCTURE: _infrastructure,
    Cause.TASK_FAILED_TO_START: _failed_to_start,
    Cause.APP_CRASH: _crash,
    Cause.EXEC_PERMISSION_DENIED: _exec_denied,
    Cause.COMMAND_NOT_FOUND: _command_not_found,
    Cause.OUT_OF_MEMORY: _out_of_memory,
    Cause.SEGFAULT: _segfault,
    Cause.SIGTERM: _sigterm,
    Cause.LOG_GROUP_MISSING: _log_group_missing,
    Cause.LOG_CONFIG_INVALID: _log_config_invalid,
    Cause.IMAGE_NOT_FOUND: _image_not_found,
    Cause.ECR_PERMISSION_DENIED: _ecr_denied,
    Cause.REGISTRY_AUTH: _registry_auth,
    Cause.PLATFORM_MISMATCH: _platform_mismatch,
    Cause.EXECUTION_ROLE_MISSING: _execution_role_missing,
    Cause.ROLE_NOT_FOUND: _role_not_found,
    Cause.TRUST_POLICY: _trust_policy,
    Cause.SECRETS_ACCESS_DENIED: _secrets_denied,
    Cause.TASK_ROLE_MISSING: _task_role_missing,
    Cause.NO_ROUTE_TO_INTERNET: _no_route,
    Cause.MISSING_VPC_ENDPOINT: _missing_endpoint,
    Cause.SECURITY_GROUP_NO_EGRESS: _no_egress,
    Cause.EFS_MOUNT_FAILED: _efs,
    Cause.INSUFFICIENT_CPU: _capacity,
    Cause.INSUFFICIENT_MEMORY: _capacity,
    Cause.NO_CONTAINER_INSTANCES: _no_instances,
    Cause.FARGATE_CAPACITY: _fargate_capacity,
    Cause.SERVICE_QUOTA: _service_quota,
    Cause.PORT_IN_USE: _port_in_use,
    Cause.DISK_FULL: _disk_full,
    Cause.HEALTH_CHECK_START_PERIOD: _start_period,
    Cause.HEALTH_CHECK_FAILING: _health_failing,
    Cause.HEALTH_CHECK_PORT_MISMATCH: _port_mismatch,
    Cause.ELB_HEALTH_CHECK: _elb_health,
    Cause.UNKNOWN: _unknown,
}
