"""Image references as a task definition names them, parsed once for the collectors and checks."""

from __future__ import annotations

import re

from bot.model import Image

ECR_HOST = re.compile(
    r"^(?P<account>\d{12})\.dkr\.ecr(?:-fips)?\.(?P<region>[a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$"
)


def registry_of(uri: str) -> tuple[str, str] | None:
    """(account, region) of an ECR-hosted image, None for any other registry."""
    host, _, _ = uri.partition("/")
    match = ECR_HOST.match(host)
    return (match["account"], match["region"]) if match else None


def parse_image(uri: str) -> Image:
    """An image reference split into repository, tag and digest (Docker's "latest" by default)."""
    name, _, digest = uri.partition("@")
    tag = None
    if name.rfind(":") > name.rfind("/"):
        name, _, tag = name.rpartition(":")
    ecr = registry_of(name)
    if ecr:
        name = name.partition("/")[2]
    return Image(
        uri=uri,
        registry="ecr" if ecr else "other",
        repository=name,
        tag=tag or (None if digest else "latest"),
        digest=digest or None,
    )
