import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../catalog/ipv4";
import type { BootstrapConfig, Environment } from "./config";
import { deployWorkflowName, iamPath, runnerProjectName } from "./naming";

/**
 * Minutes a runner build may last. CodeBuild ends a build at its `buildTimeout` (5 to 2160 minutes,
 * default 60; @pulumi/aws 7.48.0 codebuild/project.d.ts), and a runner build lasts as long as the
 * job it serves, so it must outlast the deploy job's `timeout-minutes` (180, deploy.yml).
 */
export const runnerBuildTimeoutMinutes = 240;

export interface RunnerVpc {
    readonly vpc: aws.ec2.Vpc;
    readonly privateSubnets: aws.ec2.Subnet[];
    readonly privateRouteTable: aws.ec2.RouteTable;
    readonly securityGroup: aws.ec2.SecurityGroup;
}

/**
 * The runner VPC: private subnets whose only way out is a NAT gateway. CodeBuild gives the ENIs it
 * creates no public address, so an internet gateway alone is not enough: "you need a NAT gateway or
 * NAT instance in a public subnet" (CodeBuild vpc-support.html; research §6). The runners reach
 * github.com, the AWS APIs and registries through it, and the stacks' private EKS endpoints through
 * the peerings the stacks add (their side: a peering, a route in `privateRouteTable`, and their
 * endpoint security group opened to this VPC's range). One NAT gateway: a deploy that loses its
 * zone waits for a rerun, which costs less than a NAT per zone all year.
 */
export function createRunnerVpc(cfg: BootstrapConfig["runner"], parent: pulumi.Resource, provider: aws.Provider): RunnerVpc {
    const opts = { parent, provider };
    const plan = planSubnets(cfg.vpcCidr, cfg.zones);
    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, opts).names;
    const vpc = new aws.ec2.Vpc(
        "runner",
        {
            cidrBlock: cfg.vpcCidr,
            // The stacks' EKS endpoints are resolved by name from here.
            enableDnsSupport: true,
            enableDnsHostnames: true,
            tags: { Name: "saleor-runner" },
        },
        opts,
    );
    const igw = new aws.ec2.InternetGateway("runner", { vpcId: vpc.id, tags: { Name: "saleor-runner" } }, opts);
    const natSubnet = new aws.ec2.Subnet(
        "runner-nat",
        {
            vpcId: vpc.id,
            cidrBlock: plan.public[0],
            availabilityZone: zones[0],
            mapPublicIpOnLaunch: false,
            tags: { Name: "saleor-runner-nat" },
        },
        opts,
    );
    const publicRoutes = new aws.ec2.RouteTable(
        "runner-public",
        {
            vpcId: vpc.id,
            routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
            tags: { Name: "saleor-runner-public" },
        },
        opts,
    );
    new aws.ec2.RouteTableAssociation("runner-nat", { subnetId: natSubnet.id, routeTableId: publicRoutes.id }, opts);
    const eip = new aws.ec2.Eip("runner-nat", { domain: "vpc", tags: { Name: "saleor-runner-nat" } }, opts);
    const nat = new aws.ec2.NatGateway(
        "runner",
        {
            subnetId: natSubnet.id,
            allocationId: eip.allocationId,
            tags: { Name: "saleor-runner" },
        },
        { ...opts, dependsOn: [igw] },
    );
    // No inline `routes`: the stacks add their peering routes to this table as separate Route
    // resources, which an inline route list would remove on the bootstrap's next `pulumi up`.
    const privateRouteTable = new aws.ec2.RouteTable("runner-private", { vpcId: vpc.id, tags: { Name: "saleor-runner-private" } }, opts);
    new aws.ec2.Route(
        "runner-private-egress",
        { routeTableId: privateRouteTable.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
        opts,
    );
    const privateSubnets = plan.private.map((cidrBlock, i) => {
        const subnet = new aws.ec2.Subnet(
            `runner-private-${i}`,
            {
                vpcId: vpc.id,
                cidrBlock,
                availabilityZone: zones[i],
                tags: { Name: `saleor-runner-private-${i}` },
            },
            opts,
        );
        new aws.ec2.RouteTableAssociation(`runner-private-${i}`, { subnetId: subnet.id, routeTableId: privateRouteTable.id }, opts);
        return subnet;
    });
    const securityGroup = new aws.ec2.SecurityGroup(
        "runner",
        {
            vpcId: vpc.id,
            description: "CodeBuild deploy runners: nothing comes in; out to GitHub, AWS APIs, registries and the peered EKS endpoints",
            egress: [
                {
                    protocol: "-1",
                    fromPort: 0,
                    toPort: 0,
                    cidrBlocks: ["0.0.0.0/0"],
                    description: "all egress (GitHub's address ranges change)",
                },
            ],
            tags: { Name: "saleor-runner" },
        },
        opts,
    );
    return { vpc, privateSubnets, privateRouteTable, securityGroup };
}

