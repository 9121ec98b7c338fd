import { resourcesRule } from "../../lib/define";
import { isKnown, known } from "../../lib/unknown";
import { aws } from "../types";

/**
 * A permissions boundary caps what a role or user can do whatever is attached to it ("Permissions
 * boundaries for IAM entities", IAM User Guide). The stacks' deploy role may create roles and users
 * only with its environment's workload boundary (the bootstrap's deploy-policy.ts): a role or user
 * without one is refused at deployment, and in an account without that guard would be unbounded.
 */
export const iamPermissionsBoundarySet = resourcesRule({
    name: "aws-iam-permissions-boundary-set",
    description:
        "IAM role or user without a permissions boundary: every role and user a stack creates must carry the stack's workload boundary (cluster.aws.permissionsBoundaryArn), so no identity the deploy mints can do more than a workload may.",
    enforcementLevel: "mandatory",
    category: "security",
    types: [aws.iam.Role.__pulumiType, aws.iam.User.__pulumiType],
    validate: (args, { report }) => {
        const boundary = known(() => args.props.permissionsBoundary as unknown);
        if (!isKnown(boundary)) {
            return;
        }
        if (typeof boundary !== "string" || boundary.trim() === "") {
            const kind = args.type === aws.iam.User.__pulumiType ? "user" : "role";
            report(
                `IAM ${kind} "${args.name}" has no permissions boundary; set permissionsBoundary to the stack's workload boundary (saleor:cluster.aws.permissionsBoundaryArn), or the deploy role will refuse to create it.`,
            );
        }
    },
});
