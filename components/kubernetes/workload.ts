import type * as k8s from "@pulumi/kubernetes";
import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import { Deployment } from "@pulumi/kubernetes/apps/v1/deployment";
import { HorizontalPodAutoscaler } from "@pulumi/kubernetes/autoscaling/v2/horizontalPodAutoscaler";
import { Service } from "@pulumi/kubernetes/core/v1/service";
import { Ingress } from "@pulumi/kubernetes/networking/v1/ingress";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1/podDisruptionBudget";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** Requests and limits of one container. */
export interface ResourceSpec {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
}

/** Replicas, resources and optional autoscaling of one long-running workload. */
export interface WorkloadSpec {
    readonly replicas: number;
    readonly resources: ResourceSpec;
    /** Horizontal autoscaling on CPU; created only where replicas > 1. */
    readonly autoscaling?: { readonly maxReplicas: number; readonly targetCpuUtilization: number };
}

/** Who runs a pod: uid/gid plus whether the image needs a writable root file system. */
export interface RunAs {
    readonly user: number;
    readonly group: number;
    /** Lets an unprivileged process bind ports below 1024 (nginx on 80); a namespaced, "safe" sysctl. */
    readonly bindLowPorts?: boolean;
}

/** The recommended labels (app.kubernetes.io/*) every object carries. */
export function appLabels(component: string, instance: string): Record<string, string> {
    return {
        "app.kubernetes.io/name": "saleor",
        "app.kubernetes.io/instance": instance,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/managed-by": "pulumi",
    };
}

/** The subset of labels that selects one component's pods (stable across releases). */
export function selectorLabels(component: string, instance: string): Record<string, string> {
    const { ["app.kubernetes.io/managed-by"]: _managedBy, ...selector } = appLabels(component, instance);
    return selector;
}

/** Pod-level security: non-root, the runtime's default seccomp profile, volumes owned by the group. */
export function podSecurityContext(runAs: RunAs): k8s.types.input.core.v1.PodSecurityContext {
    return {
        runAsNonRoot: true,
        runAsUser: runAs.user,
        runAsGroup: runAs.group,
        fsGroup: runAs.group,
        seccompProfile: { type: "RuntimeDefault" },
        ...(runAs.bindLowPorts ? { sysctls: [{ name: "net.ipv4.ip_unprivileged_port_start", value: "0" }] } : {}),
    };
}

/** Container-level security: no privilege, no escalation, no capabilities. */
export function containerSecurityContext(readOnlyRootFilesystem: boolean): k8s.types.input.core.v1.SecurityContext {
    return {
        privileged: false,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
    };
}

/**
 * Idle time the load balancers in front of our servers keep a connection: Elastic Load Balancing's
 * default ALB idle timeout (the stack does not change it; nginx's upstream keep-alive is 60 s too).
 * A server that closes an idle connection sooner races the balancer's next request on it: a 502.
 */
export const loadBalancerIdleTimeoutSeconds = 60;
/** What our HTTP servers keep an idle connection open for: longer than any balancer in front of them. */
export const serverKeepAliveSeconds = 75;
/**
 * How long a pod keeps serving after it is told to stop (a preStop sleep): long enough for its
 * endpoint removal to reach the AWS Load Balancer Controller and the ALB to deregister the target,
 * so no new request is sent to a process that is shutting down.
 */
export const drainSeconds = 20;

/** A preStop hook that only waits `seconds` (the image's own `sleep`: busybox in alpine, coreutils in Debian). */
export function preStopSleep(seconds: number): k8s.types.input.core.v1.Lifecycle {
    return { preStop: { exec: { command: ["sleep", String(seconds)] } } };
}

/** An HTTP probe against the container's named port. */
export function httpProbe(path: string, port: string, periodSeconds: number, failureThreshold: number): k8s.types.input.core.v1.Probe {
    return { httpGet: { path, port }, periodSeconds, failureThreshold, timeoutSeconds: 5 };
}

/** Env var read from a key of a Secret. */
export function secretEnv(name: string, secretName: pulumi.Input<string>, key = name): k8s.types.input.core.v1.EnvVar {
    return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

/** A short, stable digest for names and roll-out annotations. */
export function digest(...parts: string[]): string {
    return createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 10);
}

