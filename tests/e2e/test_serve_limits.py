"""`ecs-why serve` as a real process, probed from outside: made-up regions cost no memory, idle
and slow connections do not take it off the air, and running without channel rules is said."""

from __future__ import annotations

import itertools
import re
import signal
import socket
import string
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.demo.traffic import EmulatorServer
from bot.model import Cause
from tests.conftest import FAKE_AWS_ENV, free_port
from tests.e2e.conftest import scenario
from tests.e2e.test_serve import environment
from tests.fake_slack import BOT_TOKEN, FakeSlack
from tests.harness import SIGNING_SECRET, BotClient, form, slash_command

OOM = scenario(Cause.OUT_OF_MEMORY)
HELD = 200  # connections held open while the bot must keep answering
PATIENCE = 10.0  # seconds: a bound on each wait, generous for a loaded 2-core machine


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    client: BotClient
    slack: FakeSlack
    stderr: Path
    port: int

    def rss_kib(self) -> int:
        """The bot process's resident memory, as the kernel counts it."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        match = re.search(r"^VmRSS:\s+(\d+) kB$", status, re.MULTILINE)
        assert match, status
        return int(match.group(1))

    def card(self, text: str) -> dict[str, object]:
        """What a signed /ecs-why delivers to its response_url."""
        url = self.slack.new_response_url()
        response = self.client.signed(form(slash_command(text, url)), timeout=PATIENCE)
        assert response.status == 200, response
        (call,) = self.slack.wait_for("response_url", where=lambda c: c.path in url)
        return call.body


@pytest.fixture(scope="module")
def served(
    demo_account: EmulatorServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    port = free_port()
    stderr = tmp_path_factory.mktemp("serve") / "stderr.log"
    with ExitStack() as stack:
        slack = stack.enter_context(FakeSlack())
        env = environment(
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_SIGNING_SECRET=SIGNING_SECRET,
            SLACK_API_URL=slack.api_url,
            PORT=str(port),
            AWS_ENDPOINT_URL=demo_account.endpoint,
            # One user sends every request here: what is measured is not the rate limit.
            RATE_LIMIT_USER="1000",
            RATE_LIMIT_CHANNEL="1000",
            **FAKE_AWS_ENV,
        )
        log = stack.enter_context(stderr.open("wb"))
        process = subprocess.Popen([sys.executable, "-m", "bot", "serve"], env=env, stderr=log)
        try:
            client = BotClient(f"http://127.0.0.1:{port}")
            deadline = time.monotonic() + 90
            while not healthy(client):
                assert process.poll() is None, stderr.read_text()
                assert time.monotonic() < deadline, "the bot never answered /healthz"
                time.sleep(0.2)
            yield Served(process, client, slack, stderr, port)
        finally:
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=30) == 0


def healthy(client: BotClient) -> bool:
    try:
        return client.request("", method="GET", path="/healthz", timeout=PATIENCE).body == "ok"
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


# --------------------------------------------------------------------------- 10. fail-open


def test_running_without_channel_rules_is_said_once_at_start_up(served: Served) -> None:
    warnings = [
        line for line in served.stderr.read_text().splitlines() if "ECS_WHY_CHANNELS" in line
    ]
    assert len(warnings) == 1
    assert "WARNING" in warnings[0]
    assert "every channel may query every account" in warnings[0]


# --------------------------------------------------------------------------- 1. regions


def made_up_regions(count: int) -> list[str]:
    """Names shaped like regions (so the parser takes them) that no partition has."""
    names = (f"q{letter}-xy-{n}" for letter in string.ascii_lowercase for n in range(1, 10))
    return list(itertools.islice(names, count))


def test_forty_made_up_regions_are_refused_and_cost_no_memory(served: Served) -> None:
    # Warm: one real diagnosis, so what is measured is what the made-up regions add.
    assert "out-of-memory" in str(served.card(f"{OOM.cluster}/{OOM.service}")["text"])
    before = served.rss_kib()
    for region in made_up_regions(40):
        arn = f"arn:aws:ecs:{region}:123456789012:service/{OOM.cluster}/{OOM.service}"
        answer = served.card(arn)
        assert answer["response_type"] == "ephemeral"
        assert f"'{region}' is not a region ECS runs in" in str(answer["text"])
    grown = served.rss_kib() - before
    assert grown < 20 * 1024, f"resident memory grew by {grown} KiB"


# --------------------------------------------------------------------------- 2. connections


def test_idle_and_slow_connections_do_not_take_the_bot_off_the_air(served: Served) -> None:
    with ExitStack() as stack:
        held = []
        for n in range(HELD):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", served.port)))
            if n % 2:  # slow: a request begun, one header line, never finished
                sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: bot\r\n")
            held.append(sock)
        assert healthy(served.client)
        card = served.card(f"{OOM.cluster}/{OOM.service}")
        assert "out-of-memory" in str(card["text"])
        # The held connections are still open: none was closed to make room.
        for sock in held:
            sock.setblocking(False)
            with pytest.raises(BlockingIOError):
                sock.recv(1)  # b"" had the bot closed it
