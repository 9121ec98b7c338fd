import { PolicyResource } from "@pulumi/policy";
import { aws, AWS_PROVIDER_TYPE } from "../aws/types";
import { stackRule } from "../lib/define";
import { setting } from "../lib/settings";
import { isKnown, known, Maybe, UNKNOWN } from "../lib/unknown";

/**
 * Where an AWS resource lives: its own `region` input (AWS provider 7 accepts one per resource),
 * else its provider's `region`. UNKNOWN when neither is known (e.g. a default provider that takes
 * the region from the environment).
 */
export function regionOf(resource: PolicyResource): Maybe<string> {
    const own = known(() => resource.props.region);
    if (!isKnown(own)) {
        return UNKNOWN;
    }
    if (typeof own === "string" && own !== "") {
        return own;
    }
    const provider = resource.provider;
    if (!provider || provider.type !== AWS_PROVIDER_TYPE) {
        return UNKNOWN;
    }
    const region = known(() => provider.props.region);
    return isKnown(region) && typeof region === "string" && region !== "" ? region : UNKNOWN;
}

export const stackMultiRegion = stackRule({
    name: "aws-stack-multi-region",
    description:
        "The stack must run its EKS clusters (or, without EKS, its AWS resources) in at least the configured number of AWS regions, eu-central-1 primary and eu-west-1 secondary.",
    enforcementLevel: "mandatory",
    category: "reliability",
    guards: [AWS_PROVIDER_TYPE, aws.eks.Cluster.__pulumiType],
    settings: {
        // CI/CD requirements (the CI/CD Pipeline document): staging and production are multi-region (DE eu-central-1, NL/BE eu-west-1).
        minRegions: setting.integer(2, "Fewest distinct AWS regions the stack must span.", 1),
    },
    validate: (args, { config, report }) => {
        const awsResources = args.resources.filter((r) => r.type.startsWith("aws:"));
        if (awsResources.length === 0) {
            args.notApplicable("the stack has no AWS resources");
        }
        const clusters = awsResources.filter((r) => r.type === aws.eks.Cluster.__pulumiType);
        const placed = clusters.length > 0 ? clusters : awsResources;
        const regions = placed.map(regionOf);
        if (regions.includes(UNKNOWN)) {
            return;
        }
        const distinct = [...new Set(regions as string[])].sort();
        if (distinct.length < config.minRegions) {
            const what = clusters.length > 0 ? "EKS clusters" : "AWS resources";
            report(
                `The stack runs its ${what} in ${distinct.length} region(s) (${distinct.join(", ")}), fewer than ${config.minRegions}; give each region its own aws.Provider and build the regional stack in the secondary region (eu-west-1) too.`,
            );
        }
    },
});
