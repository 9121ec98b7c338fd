import assert from "node:assert/strict";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const spec = (p: RecordedResource) => (p.inputs as any).spec;
const regionOf = (r: RecordedResource) => r.name.match(/^[a-z]+-[a-z]+-\d|^[a-z]+/)![0];
const cidrsOf = (peers: any[]) => peers.filter((p) => p.ipBlock).map((p) => p.ipBlock.cidr);
const coreComponents = ["api", "worker", "beat", "migrations", "demo-data"];

/** The policies of one region, by their role (the logical name's suffix). */
function policiesOf(res: Resources, region: string): Record<string, any> {
    const prefix = `${region}-network-`;
    return Object.fromEntries(
        res
            .ofType(NP)
            .filter((p) => p.name.startsWith(prefix))
            .map((p) => [p.name.slice(prefix.length), spec(p)]),
    );
}

/** Every ipBlock the policies hold, ingress and egress. */
const ipBlocks = (policies: Record<string, any>) =>
    Object.values(policies).flatMap((s) => [
        ...(s.ingress ?? []).flatMap((rule: any) => (rule.from ?? []).filter((p: any) => p.ipBlock).map((p: any) => p.ipBlock)),
        ...(s.egress ?? []).flatMap((rule: any) => (rule.to ?? []).filter((p: any) => p.ipBlock).map((p: any) => p.ipBlock)),
    ]);

function assertCommonShape(policies: Record<string, any>) {
    assert.deepEqual(policies["default-deny"].podSelector, {});
    assert.deepEqual(policies["default-deny"].policyTypes, ["Ingress", "Egress"]);
    assert.deepEqual(policies["default-deny"].egress, []);
    // DNS for every pod, to CoreDNS only.
    assert.deepEqual(policies.dns.podSelector, {});
    assert.deepEqual(policies.dns.egress, [
        {
            to: [
                {
                    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } },
                    podSelector: { matchLabels: { "k8s-app": "kube-dns" } },
                },
            ],
            ports: [
                { port: 53, protocol: "UDP" },
                { port: 53, protocol: "TCP" },
            ],
        },
    ]);
    // Core's processes, and only they, get the data stores and the outside world.
    const selector = policies["core-egress"].podSelector.matchExpressions.find((e: any) => e.key === "app.kubernetes.io/component");
    assert.deepEqual(selector.values, coreComponents);
    // No pod reaches the node's metadata service: every wide block leaves it out.
    for (const block of ipBlocks(policies).filter((b) => b.cidr === "0.0.0.0/0")) {
        assert.ok(block.except.includes("169.254.169.254/32"), JSON.stringify(block));
    }
    // The storefront reaches the API's pods.
    assert.deepEqual(policies.storefront.egress[0].to[0].podSelector.matchLabels["app.kubernetes.io/component"], "api");
}

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: network isolation`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });
        const vpcs = () => res.ofType("aws:ec2/vpc:Vpc").map((v) => (v.inputs as any).cidrBlock as string);
        const subnets = (region: string, tier: "public" | "private") =>
            res
                .ofType("aws:ec2/subnet:Subnet")
                .filter((s) => s.name.startsWith(`${region}-${tier}-`))
                .map((s) => (s.inputs as any).cidrBlock as string)
                .sort();

        for (const region of ["eu-central-1", "eu-west-1"]) {
            it(`${region}: admits public traffic only from the ALB's public subnets, never the whole VPC`, () => {
                const policies = policiesOf(res, region);
                assertCommonShape(policies);
                for (const [name, port] of [
                    ["api", 8000],
                    ["dashboard", 80],
                    ["storefront", 3000],
                ] as const) {
                    const [rule] = policies[name].ingress;
                    assert.deepEqual(cidrsOf(rule.from).sort(), subnets(region, "public"), name);
                    assert.deepEqual(rule.ports, [{ port, protocol: "TCP" }]);
                }
                for (const block of ipBlocks(policies)) assert.ok(!vpcs().includes(block.cidr), `${block.cidr} is a whole VPC`);
            });

            it(`${region}: lets Core reach the data stores, the Pod Identity agent, SES and the internet on 443 outside the VPCs`, () => {
                const all = policiesOf(res, region)["core-egress"].egress;
                // The secondary's Core also reaches its connection pooler (tests/stacks/pooler.spec.ts).
                const toPooler = (rule: any) =>
                    rule.to.some((p: any) => p.podSelector?.matchLabels?.["app.kubernetes.io/component"] === "pooler");
                assert.equal(all.filter(toPooler).length, region === "eu-west-1" ? 1 : 0);
                const egress = all.filter((rule: any) => !toPooler(rule));
                const [stores, agent, internet] = egress;
                assert.equal(egress.length, 3);
                const privateSubnets = [...subnets("eu-central-1", "private"), ...subnets("eu-west-1", "private")].sort();
                assert.deepEqual(cidrsOf(stores.to).sort(), privateSubnets);
                assert.deepEqual(stores.ports, [
                    { port: 5432, protocol: "TCP" },
                    { port: 6379, protocol: "TCP" },
                ]);
                assert.deepEqual(agent, { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ port: 80, protocol: "TCP" }] });
                assert.deepEqual(internet.to, [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", ...vpcs()] } }]);
                assert.deepEqual(internet.ports, [
                    { port: 443, protocol: "TCP" },
                    { port: 587, protocol: "TCP" },
                ]);
            });
        }
    });
}

describe("dev stack: network isolation", () => {
    let policies: Record<string, any>;
    before(async () => {
        const res = new Resources((await evaluated("dev")).resources);
        const [region] = [...new Set(res.ofType(NP).map(regionOf))];
        policies = policiesOf(res, region);
    });

    it("admits public traffic only from the ingress controller's namespace", () => {
        assertCommonShape(policies);
        for (const name of ["api", "dashboard", "storefront"]) {
            assert.deepEqual(policies[name].ingress[0].from[0], {
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress-nginx" } },
            });
        }
    });

    it("lets Core reach the in-cluster data stores by pod, and the internet on 443 only", () => {
        const egress = policies["core-egress"].egress;
        const byPod = egress
            .filter((rule: any) => rule.to[0].podSelector)
            .map((rule: any) => [rule.to[0].podSelector.matchLabels["app.kubernetes.io/component"], rule.ports[0].port]);
        assert.deepEqual(byPod, [
            ["postgres", 5432],
            ["valkey", 6379],
            ["mailpit", 1025],
        ]);
        const blocks = egress.filter((rule: any) => rule.to[0].ipBlock);
        assert.deepEqual(blocks, [
            { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }], ports: [{ port: 443, protocol: "TCP" }] },
        ]);
    });
});
