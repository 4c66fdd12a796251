"""Image references parsed once, for the collectors (which registry to ask) and the checks."""

from __future__ import annotations

import pytest

from bot.parse.image_uri import parse_image, registry_of


@pytest.mark.parametrize(
    ("uri", "registry", "repository", "tag", "digest"),
    [
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/team/api:v1", "ecr", "team/api", "v1", None),
        ("123456789012.dkr.ecr.us-east-1.amazonaws.com/api", "ecr", "api", "latest", None),
        (
            "123456789012.dkr.ecr.us-east-1.amazonaws.com/api@sha256:ab",
            "ecr",
            "api",
            None,
            "sha256:ab",
        ),
        ("nginx", "other", "nginx", "latest", None),
        ("nginx:1.27", "other", "nginx", "1.27", None),
        ("localhost:5000/app", "other", "localhost:5000/app", "latest", None),
        ("ghcr.io/org/app:2@sha256:cd", "other", "ghcr.io/org/app", "2", "sha256:cd"),
    ],
)
def test_parse_image(
    uri: str, registry: str, repository: str, tag: str | None, digest: str | None
) -> None:
    image = parse_image(uri)
    assert (image.uri, image.registry, image.repository, image.tag, image.digest) == (
        uri,
        registry,
        repository,
        tag,
        digest,
    )


def test_registry_of_an_ecr_image() -> None:
    assert registry_of("123456789012.dkr.ecr.eu-west-1.amazonaws.com/api:v1") == (
        "123456789012",
        "eu-west-1",
    )
    assert registry_of("public.ecr.aws/nginx/nginx:1") is None
