import type * as k8s from "@pulumi/kubernetes";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import * as pulumi from "@pulumi/pulumi";
import {
    containerSecurityContext,
    createAppDeployment,
    createAppService,
    canaryBackendPort,
    createIngress,
    defaultCanarySteps,
    drainSeconds,
    httpProbe,
    preStopSleep,
    resourceRequirements,
    rolloutTimeoutSeconds,
    appLabels,
    digest,
    secretEnv,
    serverKeepAliveSeconds,
    type CanaryDelivery,
    type RunAs,
    type WorkloadSpec,
} from "./kubernetes/workload";
import type { IngressSettings } from "./core/types";
import { canaryAnalysisOf } from "./kubernetes/canary-analysis";
import { createRolloutGate } from "./kubernetes/rollout-gate";

/**
 * No health route: / is answered by the middleware alone, a 308 to the default channel (saleor/storefront
 * src/middleware.ts), or the page itself (200) when no channel is configured. It proves the server runs
 * without making the API's health the storefront's.
 */
const storefrontHealth = { path: "/", successCodes: "200,308" };

/** The storefront image runs as the `nextjs` user its Dockerfile creates (uid 1001, gid 1001 `nodejs`). */
export const storefrontRunAs: RunAs = { user: 1001, group: 1001 };

/**
 * The storefront's secret settings, the same names in every stack: its shared page cache
 * (STOREFRONT_CACHE_URL, read by the image's cache handlers, images/storefront/Dockerfile) and the
 * two secrets its revalidation route checks (src/app/api/revalidate/route.ts, src/lib/api-auth.ts).
 */
export const storefrontSecretKeys = ["STOREFRONT_CACHE_URL", "SALEOR_WEBHOOK_SECRET", "REVALIDATE_SECRET"] as const;
export type StorefrontSecretValues = Record<(typeof storefrontSecretKeys)[number], pulumi.Input<string>>;

export interface StorefrontArgs {
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of every object. */
    readonly instance: string;
    /** Storefront image reference (from ContainerImage). */
    readonly image: pulumi.Input<string>;
    /** Public hosts the storefront answers on (one per market). */
    readonly hosts: string[];
    readonly scheme: "http" | "https";
    readonly workload: WorkloadSpec;
    readonly ingress: IngressSettings;
    /**
     * Comma-separated channel slugs for STOREFRONT_CHANNELS (server-side). Default: unset, the
     * storefront's own default.
     */
    readonly channels?: string;
    /**
     * Origins (scheme://host) besides the one the image was built for that may be the target of an
     * account confirmation or password reset link: every market host. Default: none.
     */
    readonly allowedOrigins?: string[];
    /**
     * Pins a host name in the pod's /etc/hosts: the API host to the API Service's cluster IP where the
     * public API URL is plain HTTP on port 80 (dev), so the server renders against the API inside the
     * cluster. Default: none (the name resolves as anywhere else).
     */
    readonly hostAlias?: { readonly host: string; readonly ip: pulumi.Input<string> };
    /**
     * Hosts whose `/` opens another path than the image's default (a market's own channel, `/<slug>`),
     * by host. Each gets an Ingress of its own with the controller's redirect (`ingress.rootRedirect`);
     * without one the host is served as the others. Default: none.
     */
    readonly rootPaths?: Record<string, string>;
    /**
     * Where `storefrontSecretKeys` come from: a Secret External Secrets Operator keeps (its name, and
     * a version that changes with its values, which rolls the pods), or the values themselves, which
     * the component writes into a Secret of its own.
     */
    readonly secrets:
        | { readonly synced: { readonly name: pulumi.Input<string>; readonly version: pulumi.Input<string> } }
        | { readonly values: StorefrontSecretValues };
    /**
     * The page cache's server refuses CONFIG (ElastiCache), so the cache handlers cannot check that it
     * publishes expiry and eviction events (its parameter group turns them on) and are told not to
     * try (SKIP_KEYSPACE_CONFIG_CHECK; without it they fail to start their tag synchronisation).
     * Default: false (the handlers check).
     */
    readonly cacheServerRefusesConfig?: boolean;
    /** Payment providers the checkout offers. Default: neither (Stripe only if the image was built with it). */
    readonly payments?: { readonly dummy: boolean; readonly stripe: boolean };
    /**
     * Release as an Argo Rollouts canary (the ALB's weighted target groups on AWS, ingress-nginx's
     * canary Ingress elsewhere). Default: a rolling Deployment.
     */
    readonly canary?: CanaryDelivery;
}

