"""dependency-unreachable reads structure: the endpoint the app names is matched to the RDS or
ElastiCache resource AWS describes, whose inbound rules are compared with the task's groups."""

from __future__ import annotations

import tests.facts_builder as fb
from bot.checks.exit_code import check_exit_code
from bot.checks.past_start import DEPENDENCY_UNREACHABLE, named_hosts
from bot.checks.reachability import judge
from bot.model import Cause, Facts, PortRule, SecurityGroup, Upstream

DB_HOST = "ledger-db.cx2k4example.us-east-1.rds.amazonaws.com"
TIMED_OUT = (
    f'psycopg2.OperationalError: connection to server at "{DB_HOST}" (10.0.1.57), port 5432 '
    "failed: Connection timed out"
)
CACHE_HOST = "sessions.abc123.ng.0001.use1.cache.amazonaws.com"
REFUSED = (
    f"redis.exceptions.ConnectionError: Error 111 connecting to {CACHE_HOST}:6379. "
    "Connection refused."
)


def database(*rules: PortRule) -> Upstream:
    return Upstream(
        kind="rds-instance",
        id="ledger-db",
        addresses=(DB_HOST,),
        port=5432,
        status="available",
        security_groups=(SecurityGroup(id="sg-0db", name="ledger-db", ingress=rules),),
    )


def timed_out(upstream: Upstream, line: str = TIMED_OUT) -> Facts:
    stop = fb.stopped(exit_code=1)
    return fb.failing(stop, log_streams=(fb.logs(stop, line),), dependencies=(upstream,))


def test_the_hosts_worth_asking_aws_about_are_those_the_app_could_not_reach() -> None:
    stop = fb.stopped(exit_code=1)
    streams = (fb.logs(stop, "starting worker", TIMED_OUT, REFUSED),)
    assert named_hosts(streams) == (DB_HOST, CACHE_HOST)


def test_a_database_whose_group_admits_another_group_names_the_rule_to_add() -> None:
    only_admin = PortRule(
        protocol="tcp", from_port=5432, to_port=5432, security_groups=("sg-0admin",)
    )
    facts = timed_out(database(only_admin))
    finding = fb.only(check_exit_code(facts), Cause.DEPENDENCY_UNREACHABLE)
    said = [e.text for e in finding.evidence]
    assert f"RDS instance ledger-db (available) answers at {DB_HOST}:5432" in said
    assert (
        "its security groups (sg-0db (ledger-db)) admit none of the task's (sg-0api) on port 5432: "
        "tcp 5432 from sg-0admin"
    ) in said
    particulars = finding.particulars
    assert (particulars.ingress_group, particulars.ingress_port, particulars.ingress_source) == (
        "sg-0db",
        5432,
        "sg-0api",
    )
    step = fb.fixed(DEPENDENCY_UNREACHABLE, facts, particulars=particulars)
    assert (
        "RDS instance ledger-db's security group sg-0db admits nothing from the task's group "
        "sg-0api on port 5432" in step.action
    )
    assert step.command == (
        "aws ec2 authorize-security-group-ingress --group-id sg-0db --ip-permissions "
        "'IpProtocol=tcp,FromPort=5432,ToPort=5432,UserIdGroupPairs=[{GroupId=sg-0api}]'"
    )


def test_a_rule_from_the_tasks_group_or_range_or_a_prefix_list_admits_it() -> None:
    admitting = [
        PortRule(
            protocol="tcp", from_port=5432, to_port=5432, security_groups=(fb.SECURITY_GROUP,)
        ),
        PortRule(protocol="tcp", from_port=5400, to_port=5500, cidrs=("10.0.0.0/16",)),
        PortRule(protocol="-1", prefix_lists=("pl-0corp",)),
    ]
    for rule in admitting:
        task = fb.stopped(exit_code=1).model_copy(update={"private_ip": "10.0.3.9"})
        facts = timed_out(database(rule)).model_copy(update={"stopped_tasks": (task,)})
        reach = judge(facts, TIMED_OUT, "10.0.1.57:5432")
        assert reach.particulars.ingress_group is None, rule
        assert any("admits the task" in e.text for e in reach.evidence), rule


def test_a_range_that_does_not_hold_the_tasks_address_or_another_port_does_not() -> None:
    others = [
        PortRule(protocol="tcp", from_port=5432, to_port=5432, cidrs=("192.168.0.0/24",)),
        PortRule(
            protocol="tcp", from_port=3306, to_port=3306, security_groups=(fb.SECURITY_GROUP,)
        ),
        PortRule(protocol="udp", from_port=5432, to_port=5432, cidrs=("0.0.0.0/0",)),
    ]
    task = fb.stopped(exit_code=1).model_copy(update={"private_ip": "10.0.3.9"})
    facts = timed_out(database(*others)).model_copy(update={"stopped_tasks": (task,)})
    assert judge(facts, TIMED_OUT, "10.0.1.57:5432").particulars.ingress_group == "sg-0db"


def test_an_endpoint_aws_does_not_know_adds_nothing_and_keeps_the_cause() -> None:
    facts = timed_out(database(), line=TIMED_OUT.replace("ledger-db", "other-db"))
    finding = fb.only(check_exit_code(facts), Cause.DEPENDENCY_UNREACHABLE)
    assert finding.particulars.upstream is None
    assert not any("RDS instance" in e.text for e in finding.evidence)


def test_a_cache_by_its_node_endpoint() -> None:
    cache = Upstream(
        kind="cache-replication-group",
        id="sessions",
        addresses=(CACHE_HOST,),
        port=6379,
        security_groups=(SecurityGroup(id="sg-0cache", name="sessions"),),
    )
    facts = timed_out(cache, line=REFUSED)
    finding = fb.only(check_exit_code(facts), Cause.DEPENDENCY_UNREACHABLE)
    assert finding.particulars.upstream == "ElastiCache replication group sessions"
    assert finding.particulars.ingress_group == "sg-0cache"  # no inbound rule at all
    assert "on port 6379: no inbound rule" in " ".join(e.text for e in finding.evidence)
