"""Links to the AWS console page of each resource a diagnosis can blame.

The console's URL scheme is not an API: these are the pages as they are addressed today, one
function per resource so a change in the console is a change in one place.
"""

from __future__ import annotations

from urllib.parse import quote

from bot.model import Target


def _home(region: str, service: str) -> str:
    return f"https://{region}.console.aws.amazon.com/{service}"


def ecs_target(region: str, target: Target) -> str:
    """The ECS page of a service or a task (the clusters page when the cluster is unknown);
    bot/parse/console_url.py reads these back."""
    base = f"{_home(region, 'ecs')}/v2/clusters"
    if target.cluster is None:
        return f"{base}?region={region}"
    base = f"{base}/{target.cluster}"
    if target.service:
        return f"{base}/services/{target.service}/health?region={region}"
    return f"{base}/tasks/{target.task_id}/configuration?region={region}"


def target_group(region: str, arn: str) -> str:
    return f"{_home(region, 'ec2')}/home?region={region}#TargetGroup:targetGroupArn={arn}"


def role(region: str, name: str) -> str:
    # IAM is global; the regional host still opens it.
    return f"{_home(region, 'iam')}/home#/roles/details/{quote(name, safe='')}"


def vpc_endpoints(region: str, vpc_id: str) -> str:
    return f"{_home(region, 'vpcconsole')}/home?region={region}#Endpoints:vpcId={vpc_id}"


def route_table(region: str, route_table_id: str) -> str:
    return (
        f"{_home(region, 'vpcconsole')}/home?region={region}"
        f"#RouteTableDetails:RouteTableId={route_table_id}"
    )


def security_group(region: str, group_id: str) -> str:
    return f"{_home(region, 'ec2')}/home?region={region}#SecurityGroup:groupId={group_id}"


def instance(region: str, instance_id: str) -> str:
    return f"{_home(region, 'ec2')}/home?region={region}#InstanceDetails:instanceId={instance_id}"


def _logs_path(name: str) -> str:
    # The CloudWatch console encodes path parts twice and writes "%" as "$".
    return quote(quote(name, safe=""), safe="").replace("%", "$")


def log_stream(region: str, group: str, stream: str) -> str:
    return (
        f"{_home(region, 'cloudwatch')}/home?region={region}#logsV2:log-groups/log-group/"
        f"{_logs_path(group)}/log-events/{_logs_path(stream)}"
    )


def log_groups(region: str) -> str:
    return f"{_home(region, 'cloudwatch')}/home?region={region}#logsV2:log-groups"


def ecr_repository(region: str, account: str, repository: str) -> str:
    return f"{_home(region, 'ecr')}/repositories/private/{account}/{repository}?region={region}"


def task_definition(region: str, family: str, revision: int) -> str:
    return (
        f"{_home(region, 'ecs')}/v2/task-definitions/{family}/{revision}/containers?region={region}"
    )


def cluster_instances(region: str, cluster: str) -> str:
    return f"{_home(region, 'ecs')}/v2/clusters/{cluster}/infrastructure?region={region}"


def service_deployments(region: str, cluster: str, service: str) -> str:
    ecs = _home(region, "ecs")
    return f"{ecs}/v2/clusters/{cluster}/services/{service}/deployments?region={region}"


def efs_file_system(region: str, file_system_id: str) -> str:
    return f"{_home(region, 'efs')}/home?region={region}#/file-systems/{file_system_id}"


def secret(region: str, name: str) -> str:
    return f"{_home(region, 'secretsmanager')}/secret?name={quote(name, safe='')}&region={region}"


def stop_task_events(region: str) -> str:
    return f"{_home(region, 'cloudtrail')}/home?region={region}#/events?EventName=StopTask"


def service_quotas(region: str, service_code: str) -> str:
    return f"{_home(region, 'servicequotas')}/home/services/{service_code}/quotas?region={region}"


def runbook(region: str, document: str) -> str:
    return f"{_home(region, 'systems-manager')}/automation/execute/{document}?region={region}"
