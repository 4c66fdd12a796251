"""`python -m bot` is `ecs-why`."""

import sys

from bot.cli import main

sys.exit(main())
