import type * as k8s from "@pulumi/kubernetes";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1/networkPolicy";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, selectorLabels } from "./kubernetes/workload";

/** Which pods serve public traffic and which pods may talk to which, in the application namespace. */
export interface AppNetworkPoliciesArgs {
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of the application's pods. */
    readonly instance: string;
    /**
     * Where public traffic enters from: the ingress controller's pods (nginx: its namespace), or the
     * load balancer's addresses (an ALB in IP mode sends from inside the VPC).
     */
    readonly ingressSources: k8s.types.input.networking.v1.NetworkPolicyPeer[];
    /** Guard in-cluster data stores (PostgreSQL, Valkey, Mailpit): only Core reaches them. Default: false. */
    readonly inClusterDataStores?: boolean;
}

/** Saleor Core's processes: the only clients of the database, cache and mail server. */
const coreComponents = ["api", "worker", "beat", "migrations", "demo-data"];

/**
 * Default-deny ingress for the namespace, then exactly the flows Saleor needs: the ingress
 * controller to the API, Dashboard and storefront; the storefront to the API (server-side
 * rendering); Core to the in-cluster data stores. Egress stays open (managed databases, S3, SMTP,
 * webhooks to apps).
 */
export class AppNetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: AppNetworkPoliciesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:AppNetworkPolicies", name, {}, opts);
        const ns = args.namespace;
        const policy = (
            suffix: string,
            component: string | undefined,
            spec: Omit<k8s.types.input.networking.v1.NetworkPolicySpec, "podSelector">,
        ) =>
            new NetworkPolicy(
                `${name}-${suffix}`,
                {
                    metadata: { namespace: ns, labels: appLabels("network-policy", args.instance) },
                    spec: {
                        ...spec,
                        podSelector: component ? { matchLabels: selectorLabels(component, args.instance) } : {},
                        policyTypes: ["Ingress"],
                    },
                },
                { parent: this },
            );
        const from = (component: string) => ({ podSelector: { matchLabels: selectorLabels(component, args.instance) } });
        const coreClients = {
            podSelector: {
                matchExpressions: [
                    { key: "app.kubernetes.io/instance", operator: "In", values: [args.instance] },
                    { key: "app.kubernetes.io/component", operator: "In", values: coreComponents },
                ],
            },
        };

        policy("default-deny", undefined, { ingress: [] });
        policy("api", "api", {
            ingress: [{ from: [...args.ingressSources, from("storefront")], ports: [{ port: 8000, protocol: "TCP" }] }],
        });
        policy("dashboard", "dashboard", { ingress: [{ from: args.ingressSources, ports: [{ port: 80, protocol: "TCP" }] }] });
        policy("storefront", "storefront", { ingress: [{ from: args.ingressSources, ports: [{ port: 3000, protocol: "TCP" }] }] });
        if (args.inClusterDataStores) {
            policy("postgres", "postgres", { ingress: [{ from: [coreClients], ports: [{ port: 5432, protocol: "TCP" }] }] });
            policy("valkey", "valkey", { ingress: [{ from: [coreClients], ports: [{ port: 6379, protocol: "TCP" }] }] });
            policy("mailpit", "mailpit", { ingress: [{ from: [coreClients], ports: [{ port: 1025, protocol: "TCP" }] }] });
        }
        this.registerOutputs({});
    }
}
