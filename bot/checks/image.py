"""Step 4, the image: does it exist, may the task pull it, and does it run on the task's CPU?"""

from __future__ import annotations

from bot.arns import arn
from bot.checks.base import NAMED, PROVEN, Check, Knowledge
from bot.checks.evidence import (
    Tally,
    config_severity,
    container_definitions,
    definition_unread,
    denial,
    hit_evidence,
    log_hits,
    looks_fixed,
    names,
    policies_readable,
    role_label,
    role_named,
    tallies,
    unconfirmed,
    unread,
    with_evidence,
)
from bot.checks.stopped_reason import UNKNOWN
from bot.image_uri import parse_image, registry_of
from bot.model import Cause, Fact, Facts, Finding, Image, Role, Step

IMAGE_NOT_FOUND = Knowledge(
    Cause.IMAGE_NOT_FOUND,
    Step.IMAGE,
    title="Image {image} does not exist",
)
# A refused pull reads as "not found" to Docker ("does not exist or may require docker login").
ECR_PERMISSION_DENIED = Knowledge(
    Cause.ECR_PERMISSION_DENIED,
    Step.IMAGE,
    title="The task may not pull {image} from ECR ({role} lacks permission)",
    explains=frozenset({Cause.IMAGE_NOT_FOUND}),
)
REGISTRY_AUTH = Knowledge(
    Cause.REGISTRY_AUTH,
    Step.IMAGE,
    title="The registry of {image} refuses the task's credentials (or their absence)",
    # the registry's credentials are a secret, read with the secrets
    explains=frozenset({Cause.IMAGE_NOT_FOUND, Cause.SECRETS_ACCESS_DENIED}),
)
PLATFORM_MISMATCH = Knowledge(
    Cause.PLATFORM_MISMATCH,
    Step.IMAGE,
    title="Image {image} is built for {image_platform}, but the task runs on {task_platform}",
    explains=frozenset({Cause.APP_CRASH}),  # "exec format error", exit 1
)
KNOWLEDGE = (IMAGE_NOT_FOUND, ECR_PERMISSION_DENIED, REGISTRY_AUTH, PLATFORM_MISMATCH)
_BY_CODE = {knowledge.code: knowledge for knowledge in KNOWLEDGE}
_ARCH = {"x86_64": "amd64", "aarch64": "arm64"}
# Docker's refusal that names no cause: "pull access denied for X, repository does not exist or
# may require 'docker login'" (https://github.com/aws/amazon-ecs-agent/issues/2137).
_EITHER_OR = "does not exist or may require"
_PULLS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
_PULL_FAILURES = frozenset({Cause.IMAGE_NOT_FOUND, Cause.ECR_PERMISSION_DENIED})
_REFUSALS = frozenset({Cause.ECR_PERMISSION_DENIED, Cause.REGISTRY_AUTH})


def check_image(facts: Facts) -> list[Finding]:
    """Pull failures AWS reported, and images that are missing, refused or built for another CPU."""
    fields = names(facts) | _image_fields(facts)
    found = [
        _platform_message(facts, tally, fields)
        if tally.cause is Cause.PLATFORM_MISMATCH
        else _message_finding(facts, tally, fields)
        for tally in tallies(facts, _BY_CODE)
    ]
    found += _missing(facts, fields) + _pull_denied(facts, fields)
    found += _credentials_unreadable(facts, fields) + _wrong_platform(facts, fields)
    return found + _exec_format_errors(facts, fields)


def _images(facts: Facts) -> list[Image]:
    """The images the task definition names (all known images when it is unknown)."""
    uris = {c.image for c in container_definitions(facts)}
    return [image for image in facts.images if not uris or image.uri in uris]


def _image_fields(facts: Facts) -> dict[str, str]:
    """Names for messages that leave them out: the first image the task definition names."""
    definition = facts.task_definition
    role = definition.execution_role_arn if definition else None
    uris = [image.uri for image in _images(facts)] or [
        c.image for c in container_definitions(facts)
    ]
    uri = uris[0] if uris else "<image>"
    return {
        "image": uri,
        "role": role_label(role) if role or facts.on_fargate else "the container instance role",
        "image_platform": "another CPU architecture",
        "task_platform": f"linux/{_task_architecture(facts)}",
    }


def _message_finding(facts: Facts, tally: Tally, fields: dict[str, str]) -> Finding:
    """What AWS said about a pull, weighed against what the registry and the role show.

    "Not found" or "pull access denied" for an image the registry proves exists was a refusal;
    and a refusal when the execution role provably may pull is something else again. A refusal
    may also be a task definition without an execution role, which only the definition shows.
    When the registry has the image and the role may pull it now, the message still names the
    cause (the tag was pushed since, the policy fixed since), unless its words leave it open.
    """
    finding = tally.finding(_BY_CODE[tally.cause], fields)
    if tally.cause in _REFUSALS and (gap := definition_unread(facts)):
        return unconfirmed(finding, gap)
    images = _images(facts)
    present = [i for i in images if i.repository_exists and i.tag_exists]
    if tally.cause not in _PULL_FAILURES or not images or len(present) < len(images):
        return finding
    proof = [f"the registry has {i.repository}:{i.tag}" for i in present]
    if _may_pull(facts):
        proof.append(f"and {fields['role']} may pull it")
        if any(_EITHER_OR in s.quote for s in tally.sightings):
            unknown = tally.finding(UNKNOWN, fields | {"guess": tally.sightings[0].meaning})
            return with_evidence(unknown, *proof)
        return looks_fixed(finding, *proof)
    if facts.on_fargate and (gap := unread(facts, Fact.ROLES)):
        # whether the role may pull, which tells a refusal from a fix, could not be read
        return unconfirmed(looks_fixed(finding, *proof), gap)
    refused = ECR_PERMISSION_DENIED if all(i.registry == "ecr" for i in images) else REGISTRY_AUTH
    return with_evidence(tally.finding(refused, fields), *proof)


