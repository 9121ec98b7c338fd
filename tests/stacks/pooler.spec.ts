import assert from "node:assert/strict";
import * as path from "path";
import { projectRoot, type Evaluation } from "../../automation/plan/evaluate";
import { readStackFile } from "../../automation/plan/stack-file";
import { coreSecretEnv } from "../support/core-secrets";
import { isSecret, Resources, reveal, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// A secondary region's Core writes to the primary's writer across regions. Saleor's API (uvicorn,
// ASGI) closes its connection after every request (DB_CONN_MAX_AGE defaults to 0), so it goes through
// a PgBouncer in its own cluster that keeps the cross-region connections open and checks them.

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const hostOf = (url: string) => new URL(url).hostname;
const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const CONFIG_MAP = "kubernetes:core/v1:ConfigMap";

/** The stack file's regions with the roles swapped (a failover, as the README's runbook does it). */
function swappedRegions(stack: string): Record<string, string> {
    const file = readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`), "saleor");
    const regions = JSON.parse(file.values["saleor:regions"]) as { role: string }[];
    return { "saleor:regions": JSON.stringify(regions.map((r) => ({ ...r, role: r.role === "primary" ? "secondary" : "primary" }))) };
}

/** pgbouncer.ini as section → key → value. */
function ini(text: string): Record<string, Record<string, string>> {
    const out: Record<string, Record<string, string>> = {};
    let section = "";
    for (const line of text.split("\n")) {
        const header = /^\[(.+)\]$/.exec(line.trim());
        if (header) out[(section = header[1])] = {};
        else if (line.includes("=")) out[section][line.slice(0, line.indexOf("=")).trim()] = line.slice(line.indexOf("=") + 1).trim();
    }
    return out;
}

/** The Core API pods' mounted CA ConfigMap (the volume `rds-ca`). */
function coreCaConfigMap(res: Resources, region: string): RecordedResource {
    // A Deployment, or on AWS an Argo Rollout.
    const [api] = res.workloads().filter((w) => w.name === `${region}-core-api`);
    const volume = inputs(api).spec.template.spec.volumes.find((v: any) => v.name === "rds-ca");
    // Auto-named: the logical name and a suffix.
    const found = res.ofType(CONFIG_MAP).filter((c) => String(volume.configMap.name).replace(/-[0-9a-f]{8}$/, "") === c.name);
    assert.equal(found.length, 1, `one ConfigMap named ${volume.configMap.name}`);
    assert.ok(api.dependencies.includes(found[0].urn));
    return found[0];
}

function assertPooled(res: Resources, secondary: string, primary: string) {
    const env = coreSecretEnv(res, secondary);
    const url = new URL(env.DATABASE_URL);
    // Core → pooler: the pooler's Service, TLS verified against the pooler's CA.
    assert.equal(url.hostname, "saleor-pooler.saleor.svc.cluster.local");
    assert.equal(url.port, "5432");
    assert.equal(url.username, "saleor_app");
    assert.equal(url.searchParams.get("sslmode"), "verify-full");
    const caFile = url.searchParams.get("sslrootcert")!;
    assert.equal(path.posix.dirname(caFile), "/etc/rds-ca", "a file of the CA ConfigMap every Core pod mounts");
    const ca = coreCaConfigMap(res, secondary);
    const caCert = res.one("tls:index/selfSignedCert:SelfSignedCert", "saleor-pooler-ca");
    assert.equal(inputs(caCert).isCaCertificate, true);
    assert.ok(ca.dependencies.includes(caCert.urn), "Core's CA ConfigMap carries the pooler's CA");
    assert.match(inputs(ca).data[path.posix.basename(caFile)], /BEGIN CERTIFICATE/);
    assert.match(inputs(ca).data["bundle.pem"], /BEGIN CERTIFICATE/, "the RDS roots stay for the replica URL");
    const server = res.one("tls:index/certRequest:CertRequest", "saleor-pooler-server");
    assert.ok(inputs(server).dnsNames.includes(url.hostname), "the pooler's certificate names the host Core connects to");

    // The replica URL still reads the region's own standby directly.
    assert.match(
        hostOf(env.DATABASE_URL_REPLICA),
        new RegExp(`^${secondary}-data-postgres-standby-.*\\.${secondary}\\.rds\\.amazonaws\\.com$`),
    );

    // Pooler → writer: session pooling, checked connections, the writer's certificate verified.
    const config = ini(inputs(res.one(CONFIG_MAP, `${secondary}-pooler-config`)).data["pgbouncer.ini"]);
    const writer = res.one("aws:rds/instance:Instance", `${primary}-data-postgres-writer`);
    assert.match(config.databases.saleor, new RegExp(`host=${primary}-data-postgres-writer-[^ ]+\\.${primary}\\.rds\\.amazonaws\\.com `));
    assert.ok(res.one(CONFIG_MAP, `${secondary}-pooler-config`).dependencies.includes(writer.urn));
    const p = config.pgbouncer;
    assert.equal(p.pool_mode, "session");
    assert.equal(p.server_check_query, "select 1");
    assert.ok(Number(p.server_check_delay) <= 30);
    assert.equal(p.server_tls_sslmode, "verify-full");
    assert.equal(p.server_tls_ca_file, "/etc/rds-ca/bundle.pem");
    assert.equal(p.client_tls_sslmode, "require");
    assert.equal(p.auth_type, "scram-sha-256");
    assert.ok(Number(p.server_idle_timeout) > 0 && Number(p.server_lifetime) >= Number(p.server_idle_timeout));
}

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: the secondary region's connections to the writer`, () => {
        let normal: Evaluation;
        let failover: Evaluation;
        let res: Resources;
        before(async () => {
            normal = await evaluated(stack);
            failover = await evaluated(stack, swappedRegions(stack));
            res = new Resources(normal.resources);
        });

        it("eu-west-1's API reuses connections to the eu-central-1 writer through a pooler that checks them", () => {
            assertPooled(res, "eu-west-1", "eu-central-1");
        });

        it("after a failover, eu-central-1's API reaches the eu-west-1 writer through its own pooler", () => {
            const swapped = new Resources(failover.resources);
            assertPooled(swapped, "eu-central-1", "eu-west-1");
            assert.deepEqual(
                swapped.component("kubernetes:apps/v1:Deployment", "pooler").map((d) => d.name),
                ["eu-central-1-pooler"],
            );
        });

        it("leaves the primary region connecting to its writer directly, the migration and role Jobs included", () => {
            assert.match(
                hostOf(coreSecretEnv(res, "eu-central-1").DATABASE_URL),
                /^eu-central-1-data-postgres-writer-.*\.rds\.amazonaws\.com$/,
            );
            assert.deepEqual(
                res.component("kubernetes:apps/v1:Deployment", "pooler").map((d) => d.name),
                ["eu-west-1-pooler"],
            );
            // The Jobs that connect to the database (every region also runs its canaries' gate Jobs,
            // which talk to the Kubernetes API only).
            const jobs = res
                .ofType("kubernetes:batch/v1:Job")
                .filter((j) => (j.inputs as any).spec.template.metadata.labels["app.kubernetes.io/component"] !== "rollout-gate");
            assert.ok(jobs.length > 0);
            for (const job of jobs) {
                assert.match(job.name, /^eu-central-1-/, `${job.name} runs in the primary region`);
            }
            for (const job of res.ofType("kubernetes:batch/v1:Job")) {
                assert.doesNotMatch(JSON.stringify(job.inputs), /saleor-pooler/, `${job.name} never goes through the pooler`);
            }
        });

        it("runs two hardened pooler pods with a disruption budget, probes on their port and no API token", () => {
            const [deployment] = res.component("kubernetes:apps/v1:Deployment", "pooler");
            const spec = inputs(deployment).spec;
            assert.equal(spec.replicas, 2);
            const pod = spec.template.spec;
            assert.equal(pod.automountServiceAccountToken, false);
            assert.equal(pod.securityContext.runAsNonRoot, true);
            assert.equal(pod.securityContext.runAsUser, 998, "the image's pgbouncer user");
            const [c] = pod.containers;
            assert.match(c.image, /^ghcr\.io\/cloudnative-pg\/pgbouncer:\d+\.\d+\.\d+/);
            assert.equal(c.securityContext.readOnlyRootFilesystem, true);
            assert.equal(c.securityContext.allowPrivilegeEscalation, false);
            assert.deepEqual(c.readinessProbe.tcpSocket, { port: "postgres" });
            assert.deepEqual(c.livenessProbe.tcpSocket, { port: "postgres" });
            assert.ok(c.resources.requests && c.resources.limits);
            assert.equal(res.component("kubernetes:policy/v1:PodDisruptionBudget", "pooler").length, 1);
            const [service] = res.component("kubernetes:core/v1:Service", "pooler");
            assert.equal(inputs(service).metadata.name, "saleor-pooler");
            assert.deepEqual(
                inputs(service).spec.ports.map((p: any) => p.port),
                [5432],
            );
        });

        it("writes eu-west-1's pooled URL only once the pooler's pods and Service are up", () => {
            const secret = res
                .ofType("aws:secretsmanager/secret:Secret")
                .find((x) => inputs(x).name === `saleor/${stack}/eu-west-1/database`)!;
            const version = res.ofType("aws:secretsmanager/secretVersion:SecretVersion").find((v) => v.dependencies.includes(secret.urn))!;
            const [deployment] = res.component("kubernetes:apps/v1:Deployment", "pooler");
            const [service] = res.component("kubernetes:core/v1:Service", "pooler");
            assert.ok(version.dependencies.includes(deployment.urn), "after the pooler's Deployment");
            assert.ok(version.dependencies.includes(service.urn), "after the pooler's Service");
        });

        it("sizes the pool within a share of the writer's connections", () => {
            const p = ini(inputs(res.one(CONFIG_MAP, "eu-west-1-pooler-config")).data["pgbouncer.ini"]).pgbouncer;
            // RDS's default max_connections of the stack's instance class: db.t4g.large 8 GiB, db.m7g.2xlarge 32 GiB.
            const maxConnections = Math.floor(((stack === "staging" ? 8 : 32) * 1024 ** 3) / 9531392);
            assert.ok(
                Number(p.default_pool_size) * 2 <= maxConnections / 4,
                `${p.default_pool_size} x 2 pods within a quarter of ${maxConnections}`,
            );
            assert.ok(Number(p.max_client_conn) >= Number(p.default_pool_size));
        });

        it("keeps saleor_app's password out of the pooler's settings: it comes from Secrets Manager through External Secrets", () => {
            const password = new URL(coreSecretEnv(res, "eu-west-1").DATABASE_URL).password;
            for (const c of res.ofType(CONFIG_MAP)) assert.ok(!JSON.stringify(c.inputs).includes(password), c.name);
            const [deployment] = res.component("kubernetes:apps/v1:Deployment", "pooler");
            assert.ok(!JSON.stringify(deployment.inputs).includes(password));
            const env = inputs(deployment).spec.template.spec.containers[0].env;
            const ref = env.find((e: any) => e.valueFrom?.secretKeyRef).valueFrom.secretKeyRef;
            const es = res.one("kubernetes:external-secrets.io/v1:ExternalSecret", "eu-west-1-pooler-secrets");
            assert.equal(inputs(es).spec.target.name, ref.name);
            assert.deepEqual(
                inputs(es).spec.dataFrom.map((d: any) => d.extract.key),
                [`saleor/${stack}/database`],
            );
            const tlsSecret = res.one("kubernetes:core/v1:Secret", "eu-west-1-pooler-tls");
            assert.ok(isSecret(inputs(tlsSecret).stringData), "the pooler's key is a Pulumi secret");
            assert.match(reveal<Record<string, string>>(inputs(tlsSecret).stringData)["tls.key"], /PRIVATE KEY/);
        });

        it("lets only Core reach the pooler, and the pooler only the writer's region on 5432", () => {
            const policies = Object.fromEntries(
                res
                    .ofType(NP)
                    .filter((p) => p.name.startsWith("eu-west-1-network-"))
                    .map((p) => [p.name.slice("eu-west-1-network-".length), inputs(p).spec]),
            );
            const pooler = policies.pooler;
            assert.deepEqual(pooler.podSelector.matchLabels["app.kubernetes.io/component"], "pooler");
            assert.deepEqual(pooler.ingress[0].ports, [{ port: 5432, protocol: "TCP" }]);
            const from = pooler.ingress[0].from[0].podSelector.matchExpressions.find((e: any) => e.key === "app.kubernetes.io/component");
            assert.deepEqual(from.values, ["api", "worker", "beat", "migrations", "demo-data"]);
            assert.equal(pooler.egress.length, 1);
            assert.deepEqual(pooler.egress[0].ports, [{ port: 5432, protocol: "TCP" }]);
            const primaryVpc = stack === "staging" ? /^10\.30\./ : /^10\.10\./;
            for (const to of pooler.egress[0].to) assert.match(to.ipBlock.cidr, primaryVpc);
            const coreToPooler = policies["core-egress"].egress.find((r: any) =>
                r.to.some((p: any) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"] === "pooler"),
            );
            assert.deepEqual(coreToPooler?.ports, [{ port: 5432, protocol: "TCP" }]);
            assert.equal(policies["eu-central-1-network-pooler"], undefined);
            assert.equal(
                res.ofType(NP).filter((p) => p.name === "eu-central-1-network-pooler").length,
                0,
                "no pooler policy in the primary region",
            );
        });
    });
}

describe("dev stack: one region, no pooler", () => {
    it("connects Core to the in-cluster PostgreSQL directly", async () => {
        const res = new Resources((await evaluated("dev")).resources);
        assert.equal(res.component("kubernetes:apps/v1:Deployment", "pooler").length, 0);
        assert.equal(res.ofType("saleor:components:PoolerCertificates").length, 0);
    });
});
