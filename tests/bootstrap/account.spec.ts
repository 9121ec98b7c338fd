import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";
import { runUnderMocks } from "../../automation/plan/evaluate";
import * as yaml from "js-yaml";
import { accountId, type RecordedResource } from "../../automation/plan/mocks";
import { lifecyclePolicy } from "../../catalog/ecr";
import type { Resources } from "../support/harness";
import { bootstrapped, minimal, problemsOf } from "./support";

const T = {
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    replication: "aws:ecr/replicationConfiguration:ReplicationConfiguration",
    template: "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
    scanning: "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
    provider: "pulumi:providers:aws",
    vpc: "aws:ec2/vpc:Vpc",
    subnet: "aws:ec2/subnet:Subnet",
    nat: "aws:ec2/natGateway:NatGateway",
    route: "aws:ec2/route:Route",
    routeTable: "aws:ec2/routeTable:RouteTable",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    project: "aws:codebuild/project:Project",
    webhook: "aws:codebuild/webhook:Webhook",
    connection: "aws:codeconnections/connection:Connection",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
} as const;

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const ROOT = path.resolve(__dirname, "..", "..");

describe("bootstrap: one AWS account's foundation", () => {
    let rs: Resources;
    let outputs: any;
    const regionOf = (r: RecordedResource) => (rs.all.find((p) => `${p.urn}::${p.id}` === r.provider)?.inputs as any)?.region;
    before(async () => {
        ({ rs, outputs } = await bootstrapped({ ...minimal, runner: { connectionAuthorized: true } }));
    });

    describe("state", () => {
        it("keeps state in a versioned, encrypted, private, TLS-only bucket that cannot be deleted by accident", () => {
            const bucket = rs.one(T.bucket, "state");
            assert.equal(inputs(bucket).bucket, `saleor-pulumi-state-${accountId}`);
            assert.equal(inputs(bucket).forceDestroy, false);
            assert.equal(bucket.protect, true);
            assert.equal(regionOf(bucket), "eu-central-1");
            assert.deepEqual(inputs(rs.one(T.versioning, "state-versioning")).versioningConfiguration, { status: "Enabled" });
            assert.equal(
                inputs(rs.one(T.encryption, "state-encryption")).rules[0].applyServerSideEncryptionByDefault.sseAlgorithm,
                "AES256",
            );
            const block = inputs(rs.one(T.publicAccess, "state-public-access"));
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
                assert.equal(block[k], true, k);
            const [tlsOnly] = JSON.parse(inputs(rs.one(T.bucketPolicy, "state-tls-only")).policy).Statement;
            assert.deepEqual([tlsOnly.Effect, tlsOnly.Condition], ["Deny", { Bool: { "aws:SecureTransport": "false" } }]);
            assert.deepEqual(tlsOnly.Resource, [
                `arn:aws:s3:::saleor-pulumi-state-${accountId}`,
                `arn:aws:s3:::saleor-pulumi-state-${accountId}/*`,
            ]);
        });

        it("gives each environment its own state prefix and secrets provider", () => {
            assert.equal(outputs.stateBucketUrl, `s3://saleor-pulumi-state-${accountId}`);
            for (const env of ["staging", "production"]) {
                const o = outputs.environments[env];
                assert.equal(o.stateUrl, `s3://saleor-pulumi-state-${accountId}/${env}?region=eu-central-1&awssdk=v2`);
                assert.equal(o.secretsProvider, `awskms://alias/saleor-${env}-pulumi-secrets?region=eu-central-1`);
                assert.equal(o.deployRoleArn, `arn:aws:iam::${accountId}:role/saleor-deploy-${env}`);
                assert.equal(o.runnerLabel, `codebuild-saleor-deploy-${env}-\${{ github.run_id }}-\${{ github.run_attempt }}`);
            }
            assert.deepEqual(outputs.deployRoles, {
                staging: `arn:aws:iam::${accountId}:role/saleor-deploy-staging`,
                production: `arn:aws:iam::${accountId}:role/saleor-deploy-production`,
            });
            assert.equal(outputs.bootstrapStateUrl, `s3://saleor-pulumi-state-${accountId}/bootstrap?region=eu-central-1&awssdk=v2`);
        });

        it("builds only the environments this account deploys", async () => {
            const { rs: single, outputs: o } = await bootstrapped({ ...minimal, environments: ["production"] });
            assert.deepEqual(Object.keys(o.environments), ["production"]);
            assert.deepEqual(
                single.ofType("aws:kms/alias:Alias").map((a) => inputs(a).name),
                ["alias/saleor-production-pulumi-secrets"],
            );
            assert.deepEqual(
                single.ofType(T.project).map((p) => inputs(p).name),
                ["saleor-deploy-production"],
            );
        });
    });

    describe("ECR account singletons", () => {
        it("replicates only the <env>/ prefix, one rule per environment, to the secondary region", () => {
            const all = rs.ofType(T.replication);
            assert.equal(all.length, 1, "one replication configuration per account and region");
            assert.equal(regionOf(all[0]), "eu-central-1");
            const { rules } = inputs(all[0]).replicationConfiguration;
            assert.deepEqual(rules, [
                {
                    destinations: [{ region: "eu-west-1", registryId: accountId }],
                    repositoryFilters: [{ filter: "staging/", filterType: "PREFIX_MATCH" }],
                },
                {
                    destinations: [{ region: "eu-west-1", registryId: accountId }],
                    repositoryFilters: [{ filter: "production/", filterType: "PREFIX_MATCH" }],
                },
            ]);
        });

        it("creates the destination's repositories from templates: immutable, KMS-encrypted, the stacks' lifecycle", () => {
            const templates = rs.ofType(T.template);
            assert.deepEqual(templates.map((t) => [inputs(t).prefix, regionOf(t)]).sort(), [
                ["production", "eu-west-1"],
                ["staging", "eu-west-1"],
            ]);
            for (const t of templates.map(inputs)) {
                assert.deepEqual(t.appliedFors, ["REPLICATION"]);
                assert.equal(t.imageTagMutability, "IMMUTABLE");
                assert.deepEqual(t.encryptionConfigurations, [{ encryptionType: "KMS" }]);
                assert.equal(t.lifecyclePolicy, lifecyclePolicy());
                assert.match(t.customRoleArn, /saleor-ecr-repository-creation/, "KMS in a template needs the custom role");
            }
            const trust = JSON.parse(inputs(rs.one(T.role, "ecr-repository-creation")).assumeRolePolicy);
            assert.deepEqual(trust.Statement[0].Principal, { Service: "ecr.amazonaws.com" });
        });

        it("has the templates in place before the first replicated push can happen", () => {
            const [replication] = rs.ofType(T.replication);
            for (const t of rs.ofType(T.template)) assert.ok(replication.dependencies.includes(t.urn), t.name);
        });

        it("scans every image on push, in every region that holds images", () => {
            const scanning = rs.ofType(T.scanning);
            assert.deepEqual(scanning.map(regionOf).sort(), ["eu-central-1", "eu-west-1"]);
            for (const s of scanning.map(inputs)) {
                assert.equal(s.scanType, "BASIC");
                assert.deepEqual(s.rules, [
                    { scanFrequency: "SCAN_ON_PUSH", repositoryFilters: [{ filter: "*", filterType: "WILDCARD" }] },
                ]);
            }
        });

        it("uses the same lifecycle as the stacks' repositories: untagged after 7 days, the newest 50 releases", () => {
            const { rules } = JSON.parse(lifecyclePolicy());
            assert.deepEqual(
                rules.map((r: any) => r.selection.countNumber),
                [7, 50],
            );
        });
    });

    describe("the deploy runners", () => {
        it("puts the runner VPC in the home region on a range clear of the stacks, and exports it", () => {
            const vpc = rs.one(T.vpc, "runner");
            assert.equal(inputs(vpc).cidrBlock, "10.250.0.0/24");
            assert.equal(regionOf(vpc), "eu-central-1");
            assert.deepEqual(outputs.runnerVpc, {
                id: vpc.id,
                cidr: "10.250.0.0/24",
                region: "eu-central-1",
                routeTableIds: [rs.one(T.routeTable, "runner-private").id],
            });
            assert.deepEqual(
                problemsOf({ ...minimal, runner: { vpcCidr: "10.20.128.0/24" } }).length,
                1,
                "an overlapping range is refused before anything exists",
            );
        });

        it("gives the runners private subnets whose only way out is a NAT gateway", () => {
            const privates = ["runner-private-0", "runner-private-1"].map((n) => inputs(rs.one(T.subnet, n)));
            assert.deepEqual(
                privates.map((s) => s.cidrBlock),
                ["10.250.0.0/26", "10.250.0.64/26"],
            );
            assert.notEqual(privates[0].availabilityZone, privates[1].availabilityZone);
            const egress = inputs(rs.one(T.route, "runner-private-egress"));
            assert.equal(egress.destinationCidrBlock, "0.0.0.0/0");
            assert.equal(egress.natGatewayId, rs.one(T.nat, "runner").id);
            assert.equal(
                inputs(rs.one(T.routeTable, "runner-private")).routes,
                undefined,
                "no inline routes: the stacks add their peering routes",
            );
            assert.equal(inputs(rs.one(T.subnet, "runner-nat")).cidrBlock, "10.250.0.192/27");
            assert.deepEqual(inputs(rs.one(T.securityGroup, "runner")).ingress ?? [], [], "nothing comes in");
        });

        it("runs one CodeBuild runner per environment, in the runner VPC, privileged for Docker builds", () => {
            const vpcId = rs.one(T.vpc, "runner").id;
            for (const env of ["staging", "production"]) {
                const project = inputs(rs.one(T.project, `saleor-deploy-${env}`));
                assert.equal(project.name, `saleor-deploy-${env}`);
                assert.deepEqual(project.source.type, "GITHUB");
                assert.equal(project.source.location, "https://github.com/octo-org/saleor-pulumi.git");
                assert.equal(project.source.auth.type, "CODECONNECTIONS");
                assert.equal(
                    project.source.auth.resource,
                    inputs(rs.one(T.connection, "github")).name === "saleor-github" ? outputs.githubConnectionArn : undefined,
                );
                assert.equal(project.vpcConfig.vpcId, vpcId);
                assert.deepEqual(
                    project.vpcConfig.subnets,
                    ["runner-private-0", "runner-private-1"].map((n) => rs.one(T.subnet, n).id),
                );
                assert.equal(project.environment.privilegedMode, true);
                assert.equal(project.environment.computeType, "BUILD_GENERAL1_LARGE");
                assert.ok(project.buildTimeout >= 180, "outlasts the deploy job's timeout");
            }
        });

        it("starts a runner only for queued jobs of the Deploy workflow", () => {
            for (const env of ["staging", "production"]) {
                const hook = inputs(rs.one(T.webhook, `saleor-deploy-${env}`));
                assert.equal(hook.projectName, `saleor-deploy-${env}`);
                assert.deepEqual(hook.filterGroups, [
                    {
                        filters: [
                            { type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" },
                            { type: "WORKFLOW_NAME", pattern: "^Deploy$" },
                        ],
                    },
                ]);
            }
            const workflow = yaml.load(fs.readFileSync(path.join(ROOT, ".github", "workflows", "deploy.yml"), "utf8"), {
                schema: yaml.CORE_SCHEMA,
            }) as { name: string };
            assert.equal(workflow.name, "Deploy", "the filter names deploy.yml's workflow");
        });

        it("creates no webhook until the GitHub connection is authorised (a one-time manual step)", async () => {
            const { rs: first, outputs: o } = await bootstrapped(minimal);
            assert.equal(first.ofType(T.webhook).length, 0);
            assert.equal(first.ofType(T.project).length, 2, "the projects exist already");
            assert.equal(first.ofType(T.connection).length, 1);
            assert.ok(o.githubConnectionArn);
            const { rs: reused } = await bootstrapped({
                ...minimal,
                runner: {
                    githubConnectionArn: `arn:aws:codeconnections:eu-central-1:${accountId}:connection/abc`,
                    connectionAuthorized: true,
                },
            });
            assert.equal(reused.ofType(T.connection).length, 0, "an existing connection is used as is");
            assert.equal(
                inputs(reused.one(T.project, "saleor-deploy-staging")).source.auth.resource,
                `arn:aws:codeconnections:eu-central-1:${accountId}:connection/abc`,
            );
        });

        it("gives the runners no deploy permissions: logs, network interfaces in their subnets, the GitHub connection", () => {
            const policy = JSON.parse(inputs(rs.one(T.rolePolicy, "saleor-deploy-production-codebuild")).policy);
            const actions = policy.Statement.flatMap((s: any) => [s.Action].flat()).sort();
            for (const a of actions) assert.match(a, /^(logs|ec2|codeconnections|codestar-connections):/, a);
            const eni = policy.Statement.find((s: any) => s.Sid === "VpcNetworkInterfacePermission");
            assert.equal(eni.Condition.StringEquals["ec2:AuthorizedService"], "codebuild.amazonaws.com");
            assert.equal(eni.Condition.StringEquals["ec2:Subnet"].length, 2);
        });
    });

    it("lets no AWS service assume a bootstrap role on another account's behalf (the confused-deputy guard)", () => {
        const services = rs
            .ofType(T.role)
            .flatMap((r) => JSON.parse(inputs(r).assumeRolePolicy).Statement.map((st: any) => ({ role: r.name, st })))
            .filter(({ st }) => st.Principal?.Service);
        assert.ok(services.length >= 2, "the ECR template role and the CodeBuild runner roles");
        for (const { role, st } of services) {
            const account = st.Condition?.StringEquals?.["aws:SourceAccount"] ?? st.Condition?.StringEqualsIfExists?.["aws:SourceAccount"];
            assert.equal(account, accountId, `${role}: ${JSON.stringify(st)}`);
        }
        // CodeBuild documents both keys: each runner role is bound to its own project.
        const runner = JSON.parse(inputs(rs.one(T.role, "saleor-deploy-production-codebuild")).assumeRolePolicy).Statement[0];
        assert.equal(runner.Condition.StringEquals["aws:SourceAccount"], accountId);
        assert.equal(
            runner.Condition.ArnLike["aws:SourceArn"],
            `arn:aws:codebuild:eu-central-1:${accountId}:project/saleor-deploy-production`,
        );
    });

    it("builds every resource under the account component, through an explicit provider tagged as the bootstrap's", () => {
        const account = rs.one("saleor:bootstrap:Account", "account");
        for (const r of rs.all.filter((r) => r.type.startsWith("aws:"))) {
            assert.equal(r.parent, account.urn, r.name);
            assert.notEqual(r.provider, "", r.name);
        }
        // Provider inputs reach the engine as JSON text.
        for (const p of rs.ofType(T.provider))
            assert.deepEqual(JSON.parse(inputs(p).defaultTags), { tags: { "saleor:owner": "bootstrap", "managed-by": "pulumi" } });
    });
});

describe("bootstrap: a program of its own", () => {
    const dir = path.join(ROOT, "bootstrap");

    it("is a Node.js TypeScript Pulumi project with an example stack whose config is valid", () => {
        const project = yaml.load(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as any;
        assert.equal(project.name, "saleor-bootstrap");
        assert.deepEqual(project.runtime, { name: "nodejs", options: { typescript: true } });
        // The runner resolves a missing `main` from the nearest package.json: the main program's.
        assert.equal(project.main, "index.ts");
        const example = (yaml.load(fs.readFileSync(path.join(dir, "Pulumi.example.yaml"), "utf8")) as any).config as Record<
            string,
            unknown
        >;
        const values = Object.fromEntries(Object.entries(example).map(([k, v]) => [k.replace(/^saleor-bootstrap:/, ""), v]));
        assert.ok(Object.keys(example).every((k) => k.startsWith("saleor-bootstrap:")));
        assert.deepEqual(problemsOf(values), []);
    });

    it("compiles under the engine's ts-node with the project's compiler options (it reads tsconfig.json from bootstrap/)", () => {
        const parsed = ts.getParsedCommandLineOfConfigFile(
            path.join(dir, "tsconfig.json"),
            {},
            { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) },
        )!;
        const root = ts.getParsedCommandLineOfConfigFile(
            path.join(ROOT, "tsconfig.json"),
            {},
            { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(String(d.messageText)) },
        )!;
        assert.deepEqual(parsed.options, { ...root.options, configFilePath: parsed.options.configFilePath });
        assert.ok(parsed.fileNames.includes(path.join(dir, "index.ts").split(path.sep).join("/")));
        assert.deepEqual(
            ts.getPreEmitDiagnostics(ts.createProgram([path.join(dir, "index.ts")], parsed.options)).map((d) => d.messageText),
            [],
        );
    });

    it("runs as the engine runs it: index.ts reads the saleor-bootstrap namespace and exports the outputs", async () => {
        const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { allConfig(): Record<string, string> };
        const before = runtimeConfig.allConfig();
        pulumi.runtime.setAllConfig({
            "saleor-bootstrap:githubRepository": "octo-org/saleor-pulumi",
            "saleor-bootstrap:environments": '["staging"]',
        });
        try {
            const { resources, result } = await runUnderMocks("saleor-bootstrap", "account", () => require("../../bootstrap/index"));
            assert.ok(resources.some((r) => r.type === "aws:codebuild/project:Project" && r.name === "saleor-deploy-staging"));
            assert.deepEqual(Object.keys((result as any).environments), ["staging"]);
            assert.match(
                (result as any).environments.staging.secretsProvider,
                /^awskms:\/\/alias\/saleor-staging-pulumi-secrets\?region=eu-central-1$/,
            );
        } finally {
            pulumi.runtime.setAllConfig(before);
        }
    });

    it("imports nothing of the main program but the catalog's plain data", () => {
        const offending: string[] = [];
        for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
            const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(dir, file), "utf8"), true, true);
            for (const { fileName } of importedFiles) {
                if (!fileName.startsWith(".")) continue;
                const target = path.relative(ROOT, path.resolve(dir, fileName));
                if (!target.startsWith("bootstrap") && !target.startsWith("catalog")) offending.push(`bootstrap/${file} -> ${target}`);
            }
        }
        assert.deepEqual(offending, []);
    });
});
