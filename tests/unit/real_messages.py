"""Real AWS ECS error messages, each with a public source, to test the ecs-why pattern table."""

from typing import NamedTuple


class RealMessage(NamedTuple):
    code: str  # the ecs-why cause code this message proves
    # kind: "stopped-reason" | "container-reason" | "service-event" | "log-line" | "target-health"
    kind: str
    text: str  # the message exactly as AWS (or the app) printed it
    source: str  # URL where it was seen


REAL_MESSAGES: tuple[RealMessage, ...] = (
    # --- image-not-found ---
    # newer containerd-based wording (Fargate PV 1.4 / newer agents); wrong digest pinned
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: pull image manifest has been retried 1"
            " time(s): failed to resolve ref"
            " ghcr.io/usdigitalresponse/usdr-gost-arpa-exporter:9f3f04ba74d338f"
            "28372c252c68e0e2eb8a65185@sha256:cca4a767de7ae6d33db8dcc9bb0452db9"
            "6d042327c37a85515fe8612881477f7:"
            " ghcr.io/usdigitalresponse/usdr-gost-arpa-exporter:9f3f04ba74d338f"
            "28372c252c68e0e2eb8a65185@sha256:cca4a767de7ae6d33db8dcc9bb0452db9"
            "6d042327c37a85515fe8612881477f7: not found"
        ),
        source="https://github.com/usdigitalresponse/usdr-gost/pull/4036",
    ),
    # old Docker-based agent wording; shown as 'Container message' under stopped reason
    # 'Essential container in task exited'
    RealMessage(
        code="image-not-found",
        kind="container-reason",
        text=(
            "CannotPullContainerError: API error (404): repository"
            " serverless-batch not found: does not exist or no pull access"
        ),
        source="https://github.com/RafalWilinski/deploy-with-serverless/issues/11",
    ),
    # AWS doc example (placeholders are AWS's own)
    RealMessage(
        code="image-not-found",
        kind="container-reason",
        text=(
            "CannotPullContainerError: API error (404): repository"
            " 111122223333.dkr.ecr.us-east-1.amazonaws.com/<repo>/<image> not"
            " found"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    # 2016 agent log 'Reason' field, Docker 1.9 era
    RealMessage(
        code="image-not-found",
        kind="container-reason",
        text=(
            "CannotPullContainerError: Tag latest not found in repository"
            " docker.io/library/owncloud"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/422",
    ),
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: manifest"
            " for elasticsearch:latest not found"
        ),
        source="https://github.com/prakhar1989/docker-curriculum/issues/218",
    ),
    # AMBIGUOUS WORDING: 'pull access denied ... may require docker login' but the real cause
    # was a non-existent Docker Hub repo (maintainer reply)
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: pull access"
            " denied for elasticsearch/elasticsearch, repository does not"
            " exist or may require 'docker login'"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/2343",
    ),
    # same ambiguous wording; the image was simply never published
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: pull access"
            " denied for ecs-task-kite, repository does not exist or may"
            " require 'docker login'"
        ),
        source="https://github.com/awslabs/ecs-task-kite/issues/8",
    ),
    # --- ecr-permission-denied ---
    RealMessage(
        code="ecr-permission-denied",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: pull image manifest has been retried 1"
            " time(s): failed to resolve ref"
            " 123456789123.dkr.ecr.us-east-1.amazonaws.com/a2-ecr-app-repo:late"
            "st: pulling from host"
            " 123456789123.dkr.ecr.us-east-1.amazonaws.com failed with status"
            " code [manifests latest]: 403 Forbidden"
        ),
        source="https://github.com/aws/aws-cdk/issues/29876",
    ),
    # cross-account ECR repo stopped allowing pulls; 403 on the blob HEAD rather than the
    # manifest
    RealMessage(
        code="ecr-permission-denied",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: pull image manifest has been retried 1"
            " time(s): failed to resolve ref"
            " 366590864501.dkr.ecr.us-west-2.amazonaws.com/bedrock-proxy-api-ec"
            "s:latest@sha256:5de487da52320ad9978f3a7a4f6700910342956c7dcb3b6f95"
            "5222b4cccbd600: unexpected status from HEAD request to"
            " https://366590864501.dkr.ecr.us-west-2.amazonaws.com/v2/bedrock-p"
            "roxy-api-ecs/blobs/sha256:5de487da52320ad9978f3a7a4f6700910342956c"
            "7dcb3b6f955222b4cccbd600: 403 Forbidden"
        ),
        source="https://github.com/aws-samples/bedrock-access-gateway/issues/114",
    ),
    # old Docker wording for an ECR repo in another account; same text as a missing image
    RealMessage(
        code="ecr-permission-denied",
        kind="container-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: pull access"
            " denied for"
            " 831759287394.dkr.ecr.us-west-2.amazonaws.com/amberwing-sidecar,"
            " repository does not exist or may require 'docker login': denied"
        ),
        source="https://github.com/aws/aws-toolkit-jetbrains/issues/2318",
    ),
    # 2016: cross-account ECR pull without permission surfaced as a 404 'not found'
    RealMessage(
        code="ecr-permission-denied",
        kind="container-reason",
        text="CannotPullContainerError: Error: image my-app:1.0 not found",
        source="https://github.com/aws/amazon-ecs-agent/issues/308",
    ),
    # --- registry-auth ---
    # private Docker Hub repo, no credentials (AWS Batch on ECS; stopped reason 'Task failed
    # to start')
    RealMessage(
        code="registry-auth",
        kind="container-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: pull access"
            " denied for myprivate/testbatch, repository does not exist or may"
            " require 'docker login'"
        ),
        source="https://github.com/awslabs/aws-batch-helpers/issues/4",
    ),
    # Fargate PV 1.4 containerd wording; fix was repositoryCredentials
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: inspect image has been retried 1"
            " time(s): failed to resolve ref"
            ' "rrr-docker-nonprod-virtual.us.artifactory.r1.rrr.com/rrr-backend'
            '-service/aws2o:20220128.2": failed to authorize: failed to fetch'
            " anonymous token."
        ),
        source="https://github.com/aws/containers-roadmap/issues/1658",
    ),
    # source line has a trailing space after 'Unauthorized'
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: inspect image has been retried 1"
            ' time(s): failed to resolve ref "artifactoryserver.com:1":'
            " unexpected status code [manifests 1]: 401 Unauthorized"
        ),
        source="https://github.com/aws/containers-roadmap/issues/1302",
    ),
    # Docker daemon log on an ECS instance; the \n are literal backslash-n in the log
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            'time="2018-08-30T03:58:30.989044052Z" level=error msg="Not'
            " continuing with pull after error: errors:\\ndenied: requested"
            " access to the resource is denied\\nunauthorized: authentication"
            ' required\\n"'
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/1552",
    ),
    # --- secrets-access-denied ---
    # note the lower-case 'Resourceinitializationerror' as pasted from the console; match
    # case-insensitively
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "Resourceinitializationerror: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " secrets from ssm: service call has been retried 1 time(s):"
            " AccessDeniedException: User: arn:aws:sts::<account"
            " id>:assumed-role/aits-demo-app-test-demo-app-ExecutionRole-28VBAJ"
            "L3T0YT/f83b93a4dc3442a18eaaf8c2a235cd37 is not authorized to"
            " perform: ssm:GetParameters on resource:"
            " arn:aws:ssm:eu-west-2:<account id>:parameter/GOOGLE_CLIENT_ID"
            " because no identity-based policy allows the ssm:GetParameters"
            " action status code: 400, request id:"
            " 1adcb55f-f798-4503-b8a3-cd1533290001"
        ),
        source="https://github.com/aws/copilot-cli/issues/4504",
    ),
    # KMS decrypt denied on a customer-managed key
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " secret from asm: service call has been retried 1 time(s): failed"
            " to fetch secret"
            " arn:aws:secretsmanager:eu-central-1:account_id:secret:algo-dev-di"
            "rectus-secret20240626183203358800000004-EaPYTy from secrets"
            " manager: AccessDeniedException: Access to KMS is not allowed"
            " status code: 400, request id:"
            " a87a66d9-f839-4353-b8c2-9984b1465695"
        ),
        source="https://github.com/GiamPy5/terraform-aws-directus/issues/10",
    ),
    # ends mid-message at 'status code: 400,' (trailing space dropped)
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " secret from asm: service call has been retried 1 time(s): failed"
            " to fetch secret"
            " arn:aws:secretsmanager:ap-southeast-1:redact:secret:test-secret"
            " from secrets manager: AccessDeniedException: User:"
            " arn:aws:sts::redact:assumed-role/DifyOnAwsStack-WebServiceTaskExe"
            "cutionRole4406CA16-redact is not authorized to perform:"
            " secretsmanager:GetSecretValue on resource:"
            " arn:aws:secretsmanager:ap-southeast-1:redact:secret:test-secret"
            " because no identity-based policy allows the"
            " secretsmanager:GetSecretValue action status code: 400,"
        ),
        source="https://github.com/aws-samples/dify-self-hosted-on-aws/pull/35",
    ),
    # placeholders ($PARTIAL_ARN_HERE, $USER) are the reporter's
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " secret from asm: service call has been retried 1 time(s): failed"
            " to fetch secret $PARTIAL_ARN_HERE from secrets manager:"
            " AccessDeniedException: User: $USER is not authorized to perform:"
            " secretsmanager:GetSecretValue on resource: $PARTIAL_ARN_HERE"
            " because no identity-based policy allows the"
            " secretsmanager:GetSecretValue action status code: 400"
        ),
        source="https://github.com/aws/aws-cdk/issues/18555",
    ),
    # OLDER wording (Fargate PV 1.3, 2019): no ResourceInitializationError prefix
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "Fetching secret data from SSM Parameter Store in {REGION}:"
            " AccessDeniedException: User:"
            " arn:aws:sts::{ACCOUNT_ID}:assumed-role/{...}/9e05ad12-2574-47a3-b"
            "48f-3a2244770318 is not authorized to perform: ssm:GetParameters"
            " on resource:"
            " arn:aws:ssm:{REGION}:{ACCOUNT_ID}:parameter/{PARAMETER_NAME}"
            " status code: 400, request id:"
            " 787934d9-56ba-4a43-9e60-4f05a950a90e"
        ),
        source="https://github.com/aws/aws-cdk/issues/3529",
    ),
    # reporter cut the ARN with '....'
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " secrets from ssm: service call has been retried 1 time(s):"
            " AccessDeniedException: User: ...."
        ),
        source="https://github.com/aws/copilot-cli/issues/3104",
    ),
    # --- no-route-to-internet ---
    # AWS doc example, old Docker agent; the stray trailing double quote is in the doc
    RealMessage(
        code="no-route-to-internet",
        kind="container-reason",
        text=(
            "CannotPullContainerError: API error (500): Get"
            " https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/:"
            ' net/http: request canceled while waiting for connection"'
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    # issue title (GitHub cut it); fixed by assign_public_ip=True
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " secret from asm: service call has been retried 5 time(s): failed"
            " to fetch"
        ),
        source="https://github.com/aws-samples/dataops-platform-airflow-dbt/issues/12",
    ),
    # TRUNCATED BY ECS at 255 chars ('https://api.ecr....')
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " ecr registry auth: service call has been retried 5 time(s):"
            " RequestError: send request failed caused by: Post"
            " https://api.ecr...."
        ),
        source="https://github.com/aws/aws-app-mesh-examples/issues/413",
    ),
    # NEWER (2024) wording with the human-readable 'connection issue' sentence; custom VPC,
    # root cause not confirmed
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: The task cannot pull registry auth from Amazon ECR: There"
            " is a connection issue between the task and Amazon ECR. Check"
            " your task network configuration. RequestError: send request"
            " failed caused by: Post"
            ' "https://api.ecr.us-east-1.amazonaws.com/": dial tcp'
            " 172.40.1.94:443: i/o timeout"
        ),
        source="https://github.com/aws/copilot-cli/issues/5927",
    ),
    # private-registry (repositoryCredentials) path failing on network, not on auth;
    # '<secretname>' and '...' are the page's
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to get"
            " registry auth from asm: service call has been retried 1 time(s):"
            " asm fetching secret from the service for <secretname>:"
            " RequestError: ..."
        ),
        source="https://dev-solve.com/ja/posts/3a6d4d4",
    ),
    # prefix only, as quoted; fixed by assigning a public IP on PV 1.4
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text="ResourceInitializationError: unable to pull secrets or registry auth",
        source="https://github.com/nikovirtala/cdk-github-actions-runner/pull/3",
    ),
    # --- missing-vpc-endpoint ---
    # private subnet with ECR endpoints but no CloudWatch Logs endpoint; message TRUNCATED
    # ('starte') as quoted
    RealMessage(
        code="missing-vpc-endpoint",
        kind="stopped-reason",
        text="STOPPED (DockerTimeoutError: Could not transition to starte)",
        source="https://github.com/awsdocs/amazon-ecr-user-guide/pull/16",
    ),
    # app (otel collector) log on ECS EC2; value of a JSON 'error' field, escapes kept
    # literally
    RealMessage(
        code="missing-vpc-endpoint",
        kind="log-line",
        text=(
            "RequestError: send request failed\\ncaused by: Post"
            ' \\"https://logs.us-east-1.amazonaws.com/\\": net/http: request'
            " canceled while waiting for connection (Client.Timeout exceeded"
            " while awaiting headers)"
        ),
        source="https://github.com/open-telemetry/opentelemetry-collector-contrib/issues/12329",
    ),
    # --- security-group-no-egress ---
    # root cause per reporter: security group outbound rules; text is indistinguishable from
    # no-route
    RealMessage(
        code="security-group-no-egress",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " secret from asm: service call has been retried 5 time(s): failed"
            " to fetch secret"
            " arn:aws:secretsmanager:us-west-2:*:secret:DBPasswordSecret-*"
            " from secrets manager: RequestCanceled: request context canceled"
            " caused by: context deadline exceeded. Please check your task"
            " network configuration."
        ),
        source="https://github.com/Releem/releem-agent/issues/195",
    ),
    # copilot wrapped it at 30 columns, rejoined here; ECS truncation at 255 ('....'); cause
    # was the security group
    RealMessage(
        code="security-group-no-egress",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry"
            " auth: execution resource retrieval failed: unable to retrieve"
            " ecr registry auth: service call has been retried 3 time(s):"
            " RequestError: send request failed caused by: Post"
            " https://api.ecr...."
        ),
        source="https://github.com/aws/copilot-cli/issues/3456",
    ),
    # --- efs-mount-failed ---
    RealMessage(
        code="efs-mount-failed",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: failed to invoke EFS utils commands"
            " to set up EFS volumes: stderr: mount.nfs4: Connection reset by"
            " peer : unsuccessful EFS utils command execution; code: 32"
        ),
        source="https://github.com/docker-archive/compose-cli/issues/1490",
    ),
    # cut off in the report itself
    RealMessage(
        code="efs-mount-failed",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: failed to invoke EFS utils commands"
            " to set up EFS volumes: stderr: Failed to resolve"
            ' "fs-0867a83d8ed398433.efs.'
        ),
        source="https://github.com/cn-terraform/terraform-aws-jenkins/issues/23",
    ),
    # placeholders are the reporter's; note the Python b'...' repr leaking into the message
    RealMessage(
        code="efs-mount-failed",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: failed to invoke EFS utils commands"
            " to set up EFS volumes: stderr: b'mount.nfs4: mounting fs-<some"
            " numbers>.efs.<region>.amazonaws.com:/grafana failed, reason"
            " given by server: No such file or directory' : unsuccessful EFS"
            " utils command execution; code: 32"
        ),
        source="https://github.com/acp-io/terraform-grafana/issues/4",
    ),
    # --- log-group-missing ---
    # TRUNCATED BY ECS at 255 chars mid request id (Fargate PV 1.3 / Docker wording)
    RealMessage(
        code="log-group-missing",
        kind="container-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: failed to"
            " initialize logging driver: failed to create Cloudwatch log"
            " stream: ResourceNotFoundException: The specified log group does"
            " not exist. status code: 400, request id:"
            " 7463029c-9f12-4e3f-b914-f"
        ),
        source="https://github.com/cn-terraform/terraform-aws-ecs-fargate-task-definition/issues/1",
    ),
    RealMessage(
        code="log-group-missing",
        kind="stopped-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: failed to"
            " initialize logging driver: failed to create Cloudwatch log"
            " stream: ResourceNotFoundException: The specified log group does"
            " not exist"
        ),
        source="https://github.com/cn-terraform/terraform-aws-nexus/issues/35",
    ),
    RealMessage(
        code="log-group-missing",
        kind="container-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: failed to"
            " initialize logging driver: failed to create Cloudwatch log"
            " stream: ResourceNotFoundException: The specified log group does"
            " not exist. status code: 400"
        ),
        source="https://github.com/Rayraegah/terraform-aws-hasura/issues/25",
    ),
    RealMessage(
        code="log-group-missing",
        kind="container-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: failed to"
            " initialize logging driver: failed to create Cloudwatch log"
            " stream: ResourceNotFoundException: The specified log group does"
            " not exist."
        ),
        source="https://github.com/ryfeus/stepfunctions2processing/issues/5",
    ),
    # ECS agent log on the container instance (2018)
    RealMessage(
        code="log-group-missing",
        kind="log-line",
        text=(
            "2018-07-17T08:41:11Z [INFO] Task engine"
            " [arn:aws:ecs:us-east-1:623124116694:task/b5daebc4-14b6-42a0-baf1-"
            "996e119cbeec]: error transitioning container [rdrfappcontainer]"
            " to [RUNNING]: API error (500): failed to initialize logging"
            " driver: ResourceNotFoundException: The specified log group does"
            " not exist."
        ),
        source="https://github.com/muccg/rdrf/issues/617",
    ),
    # --- log-config-invalid ---
    # issue title (GitHub cut it); awslogs-region was set to a URL. Note 'retried 1 times'
    # (no '(s)') here
    RealMessage(
        code="log-config-invalid",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: failed to validate logger args:"
            " create stream has been retried 1 times: failed to create"
            " Cloudwatch log stream: MissingEndpoint: 'Endpoint' configuration"
            " is required for t"
        ),
        source="https://github.com/TechToSpeech/terraform-aws-serverless-static-wordpress/issues/74",
    ),
    # fluentd log driver, fluentd daemon not up yet
    RealMessage(
        code="log-config-invalid",
        kind="container-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: failed to"
            " initialize logging driver: dial unix /var/run/fluent.sock:"
            " connect: no such file or directory"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/2792",
    ),
    # FireLens on Fargate PV 1.4 without options
    RealMessage(
        code="log-config-invalid",
        kind="container-reason",
        text=(
            "CannotStartContainerError: ResourceInitializationError: failed to"
            " initialize logging driver: failed to get fluentd log driver"
            " arguments: logging driver specified of container xxxxxxxx, but"
            " no log configuration specified"
        ),
        source="https://github.com/splunk/splunk-connect-for-kubernetes/issues/423",
    ),
    # agent log (2017); awslogs driver could not get credentials through a proxy; message
    # spans lines
    RealMessage(
        code="log-config-invalid",
        kind="log-line",
        text=(
            "ContainerChange:"
            " arn:aws:ecs:ap-southeast-2:104203470960:task/2344ec1d-f1c1-4c10-a"
            "61d-65677f1f943e ihub-dev -> STOPPED, Reason"
            " CannotStartContainerError: API error (500): Failed to initialize"
            " logging driver: NoCredentialProviders: no valid providers in"
            " chain. Deprecated.\n        For verbose messaging see"
            " aws.Config.CredentialsChainVerboseErrors\n, Known Sent: NONE"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/805",
    ),
    # awslogs-create-group without logs:CreateLogGroup; looks TRUNCATED at 255 by ECS
    RealMessage(
        code="log-config-invalid",
        kind="stopped-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: failed to"
            " initialize logging driver: failed to create Cloudwatch log"
            " group: AccessDeniedException: User:"
            " arn:aws:sts::765486523053:assumed-role/amazon-ecs-cli-setup-foodt"
            "rucks-EcsInstanceRole-1II7J9P4"
        ),
        source="https://github.com/prakhar1989/docker-curriculum/issues/260",
    ),
    # execution role cannot create the stream; ends in '...'
    RealMessage(
        code="log-config-invalid",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: failed to validate logger args:"
            " create stream has been retried 1 times: failed to create"
            " Cloudwatch log stream: AccessDeniedException: User:"
            " arn:aws:sts::zzzzzzzzzzzz:assumed-role/ecs.task.minecraft-server/"
            "123456a999ee4b919..."
        ),
        source="https://github.com/doctorray117/minecraft-ondemand/issues/12",
    ),
    # --- execution-role-missing ---
    # RegisterTaskDefinition API error, never a stoppedReason
    RealMessage(
        code="execution-role-missing",
        kind="log-line",
        text=(
            "2018/05/09 18:14:37 RegisterTaskDefinition err:ClientException:"
            " Fargate requires task definition to have execution role ARN to"
            " support log driver awslogs."
        ),
        source="https://github.com/virtual-kubelet/virtual-kubelet/issues/193",
    ),
    # Terraform output of the RegisterTaskDefinition error
    RealMessage(
        code="execution-role-missing",
        kind="log-line",
        text=(
            "* aws_ecs_task_definition.jupyterhub: ClientException: Fargate"
            " requires task definition to have execution role ARN to support"
            " ECR images."
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/3051",
    ),
    # CloudFormation stack event
    RealMessage(
        code="execution-role-missing",
        kind="log-line",
        text=("Fargate requires task definition to have execution role ARN to support ECR images."),
        source="https://github.com/nathanpeck/aws-cloudformation-fargate/issues/1",
    ),
    # --- role-not-found ---
    RealMessage(
        code="role-not-found",
        kind="log-line",
        text=(
            "An error occurred (ClientException) when calling the"
            " RegisterTaskDefinition operation: Role is not valid"
        ),
        source="https://github.com/fabfuel/ecs-deploy/issues/231",
    ),
    # Terraform; the hard-coded role did not exist in the account
    RealMessage(
        code="role-not-found",
        kind="log-line",
        text="Error: ClientException: Role is not valid",
        source="https://github.com/bradford-hamilton/terraform-ecs-fargate/issues/8",
    ),
    # role ARN literally 'role/null': same text as a trust-policy failure
    RealMessage(
        code="role-not-found",
        kind="service-event",
        text=(
            "service webapp-1 failed to launch a task with (error ECS was"
            " unable to assume the role 'arn:aws:iam::123456789:role/null'"
            " that was provided for this task. Please verify that the role"
            " being passed has the proper trust relationship and permissions"
            " and that your IAM user has permissions to pass this role.)."
        ),
        source="https://github.com/boto/boto3/issues/1878",
    ),
    # --- trust-policy ---
    RealMessage(
        code="trust-policy",
        kind="service-event",
        text=(
            "service MythicalMysfits-Service failed to launch a task with"
            " (error ECS was unable to assume the role"
            " 'arn:aws:iam::281174624655:role/MythicalMysfitsCoreStack-ECSTaskR"
            "ole-FXO3A6J08BN' that was provided for this task. Please verify"
            " that the role being passed has the proper trust relationship and"
            " permissions and that your IAM user has permissions to pass this"
            " role.)."
        ),
        source="https://github.com/aws-samples/aws-modern-application-workshop/issues/88",
    ),
    # fixed by adding ecs-tasks.amazonaws.com to the trust policy
    RealMessage(
        code="trust-policy",
        kind="service-event",
        text=(
            "error ECS was unable to assume the role"
            " 'arn:aws:iam::ACCOUNT:role/SERVICE-ecs-codedeploy' that was"
            " provided for this task. Please verify that the role being passed"
            " has the proper trust relationship and permissions and that your"
            " IAM user has permissions to pass this role"
        ),
        source="https://github.com/tmknom/terraform-aws-codedeploy-for-ecs/pull/18",
    ),
    # here the cause was ordering (service created before the role policy), not the trust
    # policy itself
    RealMessage(
        code="trust-policy",
        kind="service-event",
        text=(
            "service X failed to launch a task with (error ECS was unable to"
            " assume the role"
            " 'arn:aws:iam::<account_id>:role/X-task-execution-role' that was"
            " provided for this task. Please verify that the role being passed"
            " has the proper trust relationship and permissions and that your"
            " IAM user has permissions to pass this role.)."
        ),
        source="https://github.com/telia-oss/terraform-aws-ecs-fargate/pull/58",
    ),
    # --- spot-interruption ---
    # logged as task_stopped_reason=Your Spot Task was interrupted., container exit_code=2
    RealMessage(
        code="spot-interruption",
        kind="stopped-reason",
        text="Your Spot Task was interrupted.",
        source="https://github.com/reproio/wrapbox/pull/53",
    ),
    # AWS Batch on Fargate Spot
    RealMessage(
        code="spot-interruption",
        kind="stopped-reason",
        text="Your Spot Task was interrupted.",
        source="https://github.com/nextflow-io/nextflow/issues/5786",
    ),
    # --- infrastructure ---
    # AWS doc template; 'id' stands for i-...
    RealMessage(
        code="infrastructure",
        kind="stopped-reason",
        text="Host EC2 (instance id) stopped/terminated",
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/stopped-task-errors.md",
    ),
    # AWS doc
    RealMessage(
        code="infrastructure",
        kind="stopped-reason",
        text="Container instance deregistration forced by user",
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/stopped-task-errors.md",
    ),
    # Fargate task retirement; stopCode is ServiceSchedulerInitiated for service tasks, so
    # the code alone misleads
    RealMessage(
        code="infrastructure",
        kind="stopped-reason",
        text=("ECS is performing maintenance on the underlying infrastructure hosting the task"),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task-maintenance.md",
    ),
    # --- deployment-or-scale-in ---
    # AWS doc template; real ones read '(deployment ecs-svc/<19 digits>)'
    RealMessage(
        code="deployment-or-scale-in",
        kind="stopped-reason",
        text="Scaling activity initiated by (deployment deployment-id)",
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/stopped-task-errors.md",
    ),
    # --- task-failed-to-start ---
    # console 'Last status' column, Fargate 2018, no further reason shown
    RealMessage(
        code="task-failed-to-start",
        kind="stopped-reason",
        text="STOPPED(Task failed to start)",
        source="https://github.com/aws/amazon-ecs-agent/issues/1654",
    ),
    # 'Status reason'; the container message carried the real cause (private registry)
    RealMessage(
        code="task-failed-to-start",
        kind="stopped-reason",
        text="Task failed to start",
        source="https://github.com/awslabs/aws-batch-helpers/issues/4",
    ),
    # --- app-crash ---
    # EventBridge task state change with containers[0].exitCode == 1
    RealMessage(
        code="app-crash",
        kind="stopped-reason",
        text="Essential container in task exited",
        source="https://gist.github.com/KensoDev/9831acfa00acf11999b635be1e8ad97d",
    ),
    # AWS doc
    RealMessage(
        code="app-crash",
        kind="stopped-reason",
        text="Essential container in task exited",
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/stopped-task-errors.md",
    ),
    # --- segfault ---
    # shown with 'Exit Code 139'; the text alone cannot tell a segfault from an exit 1
    RealMessage(
        code="segfault",
        kind="stopped-reason",
        text="Essential container in task exited",
        source="https://github.com/aws/amazon-ecs-agent/issues/625",
    ),
    # --- out-of-memory ---
    # Fargate, exit code 137
    RealMessage(
        code="out-of-memory",
        kind="container-reason",
        text="OutOfMemoryError: Container killed due to memory usage",
        source="https://github.com/aws/amazon-ecs-agent/issues/1187",
    ),
    # exit code 137
    RealMessage(
        code="out-of-memory",
        kind="container-reason",
        text="OutOfMemoryError: Container killed due to memory usage",
        source="https://github.com/aws/copilot-cli/issues/3470",
    ),
    # SURPRISE: reported with exit code 0 (a child was OOM-killed, the main process exited
    # cleanly)
    RealMessage(
        code="out-of-memory",
        kind="container-reason",
        text="OutOfMemoryError: Container killed due to memory usage",
        source="https://github.com/aws/amazon-ecs-agent/issues/2467",
    ),
    # --- exec-permission-denied ---
    # ECS Fargate CannotStartContainerError detail; entryPoint was set to '/'
    RealMessage(
        code="exec-permission-denied",
        kind="container-reason",
        text=(
            "OCI runtime create failed: container_linux.go:380: starting"
            ' container process caused: exec: "/": permission denied: unknown'
        ),
        source="https://openillumi.com/?p=84798",
    ),
    # plain docker (not ECS), older runc wording that ECS wraps after
    # 'CannotStartContainerError: Error response from daemon: '
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text=(
            "docker: Error response from daemon: OCI runtime create failed:"
            ' container_linux.go:344: starting container process caused "exec:'
            ' \\"/home/wso2carbon/init.sh\\": permission denied": unknown.'
        ),
        source="https://github.com/wso2/docker-apim/issues/189",
    ),
    # plain docker, newer runc wording (no quotes around the path)
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text=(
            "docker: Error response from daemon: failed to create shim task:"
            " OCI runtime create failed: runc create failed: unable to start"
            " container process: exec /bin/entrypoint.sh: permission denied:"
            " unknown."
        ),
        source="https://github.com/appleboy/scp-action/issues/164",
    ),
    # --- command-not-found ---
    # 'Status reason' on ECS EC2 (2021)
    RealMessage(
        code="command-not-found",
        kind="container-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: OCI"
            " runtime create failed: container_linux.go:380: starting"
            ' container process caused: exec: "python": executable file not'
            " found in $PATH: unknown"
        ),
        source="https://github.com/aws/amazon-ecs-cli/issues/1136",
    ),
    # 2016 Docker wording; whole command string passed as one argv element
    RealMessage(
        code="command-not-found",
        kind="stopped-reason",
        text=(
            "CannotStartContainerError: API error (500): Cannot start"
            " container"
            " 54b6caa1f3d8476a7b3538827d4d5017596d696b0877925d1d28a9de735b2433:"
            ' [8] System error: exec: "node index.js -t sockets_transport -i'
            ' 0": executable file not found in $PATH'
        ),
        source="https://github.com/aws/amazon-ecs-cli/issues/78",
    ),
    # --- platform-mismatch ---
    # CloudWatch log of an ECS Anywhere task; amd64 image on ARM
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text="standard_init_linux.go:228: exec user process caused: exec format error",
        source="https://github.com/aws-containers/ecs-anywhere-tutorial/issues/2",
    ),
    # ECS Fargate ARM (Graviton) running an amd64-only image
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text="standard_init_linux.go:228: exec user process caused: exec format error",
        source="https://github.com/runatlantis/atlantis/issues/2001",
    ),
    # newer runc wording; ARM image built on an M-series Mac, run on Fargate x86; task then
    # exits 1
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text="exec /usr/local/bin/streamlit: exec format error",
        source="https://github.com/aws-samples/amazon-bedrock-serverless-prompt-chaining/issues/213",
    ),
    # --- task-role-missing ---
    # Python app in a container with no role
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text="botocore.exceptions.NoCredentialsError: Unable to locate credentials",
        source="https://github.com/aws-samples/aws-batch-rds-job-scheduling/issues/1",
    ),
    # app's own logger prefix; reporter on Fargate
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text="ERROR - Unable to locate credentials",
        source="https://github.com/kshcherban/acme-nginx/issues/51",
    ),
    # Go SDK v1 in a Fargate container; next line is '\tFor verbose messaging see
    # aws.Config.CredentialsChainVerboseErrors'
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            "2018/05/10 03:06:04 NoCredentialProviders: no valid providers in chain. Deprecated."
        ),
        source="https://github.com/Droplr/aws-env/issues/15",
    ),
    # JS SDK v3, JSON-structured app log
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            '{"level":"error","message":"Unhandled promise rejection:'
            " CredentialsProviderError: Could not load credentials from any"
            ' providers","meta":{},"timestamp":"2022-03-22T21:26:36.174Z"}'
        ),
        source="https://github.com/awslabs/amazon-ecs-local-container-endpoints/issues/138",
    ),
    # Java SDK v1 (not on ECS, same wording)
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            'Exception in thread "main" com.amazonaws.SdkClientException:'
            " Unable to load AWS credentials from any provider in the chain"
        ),
        source="https://github.com/aws/aws-sdk-java/issues/2286",
    ),
    # --- insufficient-cpu ---
    # AWS doc template
    RealMessage(
        code="insufficient-cpu",
        kind="service-event",
        text=(
            "service (service-name) was unable to place a task because no"
            " container instance met all of its requirements. The closest"
            " matching container-instance container-instance-id has"
            " insufficient CPU units available."
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # --- insufficient-memory ---
    RealMessage(
        code="insufficient-memory",
        kind="service-event",
        text=(
            "service cluster-test-validator-2cc0e46f was unable to place a"
            " task because no container instance met all of its requirements."
            " The closest matching container-instance"
            " 23442007570c4f25964925a1b22aca20 has insufficient memory"
            " available. For more information, see the Troubleshooting section."
        ),
        source="https://github.com/diem/diem/pull/1099",
    ),
    # --- no-container-instances ---
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service authentication_services was unable to place a task"
            " because no container instance met all of its requirements."
            " Reason: No Container Instances were found in your cluster."
        ),
        source="https://github.com/ptokito/ECSClusterWithTerraform/issues/3",
    ),
    # 2023; root cause was the account vCPU limit for G instances
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service [hexo-discord-diffusion-prod] was unable to place a task"
            " because no container instance met all of its requirements."
            " Reason: No Container Instances were found in your cluster. For"
            " more information, see the Troubleshooting section of the Amazon"
            " ECS Developer Guide."
        ),
        source="https://github.com/aws-samples/amazon-scalable-infra-discord-diffusion/issues/3",
    ),
    # 2019 wording ends '...Troubleshooting section.'; root cause: m3.medium no longer
    # available
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service factorio was unable to place a task because no container"
            " instance met all of its requirements. Reason: No Container"
            " Instances were found in your cluster. For more information, see"
            " the Troubleshooting section."
        ),
        source="https://github.com/m-chandler/factorio-spot-pricing/issues/4",
    ),
    # --- fargate-capacity ---
    # issue title as printed by the ecs-deploy tool ('ERROR: ' prefix is the tool's)
    RealMessage(
        code="fargate-capacity",
        kind="service-event",
        text=(
            "ERROR: was unable to place a task. Reason: Capacity is"
            " unavailable at this time. Please try again later or in a"
            " different availability zone"
        ),
        source="https://github.com/sil-org/ecs-deploy/issues/277",
    ),
    # awsvpc task on EC2 Windows; not Fargate-specific
    RealMessage(
        code="fargate-capacity",
        kind="stopped-reason",
        text="Timeout waiting for network interface provisioning to complete.",
        source="https://github.com/aws/amazon-ecs-agent/issues/4825",
    ),
    # as quoted (no final period)
    RealMessage(
        code="fargate-capacity",
        kind="stopped-reason",
        text="Timeout waiting for network interface provisioning to complete",
        source="https://github.com/buildkite/ecs-run-task/issues/25",
    ),
    # --- service-quota ---
    RealMessage(
        code="service-quota",
        kind="service-event",
        text=(
            "service storage-prod-bag-unpacker was unable to place a task."
            " Reason: You've reached the limit on the number of tasks you can"
            " run concurrently. For more information, see the Troubleshooting"
            " section."
        ),
        source="https://github.com/wellcomecollection/platform/issues/3875",
    ),
    # AWS doc template; the apostrophe in You've is a CURLY U+2019 here (the tasks variant
    # uses a straight one)
    RealMessage(
        code="service-quota",
        kind="service-event",
        text=(
            "service (service-name) was unable to place a task. Reason: You’ve"
            " reached the limit on the number of vCPUs you can run concurrently"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # RegisterTaskDefinition error, 2025 wording
    RealMessage(
        code="service-quota",
        kind="log-line",
        text=(
            "ClientException: No Fargate configuration exists for given"
            " values: 1024 CPU, 1024 memory. See the Amazon ECS documentation"
            " for the valid values."
        ),
        source="https://github.com/aws-games/cloud-game-development-toolkit/issues/737",
    ),
    # 2018 wording without the values
    RealMessage(
        code="service-quota",
        kind="log-line",
        text=("FATA[0000] ClientException: No Fargate configuration exists for given values."),
        source="https://github.com/aws/amazon-ecs-cli/issues/463",
    ),
    # --- port-in-use ---
    RealMessage(
        code="port-in-use",
        kind="service-event",
        text=(
            "(service"
            " deploy-ecs-frontend-test-deploy-deploy-ecs-frontend-manifest-1)"
            " was unable to place a task because no container instance met all"
            " of its requirements. The closest matching (container-instance"
            " 47d5cb9a-6e38-495e-9777-5ae6d02a3720) is already using a port"
            " required by your task. For more information, see the"
            " Troubleshooting section of the Amazon ECS Developer Guide."
        ),
        source="https://github.com/Shippable/support/issues/4462",
    ),
    RealMessage(
        code="port-in-use",
        kind="service-event",
        text=(
            "(service Test) was unable to place a task because no container"
            " instance met all of its requirements. The closest matching"
            " (container-instance 9424d11e-59cc-4868-b175-b6d45dd07ced) is"
            " already using a port required by your task. For more"
            " information, see the Troubleshooting section of the Amazon ECS"
            " Developer Guide."
        ),
        source="https://github.com/Shippable/support/issues/2852",
    ),
    # AWS doc fragment
    RealMessage(
        code="port-in-use",
        kind="service-event",
        text=(
            "The closest matching container-instance is already using a port required by your task."
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # --- disk-full ---
    # AWS doc example
    RealMessage(
        code="disk-full",
        kind="container-reason",
        text=(
            "CannotPullContainerError: write"
            " /var/lib/docker/tmp/GetImageBlob111111111: no space left on"
            " device"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    # agent maintainer's sample 'Status reason' output
    RealMessage(
        code="disk-full",
        kind="container-reason",
        text=(
            "CannotPullContainerError: failed to register layer: Error"
            " processing tar file(exit status 1): write /tmp/my_large_file: no"
            " space left on device"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/1434",
    ),
    # older ECS AMI with devicemapper storage
    RealMessage(
        code="disk-full",
        kind="container-reason",
        text=(
            "CannotPullContainerError: failed to register layer: devmapper:"
            " Thin Pool has 4446 free data blocks which is less than minimum"
            " required 4454 free data blocks. Create more free space in thin"
            " pool or use dm.min_free_space option to change behavior"
        ),
        source="https://github.com/hackoregon/civic-devops/issues/132",
    ),
    RealMessage(
        code="disk-full",
        kind="container-reason",
        text=(
            "CannotCreateContainerError: API error (500): devmapper: Thin Pool"
            " has 0 free data blocks which is less than minimum required 20253"
            " free data blocks. Create more free space in thin pool or use"
            " dm.min_free_space option to change behavior"
        ),
        source="https://github.com/nasa/cumulus-api/issues/209",
    ),
    # --- health-check-failing ---
    # seen as a Logs Insights filter on detail.stoppedReason, not a pasted event
    RealMessage(
        code="health-check-failing",
        kind="stopped-reason",
        text="Task failed container health checks",
        source="https://github.com/xhiroga/til/blob/main/software-engineering/infrastructure/aws/cloudwatch/logs-insights-queries.md",
    ),
    # --- elb-health-check ---
    # copilot wrapped it at 30 columns, rejoined here
    RealMessage(
        code="elb-health-check",
        kind="stopped-reason",
        text=(
            "Task failed ELB health checks in (target-group"
            " arn:aws:elasticloadbalancing:us-west-2:561168971383:targetgroup/e"
            "xamp-Targe-BNN5THFBIYHD/1b16379bd7038558)"
        ),
        source="https://github.com/aws/copilot-cli/issues/3456",
    ),
    # AWS doc template, Classic Load Balancer form
    RealMessage(
        code="elb-health-check",
        kind="stopped-reason",
        text="Task failed ELB health checks in (elb elb-name)",
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/stopped-task-errors.md",
    ),
    # 2023 describe-services JSON
    RealMessage(
        code="elb-health-check",
        kind="service-event",
        text=(
            "(service civictechjobs-fullstack-stage) (port 8000) is unhealthy"
            " in (target-group"
            " arn:aws:elasticloadbalancing:us-west-2:035866691871:targetgroup/c"
            "ivictechjobs-fullstack-stage/555a47e25c5a1850) due to (reason"
            " Health checks failed)."
        ),
        source="https://github.com/hackforla/CivicTechJobs/issues/436",
    ),
    # 2019 format: 'service X' and 'target-group Y' without parentheses
    RealMessage(
        code="elb-health-check",
        kind="service-event",
        text=(
            "service ldashtest (port 80) is unhealthy in target-group"
            " fargate-ldashtest due to (reason Health checks failed with these"
            " codes: [404])."
        ),
        source="https://github.com/nathanpeck/nodejs-aws-workshop/issues/5",
    ),
    RealMessage(
        code="elb-health-check",
        kind="service-event",
        text=(
            "service my-awesome-service (port 8081) is unhealthy in"
            " target-group my-custer-my-awesome-service due to (reason Health"
            " checks failed with these codes: [502])."
        ),
        source="https://github.com/holyjak/blog.jakubholy.net/blob/master/content/tmp-migration/old/md/posts/2019-12-06--troubleshooting-fargate-health-check.md",
    ),
    # EC2 launch type with dynamic host port; no final period as quoted
    RealMessage(
        code="elb-health-check",
        kind="service-event",
        text=(
            "service example-service (instance i-016b0a460d9974567) (port"
            " 1047) is unhealthy in target-group example-service due to"
            " (reason Request timed out)"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/1872",
    ),
    # AWS doc template, Classic Load Balancer
    RealMessage(
        code="elb-health-check",
        kind="service-event",
        text=(
            "service (service-name) (instance instance-id) is unhealthy in"
            " (elb elb-name) due to (reason Instance has failed at least the"
            " UnhealthyThreshold number of health checks consecutively.)"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # --- health-check-port-mismatch ---
    # copilot wrapped it, rejoined here; fixed by setting the health-check port to 5005
    RealMessage(
        code="health-check-port-mismatch",
        kind="service-event",
        text=(
            "(service corpdirectory-test-rasaos-Service-T8qsKYiLhGmT) (port"
            " 5005) is unhealthy in (target-group"
            " arn:aws:elasticloadbalancing:ap-south-1:377727317375:targetgroup/"
            "corpd-Targe-12YF9HTH1OJGJ/e938d1c7734d02a2) due to (reason Health"
            " checks failed)."
        ),
        source="https://github.com/aws/copilot-cli/issues/3772",
    ),
    # --- unknown ---
    # reporter says all VPC endpoints were in place; cause never found
    RealMessage(
        code="unknown",
        kind="stopped-reason",
        text=(
            "STOPPED (ResourceInitializationError: unable to pull secrets or"
            " registry auth: pull command failed: : signal: killed)"
        ),
        source="https://github.com/awslabs/amazon-s3-find-and-forget/issues/290",
    ),
    # agent 1.29.0 bug (labelled kind/bug): permissions were fine, replacing hosts fixed it
    RealMessage(
        code="unknown",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: pull access"
            " denied for FOO.dkr.ecr.us-east-1.amazonaws.com/foo/app,"
            " repository does not exist or may require 'docker login'"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/2137",
    ),
)

# Codes with NO real message found in a citable source (left out on purpose):
#   - stopped-by-user ("Task stopped by user" / UserInitiated): only paraphrases and
#     classifier code, no pasted real event with a URL.
#   - sigterm (exit 143): only generic Docker discussions, nothing ECS-specific.
# Codes covered only thinly (one entry, or only an AWS doc template with placeholders):
#   - deployment-or-scale-in: doc template "Scaling activity initiated by (deployment
#     deployment-id)"; no citable real "(deployment ecs-svc/<digits>)" instance found.
#   - insufficient-cpu: doc template only.
#   - insufficient-memory, segfault, health-check-port-mismatch: one real message each.
#   - health-check-failing: only as a Logs Insights filter string.
#   - kind "target-health" (Target.ResponseCodeMismatch / Target.Timeout descriptions):
#     seen only in files whose repository could not be cited, so no entries.
# Wordings asked for but not found with a source:
#   - "ResourceInitializationError: failed to validate logger args: ... The specified log
#     group does not exist" (newer Fargate form of log-group-missing).
#   - "image Manifest does not contain descriptor matching platform".
#   - "mount.nfs4: Connection timed out" inside an ECS EFS ResourceInitializationError.
#   - an ECS stoppedReason quoting "not authorized to perform: ecr:GetAuthorizationToken".
#   - a real "Host EC2 (instance i-...) stopped/terminated".
