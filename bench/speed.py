"""Every speed figure of issue 20 in one run, each against its own baseline of the same run.

- the demo's answers are the same as recorded (bench/same_answers.py): fewer round trips never
  bought by dropping a read;
- effective round trips and the longest request chain per demo service, beside its requests
  (bench/round_trips.py);
- the cold CLI against the floor of python + boto3 + one call (bench/cold_cli.py);
- six diagnoses at once, each against itself alone, and CPU per warm diagnosis
  (bench/concurrent.py);
- a bare service name over 200 clusters, first time and from the index, against the cluster
  named (bench/growth.py).

    python -m bench.speed
"""

from __future__ import annotations

import subprocess
import sys

STEPS = (
    ("bench.same_answers",),
    ("bench.round_trips", "--latency", "0.25", "--repeat", "1"),
    ("bench.cold_cli", "--runs", "5"),
    ("bench.concurrent", "--latency", "0.25", "--runs", "5"),
    ("bench.growth", "--clusters", "200"),
)


def main() -> None:
    failed = False
    for module, *args in STEPS:
        print(f"\n$ python -m {module} {' '.join(args)}", flush=True)
        result = subprocess.run([sys.executable, "-m", module, *args], check=False)
        failed = failed or result.returncode != 0
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
