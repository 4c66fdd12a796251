"""An embedded AWS emulator: moto's server, in this process, on a free local port.

The emulator only ever listens on 127.0.0.1 and never changes the user's AWS configuration:
callers point boto3 at it with `emulator_env`. Its fake credentials and endpoint, set in the
environment, win over anything in ~/.aws (boto3 reads environment variables first), and it
drops the variables that could still lead elsewhere.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from bot.demo import backend_patch
from bot.demo.traffic import EmulatorServer

REGION = "us-east-1"

# Variables that would make boto3 reach past the emulator: a profile, a real session token or
# role, and per-service endpoint overrides (which win over AWS_ENDPOINT_URL).
_HIDDEN_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
)


@contextmanager
def emulated_aws() -> Iterator[str]:
    """Run moto's server for the duration of the block; yields its endpoint URL."""
    # werkzeug logs every request at INFO on stderr: the demo's output must stay readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    backend_patch.prepare_emulator()
    server = EmulatorServer().start()
    try:
        yield server.endpoint
    finally:
        server.stop()


def emulator_env(endpoint: str, base: Mapping[str, str] | None = None) -> dict[str, str]:
    """A whole environment (for `subprocess` or to swap into `os.environ`) aimed at `endpoint`.

    It is `base` (default: this process's environment) without anything that could reach a real
    account, plus fake credentials, the demo region and `AWS_ENDPOINT_URL`.
    """
    env = {
        name: value
        for name, value in (os.environ if base is None else base).items()
        if name not in _HIDDEN_VARIABLES and not name.startswith("AWS_ENDPOINT_URL_")
    }
    env.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
        }
    )
    return env
