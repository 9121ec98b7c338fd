import type * as k8s from "@pulumi/kubernetes";
import { Job } from "@pulumi/kubernetes/batch/v1/job";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import { Service } from "@pulumi/kubernetes/core/v1/service";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1/serviceAccount";
import * as pulumi from "@pulumi/pulumi";
import {
    appLabels, containerSecurityContext, createAppDeployment, createIngress, digest, httpProbe, podSecurityContext,
    resourceRequirements, selectorLabels, type ResourceSpec, type RunAs,
} from "../kubernetes/workload";
import { coreConfigData, coreSecretData } from "./env";
import type { SaleorCoreArgs } from "./types";

/** The Core image creates a system user `saleor` (`useradd -r` on Debian: uid/gid 999) and owns /app/media by it. */
export const coreRunAs: RunAs = { user: 999, group: 999 };
/** The Dashboard's nginx user (nginx:alpine creates `nginx` as 101); binds port 80 through the unprivileged-port sysctl. */
export const dashboardRunAs: RunAs = { user: 101, group: 101, bindLowPorts: true };

/**
 * Saleor Core in one region: settings, the migration Job, the API (uvicorn), Celery worker and
 * beat, the Dashboard, and the Ingresses for the API and Dashboard hosts.
 *
 * Ordering: the migration Job runs (and is awaited) before any Core workload rolls, and is
 * replaced, and so re-run, exactly when the Core image changes: its name carries the image digest.
 */
export class SaleorCore extends pulumi.ComponentResource {
    /** Public base URL of the API, with trailing slash. */
    public readonly apiUrl: pulumi.Output<string>;
    /** GraphQL endpoint (what the Dashboard and storefront call). */
    public readonly graphqlUrl: pulumi.Output<string>;
    /** Public URL of the Dashboard. */
    public readonly dashboardUrl: pulumi.Output<string>;
    /** The migration Job of this region, if it runs one. */
    public readonly migrationJob?: k8s.batch.v1.Job;
    /** In-cluster URL of the GraphQL endpoint (for server-side calls that stay in the cluster). */
    public readonly internalGraphqlUrl: pulumi.Output<string>;
    /** The API Deployment (what a storefront build waits for). */
    public readonly api: k8s.apps.v1.Deployment;
    /** The API's Ingress; its status names the load balancer that DNS points at. */
    public readonly apiIngress: k8s.networking.v1.Ingress;

