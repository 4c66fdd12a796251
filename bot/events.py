"""One archive line (an EventBridge event, CONTRACT §5) read defensively: the one place where a
line from the archive becomes data, for diagnoses (`--since`), `ecs-why watch` and the follower.

The archive is written by whatever may put events on the bus, so a line is hostile until
proven otherwise. Its size is capped before anything parses it, its nesting depth is counted
before the JSON parser sees it, and only the fields we use are kept, each of its type (strict:
no `"4"` for 4, no `true` for 1). Times become timezone-aware UTC (AWS writes them in UTC; a
zone-less one is read as UTC) and must fall between 2014 (before ECS) and a day from now. A
line that fails any of this is a `BadLine` with a short reason, never an exception. Pure.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic.alias_generators import to_camel

from bot.parse.arns import account_of, region_of

DetailType = Literal["ECS Task State Change", "ECS Service Action", "ECS Deployment State Change"]
TASK_CHANGE, SERVICE_ACTION, DEPLOYMENT_CHANGE = DETAIL_TYPES = get_args(DetailType)

# CloudWatch Logs takes events of up to 256 KiB, so no real line is longer.
MAX_LINE = 256 * 1024
# An ECS event nests about 6 deep (detail → containers → networkInterfaces → …).
MAX_DEPTH = 32
EARLIEST = datetime(2014, 1, 1, tzinfo=UTC)  # ECS was announced in November 2014
AHEAD = timedelta(days=1)  # clocks disagree a little; a year ahead is no clock

_ESCAPE = re.compile(r"\\.", re.DOTALL)
_STRING = re.compile(r'"[^"]*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_ONE_KIND = str.maketrans("{}", "[]")  # for depth, an object nests like an array


@dataclass(frozen=True)
class BadLine:
    """A line that is no archived ECS event; `reason` is short and never quotes the line."""

    reason: str


def _utc(value: datetime, info: ValidationInfo) -> datetime:
    now = info.context["now"] if info.context else datetime.now(UTC)
    # Judged on the year first: shifting year 1 or 9999 to UTC would overflow.
    if not EARLIEST.year <= value.year <= (now + AHEAD).year:
        raise ValueError("a time before 2014 or after tomorrow")
    when = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not EARLIEST <= when <= now + AHEAD:
        raise ValueError("a time before 2014 or after tomorrow")
    return when


UtcTime = Annotated[datetime, AfterValidator(_utc)]


class _Fields(BaseModel):
    """Only the fields we use, each strictly of its type; camelCase as ECS writes them."""

    model_config = ConfigDict(
        strict=True, frozen=True, extra="ignore", alias_generator=to_camel, populate_by_name=True
    )


class Container(_Fields):
    name: str = ""
    exit_code: int | None = None
    reason: str | None = None
    last_status: str | None = None
    image: str | None = None
    image_digest: str | None = None


class AttachmentDetail(_Fields):
    name: str
    value: str | None = None


class Attachment(_Fields):
    type: str | None = None
    details: tuple[AttachmentDetail, ...] = ()


class Detail(_Fields):
    """A task change's detail (the shape of a DescribeTasks task), or a service or deployment
    event's."""

    task_arn: str | None = None
    cluster_arn: str | None = None
    version: int | None = None
    task_definition_arn: str | None = None
    last_status: str | None = None
    desired_status: str | None = None
    group: str | None = None
    launch_type: str | None = None
    capacity_provider_name: str | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    container_instance_arn: str | None = None
    availability_zone: str | None = None
    created_at: UtcTime | None = None
    started_at: UtcTime | None = None
    stopping_at: UtcTime | None = None
    stopped_at: UtcTime | None = None
    updated_at: UtcTime | None = None
    containers: tuple[Container, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    event_name: str | None = None
    reason: str | None = None

    def as_aws(self) -> dict[str, Any]:
        """As DescribeTasks returns a task (what `task_from_aws` reads), times as datetimes."""
        return self.model_dump(by_alias=True, exclude_none=True)


class ArchiveEvent(_Fields):
    """An archived ECS event, as far as we read it."""

    id: str = ""
    source: Literal["aws.ecs"]
    detail_type: DetailType = Field(alias="detail-type")
    account: str = ""
    region: str = ""
    time: UtcTime
    resources: tuple[str, ...] = ()
    detail: Detail

    @property
    def account_and_region(self) -> tuple[str, str]:
        """What the event is about: the account and region of the ARNs in its detail (the
        cluster's, the task's), then of its resources; the envelope's only when none has them.
        An envelope can say anything; the ARNs are what a diagnosis would read."""
        detail = self.detail
        for arn in (detail.cluster_arn, detail.task_arn, *self.resources):
            if arn and (account := account_of(arn)) and (region := region_of(arn)):
                return account, region
        return self.account, self.region


def parse_event(line: str, now: datetime) -> ArchiveEvent | BadLine:
    """The line as an archived ECS event, or why it is not one (its times judged against
    `now`)."""
    if len(line) > MAX_LINE:
        return BadLine(f"longer than {MAX_LINE // 1024} KiB")
    if too_deep(line, MAX_DEPTH):
        return BadLine(f"nested deeper than {MAX_DEPTH}")
    try:
        return ArchiveEvent.model_validate_json(line, context={"now": now})
    except ValidationError as error:
        return BadLine(_why(error))


def too_deep(text: str, limit: int) -> bool:
    """Whether JSON text nests arrays and objects more than `limit` deep, found without
    parsing it (brackets inside strings do not count). Each step is one linear pass in C: a
    256 KiB line of brackets and quotes costs milliseconds, not a Python loop per character."""
    if text.count("[") + text.count("{") <= limit:
        return False
    bare = _STRING.sub("", _ESCAPE.sub("", text))  # strings cannot hold a quote once unescaped
    nesting = _NOT_BRACKET.sub("", bare).translate(_ONE_KIND)
    for _ in range(limit):  # each pass removes the innermost level
        if "[]" not in nesting:
            break
        nesting = nesting.replace("[]", "")
    # Left: levels deeper than `limit`, or brackets that never close (as deep as they open).
    opened = nesting.find("[")
    return nesting.count("[") > limit or (opened >= 0 and "]" in nesting[opened:])


def _why(error: ValidationError) -> str:
    """The first problem, by field path and kind: no value of the line itself."""
    first = error.errors(include_url=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "the line"
    kind = first["type"]
    if kind == "json_invalid":
        return "not JSON"
    if kind == "model_type" and not first["loc"]:
        return "not a JSON object"
    if kind == "literal_error" and where == "source":
        return "not an ECS event"
    if kind == "literal_error" and where == "detail-type":
        return "an ECS event of a type not archived"
    if kind == "value_error":
        return f"{where}: {first['msg'].removeprefix('Value error, ')}"
    return f"{where}: {kind}"
