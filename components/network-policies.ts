import type * as k8s from "@pulumi/kubernetes";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1/networkPolicy";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, selectorLabels } from "./kubernetes/workload";

type Peer = k8s.types.input.networking.v1.NetworkPolicyPeer;
type EgressRule = k8s.types.input.networking.v1.NetworkPolicyEgressRule;

/** The node's instance metadata service: the node role's credentials. No pod of the namespace may reach it. */
export const instanceMetadataCidr = "169.254.169.254/32";

/**
 * The EKS Pod Identity agent: a host-network DaemonSet on the link-local address 169.254.170.23
 * (IPv4 clusters), ports 80 and 2703 ("Learn how EKS Pod Identity grants pods access to AWS
 * services", Amazon EKS User Guide, considerations). Pods fetch credentials on 80, from the
 * AWS_CONTAINER_CREDENTIALS_FULL_URI EKS injects (http://169.254.170.23/v1/credentials); 2703 is
 * the agent's own health port.
 */
export const podIdentityAgent = { cidr: "169.254.170.23/32", port: 80 };

/** Where Saleor's pods may connect to, besides DNS and each other; everything else is refused. */
export interface AppEgressArgs {
    /**
     * Networks of the managed data stores (RDS, ElastiCache: the private subnets of the stack's
     * VPCs; a secondary region writes to the primary's writer across the peering). Core reaches
     * them on `dataStorePorts`. Default: none (in-cluster data stores are reached by pod selector).
     */
    readonly dataStoreCidrs?: string[];
    /**
     * The region's own Valkey's network (its VPC's private subnets), where the storefront reaches its
     * page cache on 6379. Default: none (in-cluster Valkey is reached by pod selector).
     */
    readonly pageCacheCidrs?: string[];
    /** Ports of the managed data stores. Default: PostgreSQL 5432 and Valkey/Redis 6379. */
    readonly dataStorePorts?: number[];
    /** Ports Core's processes reach outside the cluster besides 443: SMTP, an OTLP collector. Default: none. */
    readonly coreInternetPorts?: number[];
    /**
     * Networks the internet rules (443, `coreInternetPorts`) leave out: the stack's VPCs, so a pod
     * reaches another VPC address only through the rules made for it. The node metadata address is
     * always left out. Default: none.
     */
    readonly privateCidrs?: string[];
    /** Let Core reach the EKS Pod Identity agent (its S3 credentials). Default: false. */
    readonly podIdentityAgent?: boolean;
    /**
     * Where the Kubernetes API server answers, for the migration Job's pods (its first container scales
     * the Celery worker and beat to 0 before `migrate`, components/core/release-stop.ts) and a canary's
     * gate Jobs (they read their Rollout, components/kubernetes/rollout-gate.ts) alone.
     * `cidrs` leave out the node metadata address when they hold it. Default: no pod reaches the API.
     */
    readonly kubernetesApi?: { readonly cidrs: string[]; readonly ports: number[] };
}

/** Which pods serve public traffic and which pods may talk to which, in the application namespace. */
export interface AppNetworkPoliciesArgs {
    readonly namespace: pulumi.Input<string>;
    /** app.kubernetes.io/instance of the application's pods. */
    readonly instance: string;
    /**
     * Where public traffic enters from: the ingress controller's pods (nginx: its namespace), or the
     * load balancer's subnets (an ALB in IP mode connects to pods from its own interfaces).
     */
    readonly ingressSources: Peer[];
    /**
     * Where canaries' web analyses call the API, the Dashboard and the storefront from, on their pods'
     * ports (the Argo Rollouts controller's namespace, whose `web` metric calls the canary Services:
     * components/kubernetes/canary-analysis.ts). Default: none (a CloudWatch analysis calls no pod).
     */
    readonly canaryAnalysisSources?: Peer[];
    /** Where the pods may connect to. */
    readonly egress: AppEgressArgs;
    /**
     * The database-role Job runs here (components/core/migration.ts): its pods reach PostgreSQL on
     * the managed data stores' networks (`egress.dataStoreCidrs`), 5432 only, and nothing else.
     * Default: false.
     */
    readonly databaseRoleJob?: boolean;
    /** Guard in-cluster data stores (PostgreSQL, Valkey, Mailpit): only Core reaches them, and the storefront Valkey. Default: false. */
    readonly inClusterDataStores?: boolean;
    /**
     * A connection pooler runs here (components/data/pooler.ts, component `pooler`): Core's processes
     * reach it on `port`, nothing else does, and it reaches only `serverCidrs` (the writer's region's
     * private subnets) on 5432, besides DNS. Default: none.
     */
    readonly pooler?: { readonly port: number; readonly serverCidrs: string[] };
}

