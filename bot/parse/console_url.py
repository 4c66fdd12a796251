"""ECS console URLs as targets: what a user copies from the browser, or an alert links to.

The current console's service and task pages look like
`https://us-east-1.console.aws.amazon.com/ecs/v2/clusters/CLUSTER/services/SERVICE/health?region=us-east-1`
and `…/ecs/v2/clusters/CLUSTER/tasks/TASK_ID/configuration?region=…`; the region is in the host
(`REGION.console.aws.amazon.com`) or in `?region=` (the host may be plain `console.aws.amazon.com`).
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, unquote, urlsplit

from bot.errors import TargetError
from bot.model import Target
from bot.parse.arns import NAME, REGION, TASK_ID

HOST = re.compile(rf"(?:(?P<region>{REGION})\.)?console\.aws\.amazon\.com", re.IGNORECASE)
PAGE = re.compile(
    rf"/ecs/v2/clusters/(?P<cluster>{NAME})/"
    rf"(?:services/(?P<service>{NAME})|tasks/(?P<task>{TASK_ID}))(?:/.*)?"
)
# In free text: up to a space, a quote or Slack's closing `>` / `|label>`.
CONSOLE_URL = re.compile(
    r"https://(?:[a-z0-9-]+\.)?console\.aws\.amazon\.com/ecs/v2/clusters/[^\s<>|\"'`]+",
    re.IGNORECASE,
)


def is_console_url(text: str) -> bool:
    return text.lower().startswith("https://") and HOST.search(text.split("/")[2]) is not None


def parse_console_url(text: str) -> Target:
    """The service or task of an ECS console page; TargetError saying what would be valid."""
    url = urlsplit(text.replace("&amp;", "&"))
    host = HOST.fullmatch(url.hostname or "")
    page = PAGE.fullmatch(unquote(url.path))
    if host is None or page is None:
        raise TargetError(
            "not an ECS console URL of a service or task: expected https://REGION.console.aws."
            "amazon.com/ecs/v2/clusters/CLUSTER/services/SERVICE/… or …/tasks/TASK_ID/…"
        )
    query = parse_qs(url.query).get("region", [])
    region = query[0] if query else host["region"]
    if region is not None and not re.fullmatch(REGION, region):
        raise TargetError(f"the console URL's region {region[:30]!r} is not an AWS region name")
    return Target(
        cluster=page["cluster"], service=page["service"], task_id=page["task"], region=region
    )


def find_console_urls(text: str) -> list[str]:
    """ECS console URLs in free text (a message, an alert), in order, without repeats."""
    return list(dict.fromkeys(m.group(0).rstrip(".,;:!?)") for m in CONSOLE_URL.finditer(text)))
