"""The demo account's emulator in a process of its own, as AWS is to the bot.

In the bench's own process moto's request handling would take the bot's interpreter lock:
every diagnosis running at once would wait for the emulator's work as well as its own.

    python -m bench.emulator_process LATENCY   (prints its endpoint, serves until stdin closes)
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Emulator:
    endpoint: str
    pid: int

    def cpu_seconds(self) -> float:
        """The CPU the emulator's process has used so far (Linux's /proc): on a small machine
        it shares the cores with the bot, which AWS does not."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


@contextmanager
def emulator_process(latency: float) -> Iterator[Emulator]:
    """The demo account in a child process answering after `latency` s."""
    child = subprocess.Popen(
        [sys.executable, "-m", "bench.emulator_process", str(latency)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert child.stdin is not None  # both piped
    assert child.stdout is not None
    try:
        endpoint = child.stdout.readline().strip()
        if not endpoint:
            raise RuntimeError("the emulator process did not start")
        yield Emulator(endpoint, child.pid)
    finally:
        child.stdin.close()
        child.wait(timeout=30)


def main() -> None:
    import boto3

    from bot.demo import backend_patch
    from bot.demo.emulator import emulator_env
    from bot.demo.scenarios import build_account
    from bot.demo.traffic import EmulatorServer

    backend_patch.prepare_emulator()
    server = EmulatorServer().start()
    os.environ.update(emulator_env(server.endpoint))
    build_account(boto3.Session())
    server.traffic.latency = float(sys.argv[1])
    print(server.endpoint, flush=True)
    sys.stdin.read()  # until the parent closes it, or exits
    server.stop()


if __name__ == "__main__":
    main()
