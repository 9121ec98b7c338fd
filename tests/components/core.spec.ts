import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { digest } from "../../components/kubernetes/workload";
import { connectionFacts, plantedSecrets, saleorCore } from "../support/fixtures";
import { isSecret, registered, reveal, type RecordedResource, type Resources } from "../support/harness";

const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";

/** Environment variables Saleor Core reads (saleor/settings.py): anything else is a variable nobody reads. */
const saleorReads = new Set([
    "DATABASE_URL",
    "DATABASE_URL_REPLICA",
    "DB_CONN_MAX_AGE",
    "CACHE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_RESULT_BACKEND",
    "SECRET_KEY",
    "RSA_PRIVATE_KEY",
    "RSA_PRIVATE_PASSWORD",
    "DEBUG",
    "ALLOWED_HOSTS",
    "ALLOWED_CLIENT_HOSTS",
    "ALLOWED_GRAPHQL_ORIGINS",
    "PUBLIC_URL",
    "EMAIL_URL",
    "DEFAULT_FROM_EMAIL",
    "AWS_MEDIA_BUCKET_NAME",
    "AWS_MEDIA_CUSTOM_DOMAIN",
    "AWS_MEDIA_PRIVATE_BUCKET_NAME",
    "STATIC_URL",
    "AWS_STORAGE_BUCKET_NAME",
    "AWS_STATIC_CUSTOM_DOMAIN",
    "AWS_S3_REGION_NAME",
    "AWS_S3_ENDPOINT_URL",
    "AWS_QUERYSTRING_AUTH",
    "SENTRY_DSN",
    "OTEL_SERVICE_NAME",
    "OTEL_TRACES_EXPORTER",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "SOFT_MEMORY_LIMIT_IN_MB",
    "HARD_MEMORY_LIMIT_IN_MB",
    "SEND_USAGE_TELEMETRY",
    "PLAYGROUND_ENABLED",
    "HTTP_IP_FILTER_ENABLED",
    "HTTP_IP_FILTER_ALLOW_LOOPBACK_IPS",
]);

const podSpec = (r: RecordedResource) => (r.inputs as any).spec.template.spec;
const containers = (r: RecordedResource): any[] => [...(podSpec(r).initContainers ?? []), ...podSpec(r).containers];
const coreWorkloads = (res: Resources) => ["api", "worker", "beat"].map((c) => res.component(DEPLOYMENT, c)[0]);

