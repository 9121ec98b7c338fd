import { resourcesRule } from "../../lib/define";
import { isKnown, known, knownList, Maybe, UNKNOWN } from "../../lib/unknown";
import { aws } from "../types";

interface Statement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    Resource?: string | string[];
}

/** The policy document's statements; UNKNOWN while the JSON is not known (it often embeds ARNs). */
export function statementsOf(readPolicy: () => unknown): Maybe<Statement[]> {
    const document = known(readPolicy);
    if (!isKnown(document)) {
        return UNKNOWN;
    }
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch {
            // Not JSON: AWS rejects it at deployment; nothing for this rule to judge.
            return [];
        }
    }
    const statements = knownList(() => (parsed as { Statement?: Statement | Statement[] } | null)?.Statement as Statement[] | undefined);
    return statements.hasUnknown ? UNKNOWN : statements.items;
}

const isWildcard = (value: unknown) => value === "*" || value === "*:*";

export const iamNoFullAdmin = resourcesRule({
    name: "aws-iam-policy-no-full-admin",
    description: 'IAM policies must not contain a statement that allows Action "*" on Resource "*" (full administrator access).',
    enforcementLevel: "mandatory",
    category: "security",
    types: [aws.iam.Policy.__pulumiType, aws.iam.RolePolicy.__pulumiType],
    validate: (args, { report }) => {
        const statements = statementsOf(() => args.props.policy);
        if (!isKnown(statements)) {
            return;
        }
        statements.forEach((statement, index) => {
            const effect = known(() => statement.Effect);
            const actions = knownList(() => statement.Action as string[] | undefined);
            const resources = knownList(() => statement.Resource as string[] | undefined);
            if (effect === "Allow" && actions.items.some(isWildcard) && resources.items.some(isWildcard)) {
                const sid = known(() => statement.Sid);
                const name = isKnown(sid) && sid ? `"${sid}"` : `#${index}`;
                report(
                    `IAM policy "${args.name}": statement ${name} allows every action on every resource; list the actions and resource ARNs the role needs.`,
                );
            }
        });
    },
});
