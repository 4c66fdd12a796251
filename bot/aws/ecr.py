"""ECR: does the image a container names exist, and for which CPU architectures was it built."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from bot.model import Image

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
