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

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Sequence
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
    # A last word on a match the pattern alone cannot tell from prose (is it base64 "u:p"?).
    confirm: Callable[[re.Match[str]], bool] | None = None

    @cached_property
    def replacement(self) -> str:
        marker = self.marker or f"[REDACTED:{self.name}]"
        return rf"\g<keep>{marker}" if "keep" in self.pattern.groupindex else marker

    def apply(self, text: str) -> str:
        """`text` with every match of this row hidden."""
        confirm = self.confirm
        if confirm is None:
            return self.pattern.sub(self.replacement, text)

        def hide(match: re.Match[str]) -> str:
            return match.expand(self.replacement) if confirm(match) else match[0]

        return self.pattern.sub(hide, text)


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
    r"(?=[PpSsTtAaEeMm])(?i:pass(?:word|wd|phrase|(?![a-z]))|pwd|secret|token"
    r"|(?:api|app|access|account|secret|private|signing|encryption|master)[_-]?key)"
)
_B64 = r"A-Za-z0-9+/"
# GitLab's token prefixes (personal, deploy, runner, trigger, …); the last is a runner's
# registration token, which carries no dash.
_GITLAB = (
    "glpat-",
    "gldt-",
    "glrt-",
    "glptt-",
    "glsoat-",
    "glcbt-",
    "glft-",
    "glimt-",
    "glagent-",
    "gloas-",
    "gr1348941",
)


