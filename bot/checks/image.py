"""Step 4, the image: does it exist, may the task pull it, and does it run on the task's CPU?"""

from __future__ import annotations

from bot import console
from bot.checks.base import NAMED, PROVEN, Check, Knowledge, Stage
from bot.checks.evidence import (
    Tally,
    config,
    config_severity,
    container_definitions,
    definition_unread,
    denial,
    hit_evidence,
    log_hits,
    looks_fixed,
    policies_readable,
    role_name,
    role_named,
    tallies,
    unconfirmed,
    unread,
    with_evidence,
)
from bot.checks.fixes import Scene, aws, fix, rollback_command, rollback_words
from bot.checks.iam import fix_execution_role_missing
from bot.checks.stopped_reason import UNKNOWN
from bot.model import (
    Cause,
    Evidence,
    Fact,
    Facts,
    Finding,
    Image,
    NextStep,
    Role,
    Step,
    Where,
)
from bot.parse.arns import arn
from bot.parse.image_uri import parse_image, registry_of

# --------------------------------------------------------------------------- fixes


def _image(scene: Scene) -> tuple[str, str | None, str | None]:
    """The image at fault: its URI, ECR repository and tag."""
    images = [i for i in scene.facts.images if i.uri == scene.cause.where.image]
    image = next(iter(images or scene.facts.images), None)
    if image is not None:
        return image.uri, image.repository if image.registry == "ecr" else None, image.tag
    uri = scene.container.image if scene.container else "its image"
    return uri, None, None


@fix
def _fix_image_not_found(scene: Scene) -> NextStep:
    uri, repository, tag = _image(scene)
    if repository is not None and _repository_missing(scene, uri):
        action = (
            f"ECR has no repository {repository}: correct the image URI {uri} in a new revision, "
            "or create the repository and push the image." + rollback_words(scene)
        )
        command = aws("ecr", "describe-repositories", "--query", "repositories[].repositoryUri")
        return scene.step(action, rollback_command(scene) or command)
    if repository is None:
        action = f"{uri} does not exist: push it, or point a new revision at an image that exists."
        return scene.step(action, rollback_command(scene))
    action = (
        f"ECR repository {repository} has no tag {tag}: push it, or point a new revision of "
        f"{scene.revision or 'the task definition'} at one of the tags it has."
        + rollback_words(scene)
    )
    command = aws(
        "ecr",
        "list-images",
        "--repository-name",
        repository,
        "--filter",
        "tagStatus=TAGGED",
        "--query",
        "imageIds[].imageTag",
    )
    link = None
    if scene.facts.account:
        link = (
            "ECR repository",
            console.ecr_repository(scene.region, scene.facts.account, repository),
        )
    return scene.step(action, rollback_command(scene) or command, link)


def _repository_missing(scene: Scene, uri: str) -> bool:
    return any(i.uri == uri and i.repository_exists is False for i in scene.facts.images)


@fix
def _fix_ecr_permission_denied(scene: Scene) -> NextStep:
    role = scene.execution_role
    uri, repository, _ = _image(scene)
    if role is None:
        return fix_execution_role_missing(scene.cause, scene.facts)
    action = (
        f"Let the execution role {role} pull {uri}: attach the AWS managed policy "
        "AmazonECSTaskExecutionRolePolicy"
        + (
            f", and check that the policy of repository {repository} does not deny it"
            if repository
            else ""
        )
        + "."
    )
    command = aws(
        "iam",
        "attach-role-policy",
        "--role-name",
        role,
        "--policy-arn",
        scene.execution_policy,
    )
    return scene.step(action, command, ("IAM role", console.role(scene.region, role)))


@fix
def _fix_registry_auth(scene: Scene) -> NextStep:
    uri, _, _ = _image(scene)
    registry = uri.split("/", 1)[0]
    container = scene.container
    role = scene.execution_role or "the execution role"
    credentials = container.repository_credentials if container else None
    if credentials:
        action = (
            f"{registry} refuses the credentials in {credentials}: check that the secret holds a "
            f"valid username and password and that {role} may read it."
        )
        command = aws("secretsmanager", "describe-secret", "--secret-id", credentials)
        return scene.step(action, command, ("Secret", console.secret(scene.region, credentials)))
    action = (
        f"{registry} wants credentials and the task sends none: store its username and password "
        f"as a Secrets Manager secret, name it in repositoryCredentials of "
        f"{container.name if container else 'the container'}, and let {role} read it."
    )
    return scene.step(action)


