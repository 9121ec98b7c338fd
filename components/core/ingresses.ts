import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { createIngress } from "../kubernetes/workload";
import type { PublicHosts } from "./env";
import type { IngressSettings } from "./types";

export interface IngressesArgs {
    readonly namespace: pulumi.Input<string>;
    readonly instance: string;
    readonly hosts: PublicHosts;
    readonly ingress: IngressSettings;
    readonly apiServiceName: pulumi.Input<string>;
    readonly dashboardServiceName: pulumi.Input<string>;
    /**
     * The API and the Dashboard are Argo Rollouts canaries through the ALB: each Ingress sends to the
     * action the Rollout controller writes for its stable Service (`alb.ingress.kubernetes.io/actions.<service>`,
     * weighting the stable and canary Services), named by the backend port `use-annotation` (argo-rollouts
     * docs/features/traffic-management/alb.md). Default: false, the Service's `http` port (also with an
     * nginx canary, whose canary Ingress the Rollout controller adds beside these).
     */
    readonly albCanary?: boolean;
}

/** The Ingresses of the API and Dashboard hosts, with the same class, annotations and TLS. */
export function createIngresses(
    name: string,
    args: IngressesArgs,
    parent: pulumi.Resource,
): { readonly api: k8s.networking.v1.Ingress; readonly dashboard: k8s.networking.v1.Ingress } {
    const parentOpts: pulumi.CustomResourceOptions = { parent };
    const ns = args.namespace;
    const instance = args.instance;
    const api = createIngress(
        `${name}-api`,
        {
            namespace: ns,
            component: "api",
            instance,
            hosts: [args.hosts.api, ...(args.hosts.regionalApi ? [args.hosts.regionalApi] : [])],
            serviceName: args.apiServiceName,
            servicePort: args.albCanary ? "use-annotation" : "http",
            ingressClassName: args.ingress.className,
            // /health/ answers 200 from the ASGI layer before Django (saleor/asgi); / answers 400, since
            // the balancer's Host (the pod's IP) is not in ALLOWED_HOSTS.
            annotations: { ...args.ingress.annotations, ...args.ingress.healthCheck?.({ path: "/health/", successCodes: "200" }) },
            tls: args.ingress.tls,
        },
        parentOpts,
    );
    const dashboard = createIngress(
        `${name}-dashboard`,
        {
            namespace: ns,
            component: "dashboard",
            instance,
            hosts: [args.hosts.dashboard],
            serviceName: args.dashboardServiceName,
            servicePort: args.albCanary ? "use-annotation" : "http",
            ingressClassName: args.ingress.className,
            // The SPA's index, served by the Dashboard's nginx (dashboard.ts): it has no health route.
            annotations: { ...args.ingress.annotations, ...args.ingress.healthCheck?.({ path: "/dashboard/", successCodes: "200" }) },
            tls: args.ingress.tls,
        },
        parentOpts,
    );
    return { api, dashboard };
}
