"""ECR: does the image a container names exist, and for which CPU architectures was it built.

Its part of the read graph: an image, and its manifest only on evidence of a platform mismatch
(ecr:BatchGetImage counts as a pull for ECR lifecycle rules: lastRecordedPullTime).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bot.aws import reads as r
from bot.aws.graph import Reads
from bot.model import Image
from bot.parse.image_uri import parse_image, registry_of

if TYPE_CHECKING:
    from mypy_boto3_ecr import ECRClient
    from mypy_boto3_ecr.type_defs import ImageIdentifierTypeDef

# Multi-platform images: their manifest lists each platform; a single manifest does not say.
INDEX_MEDIA_TYPES = (
    "application/vnd.docker.distribution.manifest.list.v2+json",
    "application/vnd.oci.image.index.v1+json",
)


def _image_id(image: Image) -> ImageIdentifierTypeDef:
    if image.digest:
        return {"imageDigest": image.digest}
    return {"imageTag": image.tag or "latest"}


def describe_image(ecr: ECRClient, image: Image, account: str) -> tuple[Image, bool]:
    """The image with whether its repository and tag exist, and whether it is multi-platform."""
    try:
        response = ecr.describe_images(
            registryId=account, repositoryName=image.repository, imageIds=[_image_id(image)]
        )
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "RepositoryNotFoundException":
            return image.model_copy(update={"repository_exists": False}), False
        if code == "ImageNotFoundException":
            return image.model_copy(update={"repository_exists": True, "tag_exists": False}), False
        raise
    details = response.get("imageDetails", [])
    is_index = any(d.get("imageManifestMediaType") in INDEX_MEDIA_TYPES for d in details)
    found = image.model_copy(update={"repository_exists": True, "tag_exists": bool(details)})
    return found, is_index


def image_architectures(ecr: ECRClient, image: Image, account: str) -> Image:
    """The image with the CPU architectures its manifest list names."""
    response = ecr.batch_get_image(
        registryId=account,
        repositoryName=image.repository,
        imageIds=[_image_id(image)],
        acceptedMediaTypes=list(INDEX_MEDIA_TYPES),
    )
    manifests = [i.get("imageManifest", "") for i in response.get("images", [])]
    return image.model_copy(update={"architectures": architectures(manifests)})


def architectures(manifests: list[str]) -> tuple[str, ...]:
    """CPU architectures named by manifest lists (attestations' "unknown" left out)."""
    found: set[str] = set()
    for manifest in manifests:
        try:
            document: dict[str, Any] = json.loads(manifest)
        except ValueError:
            continue
        for entry in document.get("manifests", []):
            architecture = entry.get("platform", {}).get("architecture")
            if architecture and architecture != "unknown":
                found.add(architecture)
    return tuple(sorted(found))


# --------------------------------------------------------------------------- read graph


Evidence = Callable[[], Awaitable[bool]]  # whether the stops or logs read as a platform mismatch


def image(read: Reads, uri: str, platform_evidence: Evidence) -> asyncio.Task[Image | None]:
    """Whether the image exists, read once; its platforms only if it has several and
    `platform_evidence` (asked only then) points at a platform mismatch."""
    return read.once(("image", uri), lambda: _read_image(read, uri, platform_evidence))


async def _read_image(read: Reads, uri: str, platform_evidence: Evidence) -> Image | None:
    named, registry = parse_image(uri), registry_of(uri)
    if registry is None:
        return named
    account, region = registry
    client = read.clients.ecr(region)
    found = await read(r.DESCRIBE_IMAGES, describe_image, client, named, account)
    if found is None:
        return None
    described, multi_platform = found
    if not multi_platform or not await platform_evidence():
        return described
    platforms = await read(r.BATCH_GET_IMAGE, image_architectures, client, described, account)
    return platforms or described