/** Saleor Core's processes: the only clients of the database, cache and mail server. */
const coreComponents = ["api", "worker", "beat", "migrations", "demo-data"];

/** The cluster DNS (CoreDNS, labelled k8s-app=kube-dns on EKS, kind and kubeadm clusters) in kube-system. */
const clusterDns: Peer = {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
};

/**
 * Default-deny ingress and egress for the namespace, then exactly the flows Saleor needs.
 *
 * On EKS the VPC CNI's network-policy agent enforces these; it keeps allowed and excepted ranges in
 * one longest-prefix table per pod, where an `except` has been reported to override another rule's
 * allow for the same addresses (aws/aws-network-policy-agent issues 180 and 326). So every range
 * allowed inside an excepted one is narrower than the exception (a private subnet inside the VPC;
 * CoreDNS and the API as pods), and nothing the pods need lies in the service range. Verified here
 * only against the agent's issue reports, not a running cluster. Ingress:
 * the load balancer (or ingress controller), and where canaries are analysed over HTTP the Argo
 * Rollouts controller, to the API, Dashboard and storefront; the storefront to
 * the API (server-side rendering); Core to the in-cluster data stores, and the storefront to Valkey.
 * Egress: DNS for every pod; Core to the data stores, the Pod Identity agent, mail and the internet
 * on 443 (S3 and other AWS endpoints, webhooks to apps, Sentry); the storefront to the API, Valkey
 * (its page cache) and the internet on 443 (the API's public URL, payment providers). No pod
 * reaches the node metadata address.
 */