/**
 * The GitHub credential of the runner projects: a CodeConnections connection. It is created
 * PENDING and the GitHub App handshake "must be completed in the AWS Console" (@pulumi/aws 7.48.0
 * codeconnections/connection.d.ts; research §6): a one-time manual step (docs/first-deployment.md).
 */
export function createGithubConnection(parent: pulumi.Resource, provider: aws.Provider): aws.codeconnections.Connection {
    return new aws.codeconnections.Connection("github", { name: "saleor-github", providerType: "GitHub" }, { parent, provider });
}

export interface RunnerProjectArgs {
    readonly env: Environment;
    readonly cfg: BootstrapConfig;
    readonly network: RunnerVpc;
    readonly connectionArn: pulumi.Input<string>;
    readonly accountId: pulumi.Input<string>;
}

export interface RunnerProject {
    readonly project: aws.codebuild.Project;
    readonly webhook?: aws.codebuild.Webhook;
    readonly role: aws.iam.Role;
}

/**
 * The CodeBuild project that runs `env`'s deploy jobs as an ephemeral GitHub Actions runner inside
 * the runner VPC. Its service role can write its logs, place its network interfaces and use the
 * GitHub connection, and nothing else: a job gets AWS access only by assuming the environment's
 * deploy role through OIDC, which GitHub grants only to jobs in that environment. So a workflow
 * that names this runner's label without the environment runs with no AWS access.
 */