    constructor(name: string, args: SaleorCoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:SaleorCore", name, {}, opts);
        const parentOpts: pulumi.CustomResourceOptions = { parent: this };
        const ns = args.namespace;
        const instance = args.instance;

        // The API Service is created first so its name can go into ALLOWED_HOSTS.
        const apiService = new Service(`${name}-api`, {
            metadata: { namespace: ns, labels: appLabels("api", instance) },
            spec: {
                type: "ClusterIP",
                selector: selectorLabels("api", instance),
                ports: [{ name: "http", port: 80, targetPort: "http" }],
            },
        }, parentOpts);
        const internalApiHost = pulumi.interpolate`${apiService.metadata.name}.${ns}.svc.cluster.local`;

        const configData = coreConfigData({ hosts: args.hosts, settings: args.settings, media: args.connection.media, internalApiHost })
            .apply((d) => ({ ...d, ...(args.extraConfig ?? {}) }));
        const secretData = coreSecretData(args.connection, args.secrets);

        const config = new ConfigMap(`${name}-config`, {
            metadata: { namespace: ns, labels: appLabels("core", instance) },
            data: configData as pulumi.Output<Record<string, string>>,
        }, parentOpts);
        const secret = new Secret(`${name}-env`, {
            metadata: { namespace: ns, labels: appLabels("core", instance) },
            type: "Opaque",
            stringData: secretData,
        }, parentOpts);

        // A digest of every setting: a changed value rolls the pods without renaming the ConfigMap or
        // Secret, which would also rename (and so re-run) the migration Job. The digest reveals nothing.
        const configDigest = pulumi.unsecret(pulumi.all([configData, secretData]).apply(([c, s]) => digest(JSON.stringify(c), JSON.stringify(s))));

        const envFrom: k8s.types.input.core.v1.EnvFromSource[] = [
            { configMapRef: { name: config.metadata.name } },
            { secretRef: { name: secret.metadata.name } },
        ];
        const mediaVolumes = args.connection.media.kind === "volume"
            ? { volumes: [{ name: "media", persistentVolumeClaim: { claimName: args.connection.media.claimName } }], mounts: [{ name: "media", mountPath: "/app/media" }] }
            : { volumes: [], mounts: [] };
        // Read-only root file system; Python, uploads and Celery get a scratch /tmp (HOME too: the
        // `saleor` system user has no home directory).
        const volumes = [{ name: "tmp", emptyDir: {} }, ...mediaVolumes.volumes];
        const volumeMounts = [{ name: "tmp", mountPath: "/tmp" }, ...mediaVolumes.mounts];
        const coreContainer = (containerName: string, command: string[], resources: ResourceSpec): k8s.types.input.core.v1.Container => ({
            name: containerName,
            image: args.image,
            command,
            env: [{ name: "HOME", value: "/tmp" }],
            envFrom,
            resources: resourceRequirements(resources),
            securityContext: containerSecurityContext(true),
            volumeMounts,
        });

        let migrationJob: k8s.batch.v1.Job | undefined;
        if (args.runMigrations) {
            const m = args.workloads.migration;
            const deadline = m.activeDeadlineSeconds ?? 1800;
            migrationJob = new Job(`${name}-migrate`, {
                metadata: {
                    // Named by the image: a new image is a new Job (so migrations run), the same image is no change.
                    name: pulumi.output(args.image).apply((image) => `saleor-migrate-${digest(image)}`),
                    namespace: ns,
                    labels: appLabels("migrations", instance),
                },
                spec: {
                    backoffLimit: m.backoffLimit ?? 2,
                    activeDeadlineSeconds: deadline,
                    template: {
                        metadata: { labels: appLabels("migrations", instance) },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: podSecurityContext(coreRunAs),
                            volumes,
                            // Migrations enqueue Celery data-migration tasks, hence the broker URL in its env.
                            containers: [coreContainer("migrate", ["python3", "manage.py", "migrate", "--noinput"], m.resources)],
                        },
                    },
                },
            }, {
                ...parentOpts,
                dependsOn: args.connection.readyAfter,
                // The provider awaits Complete (and fails on Failed); give it the Job's own deadline plus start-up.
                customTimeouts: { create: `${deadline + 300}s`, update: `${deadline + 300}s` },
            });
        }
        this.migrationJob = migrationJob;
        const afterMigration: pulumi.Input<pulumi.Resource>[] = migrationJob ? [migrationJob]
            : args.migrationDependency ? [args.migrationDependency] : [];
        const workloadOpts: pulumi.CustomResourceOptions = { ...parentOpts, dependsOn: afterMigration };
        const podAnnotations = { "saleor.io/config-digest": configDigest };
        const serviceAccount = args.serviceAccountName ? new ServiceAccount(`${name}-core`, {
            metadata: { name: args.serviceAccountName, namespace: ns, labels: appLabels("core", instance) },
            // Pod Identity projects its own token; nothing in Saleor talks to the Kubernetes API.
            automountServiceAccountToken: false,
        }, parentOpts) : undefined;
        const serviceAccountName = serviceAccount?.metadata.name;
        const common = { namespace: ns, instance, runAs: coreRunAs, podAnnotations, volumes, serviceAccountName };

