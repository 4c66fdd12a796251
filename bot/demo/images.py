"""A service's image in the account's ECR: its repository and tags, each pushed with a
manifest whose digest is stable per image, as ECR names an image by its manifest's digest."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from bot.demo.infrastructure import Clients

_MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"


def push_image(clients: Clients, registry: str, image: str, tags: Sequence[str] = ()) -> None:
    """Push `image` (or its repository's `tags` instead of its own) when it is in `registry`,
    the account's ECR registry host."""
    if not image.startswith(registry + "/"):
        return
    repository, tag = image.removeprefix(registry + "/").split(":")
    clients.ecr.create_repository(repositoryName=repository)
    for pushed in tags or (tag,):
        manifest = _manifest(repository, pushed)
        clients.ecr.put_image(
            repositoryName=repository,
            imageManifest=manifest,
            imageManifestMediaType=_MANIFEST_V2,
            imageTag=pushed,
            # ECR names an image by the digest of its manifest
            imageDigest="sha256:" + hashlib.sha256(manifest.encode()).hexdigest(),
        )


def _manifest(repository: str, tag: str) -> str:
    """A Docker image manifest (schema 2) with stable, per-image digests."""

    def blob(kind: str, size: int) -> dict[str, object]:
        digest = hashlib.sha256(f"{repository}:{tag}:{kind}".encode()).hexdigest()
        media = "container.image.v1+json" if kind == "config" else "image.rootfs.diff.tar.gzip"
        return {
            "mediaType": f"application/vnd.docker.{media}",
            "size": size,
            "digest": f"sha256:{digest}",
        }

    return json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": _MANIFEST_V2,
            "config": blob("config", 7023),
            "layers": [blob("base", 29_126_484), blob("runtime", 48_331_902), blob("app", 912_477)],
        }
    )
