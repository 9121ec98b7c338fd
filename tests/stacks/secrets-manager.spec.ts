import assert from "node:assert/strict";
import { isSecret, Resources, reveal, type RecordedResource } from "../support/harness";
import { accountId } from "../../automation/plan/mocks";
import { externalSecretsChart } from "../../catalog/charts";
import { evaluated } from "../support/plans";

const T = {
    secret: "aws:secretsmanager/secret:Secret",
    version: "aws:secretsmanager/secretVersion:SecretVersion",
    key: "aws:kms/key:Key",
    release: "kubernetes:helm.sh/v3:Release",
    role: "aws:iam/role:Role",
    rolePolicy: "aws:iam/rolePolicy:RolePolicy",
    association: "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    store: "kubernetes:external-secrets.io/v1:ClusterSecretStore",
    externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
    k8sSecret: "kubernetes:core/v1:Secret",
};
const CORE_SECRET_VARIABLES = [
    "CACHE_URL",
    "CELERY_BROKER_URL",
    "DATABASE_URL",
    "DATABASE_URL_REPLICA",
    "EMAIL_URL",
    "RSA_PRIVATE_KEY",
    "SECRET_KEY",
];
/** Every container of a workload's pod template (Deployment or Job). */
const containersOf = (r: RecordedResource): any[] => inputs(r).spec.template.spec.containers;
const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
/** The region of the AWS provider a resource goes through (providers are named aws-<region>). */
const secrets = (res: Resources) => res.ofType(T.secret);
const regionOf = (r: RecordedResource) => /::aws-([a-z0-9-]+)::/.exec(r.provider)?.[1];

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: Secrets Manager is the source of truth for Saleor's secrets`, () => {
        let res: Resources;
        let secrets: RecordedResource[];
        const named = (name: string) => {
            const found = secrets.find((s) => inputs(s).name === name);
            assert.ok(found, `${name} among ${secrets.map((s) => inputs(s).name).join(", ")}`);
            return found;
        };
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
            secrets = res.ofType(T.secret);
        });

        it("holds one secret per concern, named saleor/<stack>/...: SECRET_KEY, the JWT key, and each region's database and cache", () => {
            for (const name of [
                `saleor/${stack}/secret-key`,
                `saleor/${stack}/jwt-key`,
                `saleor/${stack}/eu-central-1/database`,
                `saleor/${stack}/eu-central-1/cache`,
                `saleor/${stack}/eu-west-1/database`,
                `saleor/${stack}/eu-west-1/cache`,
            ])
                named(name);
            for (const s of secrets) assert.match(inputs(s).name, new RegExp(`^saleor/${stack}/`), s.name);
        });

        it("keeps the stack-wide secrets in the home region with a replica in the other, each under its region's data key", () => {
            const dataKey = (region: string) => res.one(T.key, `${region}-data-data`);
            for (const name of [`saleor/${stack}/secret-key`, `saleor/${stack}/jwt-key`]) {
                const s = named(name);
                assert.equal(regionOf(s), "eu-central-1", name);
                assert.ok(s.dependencies.includes(dataKey("eu-central-1").urn), `${name} is encrypted with eu-central-1's data key`);
                assert.equal(inputs(s).replicas.length, 1, name);
                assert.equal(inputs(s).replicas[0].region, "eu-west-1", name);
                assert.ok(s.dependencies.includes(dataKey("eu-west-1").urn), `${name}'s replica is encrypted with eu-west-1's data key`);
            }
        });

        it("keeps each region's connection secrets in that region under its data key", () => {
            for (const region of ["eu-central-1", "eu-west-1"]) {
                for (const concern of ["database", "cache"]) {
                    const s = named(`saleor/${stack}/${region}/${concern}`);
                    assert.equal(regionOf(s), region);
                    assert.ok(s.dependencies.includes(res.one(T.key, `${region}-data-data`).urn));
                }
            }
        });

        it("stores every value as a Pulumi secret, as JSON of the environment variables Core reads", () => {
            const versions = res.ofType(T.version);
            assert.equal(versions.length, secrets.length);
            for (const v of versions) assert.ok(isSecret(inputs(v).secretString), v.name);
        });

        it(`${stack === "production" ? "protects" : "does not protect"} the secrets and their values`, () => {
            for (const r of [...secrets, ...res.ofType(T.version)]) assert.equal(r.protect, stack === "production", r.name);
        });
    });
}

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: External Secrets Operator in every cluster`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });
        const regions = ["eu-central-1", "eu-west-1"];

        it("installs the pinned chart in its own namespace", () => {
            for (const region of regions) {
                const release = inputs(res.one(T.release, `${region}-external-secrets`));
                assert.equal(release.chart, "external-secrets");
                assert.equal(release.version, externalSecretsChart.version);
                assert.equal(release.repositoryOpts.repo, "https://charts.external-secrets.io");
                assert.equal(release.namespace, "external-secrets");
                assert.equal(release.createNamespace, true);
            }
        });

        it("gives the controller, through Pod Identity, read access to exactly this stack's secrets in its region", () => {
            for (const region of regions) {
                const assoc = inputs(res.one(T.association, `${region}-external-secrets`));
                assert.deepEqual([assoc.namespace, assoc.serviceAccount], ["external-secrets", externalSecretsChart.serviceAccountName]);
                const policy = JSON.parse(inputs(res.one(T.rolePolicy, `${region}-external-secrets-inline`)).policy);
                assert.deepEqual(policy.Statement, [
                    {
                        Sid: "ReadThisStacksSecrets",
                        Effect: "Allow",
                        Action: [
                            "secretsmanager:DescribeSecret",
                            "secretsmanager:GetResourcePolicy",
                            "secretsmanager:GetSecretValue",
                            "secretsmanager:ListSecretVersionIds",
                        ],
                        Resource: `arn:aws:secretsmanager:${region}:${accountId}:secret:saleor/${stack}/*`,
                    },
                ]);
            }
        });

        it("lets the controller decrypt with its region's data key only through Secrets Manager", () => {
            for (const region of regions) {
                const grant = res.one(T.rolePolicy, `${region}-external-secrets-decrypt`);
                const policy = JSON.parse(inputs(grant).policy);
                assert.equal(policy.Statement.length, 1);
                const [st] = policy.Statement;
                assert.deepEqual(st.Action, "kms:Decrypt");
                assert.ok(grant.dependencies.includes(res.one(T.key, `${region}-data-data`).urn), "the region's data key");
                assert.deepEqual(st.Condition, { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } });
            }
        });

        it("offers a ClusterSecretStore for Secrets Manager in the cluster's region, with the controller's own credentials, to the app namespace only", () => {
            const stores = res.ofType(T.store);
            assert.equal(stores.length, regions.length);
            for (const region of regions) {
                const store = inputs(stores.find((x) => x.name === `${region}-secrets-manager`)!);
                assert.deepEqual(store.spec.provider, { aws: { service: "SecretsManager", region } });
                assert.deepEqual(store.spec.conditions, [{ namespaces: ["saleor"] }]);
            }
        });
    });
}

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: Core reads its secrets through External Secrets`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });
        const regions = ["eu-central-1", "eu-west-1"];
        const externalSecretOf = (region: string) => res.one(T.externalSecret, `${region}-core-secrets`);

        it("syncs the stack-wide secrets (the region's replicas) and the region's own into one Secret, refreshed hourly", () => {
            for (const region of regions) {
                const es = inputs(externalSecretOf(region));
                assert.equal(es.metadata.namespace, "saleor");
                assert.equal(es.spec.refreshInterval, "1h");
                assert.deepEqual(es.spec.secretStoreRef, { kind: "ClusterSecretStore", name: "aws-secrets-manager" });
                assert.deepEqual(es.spec.target, { name: "saleor-core-env", creationPolicy: "Owner" });
                assert.deepEqual(es.spec.dataFrom.map((d: any) => d.extract.key).sort(), [
                    `saleor/${stack}/${region}/cache`,
                    `saleor/${stack}/${region}/database`,
                    `saleor/${stack}/${region}/email`,
                    `saleor/${stack}/jwt-key`,
                    `saleor/${stack}/secret-key`,
                ]);
                assert.ok(es.metadata.annotations["force-sync"], "refreshes at once when a value changes");
            }
        });

        it("holds, across the secrets it syncs, exactly the variables Core's own Secret holds", async () => {
            const versions = res.ofType(T.version);
            const variables = new Set<string>();
            for (const key of inputs(externalSecretOf("eu-central-1")).spec.dataFrom.map((d: any) => d.extract.key)) {
                const secret = secrets(res).find((x) => inputs(x).name === key)!;
                const version = versions.find((v) => v.dependencies.includes(secret.urn))!;
                for (const k of Object.keys(JSON.parse(reveal<string>(inputs(version).secretString)))) variables.add(k);
            }
            assert.deepEqual([...variables].sort(), CORE_SECRET_VARIABLES);
        });

        it("points every Core workload at the synced Secret, and Pulumi writes no Kubernetes Secret with Saleor's keys", () => {
            const core = [...res.workloads(), ...res.ofType("kubernetes:batch/v1:Job")].filter(
                (w) =>
                    // Core's processes take their settings from its ConfigMap and Secret (envFrom); the
                    // database-role Job reads only the master credentials (tests/stacks/database-role.spec.ts).
                    containersOf(w).some((c) => (c.envFrom ?? []).length > 0) &&
                    inputs(w).metadata.labels["app.kubernetes.io/component"] !== "database-role",
            );
            assert.ok(core.length >= 6, core.map((w) => w.name).join());
            for (const w of core) {
                const refs = containersOf(w).flatMap((c) =>
                    (c.envFrom ?? []).filter((e: any) => e.secretRef).map((e: any) => e.secretRef.name),
                );
                assert.deepEqual(refs, ["saleor-core-env"], w.name);
            }
        });

        it("rolls Core's Deployments only once their region's ExternalSecret is Ready with the new values", () => {
            for (const region of regions) {
                const es = externalSecretOf(region);
                assert.equal(inputs(es).metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
                const deployments = res
                    .workloads()
                    .filter(
                        (d) =>
                            d.name.startsWith(`${region}-core-`) &&
                            inputs(d).spec.template.metadata.annotations?.["saleor.io/config-digest"],
                    );
                assert.ok(deployments.length >= 2, deployments.map((d) => d.name).join());
                for (const d of deployments) assert.ok(d.dependencies.includes(es.urn), `${d.name} waits for the ExternalSecret`);
            }
            for (const s of res.ofType(T.k8sSecret)) {
                const data = reveal<Record<string, string>>(inputs(s).stringData) ?? {};
                assert.ok(!("SECRET_KEY" in data) && !("DATABASE_URL" in data), s.name);
            }
        });
    });
}

describe("dev stack: plain Kubernetes Secrets", () => {
    it("has no Secrets Manager secret", async () => {
        const res = new Resources((await evaluated("dev")).resources);
        assert.deepEqual(res.ofType(T.secret), []);
    });
});
