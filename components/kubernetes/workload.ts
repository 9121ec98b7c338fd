import type * as k8s from "@pulumi/kubernetes";
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
}

/**
 * One long-running workload the way every Saleor process is deployed: a Deployment, and where it
 * serves traffic a Service, and where it has more than one replica a PodDisruptionBudget and (when
 * configured) a HorizontalPodAutoscaler.
 */
export function createAppDeployment(name: string, args: AppDeploymentArgs, opts: pulumi.CustomResourceOptions) {
    const labels = appLabels(args.component, args.instance);
    const selector = selectorLabels(args.component, args.instance);
    const replicated = args.spec.replicas > 1;
    const autoscaled = replicated && args.spec.autoscaling !== undefined;

    const deployment = new Deployment(
        name,
        {
            metadata: {
                ...(args.deploymentName !== undefined ? { name: args.deploymentName } : {}),
                namespace: args.namespace,
                labels,
                ...(args.scaledDownBeforeUpdate ? { annotations: { "pulumi.com/patchForce": "true" } } : {}),
            },
            spec: {
                // With an HPA the replica count belongs to it; declaring it here would fight every scale-up
                // (except where an update must bring the Deployment back from 0: scaledDownBeforeUpdate).
                replicas: autoscaled && !args.scaledDownBeforeUpdate ? undefined : args.spec.replicas,
                selector: { matchLabels: selector },
                strategy:
                    args.strategy === "Recreate"
                        ? { type: "Recreate" }
                        : { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
                revisionHistoryLimit: 5,
                template: {
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
                },
            },
        },
        opts,
    );

    const service = args.servicePort
        ? new Service(
              name,
              {
                  metadata: { namespace: args.namespace, labels },
                  spec: {
                      type: "ClusterIP",
                      selector,
                      ports: [{ name: args.servicePort.name, port: args.servicePort.port, targetPort: args.servicePort.targetPort }],
                  },
              },
              { ...opts, dependsOn: undefined },
          )
        : undefined;

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
                      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name },
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

    return { deployment, service, disruptionBudget, autoscaler };
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
