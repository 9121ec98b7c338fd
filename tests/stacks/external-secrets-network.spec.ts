import assert from "node:assert/strict";
import { planSubnets } from "../../catalog/ipv4";
import { defaultAvailabilityZoneCount } from "../../catalog/ec2";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

// External Secrets Operator's namespace holds the only pods that read Saleor's secrets from AWS:
// nothing may reach them but the API server (the webhook), and they reach only what they need.

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const vpcs: Record<string, Record<string, string>> = {
    staging: { "eu-central-1": "10.30.0.0/16", "eu-west-1": "10.40.0.0/16" },
    production: { "eu-central-1": "10.10.0.0/16", "eu-west-1": "10.20.0.0/16" },
};

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: NetworkPolicies of the External Secrets namespace`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });
        const policiesOf = (region: string) =>
            res.ofType(NP).filter((p) => inputs(p).metadata.namespace === "external-secrets" && p.name.startsWith(`${region}-`));
        const named = (region: string, suffix: string) => res.one(NP, `${region}-external-secrets-${suffix}`);

        for (const region of ["eu-central-1", "eu-west-1"]) {
            const vpc = () => {
                const cidr = vpcs[stack][region];
                assert.ok(cidr, `the stack file's VPC of ${region}`);
                return cidr;
            };

            it(`${region}: denies every flow by default, then allows DNS and the API server to every pod`, () => {
                assert.ok(
                    policiesOf(region).length >= 5,
                    policiesOf(region)
                        .map((p) => p.name)
                        .join(),
                );
                const deny = inputs(named(region, "default-deny")).spec;
                assert.deepEqual(deny, { podSelector: {}, policyTypes: ["Ingress", "Egress"], ingress: [], egress: [] });
                const dns = inputs(named(region, "dns")).spec;
                assert.deepEqual(
                    dns.egress[0].ports.map((p: any) => `${p.protocol}/${p.port}`),
                    ["UDP/53", "TCP/53"],
                );
                const api = inputs(named(region, "kubernetes-api")).spec;
                assert.deepEqual(api.podSelector, {});
                assert.deepEqual(
                    api.egress[0].to.map((t: any) => t.ipBlock.cidr),
                    planSubnets(vpc(), defaultAvailabilityZoneCount).private,
                );
                assert.deepEqual(api.egress[0].ports, [{ port: 443, protocol: "TCP" }]);
            });

            it(`${region}: lets only the controller reach AWS on 443 (never the stack's VPCs or the node metadata) and the Pod Identity agent`, () => {
                const aws = inputs(named(region, "controller-egress")).spec;
                assert.deepEqual(aws.podSelector.matchLabels, { "app.kubernetes.io/name": "external-secrets" });
                assert.deepEqual(aws.policyTypes, ["Egress"]);
                const [internet, agent] = aws.egress;
                const others = Object.values(vpcs[stack]).filter((c) => c !== vpc());
                assert.deepEqual(internet.to, [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", vpc(), ...others] } }]);
                assert.deepEqual(internet.ports, [{ port: 443, protocol: "TCP" }]);
                assert.deepEqual(agent, { to: [{ ipBlock: { cidr: "169.254.170.23/32" } }], ports: [{ port: 80, protocol: "TCP" }] });
            });

            it(`${region}: admits only the API server, to the webhook's port`, () => {
                const webhook = inputs(named(region, "webhook")).spec;
                assert.deepEqual(webhook.podSelector.matchLabels, { "app.kubernetes.io/name": "external-secrets-webhook" });
                assert.deepEqual(webhook.policyTypes, ["Ingress"]);
                assert.deepEqual(
                    webhook.ingress[0].from.map((f: any) => f.ipBlock.cidr),
                    planSubnets(vpc(), defaultAvailabilityZoneCount).private,
                );
                assert.deepEqual(webhook.ingress[0].ports, [{ port: 10250, protocol: "TCP" }]);
                for (const p of policiesOf(region)) {
                    const ingress = inputs(p).spec.ingress ?? [];
                    if (p.name.endsWith("-webhook") || p.name.endsWith("-default-deny")) continue;
                    assert.deepEqual(ingress, [], `${p.name} admits nothing`);
                }
            });

            it(`${region}: waits for the chart, which creates the namespace`, () => {
                const release = res.one("kubernetes:helm.sh/v3:Release", `${region}-external-secrets`);
                for (const p of policiesOf(region)) assert.ok(p.dependencies.includes(release.urn), p.name);
            });
        }
    });
}

describe("dev stack: no External Secrets namespace, no policies for it", () => {
    it("has none", async () => {
        const res = new Resources((await evaluated("dev")).resources);
        assert.deepEqual(
            res.ofType(NP).filter((p) => inputs(p).metadata.namespace === "external-secrets"),
            [],
        );
    });
});
