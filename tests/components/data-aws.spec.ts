import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { DataTier, type AwsDataArgs } from "../../components/data";
import { BackupVault } from "../../components/data/aws/vault";
import { awsDataArgs, primaryRegion, secondaryRegion } from "../support/fixtures";
import { isSecret, registered, reveal, type RecordedResource, type Resources } from "../support/harness";

const corsOrigins = ["https://shop.example.com", "https://dashboard.example.com"];

const T = {
    instance: "aws:rds/instance:Instance",
    rdsSubnetGroup: "aws:rds/subnetGroup:SubnetGroup",
    parameterGroup: "aws:rds/parameterGroup:ParameterGroup",
    securityGroup: "aws:ec2/securityGroup:SecurityGroup",
    ingress: "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    egress: "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
    key: "aws:kms/key:Key",
    password: "random:index/randomPassword:RandomPassword",
    cache: "aws:elasticache/replicationGroup:ReplicationGroup",
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    versioning: "aws:s3/bucketVersioning:BucketVersioning",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    cors: "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    replication: "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    podIdentity: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    backupPlan: "aws:backup/plan:Plan",
    backupVault: "aws:backup/vault:Vault",
    backupSelection: "aws:backup/selection:Selection",
    provider: "pulumi:providers:aws",
} as const;

type Environment = "production" | "staging";

/** The stack defaults of config/defaults.ts, per environment and role. */
const dataArgs = (env: Environment, role: "primary" | "secondary"): AwsDataArgs => awsDataArgs(env, role, corsOrigins);

interface Deployed {
    resources: Resources;
    primary: DataTier;
    secondary?: DataTier;
    /** The stack's master password, as index.ts hands it to every tier. */
    password: pulumi.Output<string>;
    vaults: Record<string, BackupVault>;
}

/** Both regions of a stack, each DataTier given its own region's AWS provider, as index.ts does. */
async function deploy(env: Environment, opts: { secondary?: boolean; primary?: Partial<AwsDataArgs> } = {}): Promise<Deployed> {
    let tiers!: Omit<Deployed, "resources">;
    const resources = await registered(() => {
        const protect = env === "production";
        const primaryProvider = new aws.Provider(primaryRegion, { region: primaryRegion });
        const secondaryProvider = new aws.Provider(secondaryRegion, { region: secondaryRegion });
        const password = pulumi.secret(new random.RandomPassword("database-password", { length: 40, special: false }).result);
        const vaults = {
            [primaryRegion]: new BackupVault(
                `${primaryRegion}-backups`,
                { region: primaryRegion, protect },
                { providers: [primaryProvider] },
            ),
            [secondaryRegion]: new BackupVault(
                `${secondaryRegion}-backups`,
                { region: secondaryRegion, protect },
                { providers: [secondaryProvider] },
            ),
        };
        const primary = new DataTier(
            `${primaryRegion}-data`,
            {
                aws: {
                    ...dataArgs(env, "primary"),
                    appPassword: password,
                    backup: { vaultName: vaults[primaryRegion].vaultName, copyToVaultArns: protect ? [vaults[secondaryRegion].arn] : [] },
                    ...opts.primary,
                },
            },
            { providers: [primaryProvider] },
        );
        let secondary: DataTier | undefined;
        if (opts.secondary !== false) {
            secondary = new DataTier(
                `${secondaryRegion}-data`,
                {
                    aws: { ...dataArgs(env, "secondary"), appPassword: password, primary: primary.aws!.primaryFacts },
                },
                { providers: [secondaryProvider] },
            );
        }
        tiers = { primary, secondary, password, vaults };
    }, env);
    return { resources, ...tiers };
}

/** The value of an Output once the mock runtime resolved it. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

const providerRef = (rs: Resources, name: string) => {
    const p = rs.one(T.provider, name);
    return `${p.urn}::${p.id}`;
};
const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const policyOf = (r: RecordedResource) => JSON.parse(reveal<string>(inputs(r).policy));
const rulesOf = (rs: Resources, groupId: string) => rs.ofType(T.ingress).filter((r) => inputs(r).securityGroupId === groupId);
/** Resources registered under the component named `tier` (its direct children). */
const childrenOf = (rs: Resources, type: string, tier: string) => {
    const component = rs.one("saleor:components:DataTier", tier);
    return rs.ofType(type).filter((r) => r.parent === component.urn);
};

