"""What the AWS CLI accepts, read from botocore's service models: so a command we print is
one the CLI runs (the operation exists, every option is one of its parameters or a global
option, every required parameter is there)."""

from __future__ import annotations

import shlex
from functools import cache

import botocore.session
from botocore import xform_name
from botocore.model import OperationModel, StructureShape

# https://docs.aws.amazon.com/cli/latest/reference/#options
GLOBAL_OPTIONS = frozenset(
    {"region", "query", "output", "profile", "endpoint-url", "no-cli-pager", "debug", "no-paginate"}
)


@cache
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@cache
def operation(service: str, name: str) -> OperationModel | None:
    model = _session().get_service_model(service)
    by_cli_name = {xform_name(op, "-"): op for op in model.operation_names}
    return model.operation_model(by_cli_name[name]) if name in by_cli_name else None


def problems(command: str) -> list[str]:
    """Why the AWS CLI would refuse `command`; empty when it would run it."""
    try:
        words = shlex.split(command)
    except ValueError as error:
        return [f"does not parse: {error}"]
    if len(words) < 3 or words[0] != "aws":
        return ["not an `aws SERVICE OPERATION` command"]
    service, name = words[1], words[2]
    if service not in _session().get_available_services():
        return [f"no service {service}"]
    op = operation(service, name)
    if op is None:
        return [f"{service} has no operation {name}"]
    shape = op.input_shape
    members = shape.members if isinstance(shape, StructureShape) else {}
    options = {xform_name(member, "-"): member for member in members}
    booleans = {o for o, m in options.items() if members[m].type_name == "boolean"}
    given = [word[2:] for word in words[3:] if word.startswith("--")]
    found = [
        f"{service} {name} has no option --{option}"
        for option in given
        if option not in options
        and option not in GLOBAL_OPTIONS
        and not (option.startswith("no-") and option[3:] in booleans)
    ]
    required = shape.required_members if isinstance(shape, StructureShape) else []
    found += [
        f"{service} {name} needs --{xform_name(member, '-')}"
        for member in required
        if xform_name(member, "-") not in given
    ]
    return found
