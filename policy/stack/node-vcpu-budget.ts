import { aws } from "../aws/types";
import { vcpusOf } from "../aws/eks/instance-vcpus";
import { instanceTypesOf } from "../aws/eks/node-group";
import { stackRule } from "../lib/define";
import { setting } from "../lib/settings";
import { isKnown, known } from "../lib/unknown";

export const nodeGroupVcpuBudget = stackRule({
    name: "aws-eks-node-groups-vcpu-budget",
    description: "All EKS node groups together, scaled to their maximum size, must stay within the stack's vCPU budget.",
    enforcementLevel: "advisory",
    category: "sizing",
    guards: [aws.eks.NodeGroup.__pulumiType],
    settings: {
        maxVcpus: setting.integer(128, "Most vCPUs all node groups may reach at their maximum size, across regions.", 1),
    },
    validate: (args, { config, report }) => {
        const groups = args.resources.filter((r) => r.type === aws.eks.NodeGroup.__pulumiType);
        if (groups.length === 0) {
            args.notApplicable("the stack has no EKS node groups");
        }
        let total = 0;
        const parts: string[] = [];
        for (const group of groups) {
            const props = group.props as Parameters<typeof instanceTypesOf>[0];
            const maxSize = known(() => props.scalingConfig?.maxSize);
            const types = instanceTypesOf(props);
            if (!isKnown(maxSize) || typeof maxSize !== "number" || !isKnown(types)) {
                continue;
            }
            const sized = types.map((type) => ({ type, vcpus: vcpusOf(type) }));
            const unsized = sized.filter((s) => s.vcpus === undefined).map((s) => s.type);
            if (unsized.length > 0) {
                report(
                    `EKS node group "${group.name}" uses ${unsized.join(", ")}, whose vCPU count this pack does not know; use an m/c/r (6th or 7th generation) or t3/t4g type.`,
                    group.urn,
                );
                continue;
            }
            // A mixed-type group may end up all on its largest type.
            const largest = sized.reduce((a, b) => ((b.vcpus ?? 0) > (a.vcpus ?? 0) ? b : a));
            const vcpus = maxSize * (largest.vcpus ?? 0);
            total += vcpus;
            parts.push(`${group.name}: ${maxSize} x ${largest.type} = ${vcpus}`);
        }
        // Unknown groups only add to the total, so a known excess is already certain.
        if (total > config.maxVcpus) {
            report(
                `EKS node groups can scale to ${total} vCPUs (${parts.join("; ")}), above this stack's budget of ${config.maxVcpus}; lower scalingConfig.maxSize or pick smaller instance types.`,
            );
        }
    },
});
