import assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import { AppNetworkPolicies } from "../../components/network-policies";
import { registered, type Resources } from "../support/harness";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const nginx = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } } };

function policies(inClusterDataStores: boolean) {
    return registered(
        () =>
            new AppNetworkPolicies(
                "local-network",
                {
                    namespace: "saleor",
                    instance: "dev-local",
                    ingressSources: [nginx],
                    egress: {},
                    inClusterDataStores,
                },
                { providers: [new k8s.Provider("k8s", {})] },
            ),
    );
}

const forComponent = (res: Resources, component: string) =>
    res.ofType(NP).find((p) => (p.inputs as any).spec.podSelector.matchLabels?.["app.kubernetes.io/component"] === component)!
        .inputs as any;

describe("AppNetworkPolicies", () => {
    let res: Resources;
    before(async () => {
        res = await policies(true);
    });

    it("denies all ingress and egress in the namespace by default", () => {
        const deny = res.one(NP, "local-network-default-deny").inputs as any;
        assert.deepEqual(deny.spec.podSelector, {});
        assert.deepEqual(deny.spec.ingress, []);
        assert.deepEqual(deny.spec.egress, []);
        assert.deepEqual(deny.spec.policyTypes, ["Ingress", "Egress"]);
    });

    it("admits the ingress controller to the API, Dashboard and storefront ports only", () => {
        assert.deepEqual(forComponent(res, "dashboard").spec.ingress, [{ from: [nginx], ports: [{ port: 80, protocol: "TCP" }] }]);
        assert.deepEqual(forComponent(res, "storefront").spec.ingress, [{ from: [nginx], ports: [{ port: 3000, protocol: "TCP" }] }]);
        const api = forComponent(res, "api").spec.ingress[0];
        assert.deepEqual(api.ports, [{ port: 8000, protocol: "TCP" }]);
        assert.deepEqual(api.from[0], nginx);
        assert.equal(
            api.from[1].podSelector.matchLabels["app.kubernetes.io/component"],
            "storefront",
            "server-side rendering calls the API",
        );
    });

    it("lets only Core processes reach PostgreSQL, Valkey and the mail catcher", () => {
        for (const [component, port] of [
            ["postgres", 5432],
            ["valkey", 6379],
            ["mailpit", 1025],
        ] as const) {
            const rule = forComponent(res, component).spec.ingress[0];
            assert.deepEqual(rule.ports, [{ port, protocol: "TCP" }]);
            const expr = rule.from[0].podSelector.matchExpressions.find((e: any) => e.key === "app.kubernetes.io/component");
            assert.deepEqual(expr.values, ["api", "worker", "beat", "migrations", "demo-data"]);
            assert.ok(!expr.values.includes("storefront") && !expr.values.includes("dashboard"));
        }
    });

    it("has no data-store policies where the data tier is managed", async () => {
        const managed = await policies(false);
        assert.deepEqual(
            managed
                .ofType(NP)
                .map((p) => p.name.replace("local-network-", ""))
                .sort(),
            ["api", "core-egress", "dashboard", "default-deny", "dns", "storefront"],
        );
    });
});

describe("NetworkPolicy enforcement on EKS", () => {
    it("switches on the VPC CNI's network-policy agent, without which policies are inert", async () => {
        const { evaluated } = await import("../support/plans");
        const res = new (await import("../support/harness")).Resources((await evaluated("staging")).resources);
        const cni = res.ofType("aws:eks/addon:Addon").filter((a) => (a.inputs as any).addonName === "vpc-cni");
        assert.equal(cni.length, 2);
        for (const a of cni) assert.deepEqual(JSON.parse((a.inputs as any).configurationValues), { enableNetworkPolicy: "true" });
        assert.ok(res.ofType(NP).length >= 8, "both regions carry the namespace policies");
    });
});
