"""Redaction: every secret shape inside a real-looking log line, and the look-alikes it must spare.

All values are fake: AWS's documented example keys, jwt.io's sample token, and runs of EXAMPLE.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from bot.redact import RULES, redact
from tests.unit.real_messages import REAL_MESSAGES, RealMessage

AKIA = "AKIAIOSFODNN7EXAMPLE"
ASIA = "ASIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
STS_TOKEN = "IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDEXAMPLEtokenFORtests/only+A="
STS_TOKEN_OLD = "FwoGZXIvYXdzEXAMPLEDEXAMPLEoNzExAMPLEAMPLEsessiontokenEXAMPLE"
JWT = (
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
    ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
    ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c"
)
ECR_PASSWORD = "eyJwYXlsb2FkIjoiRVhBTVBMRUVYQU1QTEVFWEFNUExFIiwiZGF0YWtleSI6IkVYQU1QTEUifQ=="
ECR_TOKEN = "QVdTOmV5SndZWGxzYjJGa0lqb2lSVmhCVFZCTVJVVllRVTFRVEVVaWZRPT0="
SLACK_BOT = "xoxb-0000000000-0000000000000-EXAMPLEexampleEXAMPLEex"
GITHUB = "ghp_EXAMPLEexampleEXAMPLEexample0123456789"
HEX40 = "9fceb02d0ae598e95dc970b74767f19372d61af8"
HEX64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
TASK_ID = "0123456789abcdef0123456789abcdef"
PRIVATE_KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7EXAMPLEEXAMPLE"

# (log line, secret, ...): each secret must vanish, and the text around it must stay exactly.
SECRETS: list[tuple[str, ...]] = [
    # AWS keys and session tokens
    (f'level=info msg="boto3 client" AWS_ACCESS_KEY_ID={AKIA} region=us-east-1', AKIA),
    (f"using temporary credentials {ASIA} until 2024-05-01T13:00:00Z", ASIA),
    (
        f"[default]\naws_access_key_id = {AKIA}\naws_secret_access_key = {AWS_SECRET}",
        AKIA,
        AWS_SECRET,
    ),
    (
        f'{{"AccessKeyId": "{ASIA}", "SecretAccessKey": "{AWS_SECRET}", "Expiration": "2024"}}',
        ASIA,
        AWS_SECRET,
    ),
    (f"+ export AWS_SECRET_ACCESS_KEY={AWS_SECRET}", AWS_SECRET),
    (f"User name,Access key ID,Secret access key\nci-bot,{AKIA},{AWS_SECRET}", AKIA, AWS_SECRET),
    (f"aws_session_token = {STS_TOKEN}", STS_TOKEN),
    (f'"SessionToken": "{STS_TOKEN_OLD}",', STS_TOKEN_OLD),
    (
        f"DEBUG request headers: X-Amz-Security-Token: {STS_TOKEN} Host: sts.amazonaws.com",
        STS_TOKEN,
    ),
    (f"credentials refreshed, token {STS_TOKEN_OLD} valid for 3600s", STS_TOKEN_OLD),
    # Slack
    (f"posting to #alerts with {SLACK_BOT} failed: not_in_channel", SLACK_BOT),
    (
        "slack_sdk: token=xoxp-1111111111-2222222222-3333333333333-EXAMPLEexampleEXAMPLEexample00",
        "xoxp-1111111111-2222222222-3333333333333-EXAMPLEexampleEXAMPLEexample00",
    ),
    (
        "SLACK_APP_TOKEN=xapp-1-A0000000000-0000000000000-0123456789abcdefEXAMPLE",
        "xapp-1-A0000000000-0000000000000-0123456789abcdefEXAMPLE",
    ),
    (
        "rotated: xoxe.xoxp-1-Mi0yLTExMTExMTEtMjIyMjIyMjItEXAMPLE expires in 43200",
        "xoxe.xoxp-1-Mi0yLTExMTExMTEtMjIyMjIyMjItEXAMPLE",
    ),
    (f"Settings(slack_bot_token='{SLACK_BOT}', redis_url=None)", SLACK_BOT),
    (
        "POST https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX -> 404",
        "T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX",
    ),
    # GitHub, Stripe, npm, PyPI, Google, OpenAI
    (f"git clone https://{GITHUB}@github.com/acme/api.git", GITHUB),
    (
        "oauth exchange ok: gho_EXAMPLEexampleEXAMPLEexample0123456789 scope=repo",
        "gho_EXAMPLEexampleEXAMPLEexample0123456789",
    ),
    (
        "fatal: could not read from https://x-access-token:ghs_EXAMPLEexampleEXAMPLEexample01234567"
        "@github.com/acme/api.git",
        "ghs_EXAMPLEexampleEXAMPLEexample01234567",
    ),
    (
        "GITHUB_TOKEN=github_pat_11AAAAAAA0EXAMPLE_exampleEXAMPLEexampleEXAMPLEexample rest",
        "github_pat_11AAAAAAA0EXAMPLE_exampleEXAMPLEexampleEXAMPLEexample",
    ),
    (
        "stripe.error.AuthenticationError: Invalid API Key provided: sk_live_EXAMPLEexample0123",
        "sk_live_EXAMPLEexample0123",
    ),
    (
        "charge created with rk_live_EXAMPLEexampleEXAMPLE01 in 120ms",
        "rk_live_EXAMPLEexampleEXAMPLE01",
    ),
    (
        "STRIPE_WEBHOOK_SECRET set: whsec_EXAMPLEexampleEXAMPLEexample01",
        "whsec_EXAMPLEexampleEXAMPLEexample01",
    ),
    (
        "//registry.npmjs.org/:_authToken=npm_EXAMPLEexampleEXAMPLEexample012345",
        "npm_EXAMPLEexampleEXAMPLEexample012345",
    ),
    (
        "+ twine upload -u __token__ -p"
        " pypi-AgEIcHlwaS5vcmcCJDEXAMPLEexampleEXAMPLEexampleEXAMPLE00 dist/*",
        "pypi-AgEIcHlwaS5vcmcCJDEXAMPLEexampleEXAMPLEexampleEXAMPLE00",
    ),
    (
        "GET https://maps.googleapis.com/maps/api/geocode/json?address=x"
        "&key=AIzaSyEXAMPLEexampleEXAMPLE0123456789ab 200",
        "AIzaSyEXAMPLEexampleEXAMPLE0123456789ab",
    ),
    (
        "openai.AuthenticationError: Incorrect API key provided:"
        " sk-proj-EXAMPLEexample_EXAMPLE-0123456789.",
        "sk-proj-EXAMPLEexample_EXAMPLE-0123456789",
    ),
    # private keys
    (
        '"private_key": "-----BEGIN PRIVATE KEY-----\\n'
        + PRIVATE_KEY_BODY
        + '\\n-----END PRIVATE KEY-----\\n",',
        "-----BEGIN PRIVATE KEY-----\\n" + PRIVATE_KEY_BODY + "\\n-----END PRIVATE KEY-----",
    ),
    (
        "deploy key: -----BEGIN RSA PRIVATE KEY----- " + PRIVATE_KEY_BODY,
        "-----BEGIN RSA PRIVATE KEY----- " + PRIVATE_KEY_BODY,
    ),
    (
        "loaded\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + PRIVATE_KEY_BODY
        + "\n-----END OPENSSH PRIVATE KEY-----\ndone",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n"
        + PRIVATE_KEY_BODY
        + "\n-----END OPENSSH PRIVATE KEY-----",
    ),
    (
        "gpg: -----BEGIN PGP PRIVATE KEY BLOCK-----\\nlQOYBGEXAMPLE\\n"
        "-----END PGP PRIVATE KEY BLOCK----- imported",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\\nlQOYBGEXAMPLE\\n"
        "-----END PGP PRIVATE KEY BLOCK-----",
    ),
    # JWTs, Authorization headers, bearer tokens
    (f"jwt verify failed for {JWT}: token expired", JWT),
    (f'curl -H "Authorization: Bearer {JWT}" https://api.internal/v1/me', JWT),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
    ("< Proxy-Authorization: Basic cHJveHk6c2VjcmV0", "cHJveHk6c2VjcmV0"),
    (
        f"Authorization: AWS4-HMAC-SHA256 Credential={AKIA}/20240501/us-east-1/s3/aws4_request, "
        f"SignedHeaders=host;x-amz-date, Signature={HEX64}",
        f"Credential={AKIA}/20240501/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, "
        f"Signature={HEX64}",
    ),
    (
        "upstream call with bearer 0123abcdEFGH4567ijklMNOP89 returned 401",
        "0123abcdEFGH4567ijklMNOP89",
    ),
    # passwords in URLs and DSNs
    ("connecting to postgresql://app_user:Sup3rS3cret!@db.internal:5432/orders", "Sup3rS3cret!"),
    (
        "MONGO_URL=mongodb+srv://admin:hunter2@cluster0.ab1cd.mongodb.net/test?retryWrites=true",
        "hunter2",
    ),
    (
        "redis.exceptions.ConnectionError: redis://:p4ssw0rd@cache.internal:6379/0 refused",
        "p4ssw0rd",
    ),
    ("amqp://guest:guest-pw@rabbitmq:5672/ connection closed", "guest-pw"),
    ("HTTPS_PROXY=http://proxyuser:Pr0xy%40Pass@10.0.0.5:3128", "Pr0xy%40Pass"),
    ("jdbc:mysql://db:3306/app?user=app&password=Sekr1t&useSSL=true", "Sekr1t"),
    (
        "Server=tcp:sql.example.com,1433;Database=app;User Id=sa;Password=P@ssw0rd!;Encrypt=True;",
        "P@ssw0rd!",
    ),
    ("pq: host=db port=5432 user=app password=s3cr3t dbname=orders sslmode=require", "s3cr3t"),
    # key = value assignments
    ("DB_PASSWORD=correct-horse-battery-staple", "correct-horse-battery-staple"),
    ("  passwd: hunter2", "hunter2"),
    ("mysql: pwd=Xy12ab!", "Xy12ab!"),
    ("config loaded: datasource:password=hunter2 pool=10", "hunter2"),
    (
        "oauth2: POST /token grant_type=client_credentials&client_secret=abc123def456&scope=read",
        "abc123def456",
    ),
    (
        '{"access_token":"ya29.a0AfH6SMBEXAMPLEexample","expires_in":3599}',
        "ya29.a0AfH6SMBEXAMPLEexample",
    ),
    (f"api_key={TASK_ID} loaded from env", TASK_ID),
    ("> X-Api-Key: abcdef123456EXAMPLE", "abcdef123456EXAMPLE"),
    ("token: 9f8e7d6c5b4a", "9f8e7d6c5b4a"),
    ("SECRET=shh-dont-tell", "shh-dont-tell"),
    (
        'sasl.jaas.config=PlainLoginModule required username="app" password="kafka pass";',
        "kafka pass",
    ),
    ("+ ./migrate --password=hunter2 --host db", "hunter2"),
    ('{"passphrase": "correct horse", "id": 7}', "correct horse"),
    ("SLACK_SIGNING_SECRET=8f742231b10e8888abcd99yyyzzz85a5", "8f742231b10e8888abcd99yyyzzz85a5"),
    ("ApiKey => 'k-EXAMPLE-123'", "k-EXAMPLE-123"),
    ("kms: ENCRYPTION_KEY=base64:q1w2e3r4t5y6EXAMPLE= loaded", "base64:q1w2e3r4t5y6EXAMPLE="),
    (
        "rails: master_key: 0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d (from env)",
        "0a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d",
    ),
    ("webhook signing_key=sk_EXAMPLE_signing_value verified", "sk_EXAMPLE_signing_value"),
    ('cfg = {"private_key": "unused-in-test", "region": "us-east-1"}', "unused-in-test"),
    # presigned S3 / ECR URLs
    (
        f"GET https://b.s3.amazonaws.com/r.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={AKIA}"
        f"%2F20240501%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240501T000000Z&X-Amz-Expires=3600"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={HEX64} 403",
        f"{AKIA}%2F20240501%2Fus-east-1%2Fs3%2Faws4_request",
        HEX64,
    ),
    (
        f"pulling layer https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/x?"
        f"X-Amz-Security-Token={STS_TOKEN}&X-Amz-Signature={HEX64}",
        STS_TOKEN,
        HEX64,
    ),
    (
        f"https://b.s3.amazonaws.com/k?AWSAccessKeyId={AKIA}&Expires=1700000000"
        "&Signature=vjbyPxybdZaNmGa%2ByT272YEAiv4%3D",
        AKIA,
        "vjbyPxybdZaNmGa%2ByT272YEAiv4%3D",
    ),
    (
        "https://d111111abcdef8.cloudfront.net/i.png?Expires=1700000000&Signature=abc~def-EXAMPLE"
        "&Key-Pair-Id=K2JCJMDEHXQW5F",
        "abc~def-EXAMPLE",
    ),
    # ECR login, ECS task-definition environment
    (
        f"+ docker login -u AWS -p {ECR_PASSWORD} 123456789012.dkr.ecr.us-east-1.amazonaws.com",
        ECR_PASSWORD,
    ),
    (
        f'{{"authorizationData": [{{"authorizationToken": "{ECR_TOKEN}", "proxyEndpoint": "x"}}]}}',
        ECR_TOKEN,
    ),
    (
        '"environment": [{"name": "DB_PASSWORD", "value": "hunter2"},'
        ' {"name": "PORT", "value": "80"}]',
        "hunter2",
    ),
]

# Lines that look a bit like secrets but are not one: redact must return them unchanged.
LOOKALIKES: list[str] = [
    f"deploying commit {HEX40} to prod",
    "image 123456789012.dkr.ecr.us-east-1.amazonaws.com/api:9fceb02 pulled",
    "RequestId: 2f1c8a4e-6b7d-4c1e-9a3f-0d5e6f7a8b9c",
    "x-amzn-RequestId: 7a62c49f-347e-4fc4-9331-6e8eEXAMPLE",
    f"task {TASK_ID} stopped: Essential container in task exited",
    f"arn:aws:ecs:us-east-1:123456789012:task/prod/{TASK_ID}",
    "arn:aws:ecs:us-east-1:123456789012:service/prod/api-service",
    f"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/{TASK_ID}",
    "ResourceInitializationError: unable to pull secrets or registry auth: execution resource "
    "retrieval failed: unable to retrieve secret from asm: service call has been retried 1 time(s):"
    " failed to fetch secret arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-AbCdEf",
    '"valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api-token-XyZ123"',
    "secret: arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-password-AbCdEf",
    '"secretOptions": [{"name": "apiKey", "valueFrom": "arn:aws:ssm:us-east-1:1:parameter/k"}]',
    "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password",
    "ssm parameter /prod/app/api_key: ParameterNotFound",
    "arn:aws:iam::123456789012:role/secret-reader assumed by ecs-tasks.amazonaws.com",
    f"image digest sha256:{HEX64}",
    f"{HEX64}  app.tar.gz",
    "connect to 10.0.1.23:8080 failed; fallback to [fe80::1]:443",
    "invalid token received",
    'FATAL:  password authentication failed for user "app"',
    "Bearer token expired, refreshing",
    "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1.2.3-rc1",
    "2024-05-01T12:34:56.789Z INFO started in 1.2s",
    "pod api-service-7d9f8b6c5-x2x9q Ready; sk-prod-worker-5f6d7c8b9-abcde Pending",
    "data: SGVsbG8gV29ybGQhIFRoaXMgaXMgbm90IGEgc2VjcmV0Lg==",
    '{"config": "eyJmb28iOiJiYXIifQ=="}',
    "GET /r.csv?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240501T000000Z&X-Amz-Expires=3600",
    "git fetch https://user@github.com/acme/api.git",
    "GET https://api.example.com:8443/v1/health 200",
    "DATABASE_URL host postgres://db.internal:5432/orders",
    "max_tokens=4096 token_count=12 tokens_used: 100",
    "User: arn:aws:sts::123456789012:assumed-role/ecsTaskExecutionRole/abc is not authorized to "
    "perform: ecr:GetAuthorizationToken on resource: *",
    "Authorization failed: AccessDenied",
    "passed=12 failed=0 skipped=1",
    "cache_key=session:42 s3 key=uploads/2024/05/file.csv",
    "POST /oauth/token: 401 Unauthorized",
    "SignatureDoesNotMatch: The request signature we calculated does not match",
    "the secret key must be rotated every 90 days",
    '"UserId": "AROA3XFRBF535PLBIFPI4:botocore-session-1714567890"',
    f"/ecs/api-service/api/{TASK_ID}",
    'File "/app/auth/token.py", line 42, in refresh',
    '"environment": [{"name": "LOG_LEVEL", "value": "debug"}]',
    "Traceback (most recent call last): KeyError: 'password'",
    "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/api-tg/6d0ecf831eec9f09",
]

MARKER = r"\[REDACTED(?::[a-z0-9-]+)?\]"


def expected_shape(line: str, secrets: tuple[str, ...]) -> re.Pattern[str]:
    """The line with each secret (in order) turned into a marker, everything else verbatim."""
    pieces, rest = [], line
    for secret in secrets:
        before, found, rest = rest.partition(secret)
        assert found, f"test data: {secret!r} is not in {line!r}"
        pieces.append(re.escape(before))
    pieces.append(re.escape(rest))
    return re.compile(MARKER.join(pieces))


@pytest.mark.parametrize(
    ("line", "secrets"), [(c[0], c[1:]) for c in SECRETS], ids=range(len(SECRETS))
)
def test_secret_is_replaced_and_its_line_survives(line: str, secrets: tuple[str, ...]) -> None:
    redacted = redact(line)
    for secret in secrets:
        assert secret not in redacted
    assert expected_shape(line, secrets).fullmatch(redacted), redacted


@pytest.mark.parametrize("line", LOOKALIKES)
def test_lookalike_survives_untouched(line: str) -> None:
    assert redact(line) == line


@pytest.mark.parametrize("message", REAL_MESSAGES, ids=lambda m: m.code)
def test_real_aws_messages_survive_untouched(message: RealMessage) -> None:
    """Stopped reasons name secrets (ARNs, parameter paths) and roles; none of that is hidden."""
    assert redact(message.text) == message.text


def test_there_are_enough_cases() -> None:
    assert len(SECRETS) >= 40
    assert len(LOOKALIKES) >= 40


def test_marker_names_the_kind_and_keeps_the_key() -> None:
    assert redact(f"id={AKIA}") == "id=[REDACTED:aws-access-key-id]"
    assert redact(f"aws_secret_access_key={AWS_SECRET}") == (
        "aws_secret_access_key=[REDACTED:aws-secret-key]"
    )
    assert redact("password=hunter2") == "password=[REDACTED]"
    assert redact("https://bob:hunter2@example.com/") == "https://bob:[REDACTED]@example.com/"


FRAGMENTS = [
    *(s for case in SECRETS for s in case),
    *LOOKALIKES,
    "password=",
    "token: ",
    '"secret": "',
    "Authorization: Bearer ",
    "https://u:",
    "@",
    "://",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "[REDACTED]",
    "[REDACTED:jwt]",
    " ",
    "\n",
    '"',
    "'",
    "=",
    ":",
    "&",
    "?",
    "/",
    "AKIA",
    "xoxb-",
    "eyJ",
]
MIXED = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=8), max_size=12).map("".join)


def marker_free_length(text: str) -> int:
    return len(re.sub(MARKER, "", text))


@given(st.text() | MIXED)
@example("BASIC I000Ijo0I000I000I0=AKIA0000000000000000")  # a key's marker ends a Basic token
def test_redact_is_idempotent_and_never_grows_beyond_its_markers(text: str) -> None:
    once = redact(text)
    assert redact(once) == once
    assert marker_free_length(once) <= len(text)


@given(st.text() | MIXED)
def test_hints_never_skip_a_rule_that_would_match(text: str) -> None:
    """The pre-check is only a shortcut: running every row unconditionally changes nothing."""
    every_row = text
    for rule in RULES:
        every_row = rule.apply(every_row)
    assert redact(text) == every_row
