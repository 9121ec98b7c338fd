import type * as k8s from "@pulumi/kubernetes";
import { Service } from "@pulumi/kubernetes/core/v1/service";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, selectorLabels, type CanaryRollout } from "../kubernetes/workload";
import { canaryAnalysisOf } from "../kubernetes/canary-analysis";
import { createDashboard, createDashboardServices, dashboardHealthPath, dashboardServicePort } from "./dashboard";
import { createIngresses } from "./ingresses";
import { createDatabaseRole, createDemoData, createMigration, createStaticFiles } from "./migration";
import { createProcesses } from "./processes";
import { celeryDeployments, createReleaseStop } from "./release-stop";
import { createRuntime } from "./runtime";
import type { SaleorCoreArgs } from "./types";

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
    /** The API Service's cluster IP: where the API's host can point inside the cluster (plain HTTP, port 80). */
    public readonly apiClusterIp: pulumi.Output<string>;
    /** The API Deployment, or on a canary its release's gate Job (what a storefront build waits for). */
    public readonly api: k8s.apps.v1.Deployment | k8s.batch.v1.Job | k8s.apiextensions.CustomResource;
    /** The API's Ingress; its status names the load balancer that DNS points at. */
    public readonly apiIngress: k8s.networking.v1.Ingress;

    constructor(name: string, args: SaleorCoreArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:SaleorCore", name, {}, opts);
        const ns = args.namespace;
        const instance = args.instance;

        // Each part is a create function parented to this component, called in the order the
        // resources have always been registered; their names, and so their URNs, are unchanged.

        // The API Service is created first so its name can go into ALLOWED_HOSTS.
        const apiService = new Service(
            `${name}-api`,
            {
                metadata: { namespace: ns, labels: appLabels("api", instance) },
                spec: {
                    type: "ClusterIP",
                    selector: selectorLabels("api", instance),
                    ports: [{ name: "http", port: 80, targetPort: "http" }],
                },
            },
            { parent: this },
        );
        const internalApiHost = pulumi.interpolate`${apiService.metadata.name}.${ns}.svc.cluster.local`;

        const runtime = createRuntime(
            name,
            {
                namespace: ns,
                instance,
                image: args.image,
                hosts: args.hosts,
                settings: args.settings,
                secrets: args.secrets,
                syncedSecret: args.syncedSecret,
                connection: args.connection,
                internalApiHost,
                extraConfig: args.extraConfig,
            },
            this,
        );

        // The role Core connects as, created as the master before the migration runs as that role.
        const admin = args.connection.databaseAdmin;
        const ca = args.connection.databaseCa;
        const databaseRole =
            args.runMigrations && args.databaseRole && admin && ca
                ? createDatabaseRole(
                      name,
                      {
                          namespace: ns,
                          instance,
                          image: args.image,
                          runtime,
                          resources: args.workloads.migration.resources,
                          host: admin.host,
                          masterUser: admin.masterUser,
                          database: admin.database,
                          role: admin.role,
                          caFile: `${ca.mountPath}/bundle.pem`,
                          secret: { name: args.databaseRole.secretName, version: args.databaseRole.version },
                          readyAfter: [...(args.connection.writerReadyAfter ?? args.connection.readyAfter), ...args.databaseRole.ready],
                      },
                      this,
                  )
                : undefined;

        const migrationJob = args.runMigrations
            ? createMigration(
                  name,
                  {
                      namespace: ns,
                      instance,
                      image: args.image,
                      spec: args.workloads.migration,
                      runtime,
                      // The writer and the cache: a first deployment migrates while the reader is created.
                      readyAfter: args.connection.writerReadyAfter ?? args.connection.readyAfter,
                      after: [...(args.beforeMigration ?? []), ...(databaseRole ? [databaseRole] : [])],
                      stop: createReleaseStop(name, { namespace: ns, instance, image: args.image }, this),
                  },
                  this,
              )
            : undefined;
        this.migrationJob = migrationJob;
        // Core's workloads also wait for everything they connect to (the readers among them).
        const afterMigration: pulumi.Input<pulumi.Resource>[] = [
            ...(migrationJob ? [migrationJob] : args.migrationDependency ? [args.migrationDependency] : []),
            ...(args.connection.writerReadyAfter ? args.connection.readyAfter : []),
        ];

        const dashboardAndIngresses = () => {
            const dashboard = createDashboard(
                name,
                {
                    namespace: ns,
                    instance,
                    image: args.dashboardImage,
                    spec: args.workloads.dashboard,
                    hosts: args.hosts,
                },
                this,
            );
            return { dashboard, ingresses: () => createIngressesOf(dashboard) };
        };
        const createIngressesOf = (dashboard: { readonly service: k8s.core.v1.Service }) =>
            createIngresses(
                name,
                {
                    namespace: ns,
                    instance,
                    hosts: args.hosts,
                    ingress: args.ingress,
                    apiServiceName: apiService.metadata.name,
                    dashboardServiceName: dashboard.service.metadata.name,
                    albCanary: args.canary !== undefined && (args.canary.trafficRouter ?? "alb") === "alb",
                },
                this,
            );

        // A canary's Rollout names the Ingresses whose traffic it splits, so on that path the
        // Dashboard's Services and the Ingresses come first; otherwise the order (and the plan) is as it was.
        const dashboardServices = args.canary ? createDashboardServices(name, { namespace: ns, instance }, this) : undefined;
        const earlyIngresses = dashboardServices ? createIngressesOf({ service: dashboardServices.stable }) : undefined;
        if (args.canary && dashboardServices && earlyIngresses) {
            const delivery = args.canary;
            createDashboard(
                name,
                {
                    namespace: ns,
                    instance,
                    image: args.dashboardImage,
                    spec: args.workloads.dashboard,
                    hosts: args.hosts,
                    service: dashboardServices.stable,
                    canary: {
                        stableServiceName: dashboardServices.stable.metadata.name,
                        canaryServiceName: dashboardServices.canary.metadata.name,
                        servicePort: dashboardServicePort.port,
                        ingressNames: [earlyIngresses.dashboard.metadata.name],
                        trafficRouter: delivery.trafficRouter,
                        steps: delivery.steps,
                        analysis: canaryAnalysisOf(
                            `${name}-dashboard-analysis`,
                            delivery,
                            {
                                namespace: ns,
                                component: "dashboard",
                                instance,
                                probe: {
                                    canaryServiceName: dashboardServices.canary.metadata.name,
                                    port: dashboardServicePort.port,
                                    path: dashboardHealthPath,
                                },
                            },
                            [earlyIngresses.dashboard],
                            { parent: this },
                        ),
                        dependsOn: delivery.dependsOn,
                        gate: delivery.gate,
                    },
                },
                this,
            );
        }
        const apiCanary =
            args.canary &&
            ((): CanaryRollout => {
                // The Service Argo points at the canary's pods; the API Service above stays the stable one.
                const canaryService = new Service(
                    `${name}-api-canary`,
                    {
                        metadata: { namespace: ns, labels: appLabels("api", instance) },
                        spec: {
                            type: "ClusterIP",
                            selector: selectorLabels("api", instance),
                            ports: [{ name: "http", port: 80, targetPort: "http" }],
                        },
                    },
                    { parent: this },
                );
                return {
                    stableServiceName: apiService.metadata.name,
                    canaryServiceName: canaryService.metadata.name,
                    servicePort: 80,
                    ingressNames: [earlyIngresses!.api.metadata.name],
                    trafficRouter: args.canary!.trafficRouter,
                    steps: args.canary!.steps,
                    analysis: canaryAnalysisOf(
                        `${name}-api-analysis`,
                        args.canary!,
                        {
                            namespace: ns,
                            component: "api",
                            instance,
                            // /health/ answers 200 from the ASGI layer, whatever the Host (saleor/asgi).
                            probe: { canaryServiceName: canaryService.metadata.name, port: 80, path: "/health/" },
                        },
                        [earlyIngresses!.api],
                        { parent: this },
                    ),
                    dependsOn: args.canary!.dependsOn,
                };
            })();

        const processes = createProcesses(
            name,
            {
                namespace: ns,
                instance,
                runtime,
                workloads: args.workloads,
                apiWorkers: args.apiWorkers ?? 2,
                workerConcurrency: args.workerConcurrency ?? 2,
                runScheduler: args.runScheduler ?? args.runMigrations,
                afterMigration,
                // The migration Job stops these two by name before it migrates; they start again after it.
                stoppedByMigration: migrationJob ? celeryDeployments : undefined,
                serviceAccountName: args.serviceAccountName,
                apiCanary,
                apiGate: args.canary?.gate,
            },
            this,
        );
        this.api = processes.api;

        const late = earlyIngresses ? undefined : dashboardAndIngresses();

        // Static files live in the media bucket where media is on S3 (Core serves none with DEBUG
        // off); one region copies them, as every region reads the same bucket.
        if (args.connection.media.kind === "s3" && args.runMigrations) {
            createStaticFiles(
                name,
                {
                    namespace: ns,
                    instance,
                    image: args.image,
                    runtime,
                    serviceAccountName: processes.serviceAccountName,
                    resources: args.workloads.migration.resources,
                },
                this,
            );
        }

        if (args.demoData && migrationJob) {
            createDemoData(
                name,
                {
                    namespace: ns,
                    instance,
                    runtime,
                    serviceAccountName: processes.serviceAccountName,
                    resources: args.workloads.migration.resources,
                    migrationJob,
                },
                this,
            );
        }

        this.apiIngress = (earlyIngresses ?? late!.ingresses()).api;

        this.apiUrl = pulumi.output(`${args.hosts.scheme}://${args.hosts.api}/`);
        this.graphqlUrl = pulumi.output(`${args.hosts.scheme}://${args.hosts.api}/graphql/`);
        this.dashboardUrl = pulumi.output(`${args.hosts.scheme}://${args.hosts.dashboard}/dashboard/`);
        this.internalGraphqlUrl = pulumi.interpolate`http://${internalApiHost}/graphql/`;
        this.apiClusterIp = apiService.spec.clusterIP;
        this.registerOutputs({
            apiUrl: this.apiUrl,
            graphqlUrl: this.graphqlUrl,
            dashboardUrl: this.dashboardUrl,
            internalGraphqlUrl: this.internalGraphqlUrl,
            migrationJob: migrationJob?.metadata.name,
        });
    }
}
