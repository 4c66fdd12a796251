"""Errors a user can act on; the CLI maps them to exit codes, the bot to a friendly card."""


class EcsWhyError(Exception):
    """Base: the message is one line, safe to show, and says what would be valid."""


class TargetError(EcsWhyError):
    """The target is malformed or does not exist (CLI exit 2)."""


class AwsUnavailable(EcsWhyError):
    """AWS could not be reached or refused every call (CLI exit 3)."""


class MutatingCallRefused(EcsWhyError):
    """Our read-only guard stopped an AWS operation that could change something."""