@fix
def _fix_platform_mismatch(scene: Scene) -> NextStep:
    uri, _, _ = _image(scene)
    definition = scene.definition
    arch = (definition.cpu_architecture if definition else None) or "X86_64"
    platform = "linux/arm64" if arch == "ARM64" else "linux/amd64"
    action = (
        f"{uri} is not built for the task's {platform}: build and push it for that platform "
        f"(`docker buildx build --platform {platform}`, or a multi-architecture image), or set "
        "runtimePlatform.cpuArchitecture to the image's architecture in a new revision."
        + rollback_words(scene)
    )
    return scene.step(action, rollback_command(scene))


# --------------------------------------------------------------------------- causes


IMAGE_NOT_FOUND = Knowledge(
    Cause.IMAGE_NOT_FOUND,
    Step.IMAGE,
    title="Image {image} does not exist",
    stage=Stage.PULL,
    fix=_fix_image_not_found,
)
# A refused pull reads as "not found" to Docker ("does not exist or may require docker login").
ECR_PERMISSION_DENIED = Knowledge(
    Cause.ECR_PERMISSION_DENIED,
    Step.IMAGE,
    title="The task may not pull {image} from ECR ({role} lacks permission)",
    explains=frozenset({Cause.IMAGE_NOT_FOUND}),
    stage=Stage.PULL,
    fix=_fix_ecr_permission_denied,
)
REGISTRY_AUTH = Knowledge(
    Cause.REGISTRY_AUTH,
    Step.IMAGE,
    title="The registry of {image} refuses the task's credentials (or their absence)",
    # the registry's credentials are a secret, read with the secrets
    explains=frozenset({Cause.IMAGE_NOT_FOUND, Cause.SECRETS_ACCESS_DENIED}),
    stage=Stage.PULL,
    fix=_fix_registry_auth,
)
PLATFORM_MISMATCH = Knowledge(
    Cause.PLATFORM_MISMATCH,
    Step.IMAGE,
    title="Image {image} is built for {image_platform}, but the task runs on {task_platform}",
    explains=frozenset({Cause.APP_CRASH}),  # "exec format error", exit 1
    stage=Stage.CONTAINER_START,
    fix=_fix_platform_mismatch,
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
    where, words = _first_image(facts)
    found = [
        _platform_message(facts, tally, where, words)
        if tally.cause is Cause.PLATFORM_MISMATCH
        else _message_finding(facts, tally, where, words)
        for tally in tallies(facts, _BY_CODE)
    ]
    found += _missing(facts, where, words) + _pull_denied(facts, where, words)
    found += _credentials_unreadable(facts, where, words) + _wrong_platform(facts, where, words)
    return found + _exec_format_errors(facts, where, words)


def _images(facts: Facts) -> list[Image]:
    """The images the task definition names (all known images when it is unknown)."""
    uris = {c.image for c in container_definitions(facts)}
    return [image for image in facts.images if not uris or image.uri in uris]


def _first_image(facts: Facts) -> tuple[Where, dict[str, str]]:
    """Names for messages that leave them out: the first image the task definition names, and
    the execution role (on EC2 without one, the container instance role pulls)."""
    definition = facts.task_definition
    role = definition.execution_role_arn if definition else None
    uris = [image.uri for image in _images(facts)] or [
        c.image for c in container_definitions(facts)
    ]
    words = {
        "image_platform": "another CPU architecture",
        "task_platform": f"linux/{_task_architecture(facts)}",
    }
    if not role and not facts.on_fargate:
        words["role"] = "the container instance role"
    return Where(image=uris[0] if uris else None, role=role_name(role)), words


def _message_finding(facts: Facts, tally: Tally, where: Where, words: dict[str, str]) -> Finding:
    """What AWS said about a pull, weighed against what the registry and the role show.

    "Not found" or "pull access denied" for an image the registry proves exists was a refusal;
    and a refusal when the execution role provably may pull is something else again. A refusal
    may also be a task definition without an execution role, which only the definition shows.
    When the registry has the image and the role may pull it now, the message still names the
    cause (the tag was pushed since, the policy fixed since), unless its words leave it open.
    """
    finding = tally.finding(_BY_CODE[tally.cause], where, words)
    if tally.cause in _REFUSALS and (gap := definition_unread(facts)):
        return unconfirmed(finding, gap)
    images = _images(facts)
    present = [i for i in images if i.repository_exists and i.tag_exists]
    if tally.cause not in _PULL_FAILURES or not images or len(present) < len(images):
        return finding
    proof = [config(f"the registry has {i.repository}:{i.tag}") for i in present]
    if _may_pull(facts):
        proof.append(config(f"and {where.role} may pull it"))
        if any(_EITHER_OR in s.said.text for s in tally.sightings):
            unknown = tally.finding(UNKNOWN, where, {"guess": tally.sightings[0].meaning})
            return with_evidence(unknown, *proof)
        return looks_fixed(finding, *proof)
    if facts.on_fargate and (gap := unread(facts, Fact.ROLES)):
        # whether the role may pull, which tells a refusal from a fix, could not be read
        return unconfirmed(looks_fixed(finding, *proof), gap)
    refused = ECR_PERMISSION_DENIED if all(i.registry == "ecr" for i in images) else REGISTRY_AUTH
    return with_evidence(tally.finding(refused, where, words), *proof)


def _platform_message(facts: Facts, tally: Tally, where: Where, words: dict[str, str]) -> Finding:
    """AWS found no image for the task's platform: still so, unless the image has it now."""
    finding = tally.finding(PLATFORM_MISMATCH, where, words)
    architecture = _task_architecture(facts)
    images = _images(facts)
    built = [{_architecture(a) for a in i.architectures} for i in images]
    if images and all(architecture in b for b in built):
        return looks_fixed(finding, config(f"every image is now built for linux/{architecture}"))
    return finding


def _may_pull(facts: Facts) -> bool:
    """On Fargate, whether the execution role provably may pull every (ECR) image."""
    role = _execution_role(facts)
    images = _images(facts)
    if role is None or not facts.on_fargate or not images:
        return False
    return all(registry_of(i.uri) and not _pull_denials(facts, role, i) for i in images)


def _missing(facts: Facts, where: Where, words: dict[str, str]) -> list[Finding]:
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
                [config(said)],
                where.model_copy(update={"image": image.uri}),
                words,
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


def _pull_denials(facts: Facts, role: Role, image: Image) -> list[Evidence]:
    """Evidence that `role` may not pull an ECR image (empty when it may, or not from ECR)."""
    if not (registry := registry_of(image.uri)):
        return []
    account, region = registry
    repository = parse_image(image.uri).repository
    repository_arn = arn(facts, "ecr", f"repository/{repository}", region, account)
    said = [denial(role, "ecr:GetAuthorizationToken", "*")]
    said += [denial(role, action, repository_arn) for action in _PULLS]
    return [line for line in said if line]


def _pull_denied(facts: Facts, where: Where, words: dict[str, str]) -> list[Finding]:
    """On Fargate the execution role pulls from ECR (on EC2 the instance role may do it)."""
    role = _execution_role(facts)
    if role is None or not facts.on_fargate:
        return []
    return [
        ECR_PERMISSION_DENIED.finding(
            said,
            where.model_copy(update={"image": image.uri}),
            words,
            confidence=PROVEN,
            severity=config_severity(facts),
        )
        for image in _images(facts)
        if (said := _pull_denials(facts, role, image))
    ]


def _credentials_unreadable(facts: Facts, where: Where, words: dict[str, str]) -> list[Finding]:
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
                    where.model_copy(update={"image": container.image}),
                    words,
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


def _wrong_platform(facts: Facts, where: Where, words: dict[str, str]) -> list[Finding]:
    architecture = _task_architecture(facts)
    found = []
    for image in _images(facts):
        built = sorted({_architecture(a) for a in image.architectures})
        if built and architecture not in built:
            said = (
                config(f"image {image.uri} is built for {', '.join(built)}"),
                config(f"the task runs on linux/{architecture} (runtimePlatform.cpuArchitecture)"),
            )
            platform = ", ".join(f"linux/{a}" for a in built)
            found.append(
                PLATFORM_MISMATCH.finding(
                    said,
                    where.model_copy(update={"image": image.uri}),
                    words | {"image_platform": platform},
                    confidence=PROVEN,
                    severity=config_severity(facts),
                )
            )
    return found


def _exec_format_errors(facts: Facts, where: Where, words: dict[str, str]) -> list[Finding]:
    """The kernel refusing to run the binary is the platform mismatch, in the app's own logs."""
    hits = log_hits(facts, Cause.PLATFORM_MISMATCH)
    if not hits:
        return []
    evidence = hit_evidence(facts, hits)
    return [
        PLATFORM_MISMATCH.finding(
            evidence,
            where.model_copy(update={"container": hits[0].container}),
            words,
            confidence=NAMED,
            tasks=len(hits),
            observed=True,
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
