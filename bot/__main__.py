"""`python -m bot` is `ecs-why`."""

from bot.cli import run

run()
