import { resourceRule } from "../../lib/define";
import { isKnown, known, knownList } from "../../lib/unknown";
import { aws } from "../types";
import { statementsOf } from "./policy";

/**
 * Condition keys that tie a service's request to the resource or account it acts for: the
 * confused-deputy guards the IAM User Guide names (aws:SourceAccount, aws:SourceArn,
 * aws:SourceOrgID, aws:SourceOrgPaths), and for EKS Pod Identity the cluster session tag AWS
 * documents for its trust policies (aws:RequestTag/eks-cluster-arn, eks-cluster-name).
 * Condition keys are case-insensitive.
 */
export const sourceConditionKeys = [
    "aws:sourceaccount",
    "aws:sourcearn",
    "aws:sourceorgid",
    "aws:sourceorgpaths",
    "aws:requesttag/eks-cluster-arn",
    "aws:requesttag/eks-cluster-name",
];

interface TrustStatement {
    Sid?: string;
    Effect?: string;
    Principal?: { Service?: string | string[] } | string;
    Condition?: Record<string, Record<string, unknown>>;
}

export const iamTrustServiceConditioned = resourceRule({
    name: "aws-iam-role-trust-service-conditioned",
    description:
        "A role's trust policy must not let an AWS service principal assume it without a condition on the source (aws:SourceAccount or aws:SourceArn; for EKS Pod Identity the eks-cluster-arn session tag): the confused-deputy guard.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.iam.Role,
    validate: (role, { args, report }) => {
        const statements = statementsOf(() => role.assumeRolePolicy);
        if (!isKnown(statements)) {
            return;
        }
        (statements as TrustStatement[]).forEach((statement, index) => {
            if (known(() => statement.Effect) !== "Allow") {
                return;
            }
            const services = knownList(() => {
                const principal = statement.Principal;
                return typeof principal === "object" && principal !== null ? [principal.Service ?? []].flat() : [];
            });
            if (services.items.length === 0) {
                return;
            }
            const condition = known(() => statement.Condition);
            if (!isKnown(condition)) {
                return;
            }
            const keys = Object.values(condition ?? {}).flatMap((block) => Object.keys(block ?? {}).map((k) => k.toLowerCase()));
            if (keys.some((k) => sourceConditionKeys.includes(k))) {
                return;
            }
            const sid = known(() => statement.Sid);
            const name = isKnown(sid) && sid ? `"${sid}"` : `#${index}`;
            report(
                `IAM role "${args.name}": trust statement ${name} lets ${services.items.join(", ")} assume the role ${
                    keys.length ? `with no source condition (only ${keys.join(", ")})` : "with no condition"
                }; add aws:SourceAccount (and aws:SourceArn where the service sends it) so the service cannot be made to act for another account's resource.`,
            );
        });
    },
});
