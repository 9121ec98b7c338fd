import type * as k8s from "@pulumi/kubernetes";
import { ServiceAccount } from "@pulumi/kubernetes/core/v1/serviceAccount";
import * as pulumi from "@pulumi/pulumi";
import {
    appLabels,
    createAppDeployment,
    drainSeconds,
    httpProbe,
    type CanaryRollout,
    preStopSleep,
    serverKeepAliveSeconds,
    type WorkloadSpec,
} from "../kubernetes/workload";
import { workerDatabaseEnv } from "./env";
import { coreRunAs, type CoreRuntime } from "./runtime";

/** uvicorn --timeout-graceful-shutdown: in-flight requests may finish for this long after SIGTERM. */
const apiGracefulShutdownSeconds = 30;

export interface ProcessesArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly runtime: CoreRuntime;
    readonly workloads: { readonly api: WorkloadSpec; readonly worker: WorkloadSpec; readonly beat: Pick<WorkloadSpec, "resources"> };
    /** uvicorn --workers per API pod. */
    readonly apiWorkers: number;
    /** celery --concurrency per worker pod. */
    readonly workerConcurrency: number;
    /** Run Celery beat (once per database: the primary region only). */
    readonly runScheduler: boolean;
    /** What every process waits for: this region's migration Job, or the primary's. */
    readonly afterMigration: pulumi.Input<pulumi.Resource>[];
    /** Service account created for the Core pods. Default: the namespace's default account. */
    readonly serviceAccountName?: string;
    /**
     * The worker's and beat's Deployment names, where this region's migration Job scales them to 0
     * first: they keep these names and declare their replicas, so the update after the Job starts
     * them again. Default: auto-named, never scaled from outside.
     */
    readonly stoppedByMigration?: { readonly worker: string; readonly beat: string };
    /** Release the API as a canary (an Argo Rollout) instead of a rolling Deployment. Default: a Deployment. */
    readonly apiCanary?: CanaryRollout;
}

export interface Processes {
    /** The API Deployment, or its Rollout (what a storefront build waits for). */
    readonly api: k8s.apps.v1.Deployment | k8s.apiextensions.CustomResource;
    /** The service account the Core pods run as, when one was asked for. */
    readonly serviceAccountName?: pulumi.Output<string>;
}

/**
 * Core's long-running processes: the API (uvicorn), the Celery worker and, where this region
 * schedules, Celery beat. Each rolls only after the migration.
 */