        const apiWorkers = args.apiWorkers ?? 2;
        const api = createAppDeployment(`${name}-api`, {
            ...common,
            component: "api",
            spec: args.workloads.api,
            containers: [{
                ...coreContainer("api", ["uvicorn"], args.workloads.api.resources),
                // The image's CMD with the worker count ours: no env var sets it.
                args: ["saleor.asgi:application", "--host=0.0.0.0", "--port=8000", `--workers=${apiWorkers}`, "--lifespan=auto",
                    "--ws=none", "--no-server-header", "--no-access-log", "--timeout-keep-alive=35", "--timeout-graceful-shutdown=30",
                    "--limit-max-requests=10000"],
                ports: [{ name: "http", containerPort: 8000 }],
                // /health/ answers from the ASGI layer before Django: fine for liveness. Readiness means
                // "can serve" only because the migration Job finished before this Deployment rolled.
                startupProbe: httpProbe("/health/", "http", 5, 36),
                readinessProbe: httpProbe("/health/", "http", 5, 3),
                livenessProbe: httpProbe("/health/", "http", 10, 3),
                // Let the load balancer drop the pod before uvicorn stops accepting.
                lifecycle: { preStop: { exec: { command: ["sleep", "5"] } } },
            }],
        }, workloadOpts);
        this.api = api.deployment;

        const concurrency = args.workerConcurrency ?? 2;
        // Celery's own ping through the broker: proves the worker consumes, not just that it exists.
        const celeryPing = ["sh", "-c", "celery --app saleor.celeryconf:app inspect ping --destination celery@$HOSTNAME --timeout 10"];
        createAppDeployment(`${name}-worker`, {
            ...common,
            component: "worker",
            spec: args.workloads.worker,
            containers: [{
                ...coreContainer("worker", ["celery", "--app", "saleor.celeryconf:app", "worker", "-E", "--loglevel=info", `--concurrency=${concurrency}`], args.workloads.worker.resources),
                readinessProbe: { exec: { command: celeryPing }, periodSeconds: 60, timeoutSeconds: 30, failureThreshold: 3, initialDelaySeconds: 30 },
                livenessProbe: { exec: { command: celeryPing }, periodSeconds: 120, timeoutSeconds: 30, failureThreshold: 3, initialDelaySeconds: 60 },
            }],
        }, workloadOpts);

        if (args.runScheduler ?? args.runMigrations) createAppDeployment(`${name}-beat`, {
            ...common,
            component: "beat",
            // Exactly one scheduler per database; Recreate so a rollout never runs two at once.
            spec: { ...args.workloads.beat, replicas: 1, autoscaling: undefined },
            strategy: "Recreate",
            containers: [{
                ...coreContainer("beat", ["celery", "--app", "saleor.celeryconf:app", "beat", "--loglevel=info",
                    "--scheduler", "saleor.schedulers.schedulers.DatabaseScheduler"], args.workloads.beat.resources),
                // Beat serves nothing and answers no ping: the process itself is its health. Without
                // probes a crash still restarts it; a probe would only re-test that PID 1 exists.
            }],
        }, workloadOpts);

        // The Dashboard rewrites its index.html from env at start, so its html directory must be
        // writable: an init container copies it into an emptyDir that the nginx container serves.
        const dashboard = createAppDeployment(`${name}-dashboard`, {
            namespace: ns, instance, runAs: dashboardRunAs,
            component: "dashboard",
            spec: args.workloads.dashboard,
            servicePort: { name: "http", port: 80, targetPort: "http" },
            initContainers: [{
                name: "copy-html",
                image: args.dashboardImage,
                command: ["sh", "-c", "cp -R /app/dashboard/. /html/"],
                resources: resourceRequirements(args.workloads.dashboard.resources),
                securityContext: containerSecurityContext(true),
                volumeMounts: [{ name: "html", mountPath: "/html" }],
            }],
            containers: [{
                name: "dashboard",
                image: args.dashboardImage,
                env: [{ name: "API_URL", value: `${args.hosts.scheme}://${args.hosts.api}/graphql/` }],
                ports: [{ name: "http", containerPort: 80 }],
                // No health route: the SPA's index is the check.
                readinessProbe: httpProbe("/dashboard/", "http", 10, 3),
                livenessProbe: httpProbe("/dashboard/", "http", 20, 3),
                resources: resourceRequirements(args.workloads.dashboard.resources),
                securityContext: containerSecurityContext(true),
                volumeMounts: [
                    { name: "html", mountPath: "/app/dashboard" },
                    { name: "nginx-cache", mountPath: "/var/cache/nginx" },
                    { name: "nginx-run", mountPath: "/var/run" },
                    { name: "nginx-conf", mountPath: "/etc/nginx/conf.d" },
                ],
            }],
            volumes: [
                { name: "html", emptyDir: {} },
                { name: "nginx-cache", emptyDir: {} },
                { name: "nginx-run", emptyDir: {} },
                { name: "nginx-conf", configMap: { name: this.dashboardNginxConfig(name, ns, instance).metadata.name } },
            ],
        }, parentOpts);

