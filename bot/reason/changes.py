"""What changed: the last revision that ran healthy, and how the failing one differs from it.

Pure. The baseline comes from the best source at hand: the service deployments API (the
revision the failing deployment replaced, else the last successful one), then the service's
`deployments[]` (the ACTIVE deployment still running the old configuration, or after a
rollback the PRIMARY one), then the task-definition family's revisions, preferring one the
archive shows was replaced on purpose.
Environment variables and secrets are compared by name only: never a value.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from bot.model import (
    Changes,
    ContainerDefinition,
    Facts,
    FieldChange,
    Service,
    ServiceDeployment,
    Task,
    TaskDefinition,
)
from bot.parse.arns import family_and_revision
from bot.redact import redact, redact_argv

# The stop code of a task the scheduler replaced on purpose (a deployment, a scale-in).
REPLACED = "ServiceSchedulerInitiated"


def baseline_arn(
    failing_arn: str,
    service: Service | None,
    family_arns: Sequence[str],
    stops: Iterable[Task],
    deployments: Sequence[ServiceDeployment] = (),
) -> tuple[str, str] | None:
    """The last revision before `failing_arn` that ran healthy, and its source."""
    failing = family_and_revision(failing_arn)
    if failing is None:
        return None

    def earlier(arn: str | None) -> bool:
        other = family_and_revision(arn or "")
        return other is not None and other[0] == failing[0] and other[1] < failing[1]

    replaced = [s for d in deployments if d.target == failing_arn for s in d.sources if earlier(s)]
    if replaced:
        return max(replaced, key=_revision), "deployments-api"
    succeeded = [d.target for d in deployments if d.status == "SUCCESSFUL" and earlier(d.target)]
    if succeeded and succeeded[0]:
        return succeeded[0], "deployments-api"  # the newest successful deployment

    live = service.deployments if service else ()
    # After a rollback the PRIMARY deployment is the healthy one; during a rollout that is
    # failing, the ACTIVE one still runs the old configuration.
    for status in ("PRIMARY", "ACTIVE"):
        candidates = [
            d.task_definition_arn
            for d in live
            if d.status == status and earlier(d.task_definition_arn)
        ]
        if candidates:
            return max(candidates, key=_revision), "deployments"
    older = [arn for arn in family_arns if earlier(arn)]
    on_purpose = {t.task_definition_arn for t in stops if t.stop_code == REPLACED}
    preferred = [arn for arn in older if arn in on_purpose] or older
    return (max(preferred, key=_revision), "family") if preferred else None


def _revision(arn: str) -> int:
    found = family_and_revision(arn)
    return found[1] if found else -1


def image_digests(tasks: Iterable[Task]) -> dict[tuple[str, str], str]:
    """(task definition ARN, container) → the image digest its tasks resolved."""
    return {
        (task.task_definition_arn, c.name): c.image_digest
        for task in tasks
        for c in task.containers
        if c.image_digest
    }


def diff(
    before: TaskDefinition,
    after: TaskDefinition,
    digests: dict[tuple[str, str], str] | None = None,
) -> tuple[FieldChange, ...]:
    """Every field that explains failures and differs, task level first, then per container."""
    changes = [
        FieldChange(container=None, field=name, before=_show(old), after=_show(new))
        for name, old, new in (
            ("cpu", before.cpu, after.cpu),
            ("memory", before.memory, after.memory),
            ("executionRoleArn", before.execution_role_arn, after.execution_role_arn),
            ("taskRoleArn", before.task_role_arn, after.task_role_arn),
            ("runtimePlatform", _platform(before), _platform(after)),
            ("volumes", before.volumes, after.volumes),
        )
        if old != new
    ]
    olds = {c.name: c for c in before.containers}
    news = {c.name: c for c in after.containers}
    if olds.keys() != news.keys():
        changes.append(
            FieldChange(
                container=None,
                field="containerDefinitions",
                before=_show(tuple(olds)),
                after=_show(tuple(news)),
            )
        )
    seen = digests or {}
    for name in (n for n in news if n in olds):
        old, new = olds[name], news[name]
        for field, read in CONTAINER_FIELDS:
            if read(old) != read(new):
                changes.append(
                    FieldChange(
                        container=name, field=field, before=_show(read(old)), after=_show(read(new))
                    )
                )
        old_digest, new_digest = seen.get((before.arn, name)), seen.get((after.arn, name))
        if old_digest and new_digest and old_digest != new_digest:
            changes.append(
                FieldChange(
                    container=name, field="imageDigest", before=old_digest, after=new_digest
                )
            )
        changes += _names_changed(name, "environment", old.environment_names, new.environment_names)
        changes += _names_changed(
            name, "secrets", (s.name for s in old.secrets), (s.name for s in new.secrets)
        )
    return tuple(changes)


def _platform(definition: TaskDefinition) -> tuple[str | None, str | None]:
    return definition.cpu_architecture, definition.os_family


def _health(container: ContainerDefinition) -> Any:
    return container.health_check.model_dump() if container.health_check else None


def _log(container: ContainerDefinition) -> Any:
    # Options are already masked where they could hold a credential (bot/aws/ecs.py).
    return {"logDriver": container.log_driver, "options": container.log_options}


CONTAINER_FIELDS: tuple[tuple[str, Callable[[ContainerDefinition], Any]], ...] = (
    ("image", lambda c: c.image),
    ("command", lambda c: c.command),
    ("entryPoint", lambda c: c.entry_point),
    ("user", lambda c: c.user),
    ("workingDirectory", lambda c: c.working_directory),
    ("environmentFiles", lambda c: c.environment_files),
    ("cpu", lambda c: c.cpu),
    ("memory", lambda c: c.memory),
    ("memoryReservation", lambda c: c.memory_reservation),
    ("healthCheck", _health),
    ("portMappings", lambda c: tuple(f"{p.container_port}/{p.protocol}" for p in c.port_mappings)),
    ("logConfiguration", _log),
    ("dependsOn", lambda c: tuple(f"{d.container}:{d.condition}" for d in c.depends_on)),
    ("mountPoints", lambda c: c.mount_points),
)


def _names_changed(
    container: str, field: str, before: Iterable[str], after: Iterable[str]
) -> list[FieldChange]:
    """Names removed (before) and added (after): the only thing said of env vars and secrets."""
    old, new = set(before), set(after)
    if old == new:
        return []
    removed, added = sorted(old - new), sorted(new - old)
    return [
        FieldChange(
            container=container,
            field=field,
            before="removed: " + ", ".join(removed) if removed else "",
            after="added: " + ", ".join(added) if added else "",
        )
    ]


def _show(value: Any) -> str:
    """A field's value as shown, redacted: a command line may carry a password."""
    if value is None:
        return "none"
    if isinstance(value, tuple | list) and all(isinstance(item, str) for item in value):
        value = redact_argv(value)  # `--password` and its value are two items
    if isinstance(value, tuple | list | dict):
        value = json.dumps(list(value) if isinstance(value, tuple) else value, sort_keys=True)
    return redact(str(value))


def changes_of(facts: Facts) -> Changes | None:
    """What differs between the baseline and the focus task's revision; None when unknown."""
    failing, baseline = facts.task_definition, facts.baseline
    if failing is None or baseline is None or baseline.arn == failing.arn:
        return None
    archived = facts.archive.stops if facts.archive else ()
    digests = image_digests((*facts.stopped_tasks, *facts.running_tasks, *archived))
    for deployment in facts.service_deployments:  # what each revision resolved, per the API
        for arn, images in deployment.digests.items():
            digests.update({(arn, container): digest for container, digest in images.items()})
    return Changes(
        from_arn=baseline.arn,
        from_revision=baseline.revision,
        to_arn=failing.arn,
        to_revision=failing.revision,
        source=facts.baseline_source or "family",
        fields=diff(baseline, failing, digests),
    )