export class AppNetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: AppNetworkPoliciesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:AppNetworkPolicies", name, {}, opts);
        const ns = args.namespace;
        const e = args.egress;
        const policy = (
            suffix: string,
            component: string | string[] | undefined,
            spec: Omit<k8s.types.input.networking.v1.NetworkPolicySpec, "podSelector" | "policyTypes">,
        ) =>
            new NetworkPolicy(
                `${name}-${suffix}`,
                {
                    metadata: { namespace: ns, labels: appLabels("network-policy", args.instance) },
                    spec: {
                        ...spec,
                        podSelector: selectorOf(component, args.instance),
                        policyTypes: [...(spec.ingress ? ["Ingress"] : []), ...(spec.egress ? ["Egress"] : [])],
                    },
                },
                { parent: this },
            );
        const from = (component: string) => ({ podSelector: { matchLabels: selectorLabels(component, args.instance) } });
        const coreClients = { podSelector: selectorOf(coreComponents, args.instance) };
        const tcp = (port: number) => ({ port, protocol: "TCP" });
        const internet = (ports: number[]): EgressRule => ({
            to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [instanceMetadataCidr, ...(e.privateCidrs ?? [])] } }],
            ports: ports.map(tcp),
        });

        policy("default-deny", undefined, { ingress: [], egress: [] });
        policy("dns", undefined, {
            egress: [{ to: [clusterDns], ports: [53, 53].map((port, i) => ({ port, protocol: i === 0 ? "UDP" : "TCP" })) }],
        });

        const analysis = args.canaryAnalysisSources ?? [];
        policy("api", "api", { ingress: [{ from: [...args.ingressSources, from("storefront"), ...analysis], ports: [tcp(8000)] }] });
        policy("dashboard", "dashboard", { ingress: [{ from: [...args.ingressSources, ...analysis], ports: [tcp(80)] }] });
        // The storefront's shared page cache: its own region's Valkey, its only data store (6379; never PostgreSQL).
        const pageCache: EgressRule[] = [
            ...(e.pageCacheCidrs?.length ? [{ to: e.pageCacheCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(6379)] }] : []),
            ...(args.inClusterDataStores ? [{ to: [from("valkey")], ports: [tcp(6379)] }] : []),
        ];
        policy("storefront", "storefront", {
            ingress: [{ from: [...args.ingressSources, ...analysis], ports: [tcp(3000)] }],
            // The API's pods directly (plain HTTP in dev: the API Service, port 80 to the pods' 8000);
            // over HTTPS the API's public URL through the load balancer, an internet address.
            egress: [{ to: [from("api")], ports: [tcp(8000)] }, ...pageCache, internet([443])],
        });

        const coreEgress: EgressRule[] = [];
        if (e.dataStoreCidrs?.length) {
            coreEgress.push({
                to: e.dataStoreCidrs.map((cidr) => ({ ipBlock: { cidr } })),
                ports: (e.dataStorePorts ?? [5432, 6379]).map(tcp),
            });
        }
        if (args.inClusterDataStores) {
            coreEgress.push(
                { to: [from("postgres")], ports: [tcp(5432)] },
                { to: [from("valkey")], ports: [tcp(6379)] },
                { to: [from("mailpit")], ports: [tcp(1025)] },
            );
        }
        if (args.pooler) coreEgress.push({ to: [from("pooler")], ports: [tcp(args.pooler.port)] });
        if (e.podIdentityAgent) {
            coreEgress.push({ to: [{ ipBlock: { cidr: podIdentityAgent.cidr } }], ports: [tcp(podIdentityAgent.port)] });
        }
        coreEgress.push(internet([...new Set([443, ...(e.coreInternetPorts ?? [])])]));
        policy("core-egress", coreComponents, { egress: coreEgress });

        if (e.kubernetesApi) {
            const api = e.kubernetesApi;
            // The migration Job stops the Celery workers; a canary's gate Job reads its Rollout.
            policy("kubernetes-api", ["migrations", "rollout-gate"], {
                egress: [
                    {
                        to: api.cidrs.map((cidr) => ({
                            ipBlock: cidr === "0.0.0.0/0" ? { cidr, except: [instanceMetadataCidr] } : { cidr },
                        })),
                        ports: api.ports.map(tcp),
                    },
                ],
            });
        }

        if (args.databaseRoleJob && e.dataStoreCidrs?.length) {
            policy("database-role", "database-role", {
                egress: [{ to: e.dataStoreCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(5432)] }],
            });
        }

        if (args.pooler) {
            policy("pooler", "pooler", {
                ingress: [{ from: [coreClients], ports: [tcp(args.pooler.port)] }],
                egress: [{ to: args.pooler.serverCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(5432)] }],
            });
        }

        if (args.inClusterDataStores) {
            policy("postgres", "postgres", { ingress: [{ from: [coreClients], ports: [tcp(5432)] }] });
            policy("valkey", "valkey", { ingress: [{ from: [coreClients, from("storefront")], ports: [tcp(6379)] }] });
            policy("mailpit", "mailpit", { ingress: [{ from: [coreClients], ports: [tcp(1025)] }] });
        }
        this.registerOutputs({});
    }
}

/** The pods of `component` (one, several, or every pod of the namespace when undefined). */
function selectorOf(component: string | string[] | undefined, instance: string): k8s.types.input.meta.v1.LabelSelector {
    if (component === undefined) return {};
    if (typeof component === "string") return { matchLabels: selectorLabels(component, instance) };
    return {
        matchExpressions: [
            { key: "app.kubernetes.io/instance", operator: "In", values: [instance] },
            { key: "app.kubernetes.io/component", operator: "In", values: component },
        ],
    };
}