describe("SaleorCore", () => {
    let res: Resources;
    before(async () => {
        res = await registered(() => saleorCore());
    });

    it("runs every pod as non-root without privilege escalation or capabilities", () => {
        const pods = [...res.ofType(DEPLOYMENT), ...res.ofType(JOB)];
        assert.ok(pods.length >= 5);
        for (const p of pods) {
            const sc = podSpec(p).securityContext;
            assert.equal(sc.runAsNonRoot, true, p.name);
            assert.ok(sc.runAsUser > 0, p.name);
            assert.equal(sc.seccompProfile.type, "RuntimeDefault", p.name);
            for (const c of containers(p)) {
                assert.equal(c.securityContext.allowPrivilegeEscalation, false, `${p.name}/${c.name}`);
                assert.equal(c.securityContext.privileged, false, `${p.name}/${c.name}`);
                assert.deepEqual(c.securityContext.capabilities.drop, ["ALL"], `${p.name}/${c.name}`);
            }
        }
    });

    it("runs Core processes as the image's own saleor user (999), which owns /app/media", () => {
        for (const w of coreWorkloads(res)) {
            assert.equal(podSpec(w).securityContext.runAsUser, 999);
            assert.equal(podSpec(w).securityContext.fsGroup, 999);
        }
    });

    it("lets the non-root Dashboard nginx bind port 80 and write the html it rewrites", () => {
        const dashboard = res.component(DEPLOYMENT, "dashboard")[0];
        const spec = podSpec(dashboard);
        assert.deepEqual(spec.securityContext.sysctls, [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }]);
        const main = spec.containers[0];
        assert.ok(main.volumeMounts.some((m: any) => m.mountPath === "/app/dashboard"));
        assert.deepEqual(spec.initContainers[0].command, ["sh", "-c", "cp -R /app/dashboard/. /html/"]);
        assert.deepEqual(main.env, [{ name: "API_URL", value: "https://api.example.com/graphql/" }]);
    });

    it("probes the API on /health/ with a startup probe, and rolls with no unavailable pod", () => {
        const api = res.component(DEPLOYMENT, "api")[0];
        const c = podSpec(api).containers[0];
        for (const probe of [c.startupProbe, c.readinessProbe, c.livenessProbe]) {
            assert.equal(probe.httpGet.path, "/health/");
            assert.equal(probe.httpGet.port, "http");
        }
        assert.equal(c.ports[0].containerPort, 8000);
        assert.deepEqual((api.inputs as any).spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    });

    it("starts the API with Saleor's uvicorn command and the configured worker count", () => {
        const c = podSpec(res.component(DEPLOYMENT, "api")[0]).containers[0];
        assert.deepEqual(c.command, ["uvicorn"]);
        assert.ok(c.args.includes("saleor.asgi:application"));
        assert.ok(c.args.includes("--workers=2"));
        assert.ok(c.args.includes("--port=8000"));
    });

    it("runs the migration Job before the API, worker and beat roll", () => {
        const job = res.component(JOB, "migrations")[0];
        assert.deepEqual(podSpec(job).containers[0].command, ["python3", "manage.py", "migrate", "--noinput"]);
        for (const w of coreWorkloads(res)) {
            assert.ok(w.dependencies.includes(job.urn), `${w.name} must wait for ${job.urn}`);
        }
    });

    it("gives the migration Job the broker URL (migrations enqueue Celery tasks) and bounded retries", () => {
        const job = res.component(JOB, "migrations")[0];
        const namespace = (job.inputs as any).metadata.namespace;
        const secretNames: string[] = podSpec(job)
            .containers[0].envFrom.filter((e: any) => e.secretRef)
            .map((e: any) => e.secretRef.name);
        assert.ok(secretNames.length > 0, "the migration container reads no Secret");
        // The Secrets are auto-named: a Kubernetes object's id is `<namespace>/<name>`.
        const env: Record<string, string> = {};
        for (const name of secretNames) {
            const secret = res.ofType("kubernetes:core/v1:Secret").find((s) => s.id === `${namespace}/${name}`);
            assert.ok(secret, `the migration container reads Secret ${namespace}/${name}, which the program does not create`);
            Object.assign(env, reveal<Record<string, string>>((secret.inputs as any).stringData));
        }
        assert.equal(
            env.CELERY_BROKER_URL,
            "redis://:cache-password@cache:6379/1",
            "the migration Job's Secrets carry the data tier's broker URL",
        );
        assert.equal((job.inputs as any).spec.backoffLimit, 2);
        assert.equal((job.inputs as any).spec.template.spec.restartPolicy, "Never");
    });

    it("names the migration Job after the Core image, so it re-runs exactly when the image changes", async () => {
        const nameFor = async (image: string, extra: object = {}) => {
            const r = await registered(() => saleorCore({ image, ...extra }));
            return (r.component(JOB, "migrations")[0].inputs as any).metadata.name;
        };
        const a = await nameFor("ghcr.io/saleor/saleor:3.23.5");
        assert.equal(a, `saleor-migrate-${digest("ghcr.io/saleor/saleor:3.23.5")}`);
        assert.equal(
            await nameFor("ghcr.io/saleor/saleor:3.23.5", { settings: { defaultFromEmail: "other@example.com" } }),
            a,
            "a settings change must not re-run migrations",
        );
        assert.notEqual(await nameFor("ghcr.io/saleor/saleor:3.23.6"), a);
    });

    it("rolls Core pods when a setting changes, through a digest annotation", async () => {
        const annotation = async (email: string) => {
            const r = await registered(() => saleorCore({ settings: { defaultFromEmail: email } }));
            return (r.component(DEPLOYMENT, "api")[0].inputs as any).spec.template.metadata.annotations["saleor.io/config-digest"];
        };
        const a = await annotation("a@example.com");
        assert.equal(typeof a, "string", "the digest is plain text: it reveals nothing of the secrets");
        assert.notEqual(a, await annotation("b@example.com"));
    });

    it("runs exactly one Celery beat, recreated (never two at once), with the database scheduler", () => {
        const beat = res.component(DEPLOYMENT, "beat");
        assert.equal(beat.length, 1);
        assert.equal((beat[0].inputs as any).spec.replicas, 1);
        assert.deepEqual((beat[0].inputs as any).spec.strategy, { type: "Recreate" });
        assert.ok(containers(beat[0])[0].command.includes("saleor.schedulers.schedulers.DatabaseScheduler"));
        assert.equal(res.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").filter((h) => h.name.includes("beat")).length, 0);
    });

    it("keeps beat single even when the workload settings it is handed carry more replicas", async () => {
        // A stack's workloads setting carries replicas and autoscaling for beat too; beat reads only its resources.
        const beat = {
            replicas: 3,
            autoscaling: { maxReplicas: 4, targetCpuUtilization: 50 },
            resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
        };
        const r = await registered(() =>
            saleorCore({
                workloads: {
                    api: { replicas: 1, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } },
                    worker: { replicas: 1, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } },
                    beat,
                    dashboard: { replicas: 1, resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } },
                    migration: { resources: { requests: { cpu: "1", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } } },
                },
            }),
        );
        assert.equal((r.component(DEPLOYMENT, "beat")[0].inputs as any).spec.replicas, 1);
        assert.equal(r.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").filter((h) => h.name.includes("beat")).length, 0);
    });

    it("sets only environment variables Saleor reads", () => {
        const config = res.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.name === "r1-core-config")!;
        const secret = res.ofType("kubernetes:core/v1:Secret").find((s) => s.name === "r1-core-env")!;
        const names = [
            ...Object.keys((config.inputs as any).data),
            ...Object.keys(reveal<Record<string, string>>((secret.inputs as any).stringData)),
        ];
        assert.ok(names.length >= 12);
        for (const n of names) assert.ok(saleorReads.has(n), `${n} is not read by Saleor`);
    });

    it("configures Saleor for production: DEBUG off, client hosts, CORS origins and an https PUBLIC_URL", () => {
        const data = (res.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.name === "r1-core-config")!.inputs as any).data;
        assert.equal(data.DEBUG, "False");
        assert.equal(data.ALLOWED_CLIENT_HOSTS, "dashboard.example.com,de.example.com,nl.example.com");
        assert.equal(data.ALLOWED_GRAPHQL_ORIGINS, "https://dashboard.example.com,https://de.example.com,https://nl.example.com");
        assert.equal(data.PUBLIC_URL, "https://api.example.com/");
        assert.match(data.ALLOWED_HOSTS, /^api\.example\.com,.+\.saleor\.svc\.cluster\.local$/);
        assert.equal(data.SEND_USAGE_TELEMETRY, "False");
    });

    it("keeps every credential in a Secret whose data is a Pulumi secret, never in the ConfigMap or pod env", () => {
        const secret = res.ofType("kubernetes:core/v1:Secret").find((s) => s.name === "r1-core-env")!;
        assert.ok(isSecret((secret.inputs as any).stringData), "the Secret's data must be a Pulumi secret");
        const plain = JSON.stringify(res.all.filter((r) => r !== secret).map((r) => r.inputs));
        for (const s of plantedSecrets) assert.ok(!plain.includes(s), `${s} leaked into plain inputs`);
    });

    it("adds a PDB and an HPA for replicated workloads, and none for single ones", () => {
        const pdbs = res
            .ofType("kubernetes:policy/v1:PodDisruptionBudget")
            .map((p) => (p.inputs as any).metadata.labels["app.kubernetes.io/component"]);
        assert.deepEqual(pdbs.sort(), ["api", "worker"]);
        const api = res.component(DEPLOYMENT, "api")[0];
        assert.equal((api.inputs as any).spec.replicas, undefined, "the HPA owns the replica count");
        const hpa = res.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").find((h) => h.name === "r1-core-api")!;
        assert.equal((hpa.inputs as any).spec.minReplicas, 2);
    });

    it("routes the API and Dashboard hosts through Ingresses of the configured class", () => {
        const hosts = res
            .ofType("kubernetes:networking.k8s.io/v1:Ingress")
            .flatMap((i) => (i.inputs as any).spec.rules.map((r: any) => r.host));
        assert.deepEqual(hosts.sort(), ["api.example.com", "dashboard.example.com"]);
        for (const i of res.ofType("kubernetes:networking.k8s.io/v1:Ingress"))
            assert.equal((i.inputs as any).spec.ingressClassName, "nginx");
    });

    it("parents every child to the component and uses the given Kubernetes provider", () => {
        const component = res.ofType("saleor:components:SaleorCore")[0];
        for (const r of res.all.filter((x) => x.custom && !x.type.startsWith("pulumi:providers:"))) {
            assert.equal(r.parent, component.urn, r.name);
            assert.match(r.provider, /pulumi:providers:kubernetes::r1-core-k8s::/, r.name);
        }
    });

    it("in a secondary region runs no migration Job and waits for the primary's", async () => {
        const r = await registered(() => {
            const primary = saleorCore({}, "primary-core");
            return saleorCore({ runMigrations: false, migrationDependency: primary.migrationJob }, "secondary-core");
        });
        const jobs = r.component(JOB, "migrations");
        assert.equal(jobs.length, 1);
        assert.ok(jobs[0].name.startsWith("primary-core"));
        const secondaryApi = r.component(DEPLOYMENT, "api").find((d) => d.name.startsWith("secondary-core"))!;
        assert.ok(secondaryApi.dependencies.includes(jobs[0].urn));
    });

    it("in a secondary region runs no Celery beat: one scheduler per database, and the database is shared", async () => {
        const r = await registered(() => {
            const primary = saleorCore({}, "primary-core");
            return saleorCore({ runMigrations: false, migrationDependency: primary.migrationJob }, "secondary-core");
        });
        assert.deepEqual(
            r.component(DEPLOYMENT, "beat").map((d) => d.name),
            ["primary-core-beat"],
        );
    });

    it("loads demo data only when asked, after the migrations", async () => {
        assert.equal(res.component(JOB, "demo-data").length, 0);
        const r = await registered(() => saleorCore({ demoData: true }));
        const demo = r.component(JOB, "demo-data")[0];
        assert.deepEqual(containers(demo)[0].command, ["python3", "manage.py", "populatedb", "--createsuperuser"]);
        assert.ok(demo.dependencies.includes(r.component(JOB, "migrations")[0].urn));
    });

    it("tells Saleor to sign media links when media lives in a private bucket without a CDN", async () => {
        const r = await registered(() =>
            saleorCore({
                connection: connectionFacts({
                    kind: "s3",
                    bucket: pulumi.output("media-bucket"),
                    region: "eu-central-1",
                    privateBucket: pulumi.output("private-bucket"),
                }),
            }),
        );
        const data = (r.ofType("kubernetes:core/v1:ConfigMap").find((c) => c.name === "r1-core-config")!.inputs as any).data;
        assert.equal(data.AWS_MEDIA_BUCKET_NAME, "media-bucket");
        assert.equal(data.AWS_S3_REGION_NAME, "eu-central-1");
        assert.equal(data.AWS_QUERYSTRING_AUTH, "True");
        assert.equal(r.ofType("kubernetes:core/v1:PersistentVolumeClaim").length, 0);
    });
});
