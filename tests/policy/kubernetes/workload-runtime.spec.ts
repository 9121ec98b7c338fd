import * as assert from "assert";
import {
    celeryBeatSingleReplica,
    healthProbes,
    imagePinned,
    imageRegistryAllowed,
    noDemoDataJob,
    noPlaintextSecretEnv,
    resourcesSpecified,
    resourcesWithinRange,
} from "../../../policy/kubernetes";
import { container, deployment, migrationJob, workload } from "../fixtures/kubernetes";
import { assertPasses, assertViolates, resourceViolations, UNKNOWN_VALUE } from "../harness";

const sized = (requests: unknown, limits: unknown) => container({ resources: { requests, limits } });

describe("workload sizing rules", () => {
    describe("kubernetes-workload-resources-specified", () => {
        it("a container without limits is told which ones are missing", () =>
            assertViolates(
                resourcesSpecified,
                deployment({ containers: [container({ resources: { requests: { cpu: "1", memory: "2Gi" } } })] }),
                /container "api" has no limits.cpu, limits.memory; set resources.requests and resources.limits/,
            ));
        it("an init container without resources is a violation", () =>
            assertViolates(
                resourcesSpecified,
                deployment({ initContainers: [container({ name: "wait", resources: undefined })] }),
                /init container "wait" has no requests.cpu, requests.memory, limits.cpu, limits.memory/,
            ));
        it("a container with all four passes", () => assertPasses(resourcesSpecified, deployment()));
        it("values unknown during preview count as set", () =>
            assertPasses(resourcesSpecified, deployment({ containers: [sized({ cpu: UNKNOWN_VALUE, memory: "1Gi" }, UNKNOWN_VALUE)] })));
    });

    describe("kubernetes-workload-resources-within-range", () => {
        it("a production limit above 4Gi is a violation", () =>
            assertViolates(
                resourcesWithinRange,
                deployment({ containers: [sized({ cpu: "1", memory: "2Gi" }, { cpu: "2", memory: "8Gi" })] }),
                /container "api" limits.memory is 8Gi, above the 4Gi this stack allows; lower resources.limits.memory/,
            ));
        it("production API pods below the guide's 1 CPU / 2Gi requests are a violation", async () => {
            const messages = await resourceViolations(
                resourcesWithinRange,
                deployment({ containers: [sized({ cpu: "500m", memory: "1Gi" }, { cpu: "2", memory: "4Gi" })] }),
            );
            assert.deepStrictEqual(messages, [
                'Deployment saleor/api: container "api" requests.cpu is 500m, below the 1 this stack requires for component "api"; raise resources.requests.cpu.',
                'Deployment saleor/api: container "api" requests.memory is 1Gi, below the 2Gi this stack requires for component "api"; raise resources.requests.memory.',
            ]);
        });
        it("a production Celery worker limited below 1 CPU / 2Gi is a violation", () =>
            assertViolates(
                resourcesWithinRange,
                deployment({ component: "worker", containers: [sized({ cpu: "250m", memory: "1Gi" }, { cpu: "500m", memory: "2Gi" })] }),
                /limits.cpu is 500m, below the 1 this stack requires for component "worker"/,
            ));
        it("the production guide's API sizes pass", () => assertPasses(resourcesWithinRange, deployment()));
        it("quantities in any notation compare by value (2048Mi = 2Gi, 1000m = 1)", () =>
            assertPasses(
                resourcesWithinRange,
                deployment({ containers: [sized({ cpu: "1000m", memory: "2048Mi" }, { cpu: 2, memory: "4096Mi" })] }),
            ));
        it("staging's smaller ceiling applies to every container", () =>
            assertViolates(
                resourcesWithinRange,
                deployment({ component: "storefront" }),
                /limits.cpu is 2, above the 1 this stack allows/,
                { maxLimits: { cpu: "1" }, componentMinimums: {} },
            ));
        it("an invalid quantity is reported once with an example", () =>
            assertViolates(
                resourcesWithinRange,
                deployment({ containers: [sized({ cpu: "1", memory: "2Gi" }, { cpu: "two", memory: "4Gi" })] }),
                /limits.cpu "two" is not a Kubernetes quantity; use e.g. "500m"/,
            ));
        it("component minimums do not apply to init containers", () =>
            assertPasses(
                resourcesWithinRange,
                deployment({
                    initContainers: [
                        container({
                            name: "wait",
                            resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "50m", memory: "32Mi" } },
                        }),
                    ],
                }),
            ));
        it("unknown quantities are not a violation", () =>
            assertPasses(
                resourcesWithinRange,
                deployment({ containers: [sized({ cpu: UNKNOWN_VALUE, memory: UNKNOWN_VALUE }, UNKNOWN_VALUE)] }),
            ));
    });
});