export interface ExternalSecretsNetworkPoliciesArgs {
    /** The controller's namespace (the chart's). */
    readonly namespace: string;
    /** The chart's release name: its pods' `app.kubernetes.io/name` labels derive from the chart name. */
    readonly chartName: string;
    /** Where the API server answers, and calls the webhook from: the control plane's interfaces in the cluster's subnets. */
    readonly kubernetesApiCidrs: string[];
    /** Networks the 443 rule leaves out (the cluster's VPC): the controller reaches AWS's public endpoints only. */
    readonly privateCidrs: string[];
    /** The webhook's port (chart value `webhook.port`). Default: 10250. */
    readonly webhookPort?: number;
    /** What must exist first: the chart's release, which creates the namespace. */
    readonly dependsOn: pulumi.Input<pulumi.Resource>[];
}

/**
 * Default-deny for External Secrets Operator's namespace, then only what its three Deployments need
 * (the chart's templates label them `app.kubernetes.io/name: <chart>`, `<chart>-webhook` and
 * `<chart>-cert-controller`: deploy/charts/external-secrets/templates/_helpers.tpl, selectorLabels):
 * every pod reaches DNS and the API server (443; each watches or patches objects there); the
 * controller alone reaches AWS on 443 (Secrets Manager and STS, regional public endpoints: the
 * VPC has no interface endpoints) and the Pod Identity agent (its credentials); the webhook admits
 * the API server on its port (chart README, `webhook.port`, 10250), which calls it from the control
 * plane's interfaces. Nothing else enters. The node metadata address is never reachable. The EKS
 * control plane's addresses are those of the cluster's subnets, as for the app namespace
 * (stack/application.ts; not verified on a cluster here).
 */
export class ExternalSecretsNetworkPolicies extends pulumi.ComponentResource {
    constructor(name: string, args: ExternalSecretsNetworkPoliciesArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:ExternalSecretsNetworkPolicies", name, {}, opts);
        const tcp = (port: number) => ({ port, protocol: "TCP" });
        const byName = (n: string) => ({ matchLabels: { "app.kubernetes.io/name": n } });
        const policy = (
            suffix: string,
            podSelector: k8s.types.input.meta.v1.LabelSelector,
            spec: Omit<k8s.types.input.networking.v1.NetworkPolicySpec, "podSelector" | "policyTypes">,
        ) =>
            new NetworkPolicy(
                `${name}-${suffix}`,
                {
                    metadata: {
                        namespace: args.namespace,
                        labels: {
                            "app.kubernetes.io/name": args.chartName,
                            "app.kubernetes.io/component": "network-policy",
                            "app.kubernetes.io/managed-by": "pulumi",
                        },
                    },
                    spec: {
                        ...spec,
                        podSelector,
                        policyTypes: [...(spec.ingress ? ["Ingress"] : []), ...(spec.egress ? ["Egress"] : [])],
                    },
                },
                { parent: this, dependsOn: args.dependsOn },
            );
        policy("default-deny", {}, { ingress: [], egress: [] });
        policy(
            "dns",
            {},
            { egress: [{ to: [clusterDns], ports: [53, 53].map((port, i) => ({ port, protocol: i === 0 ? "UDP" : "TCP" })) }] },
        );
        policy(
            "kubernetes-api",
            {},
            { egress: [{ to: args.kubernetesApiCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(443)] }] },
        );
        policy("controller-egress", byName(args.chartName), {
            egress: [
                { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [instanceMetadataCidr, ...args.privateCidrs] } }], ports: [tcp(443)] },
                { to: [{ ipBlock: { cidr: podIdentityAgent.cidr } }], ports: [tcp(podIdentityAgent.port)] },
            ],
        });
        policy("webhook", byName(`${args.chartName}-webhook`), {
            ingress: [{ from: args.kubernetesApiCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [tcp(args.webhookPort ?? 10250)] }],
        });
        this.registerOutputs({});
    }
}