export function createProcesses(name: string, args: ProcessesArgs, parent: pulumi.Resource): Processes {
    const ns = args.namespace;
    const instance = args.instance;
    const coreContainer = args.runtime.coreContainer;
    const workloadOpts: pulumi.CustomResourceOptions = { parent, dependsOn: args.afterMigration };
    const podAnnotations = { "saleor.io/config-digest": args.runtime.configDigest };
    const serviceAccount = args.serviceAccountName
        ? new ServiceAccount(
              `${name}-core`,
              {
                  metadata: { name: args.serviceAccountName, namespace: ns, labels: appLabels("core", instance) },
                  // Pod Identity projects its own token; nothing in Saleor talks to the Kubernetes API.
                  automountServiceAccountToken: false,
              },
              { parent },
          )
        : undefined;
    const serviceAccountName = serviceAccount?.metadata.name;
    const common = { namespace: ns, instance, runAs: coreRunAs, podAnnotations, volumes: args.runtime.volumes, serviceAccountName };

    const api = createAppDeployment(
        `${name}-api`,
        {
            ...common,
            component: "api",
            spec: args.workloads.api,
            canary: args.apiCanary,
            // The drain, then uvicorn's graceful shutdown, then a margin before SIGKILL.
            terminationGracePeriodSeconds: drainSeconds + apiGracefulShutdownSeconds + 10,
            containers: [
                {
                    ...coreContainer("api", ["uvicorn"], args.workloads.api.resources),
                    // The image's CMD with the worker count ours: no env var sets it.
                    args: [
                        "saleor.asgi:application",
                        "--host=0.0.0.0",
                        "--port=8000",
                        `--workers=${args.apiWorkers}`,
                        "--lifespan=auto",
                        "--ws=none",
                        "--no-server-header",
                        "--no-access-log",
                        // Longer than the ALB's 60 s idle timeout: the image's 35 s lets uvicorn close a
                        // connection the ALB is about to reuse, a sporadic 502 (seconds, uvicorn's --help).
                        `--timeout-keep-alive=${serverKeepAliveSeconds}`,
                        `--timeout-graceful-shutdown=${apiGracefulShutdownSeconds}`,
                        "--limit-max-requests=10000",
                    ],
                    ports: [{ name: "http", containerPort: 8000 }],
                    // /health/ answers from the ASGI layer before Django: fine for liveness. Readiness means
                    // "can serve" only because the migration Job finished before this Deployment rolled.
                    startupProbe: httpProbe("/health/", "http", 5, 36),
                    readinessProbe: httpProbe("/health/", "http", 5, 3),
                    livenessProbe: httpProbe("/health/", "http", 10, 3),
                    // Let the load balancer drop the pod before uvicorn stops accepting.
                    lifecycle: preStopSleep(drainSeconds),
                },
            ],
        },
        workloadOpts,
    );

    // Celery's own ping through the broker: proves the worker consumes, not just that it exists.
    const celeryPing = ["sh", "-c", "celery --app saleor.celeryconf:app inspect ping --destination celery@$HOSTNAME --timeout 10"];
    const worker = coreContainer(
        "worker",
        ["celery", "--app", "saleor.celeryconf:app", "worker", "-E", "--loglevel=info", `--concurrency=${args.workerConcurrency}`],
        args.workloads.worker.resources,
    );
    createAppDeployment(
        `${name}-worker`,
        {
            ...common,
            component: "worker",
            spec: args.workloads.worker,
            deploymentName: args.stoppedByMigration?.worker,
            scaledDownBeforeUpdate: args.stoppedByMigration !== undefined,
            containers: [
                {
                    ...worker,
                    env: [...((worker.env as k8s.types.input.core.v1.EnvVar[] | undefined) ?? []), ...workerDatabaseEnv],
                    readinessProbe: {
                        exec: { command: celeryPing },
                        periodSeconds: 60,
                        timeoutSeconds: 30,
                        failureThreshold: 3,
                        initialDelaySeconds: 30,
                    },
                    livenessProbe: {
                        exec: { command: celeryPing },
                        periodSeconds: 120,
                        timeoutSeconds: 30,
                        failureThreshold: 3,
                        initialDelaySeconds: 60,
                    },
                },
            ],
        },
        workloadOpts,
    );

    if (args.runScheduler)
        createAppDeployment(
            `${name}-beat`,
            {
                ...common,
                component: "beat",
                deploymentName: args.stoppedByMigration?.beat,
                scaledDownBeforeUpdate: args.stoppedByMigration !== undefined,
                // Exactly one scheduler per database; Recreate so a rollout never runs two at once.
                spec: { replicas: 1, resources: args.workloads.beat.resources },
                strategy: "Recreate",
                containers: [
                    {
                        ...coreContainer(
                            "beat",
                            [
                                "celery",
                                "--app",
                                "saleor.celeryconf:app",
                                "beat",
                                "--loglevel=info",
                                "--scheduler",
                                "saleor.schedulers.schedulers.DatabaseScheduler",
                            ],
                            args.workloads.beat.resources,
                        ),
                        // Beat serves nothing and answers no ping: the process itself is its health. Without
                        // probes a crash still restarts it; a probe would only re-test that PID 1 exists.
                    },
                ],
            },
            workloadOpts,
        );

    return { api: api.workload, serviceAccountName };
}
