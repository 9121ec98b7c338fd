import { PolicyResource } from "@pulumi/policy";
import { aws } from "../aws/types";
import { containsRange, parseIpv4Cidr } from "../lib/cidr";
import { stackRule } from "../lib/define";
import { isKnown, known } from "../lib/unknown";

/** The NetworkPolicy type, as the Kubernetes provider registers it. */
export const NETWORK_POLICY_TYPE = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

interface IpBlock {
    cidr?: string;
    except?: string[];
}
interface Peer {
    ipBlock?: IpBlock;
}
interface NetworkPolicySpec {
    ingress?: { from?: Peer[] }[];
    egress?: { to?: Peer[] }[];
}

/** Every ipBlock of the policy, with the direction it admits. */
function ipBlocksOf(policy: PolicyResource): { direction: "ingress" | "egress"; block: IpBlock }[] {
    const spec = known(() => policy.props.spec as NetworkPolicySpec | undefined);
    if (!isKnown(spec) || !spec) return [];
    const blocks = (direction: "ingress" | "egress", peers: (Peer[] | undefined)[]) =>
        peers.flatMap((list) => (list ?? []).flatMap((peer) => (peer?.ipBlock ? [{ direction, block: peer.ipBlock }] : [])));
    return [
        ...blocks(
            "ingress",
            (spec.ingress ?? []).map((rule) => rule?.from),
        ),
        ...blocks(
            "egress",
            (spec.egress ?? []).map((rule) => rule?.to),
        ),
    ];
}

/**
 * Whether `block` admits every address of `vpcCidr`: its range holds the VPC's and none of its
 * exceptions takes the VPC's range out.
 */
function admitsWholeRange(block: IpBlock, vpcCidr: string): boolean {
    const range = block.cidr ? parseIpv4Cidr(block.cidr) : undefined;
    const vpc = parseIpv4Cidr(vpcCidr);
    if (!range || !vpc || !containsRange(range, vpc)) return false;
    return !(block.except ?? []).some((e) => {
        const except = parseIpv4Cidr(e);
        return except !== undefined && (containsRange(except, vpc) || containsRange(vpc, except));
    });
}

const WORLD = ["0.0.0.0/0", "::/0"];

export const networkPolicyNoWholeVpc = stackRule({
    name: "kubernetes-network-policy-no-whole-vpc",
    description:
        "A NetworkPolicy's ipBlock must not admit a whole VPC range of the stack (a VPC holds every pod's address, so any pod would pass) nor, on ingress, the whole internet (0.0.0.0/0, ::/0); name the load balancer's subnets or select pods.",
    enforcementLevel: "mandatory",
    category: "security",
    guards: [NETWORK_POLICY_TYPE, aws.ec2.Vpc.__pulumiType],
    validate: (args, { report }) => {
        const policies = args.resources.filter((r) => r.type === NETWORK_POLICY_TYPE);
        if (policies.length === 0) {
            args.notApplicable("the stack has no NetworkPolicy");
        }
        const vpcs = args.resources
            .filter((r) => r.type === aws.ec2.Vpc.__pulumiType)
            .map((r) => known(() => r.props.cidrBlock as string | undefined))
            .filter((c): c is string => isKnown(c) && typeof c === "string");
        for (const policy of policies) {
            for (const { direction, block } of ipBlocksOf(policy)) {
                const cidr = known(() => block.cidr);
                if (!isKnown(cidr) || !cidr) continue;
                if (direction === "ingress" && WORLD.includes(cidr)) {
                    report(
                        `NetworkPolicy "${policy.name}" admits ingress from ${cidr}, every address; admit the load balancer's subnets or the ingress controller's pods.`,
                        policy.urn,
                    );
                    continue;
                }
                const whole = vpcs.filter((vpc) => admitsWholeRange(block, vpc));
                if (whole.length > 0) {
                    report(
                        `NetworkPolicy "${policy.name}" admits ${direction} ${direction === "ingress" ? "from" : "to"} ${cidr}, the whole VPC range ${whole.join(", ")}, which holds every pod; name the subnets that need it, or except the VPC.`,
                        policy.urn,
                    );
                }
            }
        }
    },
});