export interface AppDeploymentArgs {
    readonly namespace: pulumi.Input<string>;
    /** Component label (api, worker, beat, dashboard, storefront). */
    readonly component: string;
    /** app.kubernetes.io/instance: the Pulumi stack + region, so two installs never share selectors. */
    readonly instance: string;
    readonly spec: WorkloadSpec;
    readonly runAs: RunAs;
    readonly containers: pulumi.Input<k8s.types.input.core.v1.Container>[];
    readonly initContainers?: pulumi.Input<k8s.types.input.core.v1.Container>[];
    readonly volumes?: pulumi.Input<k8s.types.input.core.v1.Volume>[];
    readonly serviceAccountName?: pulumi.Input<string>;
    /** Pod-template annotations; a changed value rolls the pods (used for config digests). */
    readonly podAnnotations?: pulumi.Input<Record<string, pulumi.Input<string>>>;
    /** `Recreate` for singletons that must never overlap (Celery beat); rolling with no unavailable pod otherwise. */
    readonly strategy?: "RollingUpdate" | "Recreate";
    /** Port name exposed through a ClusterIP Service, when the workload serves traffic. */
    readonly servicePort?: { readonly name: string; readonly port: number; readonly targetPort: string };
    /** Pod spread across zones and nodes when replicas > 1. */
    readonly spread?: boolean;
    /** Entries for the pod's /etc/hosts. Default: none. */
    readonly hostAliases?: pulumi.Input<k8s.types.input.core.v1.HostAlias>[];
    /** Seconds between the pod's stop signal (preStop first) and SIGKILL. Default: 45. */
    readonly terminationGracePeriodSeconds?: number;
    /** The Deployment's own name, for something that must know it before the Deployment exists. Default: auto-named. */
    readonly deploymentName?: string;
    /**
     * Scaled to 0 from outside before an update (the migration Job stops the Celery worker and beat):
     * the Deployment then always declares its replica count, with an HPA its minimum (an HPA does not
     * scale a target that is at 0 replicas: Kubernetes docs, "Horizontal Pod Autoscaling", implicit
     * maintenance-mode deactivation), and its apply takes spec.replicas back from the manager that
     * scaled it: without `pulumi.com/patchForce` the provider's server-side apply does not force, and
     * a field another manager owns with another value is a conflict (pulumi-kubernetes
     * provider/pkg/await/await.go, patchForce and ssaUpdate). Default: false (with an HPA the count
     * is the HPA's alone).
     */
    readonly scaledDownBeforeUpdate?: boolean;
    /**
     * Release this workload as an Argo Rollouts canary behind the ALB or ingress-nginx instead of a
     * rolling Deployment. Default: a Deployment.
     */
    readonly canary?: CanaryRollout;
    /**
     * The workload's ClusterIP Service when the caller created it first (`createAppService`): a
     * canary's Ingresses name it before the Rollout exists. Default: created here from `servicePort`.
     */
    readonly service?: k8s.core.v1.Service;
}

/** One step of a canary: send this share of the requests to the new pods, or wait. */
export type CanaryStep = { readonly setWeight: number } | { readonly pause: { readonly duration: string } };

/**
 * The canary of the Production Deployment Guide's Phase 3 ("gradually shift traffic: 10% → 50% →
 * 100%", monitor in between): the last step's 100% is the promotion itself, which Argo does after
 * the last step (argo-rollouts docs/features/canary.md). Each pause is a window in which the
 * background analysis judges the canary's traffic.
 */
export const defaultCanarySteps: readonly CanaryStep[] = [
    { setWeight: 10 },
    { pause: { duration: "2m" } },
    { setWeight: 50 },
    { pause: { duration: "2m" } },
];

/** The seconds a `pause.duration` of Argo's ("30s", "2m", "1h"; a bare number is seconds) stands for. */
export function pauseSeconds(duration: string): number {
    const m = /^(\d+)(s|m|h)?$/.exec(duration);
    if (!m) throw new Error(`canary pause duration "${duration}": use a number of seconds, or one followed by s, m or h`);
    return Number(m[1]) * { s: 1, m: 60, h: 3600 }[(m[2] ?? "s") as "s" | "m" | "h"];
}

