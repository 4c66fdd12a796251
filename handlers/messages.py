"""What the bot says when it is not showing a card: usage, progress and problems."""

from __future__ import annotations

from collections.abc import Sequence

from bot.errors import AwsUnavailable, EcsWhyError, TargetError
from bot.model import Target
from bot.render.blocks import code, safe
from bot.slack.ratelimit import Refused

EXAMPLES = (
    "• `/ecs-why api-service`: a service, looked up in every cluster\n"
    "• `/ecs-why production/api-service`: a service in one cluster\n"
    "• `/ecs-why arn:aws:ecs:us-east-1:123456789012:task/production/"
    "0123456789abcdef0123456789abcdef`: one task"
)

COMMAND_USAGE = (
    "*/ecs-why* tells you why an ECS service's tasks keep stopping: the cause, its evidence, "
    f"the checklist and the next step.\n{EXAMPLES}\n"
    "• `/ecs-why production/api-service since 12h`: the stops of the last 12 hours too, from "
    "the event archive (`90m`, `12h`, `3d`)\n"
    "• `/ecs-why watch production/*`: incidents of the cluster posted here, updated in place "
    "(`/ecs-why unwatch …`, `/ecs-why watching`)\n"
    "You can also mention me with a task ARN, or click *Diagnose again* on a card for a fresh "
    "look."
)

MENTION_USAGE = (
    "Mention me with what to look at: a task ARN, `cluster/service`, or only a service name, "
    "for example `@ecs-why production/api-service`. Several task ARNs get a card each."
)


def diagnosing(target: Target) -> str:
    return f":mag: Diagnosing {code(target.label)}…"


def bad_targets(errors: Sequence[TargetError], usage: str) -> str:
    problems = [f":warning: {safe(str(error))}" for error in errors]
    return "\n".join([*problems, "", usage]) if problems else usage


def too_many(named: int, limit: int) -> str:
    return f":information_source: You named {named} targets; I looked at the first {limit}."


def problem(target: Target, error: EcsWhyError) -> str:
    """A diagnosis that could not be made, said so a person can act on it."""
    if isinstance(error, TargetError):
        return f":mag: {safe(str(error))}"
    if isinstance(error, AwsUnavailable):
        return f":cloud: I could not reach AWS to diagnose {code(target.label)}: {safe(str(error))}"
    return f":warning: I could not diagnose {code(target.label)}: {safe(str(error))}"


def sorry(target: Target) -> str:
    return (
        f":boom: Something went wrong while diagnosing {code(target.label)}. "
        "It is logged for the bot's owners; please try again in a minute."
    )


STALE_BUTTON = (
    ":hourglass: This button no longer knows what to look at (the card is from an older "
    "version of the bot). Ask again with `/ecs-why`."
)


def rerunning(target: Target) -> str:
    return f":hourglass_flowing_sand: Re-running {code(target.label)} with fresh data from AWS…"


def slow_down(refused: Refused) -> str:
    """The answer past the rate limit: polite, why, and when to try again."""
    if refused.whose == "free":
        asked, why = "answers", "so that no channel is flooded"
    else:
        asked, why = "diagnoses", "so that AWS does not throttle your team"
    who = "This channel has" if refused.whose == "channel" else "You have"
    return (
        f":hourglass: Slow down a little: {who} asked for {refused.limit} {asked} in the last "
        f"{refused.window:g} seconds, which is all I allow {why}. "
        f"Please try again in {refused.seconds:g} seconds."
    )
