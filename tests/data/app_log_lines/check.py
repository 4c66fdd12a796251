#!/usr/bin/env python3
"""Validate the real-log-line corpus (issue 18) and the AWS message collection.

Stdlib only.  Run:  python3 tests/data/app_log_lines/check.py
Exits non-zero (and prints every problem) when a rule is broken.
"""
import collections
import hashlib
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
AWS_FILE = HERE.parent / "aws_messages_2024.jsonl"

FAMILIES = (
    "dependency-unreachable", "config-missing", "heap-exhausted", "file-limit",
    "disk-full", "task-role-denied", "task-role-missing", "not-foreground",
    "log-config-invalid", "app-crash",
)
KINDS = {"dependency-unreachable": {"refused", "timeout", "dns", "tls", "db-auth"}}
MIN_PER_FAMILY = 20
MIN_TOTAL = 500
MIN_AWS = 60

# CONTRACT.md section 4, "Cause codes": code -> checklist step
CODE_STEP = {
    "deployment-or-scale-in": "stopped-reason", "stopped-by-user": "stopped-reason",
    "spot-interruption": "stopped-reason", "infrastructure": "stopped-reason",
    "task-failed-to-start": "stopped-reason", "container-runtime": "stopped-reason",
    "app-crash": "exit-code", "exec-permission-denied": "exit-code",
    "command-not-found": "exit-code", "out-of-memory": "exit-code", "segfault": "exit-code",
    "sigterm": "exit-code", "dependency-unreachable": "exit-code",
    "config-missing": "exit-code", "heap-exhausted": "exit-code", "file-limit": "exit-code",
    "not-foreground": "exit-code",
    "log-group-missing": "logs", "log-config-invalid": "logs",
    "image-not-found": "image", "ecr-permission-denied": "image", "registry-auth": "image",
    "platform-mismatch": "image",
    "execution-role-missing": "iam", "role-not-found": "iam", "trust-policy": "iam",
    "secrets-access-denied": "iam", "task-role-missing": "iam", "task-role-denied": "iam",
    "no-route-to-internet": "network", "missing-vpc-endpoint": "network",
    "security-group-no-egress": "network", "security-group-no-ingress": "network",
    "efs-mount-failed": "network",
    "insufficient-cpu": "resources", "insufficient-memory": "resources",
    "no-container-instances": "resources", "fargate-capacity": "resources",
    "service-quota": "resources", "port-in-use": "resources", "disk-full": "resources",
    "placement-constraint": "resources",
    "health-check-start-period": "health-check", "health-check-failing": "health-check",
    "health-check-port-mismatch": "health-check", "elb-health-check": "health-check",
    "unknown": None,
}
STEPS = ("stopped-reason", "exit-code", "logs", "image", "iam", "network", "resources",
         "health-check")
FIELDS = {"stoppedReason", "containerReason", "serviceEvent"}


def expected_split(text):
    """heldout when sha256(text) mod 4 == 0, else train."""
    return "heldout" if int(hashlib.sha256(text.encode("utf-8")).hexdigest(), 16) % 4 == 0 else "train"


def nonempty_str(v):
    return isinstance(v, str) and v.strip() != ""


def load(path, errors):
    rows = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"{path.name}:{n}: blank line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                errors.append(f"{path.name}:{n}: invalid JSON ({exc})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"{path.name}:{n}: not an object")
                continue
            rows.append((n, obj))
    return rows


