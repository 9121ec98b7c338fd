import { resourceRule } from "../../lib/define";
import { globMatches } from "../../lib/glob";
import { setting } from "../../lib/settings";
import { isKnown, known, knownList, Maybe, UNKNOWN } from "../../lib/unknown";
import { aws, EksNodeGroupProps } from "../types";

const label = (name: string) => `EKS node group "${name}"`;

/** EKS launches t3.medium when a node group names no instance type and no launch template. */
export const EKS_DEFAULT_INSTANCE_TYPE = "t3.medium";

/**
 * The node group's instance types; UNKNOWN when they are not known yet or live in a launch
 * template the rules cannot see.
 */
export function instanceTypesOf(group: EksNodeGroupProps): Maybe<string[]> {
    const types = knownList(() => group.instanceTypes);
    if (types.hasUnknown) {
        return UNKNOWN;
    }
    if (types.items.length > 0) {
        return types.items;
    }
    const launchTemplate = known(() => group.launchTemplate);
    if (!isKnown(launchTemplate) || (launchTemplate !== undefined && launchTemplate !== null)) {
        return UNKNOWN;
    }
    return [EKS_DEFAULT_INSTANCE_TYPE];
}

export const nodeGroupInstanceTypeAllowed = resourceRule({
    name: "aws-eks-node-group-instance-type-allowed",
    description: "EKS node groups must use instance types the stack allows.",
    enforcementLevel: "mandatory",
    category: "sizing",
    type: aws.eks.NodeGroup,
    settings: {
        // Production guide (seeds 002/003): application servers of 8 cores / 16 GB, not burstable.
        allowedInstanceTypes: setting.strings(
            ["m6i.*", "m7i.*", "c6i.*", "c7i.*", "r6i.*", "r7i.*", "m6g.*", "m7g.*"],
            "Instance types allowed, exact or with `*` (m7i.*).",
        ),
    },
    validate: (group, { args, config, report }) => {
        const types = instanceTypesOf(group);
        if (!isKnown(types)) {
            return;
        }
        const disallowed = types.filter((type) => !config.allowedInstanceTypes.some((pattern) => globMatches(type, pattern)));
        if (disallowed.length > 0) {
            report(
                `${label(args.name)} uses ${disallowed.join(", ")}, which this stack does not allow; pick from ${config.allowedInstanceTypes.join(", ")}.`,
            );
        }
    },
});

export const nodeGroupMinSize = resourceRule({
    name: "aws-eks-node-group-min-size",
    description:
        "EKS node groups must keep at least the stack's minimum number of nodes, so losing one node never takes the application down.",
    enforcementLevel: "mandatory",
    category: "sizing",
    type: aws.eks.NodeGroup,
    settings: {
        // Production guide (the Production Deployment Guide): 2+ load-balanced application servers.
        minNodes: setting.integer(2, "Smallest scalingConfig.minSize allowed.", 0),
    },
    validate: (group, { args, config, report }) => {
        const minSize = known(() => group.scalingConfig?.minSize);
        if (isKnown(minSize) && typeof minSize === "number" && minSize < config.minNodes) {
            report(
                `${label(args.name)} may shrink to ${minSize} node(s), below this stack's minimum of ${config.minNodes}; set scalingConfig.minSize to at least ${config.minNodes}.`,
            );
        }
    },
});

export const nodeGroupMaxSize = resourceRule({
    name: "aws-eks-node-group-max-size",
    description: "EKS node groups must not scale beyond the stack's maximum number of nodes.",
    enforcementLevel: "advisory",
    category: "sizing",
    type: aws.eks.NodeGroup,
    settings: {
        maxNodes: setting.integer(6, "Largest scalingConfig.maxSize allowed.", 1),
    },
    validate: (group, { args, config, report }) => {
        const maxSize = known(() => group.scalingConfig?.maxSize);
        if (isKnown(maxSize) && typeof maxSize === "number" && maxSize > config.maxNodes) {
            report(
                `${label(args.name)} may grow to ${maxSize} nodes, above this stack's maximum of ${config.maxNodes}; set scalingConfig.maxSize to at most ${config.maxNodes}.`,
            );
        }
    },
});