export function createRunnerProject(args: RunnerProjectArgs, parent: pulumi.Resource, provider: aws.Provider): RunnerProject {
    const { env, cfg, network } = args;
    const opts = { parent, provider };
    const projectName = runnerProjectName(env);
    const logGroup = new aws.cloudwatch.LogGroup(
        `${projectName}-logs`,
        { name: `/aws/codebuild/${projectName}`, retentionInDays: 90 },
        opts,
    );
    const role = new aws.iam.Role(
        `${projectName}-codebuild`,
        {
            name: `${projectName}-codebuild`,
            path: iamPath,
            description: `CodeBuild service role of the ${env} deploy runner (no deploy permissions)`,
            // Only this account's runner project may have CodeBuild assume it: CodeBuild sends aws:SourceAccount
            // and aws:SourceArn = the project's ARN (the AWS CodeBuild User Guide's samples condition on both,
            // e.g. its cross-account ECR repository policy; its confused-deputy page was not read word for word
            // here). The ARN is known before the project exists, so no cycle.
            assumeRolePolicy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: "codebuild.amazonaws.com" },
                        Action: "sts:AssumeRole",
                        Condition: {
                            StringEquals: { "aws:SourceAccount": args.accountId },
                            ArnLike: {
                                "aws:SourceArn": pulumi.interpolate`arn:aws:codebuild:${cfg.homeRegion}:${args.accountId}:project/${projectName}`,
                            },
                        },
                    },
                ],
            }),
        },
        opts,
    );
    const subnetArns = network.privateSubnets.map((s) => s.arn);
    const permissions = new aws.iam.RolePolicy(
        `${projectName}-codebuild`,
        {
            role: role.id,
            policy: pulumi.jsonStringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Sid: "Logs",
                        Effect: "Allow",
                        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
                        Resource: [logGroup.arn, pulumi.interpolate`${logGroup.arn}:*`],
                    },
                    {
                        // The VPC statements of the CodeBuild service-role example (@pulumi/aws 7.48.0
                        // codebuild/project.d.ts; CodeBuild "Allow CodeBuild access to AWS services
                        // required to create a VPC network interface").
                        Sid: "VpcNetworkInterfaces",
                        Effect: "Allow",
                        Action: [
                            "ec2:CreateNetworkInterface",
                            "ec2:DescribeDhcpOptions",
                            "ec2:DescribeNetworkInterfaces",
                            "ec2:DeleteNetworkInterface",
                            "ec2:DescribeSubnets",
                            "ec2:DescribeSecurityGroups",
                            "ec2:DescribeVpcs",
                        ],
                        Resource: "*",
                    },
                    {
                        Sid: "VpcNetworkInterfacePermission",
                        Effect: "Allow",
                        Action: "ec2:CreateNetworkInterfacePermission",
                        Resource: pulumi.interpolate`arn:aws:ec2:${cfg.homeRegion}:${args.accountId}:network-interface/*`,
                        Condition: { StringEquals: { "ec2:Subnet": subnetArns, "ec2:AuthorizedService": "codebuild.amazonaws.com" } },
                    },
                    {
                        // Action names from the CodeBuild/CodeConnections docs for GitHub App connections (unverified here).
                        Sid: "GithubConnection",
                        Effect: "Allow",
                        Action: [
                            "codeconnections:GetConnectionToken",
                            "codeconnections:GetConnection",
                            "codeconnections:UseConnection",
                            "codestar-connections:GetConnectionToken",
                            "codestar-connections:GetConnection",
                            "codestar-connections:UseConnection",
                        ],
                        Resource: args.connectionArn,
                    },
                ],
            }),
        },
        opts,
    );

    const project = new aws.codebuild.Project(
        projectName,
        {
            name: projectName,
            description: `GitHub Actions runner for the ${env} jobs of ${cfg.githubRepository}'s ${deployWorkflowName} workflow`,
            serviceRole: role.arn,
            source: {
                type: "GITHUB",
                location: `https://github.com/${cfg.githubRepository}.git`,
                auth: { type: "CODECONNECTIONS", resource: args.connectionArn },
            },
            artifacts: { type: "NO_ARTIFACTS" },
            environment: {
                type: "LINUX_CONTAINER",
                computeType: cfg.runner.computeType,
                image: cfg.runner.image,
                imagePullCredentialsType: "CODEBUILD",
                // The deploy builds the Core and storefront images with Docker, which CodeBuild's
                // curated images run only in privileged mode (that the runner job sees the daemon as
                // a buildspec would is unverified here).
                privilegedMode: true,
            },
            vpcConfig: {
                vpcId: network.vpc.id,
                subnets: network.privateSubnets.map((s) => s.id),
                securityGroupIds: [network.securityGroup.id],
            },
            logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: "ENABLED" } },
            buildTimeout: runnerBuildTimeoutMinutes,
            // A queued deploy job waits for its runner at most this long.
            queuedTimeout: 60,
        },
        { ...opts, dependsOn: [permissions] },
    );

    // CodeBuild creates the GitHub webhook with the connection, so only once it is authorised
    // ("Could not find access token for server type github" otherwise; research §6).
    const webhook = cfg.runner.connectionAuthorized
        ? new aws.codebuild.Webhook(
              projectName,
              {
                  projectName: project.name,
                  buildType: "BUILD",
                  // Queued workflow jobs (research §6), of the deploy workflow only (WORKFLOW_NAME filters
                  // workflow jobs: CodeBuild github-webhook-events-cfn.html).
                  filterGroups: [
                      {
                          filters: [
                              { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
                              { type: "WORKFLOW_NAME", pattern: `^${deployWorkflowName}$` },
                          ],
                      },
                  ],
              },
              opts,
          )
        : undefined;
    return { project, webhook, role };
}