describe("workload health and image rules", () => {
    describe("kubernetes-workload-health-probes", () => {
        it("a Deployment container without a readiness probe is a violation", () =>
            assertViolates(
                healthProbes,
                deployment({ containers: [container({ readinessProbe: undefined })] }),
                /container "api" has no readinessProbe; add an httpGet, tcpSocket, grpc or exec readinessProbe/,
            ));
        it("a StatefulSet without probes gets one violation per probe", async () => {
            const messages = await resourceViolations(
                healthProbes,
                workload("StatefulSet", {
                    component: "valkey",
                    containers: [container({ name: "valkey", livenessProbe: undefined, readinessProbe: undefined })],
                }),
            );
            assert.strictEqual(messages.length, 2);
        });
        it("Jobs run to completion and need no probes", () => assertPasses(healthProbes, migrationJob()));
        it("CronJobs need no probes", () =>
            assertPasses(
                healthProbes,
                workload("CronJob", { containers: [container({ livenessProbe: undefined, readinessProbe: undefined })] }),
            ));
        it("init containers need no probes", () =>
            assertPasses(
                healthProbes,
                deployment({ initContainers: [container({ name: "wait", livenessProbe: undefined, readinessProbe: undefined })] }),
            ));
        it("a container with both probes passes", () => assertPasses(healthProbes, deployment()));
        it("a probe unknown during preview is not a violation", () =>
            assertPasses(healthProbes, deployment({ containers: [container({ readinessProbe: UNKNOWN_VALUE })] })));
    });

    describe("kubernetes-workload-image-pinned", () => {
        it("an untagged image is a violation", () =>
            assertViolates(
                imagePinned,
                deployment({ containers: [container({ image: "ghcr.io/saleor/saleor" })] }),
                /image ghcr.io\/saleor\/saleor has no tag; pin a version tag \(e.g. ghcr.io\/saleor\/saleor:1.2.3\) or a digest/,
            ));
        it("the latest tag is a violation", () =>
            assertViolates(
                imagePinned,
                deployment({ containers: [container({ image: "postgres:latest" })] }),
                /uses the latest tag; pin a version tag \(e.g. docker.io\/library\/postgres:1.2.3\)/,
            ));
        it("a registry port is not mistaken for a tag", () =>
            assertViolates(imagePinned, deployment({ containers: [container({ image: "localhost:5000/storefront" })] }), /has no tag/));
        it("a version tag passes", () => assertPasses(imagePinned, deployment()));
        it("a digest passes", () =>
            assertPasses(imagePinned, deployment({ containers: [container({ image: "ghcr.io/saleor/saleor@sha256:0123abcd" })] })));
        it("an ECR image unknown during preview is not a violation", () =>
            assertPasses(imagePinned, deployment({ containers: [container({ image: UNKNOWN_VALUE })] })));
    });

    describe("kubernetes-workload-image-registry-allowed", () => {
        it("a Docker Hub image in production is a violation naming the fully qualified reference", () =>
            assertViolates(
                imageRegistryAllowed,
                deployment({ containers: [container({ image: "valkey/valkey:8.1-alpine" })] }),
                /image docker.io\/valkey\/valkey:8.1-alpine is not from an allowed registry \(ghcr.io\/saleor\/, /,
            ));
        it("the upstream Saleor image passes", () => assertPasses(imageRegistryAllowed, deployment()));
        it("an ECR image of any account in an allowed region passes", () =>
            assertPasses(
                imageRegistryAllowed,
                deployment({ containers: [container({ image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/saleor-storefront:3.23.5" })] }),
            ));
        it("an ECR image in another region is a violation", () =>
            assertViolates(
                imageRegistryAllowed,
                deployment({ containers: [container({ image: "123456789012.dkr.ecr.us-east-1.amazonaws.com/saleor-storefront:1" })] }),
                /not from an allowed registry/,
            ));
        it("dev's list admits the official postgres image", () =>
            assertPasses(
                imageRegistryAllowed,
                workload("StatefulSet", { component: "postgres", containers: [container({ image: "postgres:15.12-alpine" })] }),
                { allowedRegistries: ["docker.io/library/postgres:"] },
            ));
        it("an unknown image is not a violation", () =>
            assertPasses(imageRegistryAllowed, deployment({ containers: [container({ image: UNKNOWN_VALUE })] })));
    });
});

describe("workload secrets and scheduling rules", () => {
    describe("kubernetes-workload-no-plaintext-secret-env", () => {
        const env = (...vars: object[]) => deployment({ containers: [container({ env: vars })] });
        it("a plain SECRET_KEY is a violation that never repeats the value", async () => {
            const messages = await resourceViolations(noPlaintextSecretEnv, env({ name: "SECRET_KEY", value: "hunter2-very-secret" }));
            assert.deepStrictEqual(messages, [
                'Deployment saleor/api: container "api" sets SECRET_KEY (a secret-looking name) as a plain value; put it in a Secret and use env[].valueFrom.secretKeyRef.',
            ]);
        });
        it("credentials inside a URL are a violation whatever the name", () =>
            assertViolates(
                noPlaintextSecretEnv,
                env({ name: "DATABASE_URL", value: "postgres://saleor:saleor@db:5432/saleor" }),
                /sets DATABASE_URL \(credentials in its URL\)/,
            ));
        it("a Redis URL with only a password is a violation", () =>
            assertViolates(noPlaintextSecretEnv, env({ name: "CACHE_URL", value: "rediss://:p4ss@cache:6379/0" }), /CACHE_URL/));
        it("SENTRY_DSN and DB_PASSWORD are secret-looking names", async () => {
            const messages = await resourceViolations(
                noPlaintextSecretEnv,
                env({ name: "SENTRY_DSN", value: "https://k@sentry.io/1" }, { name: "DB_PASSWORD", value: "x" }),
            );
            assert.strictEqual(messages.length, 2);
        });
        it("secrets read through valueFrom pass", () => assertPasses(noPlaintextSecretEnv, deployment()));
        it("URLs without credentials and harmless names pass", () =>
            assertPasses(
                noPlaintextSecretEnv,
                env(
                    { name: "CELERY_BROKER_URL", value: "redis://valkey:6379/1" },
                    { name: "PUBLIC_URL", value: "https://shop.example.com/" },
                ),
            ));
        it("a value kept secret or unknown in the plan is never judged", () =>
            assertPasses(noPlaintextSecretEnv, env({ name: "SECRET_KEY", value: UNKNOWN_VALUE })));
        it("init containers are checked too", () =>
            assertViolates(
                noPlaintextSecretEnv,
                deployment({ initContainers: [container({ name: "wait", env: [{ name: "PGPASSWORD", value: "x" }] })] }),
                /init container "wait" sets PGPASSWORD/,
            ));
        it("names allowed in the stack's config pass", () =>
            assertPasses(noPlaintextSecretEnv, env({ name: "CACHE_KEY_PREFIX", value: "saleor" }), { allowedNames: ["CACHE_KEY_PREFIX"] }));
    });

    describe("kubernetes-celery-beat-single-replica", () => {
        const beat = (replicas: number | undefined, strategy?: string) =>
            deployment({
                component: "beat",
                replicas,
                containers: [
                    container({
                        name: "beat",
                        args: [
                            "celery",
                            "--app",
                            "saleor.celeryconf:app",
                            "beat",
                            "--scheduler",
                            "saleor.schedulers.schedulers.DatabaseScheduler",
                        ],
                    }),
                ],
                spec: strategy ? { strategy: { type: strategy } } : {},
            });
        it("two beat replicas are a violation", () =>
            assertViolates(
                celeryBeatSingleReplica,
                beat(2, "Recreate"),
                /^Deployment saleor\/beat runs Celery beat with 2 replicas; set spec.replicas to 1.$/,
            ));
        it("beat with the default RollingUpdate strategy is a violation", () =>
            assertViolates(
                celeryBeatSingleReplica,
                beat(1),
                /with the RollingUpdate strategy, which starts the new scheduler before the old one stops; set spec.strategy.type: Recreate/,
            ));
        it("one beat replica with Recreate passes", () => assertPasses(celeryBeatSingleReplica, beat(1, "Recreate")));
        it("a worker with an embedded scheduler (-B) counts as beat", () =>
            assertViolates(
                celeryBeatSingleReplica,
                deployment({
                    component: "worker",
                    replicas: 2,
                    spec: { strategy: { type: "Recreate" } },
                    containers: [container({ command: ["celery", "-A", "saleor.celeryconf:app", "worker", "-B"], args: undefined })],
                }),
                /2 replicas/,
            ));
        it("a plain worker may have many replicas", () =>
            assertPasses(
                celeryBeatSingleReplica,
                deployment({
                    component: "worker",
                    replicas: 4,
                    containers: [container({ args: ["celery", "--app", "saleor.celeryconf:app", "worker", "-E"] })],
                }),
            ));
        it("an unknown replica count is not a violation", () =>
            assertPasses(celeryBeatSingleReplica, beat(UNKNOWN_VALUE as unknown as number, "Recreate")));
    });
});

describe("kubernetes-no-demo-data-job", () => {
    const populatedb = (kind: "Job" | "CronJob", command: string[]) =>
        workload(kind, {
            name: "demo-data",
            component: "demo-data",
            containers: [container({ name: "populatedb", args: undefined, command })],
        });
    it("a Job running populatedb --createsuperuser is a violation (it creates admin@example.com / admin)", () =>
        assertViolates(
            noDemoDataJob,
            populatedb("Job", ["python3", "manage.py", "populatedb", "--createsuperuser"]),
            /^Job saleor\/demo-data: container "populatedb" runs `python3 manage.py populatedb --createsuperuser`, which loads demo data and a superuser admin@example.com \/ admin/,
        ));
    it("a CronJob running populatedb is a violation too", () =>
        assertViolates(
            noDemoDataJob,
            populatedb("CronJob", ["sh", "-c", "python3 manage.py populatedb"]),
            /runs `sh -c python3 manage.py populatedb`/,
        ));
    it("the migration Job passes", () => assertPasses(noDemoDataJob, migrationJob()));
    it("a Deployment is not judged", () => assertPasses(noDemoDataJob, deployment()));
});