describe("DataTier (aws)", () => {
    describe("production, primary region", () => {
        let d: Deployed;
        let rs: Resources;
        const writerName = `${primaryRegion}-data-postgres-writer`;
        before(async () => {
            d = await deploy("production");
            rs = d.resources;
        });

        it("encrypts the database with a rotating key of its own region and keeps it off the internet", async () => {
            const writer = inputs(rs.one(T.instance, writerName));
            assert.strictEqual(writer.storageEncrypted, true);
            assert.strictEqual(writer.storageType, "gp3");
            assert.strictEqual(writer.publiclyAccessible, false);
            const keyArn = await valueOf(d.primary.aws!.keys.data.arn);
            assert.ok(keyArn.includes(`:${primaryRegion}:`), keyArn);
            assert.strictEqual(writer.kmsKeyId, keyArn);
            assert.strictEqual(writer.performanceInsightsKmsKeyId, keyArn);
            assert.strictEqual(inputs(rs.one(T.key, `${primaryRegion}-data-data`)).enableKeyRotation, true);
            const subnets = inputs(rs.one(T.rdsSubnetGroup, `${primaryRegion}-data-postgres`));
            assert.deepStrictEqual(
                subnets.subnetIds,
                ["a", "b", "c"].map((z) => `subnet-${primaryRegion}${z}`),
            );
            assert.strictEqual(writer.dbSubnetGroupName, subnets.name ?? rs.one(T.rdsSubnetGroup, `${primaryRegion}-data-postgres`).id);
        });

        it("admits PostgreSQL to the writer only from the nodes and the peer region", () => {
            const group = rs.one(T.securityGroup, `${primaryRegion}-data-postgres`);
            const writer = inputs(rs.one(T.instance, writerName));
            assert.deepStrictEqual(writer.vpcSecurityGroupIds, [group.id]);
            assert.strictEqual(inputs(group).ingress, undefined, "no inline rules");
            const rules = rulesOf(rs, group.id).map(inputs);
            assert.deepStrictEqual(
                rules.map((r) => [r.ipProtocol, r.fromPort, r.toPort, r.referencedSecurityGroupId ?? r.cidrIpv4]).sort(),
                [
                    ["tcp", 5432, 5432, "10.20.0.0/16"],
                    ["tcp", 5432, 5432, `sg-nodes-${primaryRegion}`],
                ],
            );
            assert.strictEqual(rs.ofType(T.egress).length, 0, "managed services open no outbound rules");
        });

        it("runs an in-region reader of the writer that only the nodes reach", async () => {
            const replica = inputs(rs.one(T.instance, `${primaryRegion}-data-postgres-reader`));
            assert.strictEqual(replica.replicateSourceDb, await valueOf(d.primary.aws!.writer!.arn));
            assert.strictEqual(replica.dbSubnetGroupName, inputs(rs.one(T.instance, writerName)).dbSubnetGroupName);
            assert.strictEqual(replica.skipFinalSnapshot, true);
            assert.strictEqual(replica.publiclyAccessible, false);
            assert.strictEqual(replica.storageEncrypted, true);
            const group = rs.one(T.securityGroup, `${primaryRegion}-data-postgres-reader`);
            assert.deepStrictEqual(replica.vpcSecurityGroupIds, [group.id]);
            assert.deepStrictEqual(
                rulesOf(rs, group.id).map((r) => inputs(r).referencedSecurityGroupId),
                [`sg-nodes-${primaryRegion}`],
            );
        });

        it("forces TLS and logs slow queries through a parameter group of the engine's major version", () => {
            const group = rs.one(T.parameterGroup, `${primaryRegion}-data-postgres`);
            assert.strictEqual(inputs(group).family, "postgres16");
            const params = Object.fromEntries(inputs(group).parameters.map((p: { name: string; value: string }) => [p.name, p.value]));
            assert.strictEqual(params["rds.force_ssl"], "1");
            assert.ok(Number(params.log_min_duration_statement) > 0);
            assert.strictEqual(inputs(rs.one(T.instance, writerName)).parameterGroupName, inputs(group).name ?? group.id);
        });

        it("refuses to lose the database: Multi-AZ, deletion protection, 30 days of backups, a final snapshot", () => {
            const writer = inputs(rs.one(T.instance, writerName));
            assert.strictEqual(writer.engine, "postgres");
            assert.strictEqual(writer.engineVersion, "16");
            assert.strictEqual(writer.multiAz, true);
            assert.strictEqual(writer.deletionProtection, true);
            assert.strictEqual(writer.backupRetentionPeriod, 30);
            assert.ok(writer.backupWindow);
            assert.strictEqual(writer.skipFinalSnapshot, false);
            assert.match(writer.finalSnapshotIdentifier, /^final-production-eu-central-1-data-postgres$/);
            assert.strictEqual(writer.deleteAutomatedBackups, false);
            assert.strictEqual(writer.copyTagsToSnapshot, true);
            assert.strictEqual(writer.applyImmediately, false, "changes wait for the maintenance window");
            assert.strictEqual(writer.autoMinorVersionUpgrade, true);
            assert.deepStrictEqual(writer.enabledCloudwatchLogsExports, ["postgresql", "upgrade"]);
            assert.strictEqual(writer.performanceInsightsEnabled, true);
        });

        it("protects every stateful resource from deletion and replacement", () => {
            const stateful = [
                ...rs.ofType(T.instance),
                ...rs.ofType(T.cache),
                ...rs.ofType(T.bucket),
                ...rs.ofType(T.key),
                ...rs.ofType(T.backupVault),
            ];
            assert.ok(stateful.length >= 10, `found ${stateful.length}`);
            for (const r of stateful) assert.strictEqual(r.protect, true, `${r.type} ${r.name}`);
            for (const r of rs.ofType(T.bucket)) assert.strictEqual(inputs(r).forceDestroy, false, r.name);
        });

        it("lets RDS manage the writer's master password under the region's data key, and makes no password of its own", async () => {
            const writer = inputs(rs.one(T.instance, writerName));
            assert.strictEqual(writer.username, "saleor");
            assert.strictEqual(writer.password, undefined);
            assert.strictEqual(writer.manageMasterUserPassword, true);
            assert.strictEqual(writer.masterUserSecretKmsKeyId, writer.kmsKeyId);
            assert.strictEqual(childrenOf(rs, T.password, `${primaryRegion}-data`).filter((p) => p.name.includes("postgres")).length, 0);
            assert.match(
                await valueOf(d.primary.connection.databaseAdmin!.masterSecretArn),
                /^arn:aws:secretsmanager:eu-central-1:\d+:secret:rds!db-/,
            );
        });

        it("lets the writer take over its region's standby in place and keeps it in AWS when it leaves the stack", () => {
            const writer = rs.one(T.instance, writerName);
            assert.deepStrictEqual(writer.aliases, [writer.urn.replace(/postgres-writer$/, "postgres-standby")]);
            assert.strictEqual(writer.retainOnDelete, true);
            assert.strictEqual(writer.protect, true);
        });

        it("snapshots the writer, the media bucket and the private-files bucket every 6 hours and keeps the snapshots for the retention period", async () => {
            const plan = inputs(rs.one(T.backupPlan, `${primaryRegion}-data-backups`));
            assert.strictEqual(plan.rules[0].schedule, "cron(0 */6 * * ? *)");
            assert.strictEqual(plan.rules[0].lifecycle.deleteAfter, 30);
            assert.strictEqual(plan.rules[0].targetVaultName, await valueOf(d.vaults[primaryRegion].vaultName));
            assert.deepStrictEqual(
                plan.rules[0].copyActions.map((c: any) => [c.destinationVaultArn, c.lifecycle.deleteAfter]),
                [[await valueOf(d.vaults[secondaryRegion].arn), 30]],
            );
            const selection = inputs(rs.one(T.backupSelection, `${primaryRegion}-data-backups`));
            assert.deepStrictEqual(selection.resources, [
                await valueOf(d.primary.aws!.writer!.arn),
                await valueOf(d.primary.aws!.mediaBucket!.arn),
                await valueOf(d.primary.aws!.privateBucket.arn),
            ]);
        });

        it("encrypts the cache at rest and in transit, requires an auth token and fails over across zones", async () => {
            const cache = inputs(rs.one(T.cache, `${primaryRegion}-data-cache`));
            assert.strictEqual(cache.engine, "valkey");
            assert.strictEqual(cache.engineVersion, "8.1");
            assert.strictEqual(cache.numCacheClusters, 2);
            assert.strictEqual(cache.atRestEncryptionEnabled, true);
            assert.strictEqual(cache.kmsKeyId, await valueOf(d.primary.aws!.keys.data.arn));
            assert.strictEqual(cache.transitEncryptionEnabled, true);
            assert.ok(isSecret(cache.authToken));
            const token = reveal<string>(cache.authToken);
            assert.ok(token.length >= 16 && token.length <= 128 && !/[@"/]/.test(token), token);
            assert.strictEqual(cache.multiAzEnabled, true);
            assert.strictEqual(cache.automaticFailoverEnabled, true);
            assert.ok(cache.snapshotRetentionLimit > 0);
            assert.ok(cache.maintenanceWindow);
        });

        it("admits the cache port only from the nodes", () => {
            const group = rs.one(T.securityGroup, `${primaryRegion}-data-cache`);
            assert.deepStrictEqual(inputs(rs.one(T.cache, `${primaryRegion}-data-cache`)).securityGroupIds, [group.id]);
            assert.deepStrictEqual(
                rulesOf(rs, group.id)
                    .map(inputs)
                    .map((r) => [r.fromPort, r.toPort, r.referencedSecurityGroupId, r.cidrIpv4]),
                [[6379, 6379, `sg-nodes-${primaryRegion}`, undefined]],
            );
        });

        it("hands Core secret TLS URLs for the writer, the local replica, the cache and the broker", async () => {
            const c = d.primary.connection;
            for (const [key, url] of Object.entries({
                databaseUrl: c.databaseUrl,
                databaseReplicaUrl: c.databaseReplicaUrl,
                cacheUrl: c.cacheUrl,
                brokerUrl: c.brokerUrl,
            })) {
                assert.strictEqual(await pulumi.isSecret(url), true, `${key} is secret`);
            }
            const password = await valueOf(d.password);
            const writer = await valueOf(d.primary.aws!.writer!.address);
            const replica = await valueOf(d.primary.aws!.reader!.address);
            assert.strictEqual(
                await valueOf(c.databaseUrl),
                `postgres://saleor_app:${password}@${writer}:5432/saleor?sslmode=verify-full&sslrootcert=/etc/rds-ca/bundle.pem`,
            );
            assert.strictEqual(
                await valueOf(c.databaseReplicaUrl),
                `postgres://saleor_app:${password}@${replica}:5432/saleor?sslmode=verify-full&sslrootcert=/etc/rds-ca/bundle.pem`,
            );
            const token = reveal<string>(inputs(rs.one(T.cache, `${primaryRegion}-data-cache`)).authToken);
            const primaryEndpoint = await valueOf(d.primary.aws!.cache.primaryEndpointAddress);
            assert.strictEqual(await valueOf(c.cacheUrl), `rediss://:${token}@${primaryEndpoint}:6379/0`);
            // Celery refuses rediss:// broker URLs without ssl_cert_reqs.
            assert.strictEqual(await valueOf(c.brokerUrl), `rediss://:${token}@${primaryEndpoint}:6379/1?ssl_cert_reqs=required`);
        });

        it("makes Core's migration wait for the writer, the reader and the cache", () => {
            const a = d.primary.aws!;
            assert.deepStrictEqual(d.primary.connection.readyAfter, [a.writer, a.reader, a.cache]);
        });

        it("keeps media in a bucket that blocks all public access, encrypts with KMS and keeps versions", async () => {
            const bucket = await valueOf(d.primary.aws!.mediaBucket!.bucket);
            const on = (type: string) =>
                rs
                    .ofType(type)
                    .filter((r) => inputs(r).bucket === bucket)
                    .map(inputs);
            assert.deepStrictEqual(
                on(T.publicAccess).map((b) => [b.blockPublicAcls, b.blockPublicPolicy, b.ignorePublicAcls, b.restrictPublicBuckets]),
                [[true, true, true, true]],
            );
            assert.deepStrictEqual(
                on(T.ownership).map((o) => o.rule.objectOwnership),
                ["BucketOwnerEnforced"],
            );
            const [sse] = on(T.encryption);
            assert.strictEqual(sse.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            assert.strictEqual(
                sse.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId,
                await valueOf(d.primary.aws!.keys.media!.arn),
            );
            assert.strictEqual(sse.rules[0].bucketKeyEnabled, true);
            assert.deepStrictEqual(
                on(T.versioning).map((v) => v.versioningConfiguration.status),
                ["Enabled"],
            );
        });

        it("expires old media versions after the configured days and aborts abandoned uploads", async () => {
            const bucket = await valueOf(d.primary.aws!.mediaBucket!.bucket);
            const [rule] = inputs(rs.ofType(T.lifecycle).find((r) => inputs(r).bucket === bucket)!).rules;
            assert.strictEqual(rule.status, "Enabled");
            assert.strictEqual(rule.noncurrentVersionExpiration.noncurrentDays, 30);
            assert.ok(rule.abortIncompleteMultipartUpload.daysAfterInitiation > 0);
        });

        it("lets browsers GET media only from the storefront and dashboard origins", async () => {
            const bucket = await valueOf(d.primary.aws!.mediaBucket!.bucket);
            const cors = rs
                .ofType(T.cors)
                .filter((r) => inputs(r).bucket === bucket)
                .map(inputs);
            assert.strictEqual(cors.length, 1);
            assert.deepStrictEqual(
                cors[0].corsRules.map((r: any) => [r.allowedMethods, r.allowedOrigins]),
                [[["GET", "HEAD"], corsOrigins]],
            );
        });

        it("refuses media requests that do not use TLS", async () => {
            const bucket = d.primary.aws!.mediaBucket!;
            const [name, arn] = [await valueOf(bucket.bucket), await valueOf(bucket.arn)];
            const policy = policyOf(rs.ofType(T.bucketPolicy).find((r) => inputs(r).bucket === name)!);
            assert.deepStrictEqual(policy.Statement, [
                {
                    Sid: "DenyInsecureTransport",
                    Effect: "Deny",
                    Principal: "*",
                    Action: "s3:*",
                    Resource: [arn, `${arn}/*`],
                    Condition: { Bool: { "aws:SecureTransport": "false" } },
                },
            ]);
        });

        it("tells Core to store media in the primary region's bucket", async () => {
            const media = d.primary.connection.media;
            assert.strictEqual(media.kind, "s3");
            if (media.kind !== "s3") return;
            assert.strictEqual(media.region, primaryRegion);
            assert.strictEqual(await valueOf(media.bucket), await valueOf(d.primary.aws!.mediaBucket!.bucket));
        });

        it("scopes the workload role to the media and private-files buckets and their keys, bound via Pod Identity to Core's service account", async () => {
            const role = rs.one(T.role, `${primaryRegion}-data-workload`);
            const trust = JSON.parse(inputs(role).assumeRolePolicy);
            assert.deepStrictEqual(trust.Statement, [
                {
                    Effect: "Allow",
                    Principal: { Service: "pods.eks.amazonaws.com" },
                    Action: ["sts:AssumeRole", "sts:TagSession"],
                    // Only Core's service account in this region's cluster, through Pod Identity's session tags.
                    Condition: {
                        StringEquals: {
                            "aws:RequestTag/eks-cluster-arn": `arn:aws:eks:${primaryRegion}:123456789012:cluster/saleor-${primaryRegion}`,
                            "aws:RequestTag/kubernetes-namespace": "saleor",
                            "aws:RequestTag/kubernetes-service-account": "saleor-core",
                        },
                        StringEqualsIfExists: { "aws:SourceAccount": "123456789012" },
                    },
                },
            ]);
            const bucketArn = await valueOf(d.primary.aws!.mediaBucket!.arn);
            const keyArn = await valueOf(d.primary.aws!.keys.media!.arn);
            const privateArn = await valueOf(d.primary.aws!.privateBucket.arn);
            const privateKeyArn = await valueOf(d.primary.aws!.keys.privateFiles.arn);
            const statements = policyOf(rs.one(T.rolePolicy, `${primaryRegion}-data-workload-inline`)).Statement;
            const resources = statements.flatMap((s: any) => [s.Resource].flat());
            assert.ok(!resources.includes("*"), "no wildcard resource");
            assert.deepStrictEqual(
                new Set(resources),
                new Set([bucketArn, `${bucketArn}/*`, keyArn, privateArn, `${privateArn}/*`, privateKeyArn]),
            );
            const actions = statements.flatMap((s: any) => [s.Action].flat());
            assert.deepStrictEqual([...new Set(actions)].sort(), [
                "kms:Decrypt",
                "kms:GenerateDataKey",
                "s3:DeleteObject",
                "s3:GetObject",
                "s3:ListBucket",
                "s3:PutObject",
            ]);
            const association = inputs(rs.one(T.podIdentity, `${primaryRegion}-data-workload`));
            assert.deepStrictEqual(
                [association.clusterName, association.namespace, association.serviceAccount, association.roleArn],
                ["saleor-eu-central-1", "saleor", "saleor-core", await valueOf(d.primary.aws!.workloadRole.arn)],
            );
            assert.strictEqual(rs.ofType("aws:iam/accessKey:AccessKey").length, 0, "no static keys");
        });

        it("builds every AWS resource of a region through that region's provider, inside the DataTier", () => {
            const primaryRef = providerRef(rs, primaryRegion);
            const secondaryRef = providerRef(rs, secondaryRegion);
            const tierUrns = new Set(rs.ofType("saleor:components:DataTier").map((t) => t.urn));
            // The password and the vaults are the stack's (made by index.ts, as here), not a tier's.
            const stackLevel = new Set([...rs.ofType("saleor:components:BackupVault").map((v) => v.urn), ""]);
            for (const r of rs.all.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:") && !stackLevel.has(r.parent))) {
                assert.ok(tierUrns.has(r.parent), `${r.type} ${r.name} is parented by a DataTier`);
                if (!r.type.startsWith("aws:")) continue;
                const tier = rs.byUrn(r.parent)!.name;
                // Replication lives on the primary's bucket, so the secondary configures it through the primary's provider.
                const expected = tier.startsWith(primaryRegion) || r.type === T.replication ? primaryRef : secondaryRef;
                assert.strictEqual(r.provider, expected, `${r.type} ${r.name}`);
            }
        });
    });

    describe("production, secondary region", () => {
        let d: Deployed;
        let rs: Resources;
        const tier = `${secondaryRegion}-data`;
        before(async () => {
            d = await deploy("production");
            rs = d.resources;
        });

        it("has no writer of its own, only a standby: a cross-region replica of the primary's writer in its own subnets", async () => {
            const instances = childrenOf(rs, T.instance, tier);
            assert.deepStrictEqual(
                instances.map((i) => i.name),
                [`${tier}-postgres-standby`],
            );
            assert.strictEqual(d.secondary!.aws!.writer, undefined);
            const replica = inputs(instances[0]);
            assert.strictEqual(replica.replicateSourceDb, await valueOf(d.primary.aws!.writer!.arn));
            assert.strictEqual(instances[0].provider, providerRef(rs, secondaryRegion));
            const ownKey = await valueOf(d.secondary!.aws!.keys.data.arn);
            assert.ok(ownKey.includes(`:${secondaryRegion}:`), ownKey);
            assert.strictEqual(replica.kmsKeyId, ownKey);
            assert.strictEqual(replica.storageEncrypted, true);
            assert.strictEqual(replica.publiclyAccessible, false);
            const subnets = rs.one(T.rdsSubnetGroup, `${tier}-postgres`);
            assert.deepStrictEqual(
                inputs(subnets).subnetIds,
                ["a", "b", "c"].map((z) => `subnet-${secondaryRegion}${z}`),
            );
            assert.strictEqual(replica.dbSubnetGroupName, inputs(subnets).name ?? subnets.id);
            assert.strictEqual(replica.multiAz, true, "ready to be promoted");
            assert.strictEqual(replica.deletionProtection, true);
            assert.strictEqual(instances[0].protect, true);
            assert.strictEqual(
                childrenOf(rs, T.password, tier).filter((p) => p.name.includes("postgres")).length,
                0,
                "no second master password",
            );
        });

        it("admits the standby from its own nodes and the peer region, as a promoted writer needs", () => {
            const group = rs.one(T.securityGroup, `${tier}-postgres`);
            assert.deepStrictEqual(inputs(rs.one(T.instance, `${tier}-postgres-standby`)).vpcSecurityGroupIds, [group.id]);
            assert.deepStrictEqual(
                rulesOf(rs, group.id)
                    .map(inputs)
                    .map((r) => r.referencedSecurityGroupId ?? r.cidrIpv4)
                    .sort(),
                ["10.10.0.0/16", `sg-nodes-${secondaryRegion}`],
            );
        });

        it("has Core write to the primary writer and read from the local replica, with secret URLs", async () => {
            const c = d.secondary!.connection;
            assert.strictEqual(await pulumi.isSecret(c.databaseUrl), true);
            assert.strictEqual(await pulumi.isSecret(c.databaseReplicaUrl), true);
            assert.strictEqual(await valueOf(c.databaseUrl), await valueOf(d.primary.connection.databaseUrl));
            const password = await valueOf(d.password);
            const replica = await valueOf(d.secondary!.aws!.standby!.address);
            assert.ok(replica.includes(secondaryRegion), replica);
            assert.strictEqual(
                await valueOf(c.databaseReplicaUrl),
                `postgres://saleor_app:${password}@${replica}:5432/saleor?sslmode=verify-full&sslrootcert=/etc/rds-ca/bundle.pem`,
            );
            assert.deepStrictEqual(c.readyAfter, [d.secondary!.aws!.standby, d.secondary!.aws!.cache]);
        });

        it("runs its own encrypted, Multi-AZ cache and hands out secret rediss URLs to it", async () => {
            const cache = childrenOf(rs, T.cache, tier);
            assert.strictEqual(cache.length, 1);
            assert.strictEqual(inputs(cache[0]).transitEncryptionEnabled, true);
            assert.strictEqual(inputs(cache[0]).multiAzEnabled, true);
            const endpoint = await valueOf(d.secondary!.aws!.cache.primaryEndpointAddress);
            assert.ok(endpoint.includes("euwest"), endpoint);
            assert.strictEqual(await pulumi.isSecret(d.secondary!.connection.cacheUrl), true);
            assert.strictEqual(await pulumi.isSecret(d.secondary!.connection.brokerUrl), true);
            assert.match(
                await valueOf(d.secondary!.connection.brokerUrl),
                new RegExp(`^rediss://:[A-Za-z0-9]+@${endpoint.replace(/\./g, "\\.")}:6379/1\\?ssl_cert_reqs=required$`),
            );
        });

        it("stores media in the primary's bucket and keeps a protected bucket of its own as the disaster-recovery copy", async () => {
            const media = d.secondary!.connection.media;
            assert.ok(media.kind === "s3");
            assert.strictEqual(media.region, primaryRegion);
            assert.strictEqual(await valueOf(media.bucket), await valueOf(d.primary.aws!.mediaBucket!.bucket));

            const replica = d.secondary!.aws!.mediaBucket;
            const name = await valueOf(replica.bucket);
            assert.notStrictEqual(name, await valueOf(media.bucket));
            const on = (type: string) => rs.ofType(type).filter((r) => inputs(r).bucket === name);
            assert.strictEqual(on(T.publicAccess).length, 1);
            assert.strictEqual(
                inputs(on(T.encryption)[0]).rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId,
                await valueOf(d.secondary!.aws!.keys.media!.arn),
            );
            assert.strictEqual(inputs(on(T.versioning)[0]).versioningConfiguration.status, "Enabled");
            assert.strictEqual(on(T.lifecycle).length, 1);
            assert.strictEqual(on(T.bucketPolicy).length, 1);
            assert.strictEqual(childrenOf(rs, T.bucket, tier)[0].protect, true);
        });

        it("replicates the primary bucket into the replica, configured on the primary bucket through the primary's provider", async () => {
            const [replication] = rs.ofType(T.replication);
            const config = inputs(replication);
            assert.strictEqual(config.bucket, await valueOf(d.primary.aws!.mediaBucket!.bucket));
            assert.strictEqual(replication.provider, providerRef(rs, primaryRegion));
            assert.strictEqual(rs.byUrn(replication.parent)!.name, tier);
            const rule = config.rules[0];
            assert.strictEqual(rule.status, "Enabled");
            assert.strictEqual(rule.destination.bucket, await valueOf(d.secondary!.aws!.mediaBucket.arn));
            assert.strictEqual(rule.destination.encryptionConfiguration.replicaKmsKeyId, await valueOf(d.secondary!.aws!.keys.media!.arn));
            assert.strictEqual(rule.sourceSelectionCriteria.sseKmsEncryptedObjects.status, "Enabled");
            // The media buckets' versioning; the private-files buckets are not replicated.
            const versionings = rs
                .ofType(T.versioning)
                .filter((v) => v.name.includes("-media-"))
                .map((v) => v.urn);
            assert.strictEqual(versionings.length, 2);
            for (const urn of versionings) assert.ok(replication.dependencies.includes(urn), `waits for ${urn}`);
            const role = rs.one(T.role, `${tier}-media-replication-role`);
            assert.deepStrictEqual(JSON.parse(inputs(role).assumeRolePolicy).Statement[0].Principal, { Service: "s3.amazonaws.com" });
        });

        it("gives its workload role the primary's buckets, where its Core writes, and binds it in its own cluster", async () => {
            const statements = policyOf(rs.one(T.rolePolicy, `${tier}-workload-inline`)).Statement;
            const bucketArn = await valueOf(d.primary.aws!.mediaBucket!.arn);
            const privateArn = await valueOf(d.primary.aws!.privateBucket.arn);
            const resources = statements.flatMap((s: any) => [s.Resource].flat());
            assert.deepStrictEqual(
                new Set(resources),
                new Set([
                    bucketArn,
                    `${bucketArn}/*`,
                    await valueOf(d.primary.aws!.keys.media!.arn),
                    privateArn,
                    `${privateArn}/*`,
                    await valueOf(d.primary.aws!.keys.privateFiles.arn),
                ]),
            );
            const association = rs.one(T.podIdentity, `${tier}-workload`);
            assert.strictEqual(inputs(association).clusterName, `saleor-${secondaryRegion}`);
            assert.strictEqual(association.provider, providerRef(rs, secondaryRegion));
        });

        it("creates no backup plan where there is no writer", () => {
            assert.strictEqual(childrenOf(rs, T.backupPlan, tier).length, 0);
        });
    });

    describe("staging", () => {
        let d: Deployed;
        let rs: Resources;
        before(async () => {
            d = await deploy("staging");
            rs = d.resources;
        });

        it("drops production's protection: single AZ, deletable, no final snapshot, changes applied at once", () => {
            const writer = inputs(rs.one(T.instance, `${primaryRegion}-data-postgres-writer`));
            assert.strictEqual(writer.multiAz, false);
            assert.strictEqual(writer.deletionProtection, false);
            assert.strictEqual(writer.backupRetentionPeriod, 7);
            assert.strictEqual(writer.skipFinalSnapshot, true);
            assert.strictEqual(writer.finalSnapshotIdentifier, undefined);
            assert.strictEqual(writer.applyImmediately, true);
            const cache = inputs(rs.one(T.cache, `${primaryRegion}-data-cache`));
            assert.strictEqual(cache.multiAzEnabled, false);
            assert.strictEqual(cache.automaticFailoverEnabled, false);
            assert.strictEqual(cache.snapshotRetentionLimit, 1, "a day of snapshots, to restore a broken cache");
            assert.strictEqual(cache.transitEncryptionEnabled, true, "encryption stays on");
            for (const r of rs.all) assert.strictEqual(r.protect, false, `${r.type} ${r.name}`);
            for (const r of rs.ofType(T.bucket)) assert.strictEqual(inputs(r).forceDestroy, true);
        });

        it("reads from the writer when the primary region has no reader", async () => {
            assert.strictEqual(d.primary.aws!.reader, undefined);
            assert.strictEqual(await valueOf(d.primary.connection.databaseReplicaUrl), await valueOf(d.primary.connection.databaseUrl));
            assert.strictEqual(await pulumi.isSecret(d.primary.connection.databaseReplicaUrl), true);
        });

        it("replicates no media without media.replicate, but still gives each region a bucket to fail over to", () => {
            assert.strictEqual(rs.ofType(T.replication).length, 0);
            assert.deepStrictEqual(
                rs
                    .ofType(T.bucket)
                    .map((b) => b.name)
                    .sort(),
                [
                    `${primaryRegion}-data-media`,
                    `${primaryRegion}-data-private`,
                    `${secondaryRegion}-data-media`,
                    `${secondaryRegion}-data-private`,
                ],
            );
        });

        it("still gives the secondary a cross-region replica to read from", () => {
            assert.deepStrictEqual(
                childrenOf(rs, T.instance, `${secondaryRegion}-data`).map((i) => i.name),
                [`${secondaryRegion}-data-postgres-standby`],
            );
        });

        it("keeps CORS out when no origins are given", async () => {
            const { resources } = await deploy("staging", {
                secondary: false,
                primary: { media: { noncurrentVersionDays: 14, replicate: false, corsOrigins: [] } },
            });
            assert.strictEqual(resources.ofType(T.cors).length, 0);
        });
    });

    describe("arguments", () => {
        it("refuses a secondary without the primary's facts", async () => {
            await assert.rejects(
                registered(() => new DataTier("eu-west-1-data", { aws: dataArgs("staging", "secondary") }, {})),
                /role "secondary" needs args.primary/,
            );
        });

        it("refuses PostgreSQL older than 15", async () => {
            const args = dataArgs("staging", "primary");
            await assert.rejects(
                registered(
                    () => new DataTier("eu-central-1-data", { aws: { ...args, postgres: { ...args.postgres, engineVersion: "14" } } }),
                ),
                /PostgreSQL 15 or newer/,
            );
        });

        it("refuses Multi-AZ cache failover with a single node", async () => {
            const args = dataArgs("staging", "primary");
            await assert.rejects(
                registered(
                    () => new DataTier("eu-central-1-data", { aws: { ...args, cache: { ...args.cache, multiAz: true, nodes: 1 } } }),
                ),
                /at least 2 nodes/,
            );
        });
    });
});
