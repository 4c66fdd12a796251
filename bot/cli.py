"""`ecs-why diagnose | watch | demo | serve` (CONTRACT §2).

Only argparse is imported up front: each command imports what it needs (boto3, Redis, Slack,
the emulator) when it runs, so `--help` and a bad target answer at once. `diagnose` imports
its renderer while the reads are in flight, and `run` exits as soon as the answer is
flushed (no interpreter teardown).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from bot.errors import AwsUnavailable, EcsWhyError, TargetError

if TYPE_CHECKING:
    from bot.model import Diagnosis
    from bot.settings import Settings

log = logging.getLogger("ecs-why")

EXIT_OK, EXIT_FAILURE, EXIT_BAD_TARGET, EXIT_AWS = 0, 1, 2, 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ecs-why", description="Why do my Amazon ECS tasks keep stopping?"
    )
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="log progress to stderr (-vv: debug; or LOG_LEVEL=DEBUG)",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    diagnose = commands.add_parser("diagnose", help="diagnose a service or a task")
    diagnose.add_argument("target", help="service, cluster/service, task ARN, or task id")
    diagnose.add_argument("--cluster", help="the cluster (default: search every cluster)")
    diagnose.add_argument("--region", help="the AWS region (default: from the AWS settings)")
    diagnose.add_argument("--account", help="a short name from ECS_WHY_ACCOUNTS (default: own)")
    diagnose.add_argument(
        "--since", metavar="DURATION", help="window of stopped tasks, e.g. 90m, 12h, 3d"
    )
    diagnose.add_argument("--format", choices=("text", "json", "blocks"), default="text")
    diagnose.add_argument("--no-cache", action="store_true", help="ask AWS again")
    diagnose.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=argparse.SUPPRESS,
        help="the whole checklist and every finding, and log progress to stderr",
    )

    demo = commands.add_parser("demo", help="diagnose an emulated account, no AWS needed")
    demo.add_argument("--format", choices=("text", "json", "blocks"), default="text")
    demo.add_argument("--serve", action="store_true", help="run the Slack bot against it")

    watch = commands.add_parser("watch", help="follow the event archive: incidents as they change")
    watch.add_argument(
        "targets", nargs="+", metavar="TARGET", help="service, cluster/service, cluster/*"
    )
    watch.add_argument("--once", action="store_true", help="what the archive holds, then exit")
    watch.add_argument("--since", help="how far back to start (90m, 12h, 3d; default 1h)")
    watch.add_argument("--format", choices=("text", "json"), default="text")

    commands.add_parser("serve", help="run the Slack bot")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A terminal or pipe that takes only ASCII (PYTHONIOENCODING=ascii, LANG=C) gets
        # \u2014 for a dash rather than a traceback halfway through the report.
        sys.stdout.reconfigure(errors="backslashreplace")
    from bot.logging_setup import log_level, setup_logging

    setup_logging(log_level(args.verbose))
    from pydantic import ValidationError
    from pydantic_settings import SettingsError

    from bot.settings import Settings, settings_error

    try:
        settings = Settings()
    except (ValidationError, SettingsError) as error:
        return _fail(EXIT_FAILURE, settings_error(error))
    try:
        if settings.organization is not None and args.command != "demo":
            from bot.aws.organization import with_organization

            settings = with_organization(settings)
        if args.command == "diagnose":
            return _diagnose(args, settings)
        if args.command == "demo":
            return _demo(args, settings)
        if args.command == "watch":
            from bot.watch.cli import watch

            return watch(args.targets, settings, once=args.once, since=args.since, fmt=args.format)
        return _serve(settings)
    except TargetError as error:
        return _fail(EXIT_BAD_TARGET, str(error))
    except AwsUnavailable as error:
        return _fail(EXIT_AWS, str(error))
    except (EcsWhyError, ValidationError) as error:
        return _fail(EXIT_FAILURE, str(error).splitlines()[0])
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # the outermost edge: one line, and the traceback only on -v
        if args.verbose:
            log.exception("unexpected error")
            return _fail(EXIT_FAILURE, f"unexpected {type(error).__name__}: {error}")
        return _fail(EXIT_FAILURE, f"unexpected {type(error).__name__}: {error} (run with -v)")


def run() -> NoReturn:
    """The `ecs-why` command: `main`, then exit as soon as what it wrote is flushed. Nothing
    is left to tear down (the persisted cluster index is written before the answer): an idle
    interpreter shutdown would cost a cold run a fifth of a second."""
    # ecs-why uses no pydantic plugin: looking for them reads the metadata of every installed
    # distribution before the first model is built (~25 ms of a cold run, more in a big venv).
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    code = main()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a closed pipe: nothing more can be said
            code = code or EXIT_FAILURE
    os._exit(code)


RENDERERS = {"json": "bot.render.json", "blocks": "bot.render.blocks", "text": "bot.render.text"}


def _fail(code: int, message: str) -> int:
    print(f"ecs-why: {message}", file=sys.stderr)
    return code


def _diagnose(args: argparse.Namespace, settings: Settings) -> int:
    from bot.parse.target import parse_target

    target = parse_target(
        args.target, cluster=args.cluster, region=args.region, account=args.account
    )
    from bot.parse.duration import parse_duration

    since = parse_duration(args.since) if args.since is not None else None
    from bot.aws.index_file import IndexFile
    from bot.cache import make_store
    from bot.service import Diagnoser
    from bot.user_cache import cache_dir

    # Without Redis, the service → cluster index is kept between runs in the user's cache.
    index = None if settings.redis_url else IndexFile(cache_dir() / "cluster-index.json")
    store = make_store(settings.redis_url)
    # The renderer loads while the reads are in flight.
    diagnoser = Diagnoser(settings, store, renderer=RENDERERS[args.format], index=index)
    try:
        diagnosis = diagnoser.diagnose(target, fresh=args.no_cache, since=since)
    finally:
        diagnoser.close()
    _print(args.format, [diagnosis], many=False, verbose=args.verbose)
    return EXIT_OK


def _print(fmt: str, diagnoses: Sequence[Diagnosis], *, many: bool, verbose: bool = False) -> None:
    if fmt == "json":
        from bot.render.json import diagnosis_to_json

        documents = [diagnosis_to_json(d) for d in diagnoses]
        print(json.dumps(documents if many else documents[0], indent=2))
    elif fmt == "blocks":
        from bot.render.blocks import render_card

        cards = [render_card(d) for d in diagnoses]
        print(json.dumps(cards if many else cards[0], indent=2))
    else:
        from rich.console import Console

        from bot.render.text import print_reports, summary_table

        console = Console()
        if not console.is_terminal:
            console = Console(width=140)  # a pipe or file: wide enough for the summary table
        if many:
            console.print(summary_table(diagnoses))
        print_reports(console, diagnoses, verbose=verbose)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from rich.console import Console

    from bot.cache import MemoryStore
    from bot.demo.run import diagnose_demo_account, emulated_demo_account
    from bot.service import Diagnoser

    status = Console(stderr=True).status("Building the emulated AWS account…")
    with status, emulated_demo_account() as env:
        # Only the emulator: no profile or real credentials of the user's may apply.
        os.environ.clear()
        os.environ.update(env)
        status.update("Diagnosing every service of the emulated account…")
        if args.serve:
            _feed_demo_archive(settings)
            return _serve(settings)
        # The emulator has no other callers to leave ECS's request buckets to: the top share.
        demo = settings.model_copy(update={"redis_url": None, "aws_budget_share": 0.9})
        diagnoser = Diagnoser(demo, MemoryStore())
        try:
            diagnoses = diagnose_demo_account(diagnoser)
            incidents = _demo_incidents(settings)
        finally:
            diagnoser.close()
    _print(args.format, diagnoses, many=True)
    if args.format == "text":
        print("\n`ecs-why watch production/* --once` after a minute-by-minute feed would print:")
        print("\n".join(incidents))
    return EXIT_OK


def _feed_demo_archive(settings: Settings) -> None:
    """Live incidents for watches in the team's workspace (bot/demo/feed.py)."""
    import boto3

    from bot.demo.feed import start_feed

    start_feed(boto3.client("ecs"), boto3.client("logs"), settings.events_log_group)


def _demo_incidents(settings: Settings) -> list[str]:
    from datetime import UTC, datetime

    import boto3

    from bot.aws.watch_reads import Reader
    from bot.demo.feed import demo_incidents

    reader = Reader(settings, settings.events_log_group)
    return demo_incidents(boto3.client("ecs"), boto3.client("logs"), reader, datetime.now(UTC))


def _serve(settings: Settings) -> int:
    from bot.slack.app import serve

    serve(settings)
    return EXIT_OK
