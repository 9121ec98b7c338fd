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
}

/** The Ingresses of the API and Dashboard hosts, with the same class, annotations and TLS. */
export function createIngresses(name: string, args: IngressesArgs, parent: pulumi.Resource): { readonly api: k8s.networking.v1.Ingress } {
    const parentOpts: pulumi.CustomResourceOptions = { parent };
    const ns = args.namespace;
    const instance = args.instance;
    const api = createIngress(
        `${name}-api`,
        {
            namespace: ns,
            component: "api",
            instance,
            hosts: [args.hosts.api],
            serviceName: args.apiServiceName,
            servicePort: "http",
            ingressClassName: args.ingress.className,
            annotations: args.ingress.annotations,
            tls: args.ingress.tls,
        },
        parentOpts,
    );
    createIngress(
        `${name}-dashboard`,
        {
            namespace: ns,
            component: "dashboard",
            instance,
            hosts: [args.hosts.dashboard],
            serviceName: args.dashboardServiceName,
            servicePort: "http",
            ingressClassName: args.ingress.className,
            annotations: args.ingress.annotations,
            tls: args.ingress.tls,
        },
        parentOpts,
    );
    return { api };
}