        if (args.demoData && migrationJob) {
            new Job(`${name}-demo-data`, {
                metadata: { namespace: ns, labels: appLabels("demo-data", instance) },
                spec: {
                    backoffLimit: 1,
                    activeDeadlineSeconds: 1800,
                    template: {
                        metadata: { labels: appLabels("demo-data", instance) },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            // The demo catalogue uploads product images to media storage.
                            serviceAccountName,
                            securityContext: podSecurityContext(coreRunAs),
                            volumes,
                            containers: [coreContainer("populatedb", ["python3", "manage.py", "populatedb", "--createsuperuser"], args.workloads.migration.resources)],
                        },
                    },
                },
            }, {
                ...parentOpts,
                dependsOn: [migrationJob],
                // A one-off: once it has loaded the catalogue, later changes must not run it again.
                ignoreChanges: ["spec"],
                customTimeouts: { create: "35m" },
            });
        }

        this.apiIngress = createIngress(`${name}-api`, {
            namespace: ns, component: "api", instance, hosts: [args.hosts.api],
            serviceName: apiService.metadata.name, servicePort: "http",
            ingressClassName: args.ingress.className, annotations: args.ingress.annotations, tls: args.ingress.tls,
        }, parentOpts);
        createIngress(`${name}-dashboard`, {
            namespace: ns, component: "dashboard", instance, hosts: [args.hosts.dashboard],
            serviceName: dashboard.service!.metadata.name, servicePort: "http",
            ingressClassName: args.ingress.className, annotations: args.ingress.annotations, tls: args.ingress.tls,
        }, parentOpts);

        this.apiUrl = pulumi.output(`${args.hosts.scheme}://${args.hosts.api}/`);
        this.graphqlUrl = pulumi.output(`${args.hosts.scheme}://${args.hosts.api}/graphql/`);
        this.dashboardUrl = pulumi.output(`${args.hosts.scheme}://${args.hosts.dashboard}/dashboard/`);
        this.internalGraphqlUrl = pulumi.interpolate`http://${internalApiHost}/graphql/`;
        this.registerOutputs({
            apiUrl: this.apiUrl,
            graphqlUrl: this.graphqlUrl,
            dashboardUrl: this.dashboardUrl,
            internalGraphqlUrl: this.internalGraphqlUrl,
            migrationJob: migrationJob?.metadata.name,
        });
    }

    /**
     * The image's server block with the pid file and temp paths nginx can write as non-root; the
     * stock config listens on 80 and serves /app/dashboard/ under / and /dashboard/ (same here).
     */
    private dashboardNginxConfig(name: string, ns: pulumi.Input<string>, instance: string): k8s.core.v1.ConfigMap {
        return new ConfigMap(`${name}-dashboard-nginx`, {
            metadata: { namespace: ns, labels: appLabels("dashboard", instance) },
            data: {
                "default.conf": [
                    "server {",
                    "    listen 80;",
                    "    server_name _;",
                    "    root /app/dashboard/;",
                    "    add_header Referrer-Policy origin-when-cross-origin;",
                    "    location / { alias /app/dashboard/; index index.html; try_files $uri $uri/ /dashboard/index.html; }",
                    "    location /dashboard/ { alias /app/dashboard/; index index.html; try_files $uri $uri/ /dashboard/index.html; }",
                    "}",
                ].join("\n"),
            },
        }, { parent: this });
    }
}