def _is_basic_credentials(match: re.Match[str]) -> bool:
    """Whether the value is base64 of printable "user:password", as HTTP Basic sends it."""
    value = match[0][len(match["keep"]) :]
    try:
        decoded = base64.b64decode(value + "=" * (-len(value) % 4), validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError):
        return False
    return ":" in decoded and decoded.isprintable()


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
        ("signature=", "credential=", "security-token=", "awsaccesskeyid=", "sig="),
        # SigV4 / SigV2 query parameters of presigned S3 and ECR layer URLs; Azure SAS's sig.
        _ascii(
            r"(?P<keep>(?=[XxSsAa])(?<![\w-])(?i:x-amz-(?:signature|credential|security-token)"
            rf"|signature|awsaccesskeyid|sig)=){_FRESH}[^&\s\"'#<>]+"
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
        "basic-auth",
        ("basic",),
        # A bare `Basic dXNlcjpwYXNz` (a copied header, a client's debug line): only when the
        # word after it is base64 of "user:password", so "Basic authentication failed" stays.
        _ascii(
            rf"(?P<keep>(?>(?=[Bb])\b(?i:basic)[ \t]+)){_FRESH}[{_B64}]{{6,}}={{0,2}}(?![\w+/=])"
        ),
        confirm=_is_basic_credentials,
    ),
    Rule(
        "password-flag",
        ("pass", "pwd", "secret", "token", "key"),
        # A command line's `--password X`, `--db-password 'X'`, `-token X` (the `=` spelling is an
        # assignment, below). Never a following flag, nor a variable the shell expands.
        _ascii(
            r"(?P<keep>(?>(?<![\w-])--?(?:[A-Za-z0-9]+[_-])*"
            rf"(?=[PpSsTtAaKk])(?i:pass(?:word|wd|phrase)?|pwd|secret|token|(?:api[_-]?)?key)"
            rf"[ \t]+{_OPEN_QUOTE})){_FRESH}(?![-$]){_VALUE}"
        ),
        marker=MARKER,
    ),
    Rule(
        "password-flag",
        ("mysql", "mariadb", "sshpass"),
        # mysql's `-pX` takes the password glued to the flag (`-p X` would name a database).
        _ascii(
            r"(?P<keep>(?>\b(?:mysql[a-z]*|mariadb[a-z-]*|sshpass)\b[^\n|;&]*?[ \t]-p))"
            rf"{_FRESH}(?![\s$'\"])[^\s\"']+"
        ),
        marker=MARKER,
    ),
    Rule(
        "password-flag",
        ("u ", "u\t", "--user"),
        # `curl -u user:password` (or -fsu), and `docker login -u user -p password`; not
        # docker's `-u 1000:1000` (uid:gid), nor mysql's `-u user -p db`, which asks for the
        # password and names a database.
        _ascii(
            r"(?P<keep>(?>(?P<mysql>\bmysql[a-z]*\b[^\n|;&]*?)?"
            r"(?<![\w-])(?:-[A-Za-z]*u|--user(?:name)?|--proxy-user)[ \t]+"
            r"(?:[\"']?(?![0-9]+:)[^\s:\"']+:|[^\s\"']+[ \t]+-p[ \t]+)))"
            rf"{_FRESH}(?![\s$-])[^\s\"']+"
        ),
        marker=MARKER,
        confirm=lambda match: match["mysql"] is None or not match["keep"].endswith("-p "),
    ),
    Rule(
        "docker-auth",
        ('"auth"',),
        # ~/.docker/config.json: {"auths": {"registry": {"auth": base64("user:password")}}}.
        _ascii(rf'(?P<keep>"auth"\s*:\s*"){_FRESH}[{_B64}]{{8,}}={{0,2}}(?=")'),
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
    *(
        Rule(name, hints, _ascii(pattern))
        for name, hints, pattern in (
            # SaaS token shapes: a prefix the vendor chose so that scanners like gitleaks and
            # detect-secrets find them (their rule sets are the reference for each row).
            (
                "gitlab-token",
                _GITLAB,
                rf"\b(?:(?:{'|'.join(_GITLAB[:-1])})[A-Za-z0-9_-]{{20,}}|GR1348941[A-Za-z0-9_-]{{20,}})",
            ),
            ("sendgrid-key", ("sg.",), r"\bSG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}(?![\w-])"),
            ("twilio-key", ("sk",), r"\bSK[0-9a-fA-F]{32}\b"),
            ("huggingface-token", ("hf_",), r"\bhf_[A-Za-z]{34}\b"),
            ("digitalocean-token", ("_v1_",), r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
            ("shopify-token", ("shp",), r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
            ("vault-token", ("hvs.", "hvb."), r"\bhv[sb]\.[A-Za-z0-9_-]{24,}"),
            ("doppler-token", ("dp.",), r"\bdp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,}"),
            ("postman-key", ("pmak-",), r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b"),
            ("linear-key", ("lin_api_",), r"\blin_api_[A-Za-z0-9]{40}\b"),
            ("newrelic-key", ("nrak-", "nrjs-", "nrii-"), r"\bNR(?:AK|JS|II)-[A-Za-z0-9]{19,32}\b"),
            ("grafana-token", ("glc_", "glsa_"), r"\bgl(?:c|sa)_[A-Za-z0-9+/=_-]{32,}"),
            ("sendinblue-key", ("xkeysib-",), r"\bxkeysib-[a-f0-9]{64}-[A-Za-z0-9]{16}\b"),
            ("mailchimp-key", ("-us",), r"\b[0-9a-f]{32}-us[0-9]{1,2}\b"),
            ("mailgun-key", ("key-",), r"\bkey-[0-9a-f]{32}\b"),
            (
                "square-token",
                ("sq0", "eaaa"),
                r"\b(?:sq0(?:atp|csp)-[A-Za-z0-9_-]{22,}|EAAA[A-Za-z0-9_-]{60})",
            ),
            ("telegram-token", (":aa",), r"(?<![0-9])[0-9]{8,10}:AA[A-Za-z0-9_-]{33}(?![\w-])"),
            (
                "age-key",
                ("age-secret-key-",),
                r"\bAGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
            ),
            ("databricks-token", ("dapi",), r"\bdapi[a-h0-9]{32}(?:-[0-9])?\b"),
            ("pulumi-token", ("pul-",), r"\bpul-[a-f0-9]{40}\b"),
            ("planetscale-token", ("pscale_",), r"\bpscale_(?:tkn|pw|oauth)_[A-Za-z0-9_.-]{32,}"),
            (
                "azure-client-secret",
                ("q~",),
                r"(?<![\w~.-])[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34}(?![\w~.-])",
            ),
            ("gcp-client-secret", ("gocspx-",), r"\bGOCSPX-[A-Za-z0-9_-]{28}(?![\w-])"),
            ("gcp-access-token", ("ya29.",), r"\bya29\.[A-Za-z0-9_-]{20,}"),
            ("terraform-token", ("atlasv1",), r"\b[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}"),
            ("dynatrace-token", ("dt0c01.",), r"\bdt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}\b"),
            ("sentry-token", ("sntry",), r"\bsntry[su]_[A-Za-z0-9+/=_]{30,}"),
            ("rubygems-key", ("rubygems_",), r"\brubygems_[a-f0-9]{48}\b"),
            ("shippo-token", ("shippo_",), r"\bshippo_(?:live|test)_[a-f0-9]{40}\b"),
            ("artifactory-key", ("akcp",), r"\bAKCp[A-Za-z0-9]{69}\b"),
            ("mapbox-token", ("k.eyj",), r"\b[sp]k\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}"),
            ("facebook-token", ("eaac", "eaad"), r"\bEAA[CD][A-Za-z0-9]{100,}"),
            ("alibaba-key", ("ltai",), r"\bLTAI[A-Za-z0-9]{20}\b"),
            ("atlassian-token", ("atatt3",), r"\bATATT3[A-Za-z0-9_=-]{180,}"),
            (
                "amazon-mws-token",
                ("amzn.mws.",),
                r"\bamzn\.mws\.[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b",
            ),
        )
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


# Each hint with the rows (by position) it wakes, so a line runs only its rows, in order.
_ROWS_BY_HINT = {
    hint: frozenset(at for at, rule in enumerate(RULES) if hint in rule.hints)
    for hint in dict.fromkeys(hint for rule in RULES for hint in rule.hints)
}


def redact(text: str) -> str:
    """Hides every secret `RULES` knows; cheap on clean text, which is most of a log tail.

    Until nothing more changes (a few passes at most): a marker can end a secret that an earlier
    rule saw running into the next one, e.g. `Basic <base64>=AKIA…` once the key is hidden."""
    for _ in range(MAX_PASSES):
        if (hidden := _redact_once(text)) == text:
            break
        text = hidden
    return text


MAX_PASSES = 4


def _redact_once(text: str) -> str:
    lowered = text.lower()
    rows: set[int] = set()
    for hint, woken in _ROWS_BY_HINT.items():
        if hint in lowered:
            rows |= woken
    for at in sorted(rows):
        text = RULES[at].apply(text)
    return text


# A private key's armour lines; a log driver sends each line of a logged key as its own event.
_ARMOUR = _ascii(r"-----(?P<side>BEGIN|END)[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----")
# A key's body line: base64, or a PEM header such as Proc-Type, as a log event carries it.
_PEM_BODY = _ascii(
    r"""[\s"',]*(?:[A-Za-z0-9+/]{16,}={0,2}|(?:Proc-Type|DEK-Info):[^\n]*)[\s"',\\n]*"""
)
PEM_MARKER = "[REDACTED:private-key]"


def redact_lines(lines: Iterable[str]) -> list[str]:
    """The lines of one stream, each redacted, as many as came in. A private key logged one
    line per event is hidden from its BEGIN line to its END line; one whose BEGIN fell before
    the first line read takes the key-shaped lines before its END with it."""
    out: list[str] = []
    inside = False
    for line in lines:
        shown, still_inside, began_earlier = _hide_keys(line, inside)
        if began_earlier:  # the BEGIN line is older than the tail: hide the body we kept
            body = len(out)
            while body and _PEM_BODY.fullmatch(out[body - 1]):
                body -= 1
            out[body:] = [PEM_MARKER] * (len(out) - body)
        out.append(redact(shown))
        inside = still_inside
    return out


def _hide_keys(line: str, inside: bool) -> tuple[str, bool, bool]:
    """`line` with every part of a private key in it hidden (one marker per run); whether a key
    is still open at its end; and whether its first armour line is an END no BEGIN opened."""
    shown: list[str] = []
    hidden_from = 0 if inside else None  # where the key being hidden started in this line
    visible_from = 0
    began_earlier = False
    for armour in _ARMOUR.finditer(line):
        if hidden_from is None:
            hidden_from = armour.start()
            if armour["side"] == "END":  # no BEGIN: the text before it was the key's tail
                began_earlier = began_earlier or visible_from == 0
            else:
                shown.append(line[visible_from:hidden_from])
        if armour["side"] == "END":
            shown.append(PEM_MARKER)
            hidden_from, visible_from = None, armour.end()
    if hidden_from is not None:
        shown.append(PEM_MARKER)
    else:
        shown.append(line[visible_from:])
    text = re.sub(rf"(?:{re.escape(PEM_MARKER)})+", lambda _: PEM_MARKER, "".join(shown))
    return text, hidden_from is not None, began_earlier


# A command-line flag whose next argument is a secret: --password, --db-pass, -token, --api-key.
_SECRET_FLAG = _ascii(
    r"--?(?:[A-Za-z0-9]+[_-])*(?i:pass(?:word|wd|phrase)?|pwd|secret|token|(?:api[_-]?)?key)"
)
_USER_FLAG = _ascii(r"-[A-Za-z]*u|--user|--proxy-user")  # curl -u, -fsu, --user USER:PASSWORD
_CREDENTIALS = _ascii(r"(?![0-9]+:)[^:$]+:.+")  # user:password, not uid:gid
_MYSQL = _ascii(r"(?:.*/)?(?:mysql[a-z]*|mariadb[a-z-]*|sshpass)")


def redact_argv(argv: Sequence[str]) -> tuple[str, ...]:
    """A command as ECS holds it, one argument per item (a task definition's command, entry
    point or health check): each argument redacted, and the arguments a flag before them
    makes secret (`--password X`, `-u user -p X`, `curl -u user:X`, mysql's `-pX`)."""
    out: list[str] = []
    for at, arg in enumerate(argv):
        before = argv[at - 1] if at else ""
        hidden = not arg.startswith(("-", "$")) and (
            bool(_SECRET_FLAG.fullmatch(before))
            or (before == "-p" and at >= 3 and argv[at - 3] in ("-u", "--username", "--user"))
        )
        if hidden:
            out.append(MARKER)
        elif _USER_FLAG.fullmatch(before) and _CREDENTIALS.fullmatch(arg):
            out.append(arg.split(":", 1)[0] + ":" + MARKER)
        elif arg.startswith("-p") and len(arg) > 2 and argv and _MYSQL.fullmatch(argv[0]):
            out.append("-p" + MARKER)
        else:
            out.append(redact(arg))
    return tuple(out)