def _platform_message(facts: Facts, tally: Tally, fields: dict[str, str]) -> Finding:
    """AWS found no image for the task's platform: still so, unless the image has it now."""
    finding = tally.finding(PLATFORM_MISMATCH, fields)
    architecture = _task_architecture(facts)
    images = _images(facts)
    built = [{_architecture(a) for a in i.architectures} for i in images]
    if images and all(architecture in b for b in built):
        return looks_fixed(finding, f"every image is now built for linux/{architecture}")
    return finding


def _may_pull(facts: Facts) -> bool:
    """On Fargate, whether the execution role provably may pull every (ECR) image."""
    role = _execution_role(facts)
    images = _images(facts)
    if role is None or not facts.on_fargate or not images:
        return False
    return all(registry_of(i.uri) and not _pull_denials(facts, role, i) for i in images)


def _missing(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    found = []
    for image in _images(facts):
        if image.repository_exists is False:
            said = f"ECR has no repository named {image.repository} for {image.uri}"
        elif image.tag_exists is False:
            said = f"ECR repository {image.repository} has no image {image.tag or image.digest}"
        else:
            continue
        found.append(
            IMAGE_NOT_FOUND.finding(
                [said],
                fields | {"image": image.uri},
                confidence=PROVEN,
                severity=config_severity(facts),
            )
        )
    return found


def _execution_role(facts: Facts) -> Role | None:
    """The execution role, when it exists and its policies could all be read."""
    definition = facts.task_definition
    role = role_named(facts, definition.execution_role_arn if definition else None)
    return role if role and role.exists and policies_readable(facts) else None


def _pull_denials(facts: Facts, role: Role, image: Image) -> list[str]:
    """Evidence that `role` may not pull an ECR image (empty when it may, or not from ECR)."""
    if not (registry := registry_of(image.uri)):
        return []
    account, region = registry
    repository = parse_image(image.uri).repository
    repository_arn = arn(facts, "ecr", f"repository/{repository}", region, account)
    said = [denial(role, "ecr:GetAuthorizationToken", "*")]
    said += [denial(role, action, repository_arn) for action in _PULLS]
    return [line for line in said if line]


def _pull_denied(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    """On Fargate the execution role pulls from ECR (on EC2 the instance role may do it)."""
    role = _execution_role(facts)
    if role is None or not facts.on_fargate:
        return []
    return [
        ECR_PERMISSION_DENIED.finding(
            said,
            fields | {"image": image.uri},
            confidence=PROVEN,
            severity=config_severity(facts),
        )
        for image in _images(facts)
        if (said := _pull_denials(facts, role, image))
    ]


def _credentials_unreadable(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    role = _execution_role(facts)
    found = []
    for container in container_definitions(facts):
        secret = container.repository_credentials or ""
        if role is None or not secret.startswith("arn:"):
            continue  # a secret named without its ARN cannot be matched to policies
        if said := denial(role, "secretsmanager:GetSecretValue", secret):
            found.append(
                REGISTRY_AUTH.finding(
                    [said],
                    fields | {"image": container.image},
                    confidence=PROVEN,
                    severity=config_severity(facts),
                )
            )
    return found


def _architecture(name: str) -> str:
    """Docker's name for a CPU architecture, from ECS's (X86_64) or a platform (linux/arm64)."""
    name = name.rsplit("/", 1)[-1].lower()
    return _ARCH.get(name, name)


def _task_architecture(facts: Facts) -> str:
    definition = facts.task_definition
    return _architecture((definition.cpu_architecture if definition else None) or "X86_64")


def _wrong_platform(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    architecture = _task_architecture(facts)
    found = []
    for image in _images(facts):
        built = sorted({_architecture(a) for a in image.architectures})
        if built and architecture not in built:
            said = (
                f"image {image.uri} is built for {', '.join(built)}",
                f"the task runs on linux/{architecture} (runtimePlatform.cpuArchitecture)",
            )
            platform = ", ".join(f"linux/{a}" for a in built)
            found.append(
                PLATFORM_MISMATCH.finding(
                    said,
                    fields | {"image": image.uri, "image_platform": platform},
                    confidence=PROVEN,
                    severity=config_severity(facts),
                )
            )
    return found


def _exec_format_errors(facts: Facts, fields: dict[str, str]) -> list[Finding]:
    """The kernel refusing to run the binary is the platform mismatch, in the app's own logs."""
    hits = log_hits(facts, Cause.PLATFORM_MISMATCH)
    if not hits:
        return []
    evidence = hit_evidence(facts, hits)
    return [
        PLATFORM_MISMATCH.finding(
            evidence, fields, confidence=NAMED, tasks=len(hits), observed=True
        )
    ]


CHECK = Check(
    run=check_image,
    knowledge=KNOWLEDGE,
    needs=(Fact.IMAGES, Fact.TASK_DEFINITIONS),
    # whether the execution role may pull; "exec format error" in the logs; what AWS said
    reads=(Fact.ROLES, Fact.LOG_STREAMS, Fact.TASKS, Fact.SERVICE),
    step=Step.IMAGE,
    passed="The image exists and the task may pull it",
)
