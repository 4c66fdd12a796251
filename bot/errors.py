"""Errors a user can act on; the CLI maps them to exit codes, the bot to a friendly card."""

from __future__ import annotations

from collections.abc import Callable, Sequence


class EcsWhyError(Exception):
    """Base: the message is one line, safe to show, and says what would be valid."""


class TargetError(EcsWhyError):
    """The target is malformed or does not exist (CLI exit 2)."""


class UnknownName(TargetError):
    """A cluster or service AWS does not have, with the clusters it does have: a caller that
    must not show them all (a restricted channel) keeps only those it may see."""

    def __init__(self, message: str, clusters: Sequence[str]) -> None:
        self.message = message
        self.clusters = tuple(sorted(clusters))
        super().__init__(f"{message}; clusters: {', '.join(self.clusters) or '(none)'}")

    def keeping(self, visible: Callable[[str], bool]) -> UnknownName:
        return UnknownName(self.message, [name for name in self.clusters if visible(name)])


class AwsUnavailable(EcsWhyError):
    """AWS could not be reached or refused every call (CLI exit 3)."""


class MutatingCallRefused(EcsWhyError):
    """Our read-only guard stopped an AWS operation that could change something."""