/**
 * The Next.js storefront (saleor/storefront): standalone server on port 3000 behind an Ingress for
 * every market host. Its public API URL is baked into the image at build time (NEXT_PUBLIC_*).
 */
export class Storefront extends pulumi.ComponentResource {
    /** Public URL per host. */
    public readonly urls: pulumi.Output<string[]>;

    constructor(name: string, args: StorefrontArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:Storefront", name, {}, opts);
        const parentOpts = { parent: this };
        const secrets = args.secrets;
        const secretName: pulumi.Input<string> =
            "synced" in secrets
                ? secrets.synced.name
                : new Secret(
                      `${name}-env`,
                      {
                          metadata: { namespace: args.namespace, labels: appLabels("storefront", args.instance) },
                          type: "Opaque",
                          stringData: secrets.values,
                      },
                      parentOpts,
                  ).metadata.name;
        // A changed value rolls the pods; the digest reveals nothing of the values.
        const secretVersion: pulumi.Input<string> =
            "synced" in secrets
                ? secrets.synced.version
                : pulumi.unsecret(pulumi.all(storefrontSecretKeys.map((k) => secrets.values[k])).apply((values) => digest(...values)));
        const env = [
            // Next.js binds to $HOSTNAME, which Kubernetes sets to the pod name: bind every address.
            { name: "HOSTNAME", value: "0.0.0.0" },
            { name: "PORT", value: "3000" },
            { name: "NODE_ENV", value: "production" },
            // Milliseconds. The standalone server.js that `next build` writes passes it to startServer as
            // keepAliveTimeout (next/dist/build/utils.js); unset, Node closes idle connections after 5 s,
            // long before the ALB's 60 s idle timeout, and the ALB answers 502 when it reuses one.
            { name: "KEEP_ALIVE_TIMEOUT", value: String(serverKeepAliveSeconds * 1000) },
            ...(args.channels ? [{ name: "STOREFRONT_CHANNELS", value: args.channels }] : []),
            // Read at run time by the server action that sends the links (src/lib/auth/validate-redirect-url.ts):
            // only NEXT_PUBLIC_STOREFRONT_URL, NEXT_PUBLIC_CHECKOUT_URL and these pass. Without it, registration
            // and password reset on any host but the one the image was built for are refused.
            ...(args.allowedOrigins?.length ? [{ name: "ALLOWED_EXTRA_ORIGINS", value: args.allowedOrigins.join(",") }] : []),
            // Server-side switches of src/checkout/lib/payment/providers/dummy.ts and stripe.ts (the
            // NEXT_PUBLIC_ twins are inlined at build time; see stack/images.ts).
            ...(args.payments?.dummy ? [{ name: "ALLOW_DUMMY_PAYMENT", value: "true" }] : []),
            ...(args.payments?.stripe ? [{ name: "ENABLE_STRIPE_PAYMENTS", value: "true" }] : []),
            ...storefrontSecretKeys.map((key) => secretEnv(key, secretName)),
            ...(args.cacheServerRefusesConfig ? [{ name: "SKIP_KEYSPACE_CONFIG_CHECK", value: "true" }] : []),
        ];
        const workloadArgs = {
            namespace: args.namespace,
            component: "storefront",
            instance: args.instance,
            runAs: storefrontRunAs,
            spec: args.workload,
            // The drain, then Next.js finishing what is in flight.
            terminationGracePeriodSeconds: drainSeconds + 25,
            podAnnotations: { "saleor.io/config-digest": secretVersion },
            hostAliases: args.hostAlias ? [{ hostnames: [args.hostAlias.host], ip: args.hostAlias.ip }] : undefined,
            containers: [
                {
                    name: "storefront",
                    image: args.image,
                    env,
                    ports: [{ name: "http", containerPort: 3000 }],
                    // No health route. The first render of the home page (through the API) gates start-up;
                    // after that readiness is the socket, so an API hiccup does not empty the storefront.
                    startupProbe: httpProbe("/", "http", 5, 24),
                    readinessProbe: { tcpSocket: { port: "http" }, periodSeconds: 10, failureThreshold: 3 },
                    livenessProbe: { tcpSocket: { port: "http" }, periodSeconds: 20, failureThreshold: 3 },
                    resources: resourceRequirements(args.workload.resources),
                    securityContext: containerSecurityContext(true),
                    // Keep serving until the load balancer has dropped the pod (node:alpine has busybox sleep).
                    lifecycle: preStopSleep(drainSeconds),
                    // The image cache and ISR pages are written under .next/cache.
                    volumeMounts: [
                        { name: "next-cache", mountPath: "/app/.next/cache" },
                        { name: "tmp", mountPath: "/tmp" },
                    ],
                },
            ],
            volumes: [
                { name: "next-cache", emptyDir: {} },
                { name: "tmp", emptyDir: {} },
            ],
        };
        const servicePort = { name: "http", port: 80, targetPort: "http" };
        const app = args.canary ? undefined : createAppDeployment(`${name}`, { ...workloadArgs, servicePort }, parentOpts);
        // A canary: the stable Service (the one a Deployment would have), the canary's, then the
        // Ingresses, which the Rollout names.
        const stableService =
            app?.service ?? createAppService(`${name}`, { ...workloadArgs, servicePort }, { ...parentOpts, dependsOn: undefined });
        const canaryService = args.canary
            ? createAppService(`${name}-canary`, { ...workloadArgs, servicePort }, { ...parentOpts, dependsOn: undefined })
            : undefined;
        // With an ALB canary every Ingress sends to the action the Rollout controller writes for the
        // stable Service (`use-annotation`: argo-rollouts docs/features/traffic-management/alb.md); with
        // nginx the Ingresses stay on the stable Service and the controller adds canary Ingresses.
        const backendPort = canaryBackendPort(args.canary?.trafficRouter, args.canary !== undefined, "http");
        const ingresses: k8s.networking.v1.Ingress[] = [];

        const redirect = args.ingress.rootRedirect;
        const redirected = redirect ? args.hosts.filter((h) => args.rootPaths?.[h] !== undefined) : [];
        // A market whose channel is not the image's default: `/` on its host goes to its channel, which the
        // middleware then serves (src/middleware.ts: /{channel} → /{locale}/{channel}).
        for (const host of redirected) {
            const { annotations, rootBackend } = redirect!(args.rootPaths![host]);
            ingresses.push(
                createIngress(
                    `${name}-${host}`,
                    {
                        namespace: args.namespace,
                        component: "storefront",
                        instance: args.instance,
                        hosts: [host],
                        serviceName: stableService.metadata.name,
                        servicePort: backendPort,
                        ingressClassName: args.ingress.className,
                        annotations: { ...args.ingress.annotations, ...args.ingress.healthCheck?.(storefrontHealth), ...annotations },
                        tls: args.ingress.tls,
                        rootBackend,
                    },
                    parentOpts,
                ),
            );
        }

        ingresses.push(
            createIngress(
                `${name}`,
                {
                    namespace: args.namespace,
                    component: "storefront",
                    instance: args.instance,
                    hosts: args.hosts.filter((h) => !redirected.includes(h)),
                    serviceName: stableService.metadata.name,
                    servicePort: backendPort,
                    ingressClassName: args.ingress.className,
                    annotations: { ...args.ingress.annotations, ...args.ingress.healthCheck?.(storefrontHealth) },
                    tls: args.ingress.tls,
                },
                parentOpts,
            ),
        );

        if (args.canary) {
            const app = createAppDeployment(
                `${name}`,
                {
                    ...workloadArgs,
                    service: stableService,
                    canary: {
                        stableServiceName: stableService.metadata.name,
                        canaryServiceName: canaryService!.metadata.name,
                        servicePort: servicePort.port,
                        ingressNames: ingresses.map((i) => i.metadata.name),
                        trafficRouter: args.canary.trafficRouter,
                        steps: args.canary.steps,
                        analysis: canaryAnalysisOf(
                            `${name}-analysis`,
                            args.canary,
                            {
                                namespace: args.namespace,
                                component: "storefront",
                                instance: args.instance,
                                probe: {
                                    canaryServiceName: canaryService!.metadata.name,
                                    port: servicePort.port,
                                    path: storefrontHealth.path,
                                },
                            },
                            ingresses,
                            parentOpts,
                        ),
                        dependsOn: args.canary.dependsOn,
                    },
                },
                parentOpts,
            );
            // The update waits for the release through its gate, which fails as soon as it is aborted.
            createRolloutGate(
                name,
                {
                    namespace: args.namespace,
                    instance: args.instance,
                    rollout: app.rollout!,
                    template: app.template!,
                    image: args.canary.gate.image,
                    runAs: args.canary.gate.runAs,
                    timeoutSeconds: rolloutTimeoutSeconds(args.canary.steps ?? defaultCanarySteps),
                },
                parentOpts,
            );
        }

        this.urls = pulumi.output(args.hosts.map((h) => `${args.scheme}://${h}/`));
        this.registerOutputs({ urls: this.urls });
    }
}