def check_app_lines(errors):
    counts = {}
    files = {p.stem for p in HERE.glob("*.jsonl")}
    for extra in sorted(files - set(FAMILIES)):
        errors.append(f"{extra}.jsonl: not a known family")
    allowed = {"text", "cause", "kind", "runtime", "source", "split"}
    for fam in FAMILIES:
        path = HERE / f"{fam}.jsonl"
        if not path.exists():
            errors.append(f"{fam}.jsonl: missing")
            counts[fam] = collections.Counter()
            continue
        seen = set()
        c = collections.Counter()
        for n, r in load(path, errors):
            where = f"{path.name}:{n}"
            for k in sorted(set(r) - allowed):
                errors.append(f"{where}: unexpected key {k!r}")
            for k in ("text", "cause", "runtime", "source", "split"):
                if not nonempty_str(r.get(k)):
                    errors.append(f"{where}: {k} missing or empty")
            text = r.get("text")
            if not isinstance(text, str):
                continue
            if "\n" in text:
                errors.append(f"{where}: text spans several lines")
            if r.get("cause") != fam:
                errors.append(f"{where}: cause {r.get('cause')!r} != file family {fam!r}")
            if "kind" in r:
                if fam not in KINDS:
                    errors.append(f"{where}: kind not used for {fam}")
                elif r["kind"] not in KINDS[fam]:
                    errors.append(f"{where}: kind {r['kind']!r} not in {sorted(KINDS[fam])}")
            if r.get("split") != expected_split(text):
                errors.append(f"{where}: split {r.get('split')!r}, rule says {expected_split(text)!r}")
            if text in seen:
                errors.append(f"{where}: exact duplicate text")
            seen.add(text)
            c[r.get("split")] += 1
        counts[fam] = c
        total = sum(c.values())
        if total < MIN_PER_FAMILY:
            errors.append(f"{fam}: {total} records, need >= {MIN_PER_FAMILY}")
        if c["heldout"] == 0:
            errors.append(f"{fam}: no heldout records")
    grand = sum(sum(c.values()) for c in counts.values())
    if grand < MIN_TOTAL:
        errors.append(f"total {grand} records, need >= {MIN_TOTAL}")
    return counts, grand


def check_aws(errors):
    if not AWS_FILE.exists():
        errors.append(f"{AWS_FILE.name}: missing")
        return collections.Counter()
    allowed = {"text", "field", "cause", "step", "source", "seen"}
    seen = set()
    by_field = collections.Counter()
    for n, r in load(AWS_FILE, errors):
        where = f"{AWS_FILE.name}:{n}"
        for k in sorted(set(r) - allowed):
            errors.append(f"{where}: unexpected key {k!r}")
        for k in ("text", "field", "cause", "step", "source"):
            if not nonempty_str(r.get(k)):
                errors.append(f"{where}: {k} missing or empty")
        if r.get("field") not in FIELDS:
            errors.append(f"{where}: field {r.get('field')!r} not in {sorted(FIELDS)}")
        cause, step = r.get("cause"), r.get("step")
        if cause not in CODE_STEP:
            errors.append(f"{where}: cause {cause!r} is not a CONTRACT cause code")
        if step not in STEPS:
            errors.append(f"{where}: step {step!r} is not a checklist step")
        elif CODE_STEP.get(cause) not in (None, step):
            errors.append(f"{where}: cause {cause!r} belongs to step {CODE_STEP[cause]!r}, not {step!r}")
        if r.get("text") in seen:
            errors.append(f"{where}: exact duplicate text")
        seen.add(r.get("text"))
        by_field[r.get("field")] += 1
    if sum(by_field.values()) < MIN_AWS:
        errors.append(f"{AWS_FILE.name}: {sum(by_field.values())} records, aim is >= {MIN_AWS}")
    return by_field


def main():
    errors = []
    counts, grand = check_app_lines(errors)
    by_field = check_aws(errors)
    print(f"{'family':<24}{'train':>7}{'heldout':>9}{'total':>7}")
    for fam in FAMILIES:
        c = counts.get(fam, collections.Counter())
        print(f"{fam:<24}{c['train']:>7}{c['heldout']:>9}{sum(c.values()):>7}")
    tr = sum(c["train"] for c in counts.values())
    ho = sum(c["heldout"] for c in counts.values())
    print(f"{'TOTAL':<24}{tr:>7}{ho:>9}{grand:>7}")
    print(f"aws_messages_2024.jsonl: {sum(by_field.values())} records {dict(sorted(by_field.items()))}")
    for e in errors:
        print("ERROR:", e, file=sys.stderr)
    print("OK" if not errors else f"{len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
