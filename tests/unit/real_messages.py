"""Real AWS ECS error messages, each with a public source, to test the ecs-why pattern table."""

from typing import NamedTuple


class RealMessage(NamedTuple):
    code: str  # the ecs-why cause code this message proves
    # kind: "stopped-reason" | "container-reason" | "service-event" | "log-line" | "target-health"
    kind: str
    text: str  # the message exactly as AWS (or the app) printed it
    source: str  # URL where it was seen


# The exit code ECS reports beside messages of these codes, as their sources give it.
EXIT_CODES = {"app-crash": 1, "segfault": 139, "out-of-memory": 137}

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
    # ======== more real messages, by family (issue 11) ========
    # --- no-route-to-internet ---
    # the name of the registry did not resolve (DNS): no way out
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: failed to resolve ref"
            ' "docker.io/docker/ecs-searchdomain-sidecar:1.0": failed to do request:'
            " Head"
            " https://registry-1.docker.io/v2/docker/ecs-searchdomain-sidecar/manifest"
            "s/1.0: dial tcp: lookup registry-1.docker.io on 172.31.0..."
        ),
        source="https://github.com/docker-archive/compose-cli/issues/911",
    ),
    # Docker Hub was down: from the task it looks like no way out
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text="CannotPullContainerError: Could not reach any registry endpoint",
        source="https://github.com/aws/amazon-ecs-agent/issues/719",
    ),
    # the pull was retried and the reason cut off: the source never found the cause
    RealMessage(
        code="unknown",
        kind="stopped-reason",
        text="CannotPullContainerError: inspect image has been retried 5 time(s):",
        source="https://github.com/aws/amazon-ecs-agent/issues/3035",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: pull image manifest has been retried 5"
            " time(s): failed to resolve ref docker.io/tryretool/backend:2.110.5:"
            " failed to do request: Head"
            ' "https://registry-1.docker.io/v2/tryretool/backend/manifests/2.110.5":'
            " dial tcp 34.205.13.154:443: i/o timeout"
        ),
        source="https://github.com/ActionIQ/terraform-aws-retool-ecs-fargate/issues/20",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry auth:"
            " execution resource retrieval failed: unable to retrieve secrets from"
            " ssm: service call has been retried 5 time(s): RequestCanceled: request"
            " context canceled caused by: context deadli..."
        ),
        source="https://github.com/umotif-public/terraform-aws-ecs-fargate/issues/50",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="container-reason",
        text=(
            "CannotPullContainerError: API error (500): Get"
            " https://111222333444.dkr.ecr.eu-west-1.amazonaws.com/v2/: net/http:"
            " request canceled while waiting for connection (Client.Timeout exceeded"
            " while awaiting headers)"
        ),
        source="https://github.com/aws-samples/aws-modern-application-workshop/issues/71",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: Get"
            " https://xxx.dkr.ecr.eu-central-1.amazonaws.com/v2/: net/http: request"
            " canceled while waiting for connection (Client.Timeout exceeded while"
            " awaiting headers)"
        ),
        source="https://github.com/josmo/drone-ecs/issues/37",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text="CannotPullContainerError: timeout",
        source="https://github.com/aws-samples/aws-batch-with-ffmpeg/issues/21",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="log-line",
        text=(
            "[2021-09-07T21:19:14Z] Error response from daemon: Get"
            " https://***.dkr.ecr.***.amazonaws.com/v2/: net/http: request canceled"
            " while waiting for connection (Client.Timeout exceeded while awaiting"
            " headers)"
        ),
        source="https://github.com/buildkite-plugins/ecr-buildkite-plugin/issues/71",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="log-line",
        text=(
            "Error response from daemon: Get"
            ' "https://---.dkr.ecr.us-east-1.amazonaws.com/v2/": dial tcp: lookup'
            " ----dkr.ecr.us-east-1.amazonaws.com on ---:53: read udp"
            " ---:55816->---:53: i/o timeout"
        ),
        source="https://github.com/aws-actions/amazon-ecr-login/issues/1267",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="log-line",
        text=(
            "caused by: Post https://ecr.eu-west-1.amazonaws.com/: dial tcp"
            " 54.239.35.23:443: i/o timeout"
        ),
        source="https://github.com/objectpartners/rancher-ecr-credentials/issues/19",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: pull image manifest has been retried 5"
            " time(s): failed to resolve ref"
            " quay.io/deepfenceio/cloud-scanner:latest: failed to do request: Head"
            ' "https://quay.io/v2/deepfenceio/cloud-scanner/manifests/latest": dial'
            " tcp 3.210.148.47:443: i/o timeout"
        ),
        source="https://github.com/deepfence/terraform-aws-cloud-scanner/issues/13",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: API error (500): Get"
            " https://xxxxxxx.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: request"
            " canceled while waiting for connection (Client.Timeout exceeded while"
            " awaiting headers)"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/1204",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: API error (500): Get"
            " https://xxx.dkr.ecr.us-east-1.amazonaws.com/v2/: net/http: request"
            " canceled while waiting for connection (Client.Timeout exceeded while"
            " awaiting headers)"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/1266",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="log-line",
        text=(
            "error: failed to solve: public.ecr.aws/docker/library/nginx:1.19-alpine:"
            " failed to do request: Head"
            ' "https://public.ecr.aws/v2/docker/library/nginx/manifests/1.19-alpine":'
            " dial tcp: lookup public.ecr.aws on 10.0.2.3:53: read udp"
            " 10.0.2.100:57540->10.0.2.3:53: i/o timeout"
        ),
        source="https://github.com/containerd/nerdctl/pull/729",
    ),
    # --- image-not-found ---
    # an old agent said so even after pulling: the words are what a user sees
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: Error: image"
            " deathstar:9ce7d67bf402b337a75c8acf49c11881be2f16bd not found"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/337",
    ),
    RealMessage(
        code="image-not-found",
        kind="log-line",
        text=(
            "Error response from daemon: pull access denied for configuration-server,"
            " repository does not exist or may require 'docker login': denied:"
            " requested access to the resource is denied"
        ),
        source="https://github.com/ghkdqhrbals/spring-chatting-server/issues/78",
    ),
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: Error response from daemon: manifest for"
            " nginx:0f6b3cdf5e24f0da3dd932acd84fd90e9786a522 not found"
        ),
        source="https://github.com/CircleCI-Public/circleci-demo-aws-ecs-ecr/issues/4",
    ),
    # a digest where the image name belongs: no such repository
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: pull image manifest has been retried 1"
            " time(s): failed to resolve ref"
            " docker.io/library/sha256:8795397484604bc67cfcda4f4245dd248b172df523ce977"
            "8209e735ffe370426: pull access denied, repository does not exist or may"
            " require authorization: server message: insufficient_scope:"
            " authorization failed"
        ),
        source="https://github.com/aws-actions/amazon-ecs-deploy-task-definition/issues/584",
    ),
    RealMessage(
        code="image-not-found",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: API error (404): manifest for"
            " 476593617425.dkr.ecr.eu-west-1.amazonaws.com/baker-repos-1lvq9scec8c5o:l"
            "atest not found"
        ),
        source="https://github.com/awslabs/ecs-refarch-continuous-deployment/issues/33",
    ),
    RealMessage(
        code="image-not-found",
        kind="log-line",
        text=(
            "Error response from daemon: manifest for ivangabriele/dockfish:latest"
            " not found: manifest unknown: manifest unknown"
        ),
        source="https://github.com/ivangabriele/dockfish/issues/13",
    ),
    RealMessage(
        code="image-not-found",
        kind="log-line",
        text=(
            "Error response from daemon: manifest for"
            " public.ecr.aws/aws-ia/taskcat:latest not found: manifest unknown:"
            " Requested image not found"
        ),
        source="https://github.com/aws-ia/taskcat/issues/872",
    ),
    RealMessage(
        code="image-not-found",
        kind="log-line",
        text="Error: image my/image:latest not found",
        source="https://github.com/aws/amazon-ecs-agent/issues/744",
    ),
    RealMessage(
        code="image-not-found",
        kind="log-line",
        text=(
            "2018-04-01T16:21:13Z [ERROR] Managed task"
            " [arn:aws:ecs:us-east-1:066245240757:task/436501b9-5759-46e4-ada1-192f088"
            "92cc6]: Error while pulling container deploy-ecs-basic-image, will try"
            " to run anyway: API error (404): repository"
            " 066245240757.dkr.ecr.us-east-1.amazonaws.com/deploy-ecs-basic not found"
        ),
        source="https://github.com/Shippable/support/issues/4234",
    ),
    # --- log-config-invalid ---
    # a custom AMI without the credentials handler the awslogs driver needs
    RealMessage(
        code="log-config-invalid",
        kind="container-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: failed to"
            " initialize logging driver: CredentialsEndpointError: failed to load"
            " credentials caused by: RequestError: send request failed caused by: Get"
            " http://169.254.170.2/v2/credentials/"
        ),
        source="https://github.com/aws/amazon-ecs-cli/issues/752",
    ),
    RealMessage(
        code="log-config-invalid",
        kind="stopped-reason",
        text=("ResourceInitializationError: failed to initialize logging driver: <reason>"),
        source="https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html",
    ),
    # --- unknown ---
    # a device the task maps is not on the host: no code says that
    RealMessage(
        code="unknown",
        kind="container-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: error gathering"
            ' device information while adding custom device "/dev/dri/renderD130": no'
            " such file or directory"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/ecs-vt1.md",
    ),
    # a subnet in an Availability Zone Fargate does not support: no code says that
    RealMessage(
        code="unknown",
        kind="service-event",
        text=("service (service-name) was unable to place a task. Reason: Internal error."),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # the image's layers do not match its manifest: no code says a broken image
    RealMessage(
        code="unknown",
        kind="stopped-reason",
        text=(
            "cannotPullContainerError: ref pull has been retried 1 time(s): failed to"
            " unpack image on snapshotter overlayfs: mismatched image rootfs and"
            " manifest layers"
        ),
        source="https://github.com/aws-samples/dify-self-hosted-on-aws/issues/3",
    ),
    RealMessage(
        code="unknown",
        kind="log-line",
        text=(
            "failed to unpack image on snapshotter overlayfs: mismatched image rootfs"
            " and manifest layers"
        ),
        source="https://github.com/searlsco/posse_party/issues/27",
    ),
    RealMessage(
        code="unknown",
        kind="log-line",
        text="ctr: mismatched image rootfs and manifest layers",
        source="https://github.com/containerd/containerd/issues/10196",
    ),
    RealMessage(
        code="unknown",
        kind="log-line",
        text="docker: layers from manifest don't match image configuration.",
        source="https://github.com/siemens/meta-iot2050/issues/545",
    ),
    # the runtime's own failure: no code says more
    RealMessage(
        code="unknown",
        kind="stopped-reason",
        text="CannotStartContainerError: failed to get container status: <reason>",
        source="https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html",
    ),
    # the host's runtime could not stop the container
    RealMessage(
        code="container-runtime",
        kind="stopped-reason",
        text="CannotStopContainerError: failed sending SIGTERM to container: <reason>",
        source="https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html",
    ),
    # the host's runtime could not describe the container
    RealMessage(
        code="container-runtime",
        kind="stopped-reason",
        text="CannotInspectContainerError: <reason>",
        source="https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html",
    ),
    # the runtime could not unpack the image: no code says more
    RealMessage(
        code="unknown",
        kind="stopped-reason",
        text="STOPPED (CannotCreateContainerError: API error (500): Untar)",
        source="https://github.com/aws/amazon-ecs-cli/issues/194",
    ),
    # the host's Docker networking was broken: no code says that
    RealMessage(
        code="unknown",
        kind="container-reason",
        text=(
            "CannotStartContainerError: API error (404): Cannot start container"
            " 986d8b089f07fc0d90272518bd19cf0cb6f8858fcab70c673e45b1bd41d0e103:"
            " adding interface veth0e8d337 to bridge docker0 failed: could not find"
            " bridge docker0: no such network interface"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/218",
    ),
    # a volume plugin's own failure
    RealMessage(
        code="unknown",
        kind="container-reason",
        text=(
            "CannotCreateContainerError: API error (500): create"
            " 66b84f2254c64e2b7430388fe1201c2c: VolumeDriver.Create: Create,"
            " GetServiceAttr error DB RecordNotFound req"
            " {66b84f2254c64e2b7430388fe1201c2c map[]}"
        ),
        source="https://github.com/cloudstax/firecamp/issues/64",
    ),
    # the runtime's own failure: no code says more
    RealMessage(
        code="unknown",
        kind="stopped-reason",
        text="STOPPED (CannotStartContainerError: API error (500): driver)",
        source="https://github.com/awslabs/amazon-ecr-credential-helper/issues/83",
    ),
    # --- ecr-permission-denied ---
    # the docs give this for an execution role without ECR rights
    RealMessage(
        code="ecr-permission-denied",
        kind="stopped-reason",
        text="CannotPullContainerError: API error",
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    # the registry is hidden; the role lacked the ECR rights
    RealMessage(
        code="ecr-permission-denied",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: inspect image has been retried 1 time(s):"
            ' failed to resolve ref "xxxxx.xxx": unexpected status code [manifests'
            " 6981141]: 403 Forbidden"
        ),
        source="https://github.com/aws/aws-cdk/issues/14457",
    ),
    RealMessage(
        code="ecr-permission-denied",
        kind="stopped-reason",
        text=(
            "CannotPullECRContainerError: AccessDeniedException: User:"
            " arn:aws:sts::...:assumed-role/OvertureTilesCdkStack-OvertureTilesContain"
            "er... is not authorized to perform: ecr:GetAuthorizationToken on r"
        ),
        source="https://github.com/OvertureMaps/overture-tiles/pull/20",
    ),
    RealMessage(
        code="ecr-permission-denied",
        kind="log-line",
        text=(
            "Error response from daemon: pull access denied for"
            " 254865750963.dkr.ecr.us-west-2.amazonaws.com/everything2/e2lib,"
            " repository does not exist or may require 'docker login': denied: User:"
            " arn:aws:sts::254865750963:assumed-role/Docker-Builder-CodeBuild-Role/AWS"
            "CodeBuild-749228d3-4d07-4037-bd81-b631b0a0460e is not authorized to"
            " perform: ecr:BatchGetImage on resource:"
            " arn:aws:ecr:us-west-2:254865750963:repository/everything2/e2lib because"
            " no identity-based policy allows the ecr:BatchGetImage action"
        ),
        source="https://github.com/everything2/everything2/issues/2562",
    ),
    RealMessage(
        code="ecr-permission-denied",
        kind="log-line",
        text=(
            "Dec 28 23:57:02 ip-10-0-1-124 dockerd[487]:"
            ' time="2017-12-28T23:57:02.236510887Z" level=error msg="Not continuing'
            " with pull after error: denied: User:"
            " arn:aws:sts::XXX:assumed-role/nomad-client20171228230446599800000004/i-0"
            "3543d3e416f0f883 is not authorized to perform: ecr:BatchGetImage on"
            ' resource: arn:aws:ecr:us-east-1:XXX:repository/YYY"'
        ),
        source="https://github.com/awslabs/amazon-ecr-credential-helper/issues/88",
    ),
    RealMessage(
        code="ecr-permission-denied",
        kind="log-line",
        text=(
            "An error occurred (AccessDeniedException) when calling the"
            " GetAuthorizationToken operation: User:"
            " arn:aws:sts::sdfsdfsd:assumed-role/buildkite-docker-builders-Role/i-sdfs"
            "df is not authorized to perform: ecr:GetAuthorizationToken on resource:"
            " *"
        ),
        source="https://github.com/buildkite/elastic-ci-stack-for-aws/issues/193",
    ),
    RealMessage(
        code="ecr-permission-denied",
        kind="log-line",
        text=(
            "An error occurred (AccessDeniedException) when calling the"
            " GetAuthorizationToken operation: User:"
            " arn:aws:sts::053722134931:assumed-role/buildkite-IAMRole-XXX is not"
            " authorized to perform: ecr:GetAuthorizationToken on resource: *"
        ),
        source="https://github.com/buildkite/elastic-ci-stack-for-aws/issues/166",
    ),
    # --- registry-auth ---
    # no access to the image
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to"
            " copy: httpReaderSeeker: failed open: unexpected status code"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    # Docker Hub rate limit: the cure is to authenticate
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text="ERROR: toomanyrequests: Too Many Requests.",
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    # Docker Hub rate limit
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text=(
            "You have reached your pull rate limit. You may increase the limit by"
            " authenticating and upgrading:"
            " https://www.docker.com/increase-rate-limits."
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/task_cannot_pull_image.md",
    ),
    # Docker Hub's anonymous pull limit, by the maintainer's reading
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: inspect image has been retried 5 time(s):"
            " httpReaderSeeker: failed open: unexpected status code"
            " https://registry-1.docker.io/v2/amazon/aws-for-fluent-bit/manifests/sha2"
            "56:330a24bcd4e0058d70e70a0bb1ff805065161ffe3aa96296f09b555..."
        ),
        source="https://github.com/aws/aws-for-fluent-bit/issues/234",
    ),
    # Docker Hub's pull rate limit: authenticated pulls lift it
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to"
            " copy: httpReadSeeker: failed open: unexpected status code"
            " https://registry-1.docker.io/v2/prefecthq/prefect/manifests/sha256:69998"
            "e9cf3744779b98d816351e6ac837dc0eea4f450e0ad4180b6aefe995d33: 429 Too"
            " Many Requests - Server message: toomanyrequests: You have reached your"
            " pull rate limit. You may increase the limit by authenticating and"
            " upgrading: https://www.docker.com/increase-rate-limit"
        ),
        source="https://github.com/PrefectHQ/prefect/issues/12003",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "#4 ERROR: failed to copy: httpReadSeeker: failed open: unexpected status"
            " code"
            " https://registry-1.docker.io/v2/cypress/included/manifests/sha256:86e3bf"
            "f9634b85a5239a65974ac3c98f51277a8e1519fbd57b5e528f55ab8bf7: 429 Too Many"
            " Requests - Server message: toomanyrequests: You have reached your pull"
            " rate limit. You may increase the limit by authenticating and upgrading:"
            " https://www.docker.com/increase-rate-limit"
        ),
        source="https://github.com/apptension/saas-boilerplate/issues/204",
    ),
    # ECR Public's rate limit: the closest code is the registry's
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text="Error response from daemon: toomanyrequests: Rate exceeded",
        source="https://github.com/mitogen-hq/mitogen/pull/790",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "✘ Image public.ecr.aws/p1t3u8a3/chalice:v1.22.0      Error"
            " toomanyrequests: Rate exceeded"
        ),
        source="https://github.com/openreplay/openreplay/issues/4076",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text="toomanyrequests: retry-after: 985.86µs, allowed: 44000/minute",
        source="https://github.com/alexklibisz/terraform-provider-terrifi/issues/50",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "toomanyrequests: You have reached your pull rate limit. You may increase"
            " the limit by authenticating and upgrading:"
            " https://www.docker.com/increase-rate-limit. Now 2/2 tasks have been"
            " processed"
        ),
        source="https://github.com/AliyunContainerService/image-syncer/issues/160",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "Error response from daemon: toomanyrequests: You have reached your pull"
            " rate limit. You may increase the limit by authenticating and upgrading:"
            " https://www.docker.com/increase-rate-limit"
        ),
        source="https://github.com/kodekloudhub/kodekloud-engineer/issues/58",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "Error response from daemon: Head"
            ' "https://ghcr.io/v2/beeper/registration-relay/manifests/latest":'
            " unauthorized"
        ),
        source="https://github.com/beeper/registration-relay/issues/3",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "Error response from daemon: Head"
            ' "https://ghcr.io/v2/ipnet-mesh/meshcore-hub/manifests/latest":'
            " unauthorized"
        ),
        source="https://github.com/ipnet-mesh/meshcore-hub/issues/123",
    ),
    # expired GHCR credentials
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "Error response from daemon: Head"
            ' "https://ghcr.io/v2/riverqueue/riverui/manifests/latest": denied:'
            " denied"
        ),
        source="https://github.com/riverqueue/riverui/issues/182",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            'Failed to pull image "ghcr.io/banzaicloud/vault-env:1.15.0": rpc error:'
            " code = Unknown desc = failed to pull and unpack image"
            ' "ghcr.io/banzaicloud/vault-env:1.15.0": failed to copy:'
            " httpReaderSeeker: failed open: unexpected status code"
            " https://ghcr.io/v2/banzaicloud/vault-env/blobs/sha256:766c52bc20840538b2"
            "aa166e6f4ab30906ccb620ef58d7f49394eec61fbfe144: 401 Unauthorized -"
            " Server message: unauthorized: unauthenticated: User cannot be"
            " authenticated with the token provided."
        ),
        source="https://github.com/bank-vaults/bank-vaults/issues/1640",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "Error response from daemon: Head"
            ' "https://ghcr.io/v2/gis-ops/docker-valhalla/valhalla/manifests/3.4.0":'
            " denied: denied"
        ),
        source="https://github.com/nilsnolde/docker-valhalla/issues/122",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text="Error response from daemon: error from registry: unauthorized",
        source="https://github.com/DNSControl/dnscontrol/issues/4233",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text=(
            "Head"
            ' "https://ghcr.io/v2/long2ice/meilisync-admin/meilisync-admin/manifests/l'
            'atest": unauthorized'
        ),
        source="https://github.com/long2ice/meilisync-admin/issues/4",
    ),
    RealMessage(
        code="registry-auth",
        kind="log-line",
        text="unauthorized: authentication required",
        source="https://github.com/convox/rack/issues/1302",
    ),
    # Docker Hub refused an anonymous pull (its limits): the registry's code
    RealMessage(
        code="registry-auth",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError: ref pull has been retried 1 time(s): failed to"
            " copy: httpReaderSeeker: failed open: unexpected status code"
            " https://registry-1.docker.io/v2/amazon/aws-xray-daemon/manifests/sha256:"
            "2d964e1dbe7a8c9f03f4e9580ff00220bc84ce0294539c6..."
        ),
        source="https://github.com/aws/aws-xray-daemon/issues/146",
    ),
    # --- disk-full ---
    RealMessage(
        code="disk-full",
        kind="container-reason",
        text=(
            "CannotCreateContainerError: API error (500): devmapper: Thin Pool has"
            " 4350 free data blocks which is less than minimum required 4454 free"
            " data blocks. Create more free space in thin pool or use"
            " dm.min_free_space option to change behavior"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/CannotCreateContainerError.md",
    ),
    # --- no-container-instances ---
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service (service-name) was unable to place a task because no container"
            " instance met all of its requirements. The closest matching"
            ' container-instance container-instance-id encountered error "AGENT".'
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # no instance had a free network interface: the closest code is no instance to take it
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service appmesh-dev-ecs-colorapp-TcpEchoService-14M0PCTB9QFKJ was unable"
            " to place a task because no container instance met all of its"
            " requirements. The closest matching container-instance"
            ' acf43593-6b86-4838-86e5-46d896fdc8b3 encountered error "RESOURCE:ENI".'
            " For more information, see the Troubleshooting section."
        ),
        source="https://github.com/aws/aws-app-mesh-examples/issues/342",
    ),
    # the instance ran out of ENI slots
    RealMessage(
        code="no-container-instances",
        kind="stopped-reason",
        text="Unable to attach network interface to unused device index.",
        source="https://github.com/aws/containers-roadmap/issues/1545",
    ),
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service ComfyUIStack-ComfyUIService6B91FEDA-6l6z6AJugL5Q was unable to"
            " place a task because no container instance met all of its requirements."
            " Reason: No Container Instances were found in your capacity provider."
            " For more information, see the Troubleshooting section of the Amazon ECS"
            " Developer Guide."
        ),
        source="https://github.com/aws-samples/cost-effective-aws-deployment-of-comfyui/issues/39",
    ),
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service mongo-ecs-arbiter was unable to place a task because no"
            " container instance met all of its requirements. Reason: No Container"
            " Instances were found in your cluster. For more information, see the"
            " Troubleshooting section of the Amazon ECS Developer Guide."
        ),
        source="https://github.com/jazztong/mongo-ecs-ha-tf/issues/1",
    ),
    RealMessage(
        code="no-container-instances",
        kind="log-line",
        text=(
            "No Container Instances were found in your cluster. (Service: AmazonECS;"
            " Status Code: 400; Error Code: InvalidParameterException; Request ID:"
            " cb76661d-7bb1-49ee-8fa7-8ba1feea5656; Proxy: null)"
        ),
        source="https://github.com/aws/aws-cdk/issues/30171",
    ),
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service DistributedJumpCPService was unable to place a task because no"
            " container instance met all of its requirements. Reason: No Container"
            " Instances were found in your cluster."
        ),
        source="https://github.com/DistributedScience/Distributed-CellProfiler/issues/126",
    ),
    # no instance has an attribute the task requires
    RealMessage(
        code="placement-constraint",
        kind="service-event",
        text=(
            "The closest matching container-instance exxxxxxxxxxx5xxxxxxxxxxxxxxf is"
            " missing an attribute required by your task. For more information, see"
            " the Troubleshooting section"
        ),
        source="https://github.com/hashicorp/terraform-provider-aws/issues/32068",
    ),
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "unable to place a task because no container instance met all of its"
            " requirements. Reason: No Container Instances were found in your cluster"
        ),
        source="https://github.com/convox/site/issues/621",
    ),
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text="No Container Instances were found in your cluster.",
        source="https://github.com/mapbox/ecs-watchbot/issues/302",
    ),
    RealMessage(
        code="no-container-instances",
        kind="service-event",
        text=(
            "service my-service was unable to place a task because no container"
            " instance met all of its requirements. The closest matching"
            " container-instance ****af580523fe1022f095e doesn't have the agent"
            " connected. For more information, see the Troubleshooting section."
        ),
        source="https://github.com/aws-actions/amazon-ecs-deploy-task-definition/issues/260",
    ),
    RealMessage(
        code="no-container-instances",
        kind="log-line",
        text=(
            '{"Failures":[{"Arn":"arn:aws:ecs:us-west-2:763396238289:container-instan'
            'ce/eab7ed01-13fa-4280-a8f9-f5e48855e13e","Reason":"AGENT"}],"Tasks":[]}'
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/375",
    ),
    # the capacity provider has no instance that fits the task
    RealMessage(
        code="no-container-instances",
        kind="stopped-reason",
        text="TaskFailedToStart: EMPTY CAPACITY PROVIDER",
        source="https://openillumi.com/en/en-ecs-empty-capacity-provider-fix-resource-issue",
    ),
    # --- task-failed-to-start ---
    RealMessage(
        code="task-failed-to-start",
        kind="service-event",
        text=("service (service-name) is unable to consistently start tasks successfully."),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    RealMessage(
        code="task-failed-to-start",
        kind="service-event",
        text=(
            "(service relay-temporal-worker) is unable to consistently start tasks"
            " successfully. For more information, see the Troubleshooting section of"
            " the Amazon ECS Developer Guide."
        ),
        source="https://github.com/aviswerdlow/relay/issues/71",
    ),
    # large first pulls on the host: nothing more specific than a start that timed out
    RealMessage(
        code="container-runtime",
        kind="stopped-reason",
        text=("DockerTimeoutError: Could not transition to created; timed out after waiting 4m0s"),
        source="https://github.com/rstudio/r-builds/pull/140",
    ),
    # the deployment's rolloutStateReason
    RealMessage(
        code="task-failed-to-start",
        kind="service-event",
        text="ECS deployment circuit breaker: tasks failed to start.",
        source="https://github.com/aws/containers-roadmap/issues/1488",
    ),
    RealMessage(
        code="task-failed-to-start",
        kind="service-event",
        text=(
            "service carealign-admin is unable to consistently start tasks"
            " successfully. For more information, see the Troubleshooting section."
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/1453",
    ),
    RealMessage(
        code="container-runtime",
        kind="stopped-reason",
        text="DockerTimeoutError: Could not transition to started",
        source="https://github.com/aws/amazon-ecs-agent/issues/682",
    ),
    RealMessage(
        code="container-runtime",
        kind="stopped-reason",
        text=(
            "ContainerRuntimeTimeoutError: Could not transition to running; timed out"
            " after waiting 1m: <reason>"
        ),
        source="https://docs.aws.amazon.com/AmazonECS/latest/userguide/stopped-task-error-codes.html",
    ),
    # --- service-quota ---
    # API throttling: the closest code is an account limit
    RealMessage(
        code="service-quota",
        kind="service-event",
        text=("service (service-name) operations are being throttled. Will try again later."),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    RealMessage(
        code="service-quota",
        kind="service-event",
        text=(
            "service (service-name) was unable to place a task. Reason: You've"
            " reached the limit on the number of tasks you can run concurrently"
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    RealMessage(
        code="service-quota",
        kind="service-event",
        text=(
            "service (service-name) was unable to place a task. Reason: The requested"
            " CPU configuration is above your limit."
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    RealMessage(
        code="service-quota",
        kind="service-event",
        text=(
            "service (service-name) was unable to place a task. Reason: The requested"
            " MEMORY configuration is above your limit."
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    RealMessage(
        code="service-quota",
        kind="service-event",
        text="The requested CPU configuration is above your limit",
        source="https://gitlab.com/gitlab-org/ci-cd/custom-executor-drivers/fargate/-/issues/41",
    ),
    # ECR throttled the calls: the closest code is an account limit
    RealMessage(
        code="service-quota",
        kind="log-line",
        text=(
            "An error occurred (ThrottlingException) when calling the"
            " GetAuthorizationToken operation: Rate exceeded"
        ),
        source="https://github.com/Shippable/support/issues/2950",
    ),
    # --- deployment-or-scale-in ---
    # a deployment that cannot move: the closest code is the deployment's
    RealMessage(
        code="deployment-or-scale-in",
        kind="service-event",
        text=(
            "service (service-name) was unable to stop or start tasks during a"
            " deployment because of the service deployment configuration. Update the"
            " minimumHealthyPercent or maximumPercent value and try again."
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # protected tasks hold a scale-in: the closest code is the scale-in's
    RealMessage(
        code="deployment-or-scale-in",
        kind="service-event",
        text=(
            "service (service-name) was unable to reach steady state because task set"
            " (taskSet-ID) was unable to scale in. Reason: The number of protected"
            " tasks are more than the desired count of tasks."
        ),
        source="https://github.com/awsdocs/amazon-ecs-developer-guide/blob/master/doc_source/service-event-messages.md",
    ),
    # --- platform-mismatch ---
    # an OCI-format manifest that Fargate 1.4.0 could not match to its platform
    RealMessage(
        code="platform-mismatch",
        kind="stopped-reason",
        text=("CannotPullContainerError: failed to find a descriptor for platform {linux/amd64}"),
        source="https://github.com/aws/containers-roadmap/issues/1120",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="stopped-reason",
        text=(
            "CannotPullContainerError failed to find a descriptor for platform"
            " 0xc0004d52c0 0xc0004d5320"
        ),
        source="https://github.com/hashicorp/consul-ecs/issues/64",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="service-event",
        text=(
            "(service relay-temporal-worker) was unable to place a task. Reason:"
            " CannotPullContainerError: pull image manifest has been retried 7"
            " time(s): image Manifest does not contain descriptor matching platform"
            " 'linux/amd64'."
        ),
        source="https://github.com/aviswerdlow/relay/issues/71",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text="exec /usr/local/bin/docker-entrypoint.sh: exec format error",
        source="https://github.com/docker/compose/issues/10185",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text=(
            "tiny-server-mongodb-1  | exec"
            " /opt/bitnami/scripts/mongodb/entrypoint.sh: exec format error"
        ),
        source="https://github.com/docker/compose/issues/10213",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text="exec /bin/sh: exec format error",
        source="https://github.com/langfuse/langfuse/issues/2556",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text="exec /entrypoint: exec format error",
        source="https://github.com/Apocalypsor/dujiaoka-docker/issues/10",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text=('panic: standard_init_linux.go:175: exec user process caused "exec format error"'),
        source="https://github.com/docker-library/mysql/issues/228",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text=("2025-10-02T16:00:04.513630336Z exec ./docker-entrypoint-prod.sh: exec format error"),
        source="https://github.com/astuto/astuto/issues/475",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text="exec /app/entrypoint.sh: exec format error",
        source="https://github.com/dingdangdog/cashbook/issues/104",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text='standard_init_linux.go:178: exec user process caused "exec format error"',
        source="https://github.com/clue/docker-h5ai/issues/9",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text='standard_init_linux.go:211: exec user process caused "exec format error"',
        source="https://github.com/ottomated/CrewLink-server/issues/74",
    ),
    RealMessage(
        code="platform-mismatch",
        kind="log-line",
        text='standard_init_linux.go:175: exec user process caused "exec format error"',
        source="https://github.com/gliderlabs/docker-alpine/issues/211",
    ),
    # --- secrets-access-denied ---
    # the parameter lived in another account
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry auth:"
            " execution resource retrieval failed: unable to retrieve secrets from"
            " ssm: service call has been retried 1 time..."
        ),
        source="https://github.com/aws/copilot-cli/issues/2095",
    ),
    RealMessage(
        code="secrets-access-denied",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: unable to pull secrets or registry auth:"
            " execution resource retrieval failed: unable to retrieve secrets from"
            " ssm: service call has been retried 1 time(s): AccessDeniedException:"
            " User:"
            " arn:aws:sts::xxx:assumed-role/django-app-test-django-ExecutionRole-0GkTV"
            "xbLE8AS/10f3cb5a956e423b81737b131abd962d is"
        ),
        source="https://github.com/aws/copilot-cli/issues/5639",
    ),
    # the app's own role may not read the secret
    RealMessage(
        code="task-role-denied",
        kind="log-line",
        text=(
            "Dec 22 18:04:17 ip-172-16-11-138 nautobot-server[2211358]: [2022-12-22"
            " 18:04:17,668: WARNING/ForkPoolWorker-31] An error occurred"
            " (AccessDeniedException) when calling the GetSecretValue operation:"
            " User:"
            " arn:aws:sts::*********:assumed-role/nautobot-stg-webserver-permissions-r"
            "ole/********** is not authorized to perform:"
            " secretsmanager:GetSecretValue on resource: sharepoint_account because"
            " no identity-based policy allows the secretsmanager:GetSecretValue"
            " action"
        ),
        source="https://github.com/nautobot/nautobot-app-secrets-providers/issues/64",
    ),
    RealMessage(
        code="task-role-denied",
        kind="log-line",
        text=(
            "AccessDeniedException: User:"
            " arn:aws:iam::858XXXXXXXXX:user/AmazonSpListing is not authorized to"
            " perform: secretsmanager:GetSecretValue on resource: settings because no"
            " identity-based policy allows the secretsmanager:GetSecretValue action"
        ),
        source="https://github.com/amzn/selling-partner-api-samples/issues/76",
    ),
    RealMessage(
        code="task-role-denied",
        kind="log-line",
        text=(
            "---> Amazon.SecretsManager.AmazonSecretsManagerException: User:"
            " arn:aws:sts::***REDACTED** is not authorized to perform:"
            " secretsmanager:ListSecrets because no identity-based policy allows the"
            " secretsmanager:ListSecrets action"
        ),
        source="https://github.com/Kralizek/AWSSecretsManagerConfigurationExtensions/issues/78",
    ),
    RealMessage(
        code="task-role-denied",
        kind="log-line",
        text=(
            '{"message":"User: arn:aws:iam::<xxxxxxxxxx>:user/<iam user name> is not'
            " authorized to perform: secretsmanager:GetSecretValue on resource:"
            ' db-connection"'
        ),
        source="https://github.com/external-secrets/kubernetes-external-secrets/issues/808",
    ),
    RealMessage(
        code="task-role-denied",
        kind="log-line",
        text=(
            'Exception in thread "main"'
            " com.amazonaws.services.simplesystemsmanagement.model.AWSSimpleSystemsMan"
            "agementException: User:"
            " arn:aws:sts::091144949931:assumed-role/nodes.example.cluster.k8s.local/i"
            "-05101c6ca462115a9 is not authorized to perform: ssm:GetParameter on"
            " resource: arn:aws:ssm:us-east-1:091144949931:parameter/GREETING"
            " (Service: AWSSimpleSystemsManagement; Status Code: 400; Error Code:"
            " AccessDeniedException; Request ID:"
            " d8a3e20a-d17f-11e7-a11d-5323541cf7d1)"
        ),
        source="https://github.com/aws-samples/aws-workshop-for-kubernetes/issues/250",
    ),
    RealMessage(
        code="task-role-denied",
        kind="log-line",
        text=(
            "User: arn:aws-us-gov:sts::<source"
            " account>:assumed-role/cdk-hnb659fds-cfn-exec-role-<source"
            " account>-us-gov-west-1/AWSCloudFormation is not authorized to perform:"
            " secretsmanager:GetSecretValue on resource:"
            " arn:aws-us-gov:secretsmanager:us-gov-west-1:<target"
            " account>:secret:<secret name>-xxxxxx"
        ),
        source="https://github.com/aws-samples/cdk-assume-role-credential-plugin/issues/49",
    ),
    # --- command-not-found ---
    # an EFS volume mounted over the entrypoint's directory
    RealMessage(
        code="command-not-found",
        kind="stopped-reason",
        text=(
            "CannotStartContainerError: ResourceInitializationError: failed to create"
            " new container runtime task: OCI runtime create failed:"
            " container_linux.go:370: starting container process caused: exec:"
            ' "/opt/sonarqube/bin/run.sh": stat /opt/sonarqube/bin/run.sh...no such'
            " file or direct..."
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/2954",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "OCI runtime exec failed: exec failed: unable to start container process:"
            ' exec: "/bin/bash": stat /bin/bash: no such file or directory: unknown'
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/3246",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "Error: (HTTP code 400) unexpected - failed to create shim: OCI runtime"
            " create failed: runc create failed: unable to start container process:"
            ' exec: "ls": executable file not found in $PATH: unknown'
        ),
        source="https://github.com/apocas/dockerode/issues/654",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "docker: Error response from daemon: failed to create task for container:"
            " failed to create shim task: OCI runtime create failed: runc create"
            " failed: unable to start container process: exec:"
            ' "./docker/docker-entrypoint.sh": stat ./docker/docker-entrypoint.sh: no'
            " such file or directory: unknown."
        ),
        source="https://github.com/whyour/qinglong/issues/2567",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "failed to create containerd task: failed to create shim task: OCI"
            " runtime create failed: runc create failed: unable to start container"
            ' process: error during container init: exec: "/go-runner": stat'
            " /go-runner: no such file or directory: unknown"
        ),
        source="https://github.com/aws/eks-pod-identity-agent/issues/75",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "ERROR: Cannot start service web: OCI runtime create failed:"
            ' container_linux.go:348: starting container process caused "exec:'
            ' \\"/bin/bash\\": stat /bin/bash: no such file or directory": unknown'
        ),
        source="https://github.com/docker/compose/issues/6260",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "OCI runtime create failed: container_linux.go:348: starting container"
            ' process caused "exec: \\"./bin/run.sh\\": stat ./bin/run.sh: no such file'
            ' or directory": unknown.'
        ),
        source="https://github.com/moby/moby/issues/37749",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "starting container failed: oci runtime error: container_linux.go:265:"
            ' starting container process caused "exec: \\"/bin/sh -c\\": stat /bin/sh'
            " -c: no such file or directory"
        ),
        source="https://github.com/AlinaNova21/docker-screeps-server/issues/9",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "failed to create containerd task: failed to create shim task: OCI"
            " runtime create failed: runc create failed: unable to start container"
            ' process: exec: "server.js": executable file not found in $PATH: unknown'
        ),
        source="https://github.com/IBM/CodeEngine/pull/140",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            "docker: Error response from daemon: OCI runtime create failed:"
            ' container_linux.go:346: starting container process caused "exec:'
            ' \\"docker-entrypoint.sh\\": executable file not found in $PATH": unknown.'
        ),
        source="https://github.com/nodejs/docker-node/issues/1405",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text='System error: exec: \\"echo hi\\": executable file not found in $PATH',
        source="https://github.com/aws/amazon-ecs-cli/issues/25",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text="/opt/sinopia/start.sh: line 8: nodejs: command not found",
        source="https://github.com/kfatehi/docker-sinopia/issues/3",
    ),
    RealMessage(
        code="command-not-found",
        kind="container-reason",
        text=(
            "DockerStateError: Container command '/home/shippable/cexec/build.sh' not"
            " found or does not exist."
        ),
        source="https://github.com/Shippable/support/issues/2754",
    ),
    RealMessage(
        code="command-not-found",
        kind="log-line",
        text=(
            'Error: failed to start container "place-scripts": Error response from'
            " daemon: OCI runtime create failed: container_linux.go:349: starting"
            ' container process caused "exec: \\"sh\\": executable file not found in'
            ' $PATH": unknown'
        ),
        source="https://github.com/tektoncd/pipeline/issues/5910",
    ),
    # --- out-of-memory ---
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text=("FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"),
        source="https://github.com/myungjaeyu/dos/issues/2",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text=(
            "FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed"
            " - JavaScript heap out of memory"
        ),
        source="https://github.com/omnivore-app/omnivore/issues/2337",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text=(
            "297.8 FATAL ERROR: Reached heap limit Allocation failed - JavaScript"
            " heap out of memory"
        ),
        source="https://github.com/casdoor/casdoor/pull/3672",
    ),
    # as the reporter pasted it, with typographic dashes
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text=(
            "FATAL ERROR: Ineffective mark‑compacts near heap limit Allocation failed"
            " – JavaScript heap out of memory"
        ),
        source="https://github.com/FlowiseAI/Flowise/issues/4769",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text="java.lang.OutOfMemoryError: Java heap space",
        source="https://github.com/orientechnologies/orientdb/issues/10037",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text=(
            'Exception in thread "PostgreSQL-JDBC-SharedTimer-1"'
            " java.lang.OutOfMemoryError: Java heap space"
        ),
        source="https://github.com/GMOD/docker-apollo/issues/42",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text="java.lang.OutOfMemoryError: Direct buffer memory",
        source="https://github.com/camunda/camunda/issues/390",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text="fatal error: runtime: out of memory",
        source="https://github.com/mhmdiaa/second-order/issues/1",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text="runtime: out of memory: cannot allocate -8410442019078995968-byte block",
        source="https://github.com/golang/go/issues/11789",
    ),
    RealMessage(
        code="out-of-memory",
        kind="log-line",
        text="[ERROR] Worker (pid:30) was sent SIGKILL! Perhaps out of memory?",
        source="https://github.com/nikitazigman/beaver/issues/59",
    ),
    RealMessage(
        code="heap-exhausted",
        kind="log-line",
        text=(
            'MemoryError Traceback (most recent call last): File "<string>", line 1,'
            ' in <module> File "C:\\Program Files'
            ' (x86)\\Python37-32\\lib\\multiprocessing\\spawn.py", line 105, in'
            " spawn_main exitcode = _main(fd)"
        ),
        source="https://github.com/Isaacdelly/Plutus/issues/146",
    ),
    RealMessage(
        code="out-of-memory",
        kind="stopped-reason",
        text=(
            "CannotStartContainerError: Error response from daemon: OCI runtime"
            " create failed: container_linux.go:380: starting container process"
            " caused: container init was OOM-killed (memory limit too low?): unknown"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/3021",
    ),
    RealMessage(
        code="out-of-memory",
        kind="log-line",
        text=(
            "2018-10-24T16:25:53Z [INFO] DockerGoClient: process within container"
            " db09e0887a0d3450ed9025319121451e32e805a15863f965166fd37eebc99486 (name:"
            ' "ecs-intel-bc-demo-60-intel-bc-quorum-a8b5ae84e8c197b30200") died due'
            " to OOM"
        ),
        source="https://github.com/aws/amazon-ecs-agent/issues/1645",
    ),
    # --- exec-permission-denied ---
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text='standard_init_linux.go:207: exec user process caused "permission denied"',
        source="https://github.com/alexbers/mtprotoproxy/issues/112",
    ),
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text='standard_init_linux.go:178: exec user process caused "permission denied"',
        source="https://github.com/emk/rust-musl-builder/issues/20",
    ),
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text='standard_init_linux.go:211: exec user process caused "permission denied"',
        source="https://github.com/istio/istio/issues/19834",
    ),
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text='standard_init_linux.go:175: exec user process caused "permission denied"',
        source="https://github.com/docker-library/hello-world/issues/19",
    ),
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text=('Fix standard_init_linux.go:190: exec user process caused "permission denied"'),
        source="https://github.com/programming-liftoff/docker-playground/pull/4",
    ),
    # refused by the kernel (seccomp, capabilities) rather than by the file's mode: the closest code
    RealMessage(
        code="exec-permission-denied",
        kind="log-line",
        text=("standard_init_linux.go:228: exec user process caused: operation not permitted"),
        source="https://github.com/mattermost/docker/issues/105",
    ),
    # --- segfault ---
    RealMessage(
        code="segfault",
        kind="log-line",
        text="Segmentation fault (core dumped)",
        source="https://github.com/kelseyhightower/nocode/issues/1384",
    ),
    RealMessage(
        code="segfault",
        kind="log-line",
        text=(
            "/opt/docker-entrypoint.sh: line 17:     9 Segmentation fault      (core"
            " dumped) /opt/anisette_server"
        ),
        source="https://github.com/Dadoum/Provision/issues/39",
    ),
    RealMessage(
        code="segfault",
        kind="log-line",
        text="Segmentation fault",
        source="https://github.com/n4ze3m/dialoqbase/issues/90",
    ),
    RealMessage(
        code="segfault",
        kind="log-line",
        text="Segmentation fault (code=killed, signal=SEGV",
        source="https://github.com/netdata/netdata/issues/9411",
    ),
    RealMessage(
        code="segfault",
        kind="log-line",
        text=(
            "/home/runner/work/_temp/940daf06-485f-4ee4-b6ee-b6610228a62d.sh: line 1:"
            "  3452 Segmentation fault      (core dumped) ./Tests --verbosity high"
            " --success"
        ),
        source="https://github.com/recastnavigation/recastnavigation/issues/694",
    ),
    # gunicorn's words for a worker that died of SIGSEGV
    RealMessage(
        code="segfault",
        kind="log-line",
        text="ERROR] Worker (pid:54) was sent code 139!",
        source="https://github.com/NatLibFi/Annif/issues/922",
    ),
    # --- app-crash ---
    # a port already in use inside the task: the app's own crash
    RealMessage(
        code="app-crash",
        kind="log-line",
        text="Error: listen EADDRINUSE: address already in use :::3000",
        source="https://github.com/slack-samples/javascript-announcement-bot/issues/20",
    ),
    RealMessage(
        code="app-crash",
        kind="log-line",
        text="Error: listen EADDRINUSE: address already in use :::5000",
        source="https://github.com/SharlSherif/Generate-HoustonLibrary-Codes/issues/8",
    ),
    RealMessage(
        code="app-crash",
        kind="log-line",
        text="Error: listen EADDRINUSE 0.0.0.0:3000",
        source="https://github.com/GroceriStar/groceristar/issues/206",
    ),
    RealMessage(
        code="app-crash",
        kind="log-line",
        text="Error: listen EADDRINUSE :::3000",
        source="https://github.com/kriasoft/react-starter-kit/issues/817",
    ),
    RealMessage(
        code="app-crash",
        kind="log-line",
        text="Error: listen EADDRINUSE",
        source="https://github.com/twilson63/w3/issues/2",
    ),
    RealMessage(
        code="app-crash",
        kind="log-line",
        text="{ Error: listen EADDRINUSE 127.0.0.1:3000",
        source="https://github.com/robertklep/nefit-easy-http-server/issues/18",
    ),
    # the database refused: the app's crash, the dependency named
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="PG::ConnectionBad: could not connect to server: Connection refused",
        source="https://github.com/zammad/zammad-docker-compose/issues/234",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text=(
            "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not"
            " connect to server: Connection refused"
        ),
        source="https://github.com/mikeizbicki/cmc-csci143/issues/504",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="Error: connect ECONNREFUSED 127.0.0.1:5432",
        source="https://github.com/csfloat/inspect/issues/252",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="a12n-server-1  | Error: connect ECONNREFUSED 172.21.0.2:5432",
        source="https://github.com/curveball/a12n-server/pull/617",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text=(
            "elasticsearch-logstash      |   Error:"
            " Java::OrgPostgresqlUtil::PSQLException: Connection to"
            " host.docker.internal:27500 refused. Check that the hostname and port"
            " are correct and that the postmaster is accepting TCP/IP connections."
        ),
        source="https://github.com/deviantony/docker-elk/issues/638",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text=(
            "SQL SCRIPT START - Connection to 127.0.0.1:5433 refused. Check that the"
            " hostname and port are correct and that the postmaster is accepting"
            " TCP/IP connections"
        ),
        source="https://github.com/Nuvalence/sqlserver2pgsql-docker/issues/1",
    ),
    # a required environment variable is not set
    RealMessage(
        code="config-missing",
        kind="log-line",
        text="KeyError: 'API_BASE_URL'",
        source="https://github.com/greenstatic/bigbluebutton-exporter/issues/89",
    ),
    RealMessage(
        code="config-missing",
        kind="log-line",
        text="KeyError: 'LOG_LEVEL'",
        source="https://github.com/dkruyt/ginlong-scraper/issues/11",
    ),
    RealMessage(
        code="config-missing",
        kind="log-line",
        text="KeyError: 'REDACTED_BUCKET'",
        source="https://github.com/Agenta-AI/agenta/issues/1506",
    ),
    RealMessage(
        code="config-missing",
        kind="log-line",
        text="KeyError: 'MP_IP'",
        source="https://github.com/microsoft/vscode-python/issues/436",
    ),
    RealMessage(
        code="config-missing",
        kind="log-line",
        text="KeyError: 'WOCHENENDE_DIR'",
        source="https://github.com/MHH-RCUG/Wochenende/issues/136",
    ),
    RealMessage(
        code="config-missing",
        kind="log-line",
        text="KeyError: 'PWD'",
        source="https://github.com/hnicke/sodalite/issues/232",
    ),
    # the database did not answer in time: the app's crash, the dependency named
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="Error: connect ETIMEDOUT",
        source="https://github.com/stackhero-io/node-red-contrib-stackhero-mysql/issues/18",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="Error: DatabaseError(Conn(SqlxError(PoolTimedOut)))",
        source="https://github.com/robatipoor/rustfulapi/issues/19",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="Checking Database connection... Failed.",
        source="https://github.com/buanet/ioBroker.docker/issues/411",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="[immich-server] Error: connect ETIMEDOUT",
        source="https://github.com/immich-app/immich/issues/16605",
    ),
    # a dependency's name does not resolve: the app's crash, the dependency named
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text=('Error trying to set value: dial tcp: lookup redis on 127.0.0.11:53: no such host"'),
        source="https://github.com/TykTechnologies/tyk-pro-docker-demo/issues/28",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="Redis connection to redis-server:6379 failed",
        source="https://github.com/redis/docker-library-redis/issues/255",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="Error: getaddrinfo ENOTFOUND redis",
        source="https://github.com/docker/desktop-linux/issues/35",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text=("Error: Redis connection to redis1:6379 failed - getaddrinfo ENOTFOUND redis1"),
        source="https://github.com/mojaloop/project/issues/1119",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="getaddrinfo ENOTFOUND cache",
        source="https://github.com/directus/directus/issues/6902",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="[ioredis] Unhandled error event: Error: getaddrinfo ENOTFOUND redis",
        source="https://github.com/docmost/docmost/issues/62",
    ),
    RealMessage(
        code="dependency-unreachable",
        kind="log-line",
        text="getaddrinfo: Name or service not known",
        source="https://github.com/mastodon/mastodon/issues/2857",
    ),
    # --- trust-policy ---
    RealMessage(
        code="trust-policy",
        kind="service-event",
        text=(
            "service X failed to launch a task with (error ECS was unable to assume"
            " the role X that was provided for this task. Please verify that the role"
            " being passed has the proper trust relationship and permissions and that"
            " your IAM user has permissions to pass this role.)."
        ),
        source="https://github.com/telia-oss/terraform-aws-ecs-fargate/pull/58",
    ),
    # --- task-role-missing ---
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            "Unable to locate credentials. You can configure credentials by running"
            ' "aws configure".'
        ),
        source="https://github.com/hackoregon/civic-devops/issues/238",
    ),
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            "raise NoCredentialsError botocore.exceptions.NoCredentialsError: Unable"
            " to locate credentials"
        ),
        source="https://github.com/boto/boto3/issues/2412",
    ),
    # on Fargate: a credentials chain without the container provider finds no role
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            "com.amazonaws.SdkClientException: Unable to load AWS credentials from"
            " any provider in the chain: [EnvironmentVariableCredentialsProvider:"
            " Unable to load AWS credentials from environment variables"
            " (AWS_ACCESS_KEY_ID (or AWS_ACCESS_KEY) and AWS_SECRET_KEY (or"
            " AWS_SECRET_ACCESS_KEY)),"
            " com.amazonaws.auth.InstanceProfileCredentialsProvider@7cc1ab93: Unable"
            " to load credentials from service endpoint,"
            " com.hotels.shunting.yard.receiver.sqs.aws.ConfigurationAwsCredentialsPro"
            "vider@3f8c1aca: "
        ),
        source="https://github.com/ExpediaGroup/circus-train/issues/109",
    ),
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            "Sep 17 05:47:29 conveyer.rultor.com rultor: [ERROR] cc3f880 conveyer-15"
            " com.jcabi.dynamo.AwsIterator: #hasNext(): thrown"
            " com.amazonaws.AmazonClientException(Unable to load AWS credentials from"
            " any provider in the chain) out of"
            " com.amazonaws.auth.AWSCredentialsProviderChain#getCredentials[77] in 4s"
        ),
        source="https://github.com/yegor256/rultor/issues/322",
    ),
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text=(
            "| Error com.amazonaws.SdkClientException: Unable to load AWS credentials"
            " from any provider in the chain"
        ),
        source="https://github.com/Teevity/ice/issues/306",
    ),
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text="CredentialsProviderError: Could not load credentials from any providers",
        source="https://github.com/aws/aws-sdk-js-v3/issues/4989",
    ),
    RealMessage(
        code="task-role-missing",
        kind="log-line",
        text="no valid providers in chain. Deprecated.",
        source="https://github.com/docker-archive/ecs-plugin/issues/155",
    ),
    # --- fargate-capacity ---
    RealMessage(
        code="fargate-capacity",
        kind="service-event",
        text=(
            "service single-product was unable to place a task. Reason: Capacity is"
            " unavailable at this time. Please try again later or in a different"
            " availability zone."
        ),
        source="https://granhotelsantacruz.com/pulse/aws-ecs-complete-guide-fixing-capacity-unavailable-errors-shuma-zuifc",
    ),
    # --- elb-health-check ---
    # the target's description, as the service event quotes it
    RealMessage(
        code="elb-health-check",
        kind="target-health",
        text="Health checks failed with these codes: [404]",
        source="https://github.com/nathanpeck/nodejs-aws-workshop/issues/5",
    ),
    RealMessage(
        code="elb-health-check",
        kind="target-health",
        text="Health checks failed with these codes: [502]",
        source="https://github.com/holyjak/blog.jakubholy.net/blob/master/content/tmp-migration/old/md/posts/2019-12-06--troubleshooting-fargate-health-check.md",
    ),
    RealMessage(
        code="elb-health-check",
        kind="target-health",
        text="Request timed out",
        source="https://github.com/aws/amazon-ecs-agent/issues/1872",
    ),
    # --- efs-mount-failed ---
    RealMessage(
        code="efs-mount-failed",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: failed to invoke EFS utils commands to set"
            " up EFS volumes: stderr: Failed to resolve"
            ' "fs-00000000.efs.us-east-1.amazonaws.com" - check that your file system'
            " ID is correct."
        ),
        source="https://github.com/aws/amazon-ecs-cli/issues/1083",
    ),
    RealMessage(
        code="efs-mount-failed",
        kind="stopped-reason",
        text=(
            "ResourceInitializationError: failed to invoke EFS utils commands to set"
            " up EFS volumes: stderr: Failed to resolve"
            ' "fs-06642d00e4ec726.efs.ap-northeast-1.amazonaws.com" - check that your'
            " file system ID is correct, and ensure that the VPC has an EFS mount"
            " target for this file system ID. See"
            " https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail."
            " Attempting to lookup mount target ip address using botocore. Failed to"
            " import necessary dependency botocore, please install botocore first. :"
            " unsuccessful EFS utils command execution; code: 1"
        ),
        source="https://github.com/aws/copilot-cli/issues/5419",
    ),
    RealMessage(
        code="efs-mount-failed",
        kind="stopped-reason",
        text=(
            "Resourceinitializationerror: failed to invoke EFS utils commands to set"
            " up EFS volumes: stderr: Failed to resolve"
            ' "fs-<id>.efs.us-east-1.amazonaws.com" - check that your file system ID'
            " is correct, and ensure that the VPC has an EFS mount target for this"
            " file system ID. See"
            " https://docs.aws.amazon.com/console/efs/mount-dns-name for more detail."
            " Attempting to lookup mount target ip address using botocore. Failed to"
            " import necessary dependency botocore, please install botocore first. :"
            " unsuccessful EFS utils command execution; code: 1"
        ),
        source="https://github.com/rileydakota/valheim-ecs-fargate-cdk/issues/28",
    ),
    # --- spot-interruption ---
    # a runner's log quoting the stopped reason
    RealMessage(
        code="spot-interruption",
        kind="log-line",
        text=(
            "Task wrapbox_test is failed. task=arn:aws:ecs:xxx:xxx:task/xxx/xxx,"
            " cmd_index=60, exit_code=2, task_stopped_reason=Your Spot Task was"
            " interrupted., container_stopped_reason="
            " (Wrapbox::Runner::Ecs::ExecutionFailure)"
        ),
        source="https://github.com/reproio/wrapbox/pull/53",
    ),
    # --- more: DockerTimeoutError's words without the prefix, and the circuit breaker ---
    # the agent timed out on the host's Docker daemon: a start that timed out
    RealMessage(
        code="task-failed-to-start",
        kind="stopped-reason",
        text="Could not transition to inspecting; timed out after waiting 10s",
        source="https://github.com/aws/amazon-ecs-agent/issues/278",
    ),
    RealMessage(
        code="task-failed-to-start",
        kind="stopped-reason",
        text="Could not transition to inspecting; timed out after waiting 30s",
        source="https://github.com/aws/amazon-ecs-agent/issues/309",
    ),
    # CloudFormation's words when the deployment circuit breaker gave up
    RealMessage(
        code="task-failed-to-start",
        kind="log-line",
        text="Error occurred during operation 'ECS Deployment Circuit Breaker was triggered.",
        source="https://github.com/aws/containers-roadmap/issues/1205",
    ),
    # --- 2024-2026 wordings: the agent's plain-words pull errors (June 2024, agent PR 4181,
    # as ECS's guide lists them), GPU and memberOf placement refusals (RunTask failures), and
    # DockerTimeoutError as one user pasted it (its misspelling is theirs) ---
    RealMessage(
        code="ecr-permission-denied",
        kind="stopped-reason",
        text=(
            "The task can’t pull the image. Check that the role has the permissions to pull"
            " images from the registry."
        ),
        source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text=(
            "The task cannot pull ‘image-name’ from the Amazon ECR repository ‘repository"
            " URI’. There is a connection issue between the task and Amazon ECR. Check your"
            " task network configuration."
        ),
        source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html",
    ),
    RealMessage(
        code="no-route-to-internet",
        kind="stopped-reason",
        text="The task can’t pull the image. Check your network configuration",
        source="https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_cannot_pull_image.html",
    ),
    RealMessage(
        code="placement-constraint",
        kind="stopped-reason",
        text="RESOURCE:GPU",
        source="https://github.com/aws/amazon-ecs-agent/pull/3852",
    ),
    RealMessage(
        code="placement-constraint",
        kind="stopped-reason",
        text="MemberOf placement constraint unsatisfied.",
        source="https://github.com/aws/amazon-ecs-agent/pull/3044",
    ),
    RealMessage(
        code="container-runtime",
        kind="stopped-reason",
        text="DockerTimeoutError: Could not tranisition to started; timed out after waiting 8m0s",
        source="https://github.com/aws-actions/amazon-ecs-deploy-task-definition/issues/232",
    ),
)

# Still thin, or left out on purpose:
#   - stopped-by-user ("Task stopped by user" / UserInitiated) and sigterm (exit 143): no
#     pasted real ECS event with a citable URL was found; the stop code says them.
#   - insufficient-cpu and deployment-or-scale-in: AWS doc templates only.
#   - RESOURCE:FARGATE: no public quote found; ENI exhaustion ("RESOURCE:ENI", "Unable to
#     attach network interface") is here under no-container-instances.
#   - "TARGET GROUP IS NOT FOUND" and "IAM permissions policies have been misconfigured":
#     no public quote with a source was found.
#   - a mismatched-rootfs image, device and volume-plugin failures and the runtime's own
#     errors have no cause code: they are here as unknown, with the reason in a comment.
