import * as assert from "assert";
import { networkPolicyNoWholeVpc } from "../../../policy/kubernetes";
import { checkPlan } from "../../../policy/offline";
import { readStackConfig } from "../../../policy/table";
import { planOf } from "../../support/plans";
import { stackViolations, urnOf } from "../harness";

const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const vpc = (name: string, cidrBlock: string) => ({ type: "aws:ec2/vpc:Vpc", name, props: { cidrBlock } });
const policy = (name: string, spec: object) => ({ type: NP, name, props: { metadata: { namespace: "saleor" }, spec } });
const messages = async (fixtures: object[]) => (await stackViolations(networkPolicyNoWholeVpc, fixtures as any)).map((v) => v.message);

describe("kubernetes-network-policy-no-whole-vpc", () => {
    const vpcs = [vpc("eu-central-1-vpc", "10.10.0.0/16"), vpc("eu-west-1-vpc", "10.20.0.0/16")];

    it("ingress from a whole VPC range is a violation naming the policy and the VPC", async () => {
        const violations = await stackViolations(networkPolicyNoWholeVpc, [
            ...vpcs,
            policy("api", { ingress: [{ from: [{ ipBlock: { cidr: "10.10.0.0/16" } }] }] }),
        ]);
        assert.strictEqual(violations.length, 1);
        assert.match(
            violations[0].message,
            /NetworkPolicy "api" admits ingress from 10\.10\.0\.0\/16, the whole VPC range 10\.10\.0\.0\/16, which holds every pod/,
        );
        assert.strictEqual(violations[0].urn, urnOf(NP, "api"));
    });

    it("a wider block holding a peer VPC is a violation too, on egress as well", async () => {
        assert.deepStrictEqual(
            (
                await messages([
                    ...vpcs,
                    policy("core", { egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.10.0.0/16"] } }] }] }),
                ])
            ).length,
            1,
        );
        assert.match(
            (
                await messages([
                    ...vpcs,
                    policy("core", { egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32"] } }] }] }),
                ])
            )[0],
            /admits egress to 0\.0\.0\.0\/0, the whole VPC range 10\.10\.0\.0\/16, 10\.20\.0\.0\/16/,
        );
    });

    it("ingress from the whole internet is a violation even with no VPC in the stack", async () => {
        assert.match(
            (await messages([policy("web", { ingress: [{ from: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }] })]))[0],
            /admits ingress from 0\.0\.0\.0\/0, every address/,
        );
    });

    it("subnets, and an internet block that excepts every VPC, pass", async () => {
        assert.deepStrictEqual(
            await messages([
                ...vpcs,
                policy("api", { ingress: [{ from: [{ ipBlock: { cidr: "10.10.192.0/20" } }] }] }),
                policy("core", {
                    egress: [
                        { to: [{ ipBlock: { cidr: "10.20.0.0/18" } }] },
                        { to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["169.254.169.254/32", "10.10.0.0/16", "10.20.0.0/16"] } }] },
                    ],
                }),
            ]),
            [],
        );
    });

    for (const stack of ["dev", "staging", "production"] as const) {
        it(`${stack}'s plan has no NetworkPolicy it flags`, async () => {
            const result = await checkPlan(await planOf(stack), readStackConfig(stack));
            assert.deepStrictEqual(
                result.violations.filter((v) => v.policyName === networkPolicyNoWholeVpc.name).map((v) => v.message),
                [],
            );
        });
    }
});
