"""Secret redaction for everything that leaves the bot: log lines, reasons, evidence, errors.

The ordered `RULES` table is the module: each row names a secret shape and how to find it. A
row may keep a prefix (the `keep` group: a key name, a URL's user, a header's scheme) so the
reader still sees *what* was hidden. Rows run in order, so context-bound rows (a key in a
presigned URL, an `Authorization:` header) claim their values before the token-shape rows and
the catch-all `password=`-style row, and nothing matches a value that is already a marker.

Most lines hold no secret, so each row also lists hints, words one of which any match contains:
`redact` lowers the text once, looks for every hint with `in`, returns the text untouched when
none is there and otherwise runs only the rows whose hints it found (`bench/redact_speed.py`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

MARKER = "[REDACTED]"


@dataclass(frozen=True)
class Rule:
    """One secret shape: `pattern` matches it; the match minus its `keep` group is hidden."""

    name: str  # kebab-case; shown as [REDACTED:name] unless `marker` says otherwise
    hints: tuple[str, ...]  # lower-case words, one of which is in the lowered text of any match
    pattern: re.Pattern[str]
    marker: str = ""

    @cached_property
    def replacement(self) -> str:
        marker = self.marker or f"[REDACTED:{self.name}]"
        return rf"\g<keep>{marker}" if "keep" in self.pattern.groupindex else marker


def _ascii(pattern: str) -> re.Pattern[str]:
    """Secrets are ASCII; ASCII-only (?i) also means a lowered hint is always found in a match."""
    return re.compile(pattern, re.ASCII)


# Not a marker we wrote: values already redacted are never matched again (idempotence). Keep
# groups are atomic, (?>...), so a shorter separator or prefix cannot dodge this check.
_FRESH = r"(?!\[REDACTED)"
# Assignment operators: `=`, `:`, `:=`, `=>`, with blanks (never a newline) around them.
_SEP = r"""["']?[ \t]*(?::=|=>|[:=])[ \t]*"""
_EQUALS = r"""["']?[ \t]*(?::=|=>|=)[ \t]*"""
# A quoted value runs to its closing quote (spaces included); a bare one to a blank or delimiter.
_OPEN_QUOTE = r"""(?:(?P<dq>")|(?P<sq>'))?"""
_VALUE = r"""(?(dq)(?:[^"\\\n]|\\.)+|(?(sq)[^'\n]+|[^\s"'&,;]+))"""
# Key names whose value is a secret; a prefix (DB_, client_, x-) may precede them. Rows that
# start with a case-insensitive word first look ahead for its first letter, (?=[Ss]): the engine
# then skips most positions at once (~4x faster on a line that merely mentions "token").
_SENSITIVE_KEYS = (
    r"(?=[PpSsTtAaEeMm])(?i:pass(?:word|wd|phrase)|pwd|secret|token"
    r"|(?:api|access|secret|private|signing|encryption|master)[_-]?key)"
)
_B64 = r"A-Za-z0-9+/"

RULES: tuple[Rule, ...] = (
    Rule(
        "private-key",
        ("-----begin",),
        # To the END line, or to the end of the text when it was cut (a one-line log event).
        _ascii(
            r"-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----"
            r"(?:[\s\S]*?-----END[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|[\s\S]*)"
        ),
    ),
    Rule(
        "ecs-secret-env",
        ('"value"',),
        # Container definitions list environment as {"name": "DB_PASSWORD", "value": "..."}.
        _ascii(
            r'(?P<keep>(?>"name"\s*:\s*"[^"\n]*'
            rf'{_SENSITIVE_KEYS}[^"\n]*"\s*,\s*"value"\s*:\s*"))'
            rf'{_FRESH}(?:[^"\\\n]|\\.)+'
        ),
        marker=MARKER,
    ),
    Rule(
        "presigned-url",
        ("signature=", "credential=", "security-token=", "awsaccesskeyid="),
        # SigV4 / SigV2 query parameters of presigned S3 and ECR layer URLs.
        _ascii(
            r"(?P<keep>(?=[XxSsAa])(?<![\w-])(?i:x-amz-(?:signature|credential|security-token)"
            rf"|signature|awsaccesskeyid)=){_FRESH}[^&\s\"'#<>]+"
        ),
    ),
    Rule(
        "authorization",
        ("authorization",),
        # The credentials after a known scheme; Basic is base64("user:password").
        _ascii(
            r"(?P<keep>(?>(?=[PpAa])\b(?i:(?:proxy-)?authorization)[\"']?[ \t]*[:=][ \t]*[\"']?"
            r"(?i:bearer|basic|digest|token|bot|aws4-hmac-sha256|aws|negotiate|ntlm)[ \t]+))"
            rf"{_FRESH}[^\"'\r\n]+"
        ),
    ),
    Rule(
        "bearer-token",
        ("bearer",),
        _ascii(rf"(?P<keep>(?>(?=[Bb])\b(?i:bearer)[ \t]+)){_FRESH}[A-Za-z0-9._~+/-]{{16,}}=*"),
    ),
    Rule(
        "url-password",
        ("://",),
        # scheme://user:password@host: database DSNs, broker URLs, git remotes, proxies. A user
        # never holds "[" or "]", so a marker is never mistaken for one.
        _ascii(
            rf"(?P<keep>(?>\b[A-Za-z][A-Za-z0-9+.-]*+://[^\s:/@?#\[\]]*:)){_FRESH}[^\s/?#]+(?=@)"
        ),
        marker=MARKER,
    ),
    Rule(
        "slack-webhook",
        ("hooks.slack",),
        _ascii(
            r"(?P<keep>https://hooks\.slack(?:-gov)?\.com/(?:services|workflows|triggers)/)"
            r"[A-Za-z0-9/_-]+"
        ),
    ),
    Rule(
        "aws-secret-key",
        ("akia", "asia"),
        # A key id then its secret, as in the console's credentials CSV or a pasted pair.
        _ascii(
            rf"(?P<keep>\b(?:AKIA|ASIA)[A-Z0-9]{{16}}[\s,;:|\"'=]{{1,5}})[{_B64}]{{40}}(?![{_B64}=])"
        ),
    ),
    Rule(
        "aws-secret-key",
        ("secret",),
        _ascii(
            rf"(?P<keep>(?>(?=[AaSs])(?i:(?:aws[_-]?)?secret[_-]?(?:access[_-]?)?key){_SEP}[\"']?))"
            rf"[{_B64}]{{40}}(?![{_B64}=])"
        ),
    ),
    Rule(
        "aws-session-token",
        ("token",),
        _ascii(
            rf"(?P<keep>(?>(?=[AaSs])(?i:(?:aws[_-]?)?(?:session|security)[_-]?token){_SEP}[\"']?))"
            rf"{_FRESH}[{_B64}]{{16,}}=*"
        ),
    ),
    Rule(
        "aws-session-token",
        ("iqojb3jpz2lux2vj", "fwogzxivyxdze"),
        # STS session tokens begin with these base64 prefixes ("origin_ec...", "...aws...").
        _ascii(rf"\b(?:IQoJb3JpZ2luX2Vj|FwoGZXIvYXdzE)[{_B64}]{{20,}}=*"),
    ),
    Rule("aws-access-key-id", ("akia", "asia"), _ascii(r"\b(?:AKIA|ASIA)[A-Z0-9]{16}\b")),
    Rule(
        "ecr-token",
        ("qvdtoi", "eyjwyxlsb2fkijoi"),
        # GetAuthorizationToken: base64("AWS:" + password); the password is base64 JSON.
        _ascii(rf"\b(?:QVdTOi|eyJwYXlsb2FkIjoi)[{_B64}]{{20,}}=*"),
    ),
    Rule("jwt", ("eyj",), _ascii(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*")),
    Rule(
        "slack-token",
        ("xox", "xapp-"),
        _ascii(r"\b(?:xox[a-z](?:\.xox[a-z])?|xapp)-[A-Za-z0-9-]{10,}"),
    ),
    Rule(
        "github-token",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"),
        _ascii(r"\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})"),
    ),
    Rule(
        "stripe-key",
        ("_live_", "_test_", "whsec_"),
        _ascii(r"\b(?:(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]{10,}|whsec_[A-Za-z0-9]{20,})"),
    ),
    Rule("npm-token", ("npm_",), _ascii(r"\bnpm_[A-Za-z0-9]{30,}")),
    Rule("pypi-token", ("pypi-",), _ascii(r"\bpypi-[A-Za-z0-9_-]{50,}")),
    Rule("google-api-key", ("aiza",), _ascii(r"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    Rule(
        "openai-key",
        ("sk-",),
        # An upper-case letter tells a key from a kebab-case name that happens to start "sk-".
        _ascii(r"\bsk-(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{20,}"),
    ),
    Rule(
        "assignment",
        ("pass", "pwd", "secret", "token", "key"),
        # key=value, key: value, "key": "value". After ":" or "/" only "=" assigns: an ARN or a
        # path names a secret (arn:...:secret:db-AbCd, /oauth/token: 401); nor is an ARN value one.
        _ascii(
            rf"(?P<keep>(?>(?:(?<![:/]){_SENSITIVE_KEYS}{_SEP}|{_SENSITIVE_KEYS}{_EQUALS})"
            rf"{_OPEN_QUOTE})){_FRESH}(?!arn:){_VALUE}"
        ),
        marker=MARKER,
    ),
)


# Every hint of every row, so each is looked for once per text however many rows share it.
_HINTS = frozenset(hint for rule in RULES for hint in rule.hints)


def redact(text: str) -> str:
    """Hides every secret `RULES` knows; cheap on clean text, which is most of a log tail."""
    lowered = text.lower()
    present = {hint for hint in _HINTS if hint in lowered}
    if not present:
        return text
    for rule in RULES:
        if not present.isdisjoint(rule.hints):
            text = rule.pattern.sub(rule.replacement, text)
    return text
