"""The card's AWS CLI commands run where the diagnosis read: each carries `--region`, and for a
configured account with a `profile`, `--profile`, so a command pasted from another account's
shell or default region still reads the right service."""

from __future__ import annotations

import shlex

from bot.model import Diagnosis


def scoped(command: str, region: str, profile: str | None = None) -> str:
    """Every `aws …` line of `command` with `--region` (and `--profile`) unless it has one."""
    lines = []
    for line in command.splitlines():
        if line.startswith("aws "):
            if " --region " not in f"{line} ":
                line += f" --region {shlex.quote(region)}"
            if profile and " --profile " not in f"{line} ":
                line += f" --profile {shlex.quote(profile)}"
        lines.append(line)
    return "\n".join(lines)


def with_scope(diagnosis: Diagnosis, profile: str | None = None) -> Diagnosis:
    """The diagnosis with its next step's command scoped to its region and profile."""
    step = diagnosis.next_step
    if step is None or not step.command:
        return diagnosis
    command = scoped(step.command, diagnosis.region, profile)
    return diagnosis.model_copy(update={"next_step": step.model_copy(update={"command": command})})