/**
 * Who splits a canary's traffic (argo-rollouts docs/features/traffic-management/):
 * - `alb`: the AWS Load Balancer Controller's weighted target groups (alb.md): the Ingresses send the
 *   stable Service's traffic to the action the Rollout controller writes
 *   (`alb.ingress.kubernetes.io/actions.<stableService>`), weighting the stable and canary Services;
 *   their backends name the port `use-annotation`.
 * - `nginx`: ingress-nginx's canary Ingress (nginx.md): the Ingresses route to the stable Service as
 *   they would without a canary, and the Rollout controller creates a second Ingress for the canary
 *   Service with `nginx.ingress.kubernetes.io/canary: "true"` and `canary-weight: <n>`.
 */
export type CanaryTrafficRouter = "alb" | "nginx";

/** How an Argo Rollout of ours is released: a canary whose traffic the Ingresses' controller splits. */
export interface CanaryRollout {
    /** The Service the Ingresses route to (`use-annotation`), which the controller keeps on the stable pods. */
    readonly stableServiceName: pulumi.Input<string>;
    /** The Service the controller points at the canary's pods. */
    readonly canaryServiceName: pulumi.Input<string>;
    /** The port both Services listen on. */
    readonly servicePort: number;
    /** Every Ingress that routes to the stable Service: the controller weights the action on each (ALB) or shadows each with a canary Ingress (nginx). */
    readonly ingressNames: pulumi.Input<string>[];
    /** Default: `alb`. */
    readonly trafficRouter?: CanaryTrafficRouter;
    /** Default: `defaultCanarySteps`. */
    readonly steps?: readonly CanaryStep[];
    /**
     * Background analysis from the first step on (Argo's `strategy.canary.analysis`): a failed run
     * aborts the update and returns all traffic to the stable pods. Default: none.
     */
    readonly analysis?: {
        readonly templateName: pulumi.Input<string>;
        readonly args?: { readonly name: string; readonly value: pulumi.Input<string> }[];
    };
    /** The Argo Rollouts controller (its CRDs must exist before a Rollout). */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/** The limits a canary is judged by: the stack's alarm thresholds on the load balancer. */
export interface CanaryThresholds {
    /** 5xx share of the ALB's requests, percent, per 5-minute window. */
    readonly errorRatePercent: number;
    /** Requests a 5-minute window needs before its 5xx share is judged. */
    readonly minimumRequests: number;
    /** p95 of TargetResponseTime, seconds, per 5-minute window. */
    readonly p95ResponseTimeSeconds: number;
}

/** What a component needs to release a workload as a canary; it adds its own Services and Ingresses. */
export interface CanaryDelivery {
    /** The Argo Rollouts controller and its CRDs. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
    /** What runs the gate Job each release waits on (rollout-gate.ts): an image with Python 3, and its user. */
    readonly gate: { readonly image: pulumi.Input<string>; readonly runAs: RunAs };
    /** Default: `defaultCanarySteps`. */
    readonly steps?: readonly CanaryStep[];
    /** Who splits the traffic. Default: `alb`. */
    readonly trafficRouter?: CanaryTrafficRouter;
    /**
     * Judge the canary and abort it when it fails: on the load balancer's signals in CloudWatch
     * (`createCanaryAnalysis`), or by calling the canary Service's health path from the Rollout
     * controller (`createWebCanaryAnalysis`). Default: no analysis, the steps alone.
     */
    readonly analysis?: CloudWatchCanaryAnalysis | WebCanaryAnalysis;
}

/** A canary judged on the ALB's 5xx share and p95 latency in CloudWatch, against the alarms' thresholds. */
export interface CloudWatchCanaryAnalysis {
    readonly kind: "cloudwatch";
    /** The ALB's ARN suffix, looked up once these Ingresses exist (the controller names the ALB). */
    readonly loadBalancerArnSuffix: (ingresses: pulumi.Resource[]) => pulumi.Input<string>;
    readonly thresholds: CanaryThresholds;
}

/** A canary judged by HTTP calls to its canary Service's health path (Argo's `web` metric provider). */
export interface WebCanaryAnalysis {
    readonly kind: "web";
}

/** The backend port an Ingress names for a workload's Service: the ALB action's `use-annotation` with an ALB canary. */
export function canaryBackendPort(trafficRouter: CanaryTrafficRouter | undefined, canary: boolean, port: string): string {
    return canary && (trafficRouter ?? "alb") === "alb" ? "use-annotation" : port;
}

/**
 * Seconds a release waits for a Rollout to report Healthy (its gate Job's limit): the pods' start (the slowest startup probe
 * allows 3 minutes), every pause of the canary, and the promotion's second start of pods, with a
 * margin. Argo marks the Rollout Healthy only when every step is done (utils/rollout/rolloututil.go
 * CalculateRolloutPhase: "waiting for all steps to complete").
 */
export function rolloutTimeoutSeconds(steps: readonly CanaryStep[]): number {
    const paused = steps.reduce((sum, s) => sum + ("pause" in s ? pauseSeconds(s.pause.duration) : 0), 0);
    return paused + 2 * 180 + 120;
}

/**
 * One long-running workload the way every Saleor process is deployed: a Deployment, and where it
 * serves traffic a Service, and where it has more than one replica a PodDisruptionBudget and (when
 * configured) a HorizontalPodAutoscaler.
 */
/** What `createAppDeployment` registered: the Deployment, or with `canary` the Rollout (`workload` either way). */
export interface AppWorkload<D extends Deployment | undefined = Deployment | undefined> {
    readonly deployment: D;
    readonly rollout?: CustomResource;
    /** The Rollout's pod template (with `canary`), for its gate's name. */
    readonly template?: Record<string, unknown>;
    /** The Deployment or the Rollout: what runs the pods. */
    readonly workload: Deployment | CustomResource;
    readonly service?: k8s.core.v1.Service;
    readonly disruptionBudget?: PodDisruptionBudget;
    readonly autoscaler?: HorizontalPodAutoscaler;
}

export function createAppDeployment(
    name: string,
    args: AppDeploymentArgs & { readonly canary?: undefined },
    opts: pulumi.CustomResourceOptions,
): AppWorkload<Deployment>;
export function createAppDeployment(name: string, args: AppDeploymentArgs, opts: pulumi.CustomResourceOptions): AppWorkload;
export function createAppDeployment(name: string, args: AppDeploymentArgs, opts: pulumi.CustomResourceOptions): AppWorkload {
    const labels = appLabels(args.component, args.instance);
    const selector = selectorLabels(args.component, args.instance);
    const replicated = args.spec.replicas > 1;
    const autoscaled = replicated && args.spec.autoscaling !== undefined;

    const template = {
        metadata: { labels, annotations: args.podAnnotations },
        spec: {
            // No Saleor process talks to the Kubernetes API.
            automountServiceAccountToken: false,
            serviceAccountName: args.serviceAccountName,
            hostAliases: args.hostAliases,
            securityContext: podSecurityContext(args.runAs),
            initContainers: args.initContainers,
            containers: args.containers,
            volumes: args.volumes,
            terminationGracePeriodSeconds: args.terminationGracePeriodSeconds ?? 45,
            topologySpreadConstraints:
                replicated && args.spread !== false
                    ? [
                          {
                              maxSkew: 1,
                              topologyKey: "topology.kubernetes.io/zone",
                              whenUnsatisfiable: "ScheduleAnyway",
                              labelSelector: { matchLabels: selector },
                          },
                          {
                              maxSkew: 1,
                              topologyKey: "kubernetes.io/hostname",
                              whenUnsatisfiable: "ScheduleAnyway",
                              labelSelector: { matchLabels: selector },
                          },
                      ]
                    : undefined,
        },
    };
    // With an HPA the replica count belongs to it; declaring it here would fight every scale-up
    // (except where an update must bring the Deployment back from 0: scaledDownBeforeUpdate).
    const replicas = autoscaled && !args.scaledDownBeforeUpdate ? undefined : args.spec.replicas;

    const workload = args.canary
        ? createRollout(name, args, args.canary, { labels, selector, replicas, template }, opts)
        : new Deployment(
              name,
              {
                  metadata: {
                      ...(args.deploymentName !== undefined ? { name: args.deploymentName } : {}),
                      namespace: args.namespace,
                      labels,
                      ...(args.scaledDownBeforeUpdate ? { annotations: { "pulumi.com/patchForce": "true" } } : {}),
                  },
                  spec: {
                      replicas,
                      selector: { matchLabels: selector },
                      strategy:
                          args.strategy === "Recreate"
                              ? { type: "Recreate" }
                              : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                      revisionHistoryLimit: 5,
                      template,
                  },
              },
              opts,
          );
    const deployment = workload instanceof Deployment ? workload : undefined;
    const rollout = workload instanceof Deployment ? undefined : workload;

    const service =
        args.service ??
        (args.servicePort
            ? createAppService(name, { ...args, servicePort: args.servicePort }, { ...opts, dependsOn: undefined })
            : undefined);

    const disruptionBudget = replicated
        ? new PodDisruptionBudget(
              name,
              {
                  metadata: { namespace: args.namespace, labels },
                  spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
              },
              { ...opts, dependsOn: undefined },
          )
        : undefined;

    const autoscaler = autoscaled
        ? new HorizontalPodAutoscaler(
              name,
              {
                  metadata: { namespace: args.namespace, labels },
                  spec: {
                      // A Rollout has the scale subresource (argo-rollouts docs/features/hpa-support.md).
                      scaleTargetRef: rollout
                          ? { apiVersion: "argoproj.io/v1alpha1", kind: "Rollout", name: rollout.metadata.name }
                          : { apiVersion: "apps/v1", kind: "Deployment", name: deployment!.metadata.name },
                      minReplicas: args.spec.replicas,
                      maxReplicas: args.spec.autoscaling!.maxReplicas,
                      metrics: [
                          {
                              type: "Resource",
                              resource: {
                                  name: "cpu",
                                  target: { type: "Utilization", averageUtilization: args.spec.autoscaling!.targetCpuUtilization },
                              },
                          },
                      ],
                  },
              },
              { ...opts, dependsOn: undefined },
          )
        : undefined;

    return { deployment, rollout, template: rollout ? template : undefined, workload, service, disruptionBudget, autoscaler };
}

/** `opts.dependsOn` as a list, to add to. */
function dependenciesOf(opts: pulumi.CustomResourceOptions): pulumi.Input<pulumi.Resource>[] {
    const d = opts.dependsOn;
    if (d === undefined) return [];
    if (Array.isArray(d)) return d;
    if (pulumi.Output.isInstance(d) || d instanceof Promise) throw new Error("createRollout: give dependsOn as a list");
    return [d as pulumi.Resource];
}

/** The ClusterIP Service of one workload's pods (what `createAppDeployment` creates from `servicePort`). */
export function createAppService(
    name: string,
    args: Pick<AppDeploymentArgs, "namespace" | "component" | "instance"> & {
        readonly servicePort: NonNullable<AppDeploymentArgs["servicePort"]>;
    },
    opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Service {
    return new Service(
        name,
        {
            metadata: { namespace: args.namespace, labels: appLabels(args.component, args.instance) },
            spec: {
                type: "ClusterIP",
                selector: selectorLabels(args.component, args.instance),
                ports: [{ name: args.servicePort.name, port: args.servicePort.port, targetPort: args.servicePort.targetPort }],
            },
        },
        opts,
    );
}

/**
 * An Argo Rollout with the pod template a Deployment would have, released as a canary through the
 * ALB or ingress-nginx (see `CanaryTrafficRouter`).
 *
 * - Pulumi does not wait on the Rollout itself: the component adds a gate Job (rollout-gate.ts)
 *   that succeeds when the release is Healthy and fails as soon as it is Degraded (an aborted
 *   update: argo-rollouts utils/rollout/rolloututil.go, RolloutAbortedReason). The provider's
 *   `pulumi.com/waitFor` would hold an aborted canary for its whole timeout, as Degraded never
 *   becomes Healthy, and can read the previous release's Healthy right after an update.
 * - The stable pods keep their full count during the canary (no `dynamicStableScale`), so an abort
 *   only moves the ALB weights back: traffic is on the stable version at once.
 * - `rollbackWindow`: going back to one of the last 3 revisions skips the steps and the analysis
 *   (argo-rollouts docs/features/rollback.md, "Rollback Windows").
 */
function createRollout(
    name: string,
    args: AppDeploymentArgs,
    canary: CanaryRollout,
    pod: {
        readonly labels: Record<string, string>;
        readonly selector: Record<string, string>;
        readonly replicas: number | undefined;
        readonly template: Record<string, unknown>;
    },
    opts: pulumi.CustomResourceOptions,
): CustomResource {
    const steps = canary.steps ?? defaultCanarySteps;
    return new CustomResource(
        name,
        {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "Rollout",
            metadata: {
                ...(args.deploymentName !== undefined ? { name: args.deploymentName } : {}),
                namespace: args.namespace,
                labels: pod.labels,
            },
            spec: {
                replicas: pod.replicas,
                selector: { matchLabels: pod.selector },
                revisionHistoryLimit: 5,
                rollbackWindow: { revisions: 3 },
                template: pod.template,
                strategy: {
                    canary: {
                        stableService: canary.stableServiceName,
                        canaryService: canary.canaryServiceName,
                        // As the Deployment did: never fewer ready pods than asked for.
                        maxUnavailable: 0,
                        trafficRouting:
                            (canary.trafficRouter ?? "alb") === "alb"
                                ? { alb: { ingresses: canary.ingressNames, servicePort: canary.servicePort } }
                                : // Several Ingresses route to one Service (a host per market): `stableIngresses`
                                  // (argo-rollouts >= v1.5, docs/features/traffic-management/nginx.md).
                                  { nginx: { stableIngresses: canary.ingressNames } },
                        steps: steps.map((x) => ({ ...x })),
                        ...(canary.analysis
                            ? {
                                  analysis: {
                                      templates: [{ templateName: canary.analysis.templateName }],
                                      // From the first weight on: the canary has traffic to judge.
                                      startingStep: 1,
                                      ...(canary.analysis.args ? { args: canary.analysis.args } : {}),
                                  },
                              }
                            : {}),
                    },
                },
            },
        },
        { ...opts, dependsOn: [...dependenciesOf(opts), ...canary.dependsOn] },
    );
}

/** Kubernetes' requests/limits from our spec. */
export function resourceRequirements(r: ResourceSpec): k8s.types.input.core.v1.ResourceRequirements {
    return { requests: { ...r.requests }, limits: { ...r.limits } };
}

/** The Ingress for a set of hosts routed to one Service port, with TLS where the scheme is https. */
export function createIngress(
    name: string,
    args: {
        readonly namespace: pulumi.Input<string>;
        readonly component: string;
        readonly instance: string;
        readonly hosts: string[];
        readonly serviceName: pulumi.Input<string>;
        readonly servicePort: string;
        readonly ingressClassName: string;
        readonly annotations?: Record<string, pulumi.Input<string>>;
        /**
         * TLS for these hosts: with a `secretName` the controller serves that certificate; without one
         * (the AWS load balancer controller) it finds a certificate for the hosts itself. Omit for plain http.
         */
        readonly tls?: { readonly secretName?: string };
        /** A backend for exactly `/` on every host, ahead of the Service (a load balancer's own action). Default: none. */
        readonly rootBackend?: { readonly serviceName: string; readonly portName: string };
    },
    opts: pulumi.CustomResourceOptions,
): k8s.networking.v1.Ingress {
    const root = args.rootBackend
        ? [
              {
                  path: "/",
                  pathType: "Exact",
                  backend: { service: { name: args.rootBackend.serviceName, port: { name: args.rootBackend.portName } } },
              },
          ]
        : [];
    return new Ingress(
        name,
        {
            metadata: { namespace: args.namespace, labels: appLabels(args.component, args.instance), annotations: args.annotations },
            spec: {
                ingressClassName: args.ingressClassName,
                tls: args.tls ? [{ hosts: args.hosts, secretName: args.tls.secretName }] : undefined,
                rules: args.hosts.map((host) => ({
                    host,
                    http: {
                        paths: [
                            ...root,
                            {
                                path: "/",
                                pathType: "Prefix",
                                backend: { service: { name: args.serviceName, port: { name: args.servicePort } } },
                            },
                        ],
                    },
                })),
            },
        },
        opts,
    );
}
