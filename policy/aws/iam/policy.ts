import { resourcesRule, resourceType } from "../../lib/define";
import { isKnown, known, knownList, Maybe, UNKNOWN } from "../../lib/unknown";
import { aws, IamPolicyProps } from "../types";

interface Statement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
}

/** A policy document read for judging: its statements, or why it cannot be read. */
export type PolicyDocument = { readonly statements: Statement[] } | { readonly unreadable: string };

/**
 * The policy document's statements, or why the document is not one; UNKNOWN while the JSON is not
 * known (it often embeds ARNs). The reason never quotes the document, which may hold anything.
 * IAM's grammar: the document is a JSON object whose Statement is one statement object or a list of
 * them (IAM User Guide, reference_policies_grammar.html).
 */
export function policyDocumentOf(readPolicy: () => unknown): Maybe<PolicyDocument> {
    const document = known(readPolicy);
    if (!isKnown(document)) {
        return UNKNOWN;
    }
    let parsed: unknown = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch {
            return { unreadable: "it is not valid JSON" };
        }
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
        return { unreadable: "it is not a JSON object" };
    }
    const statement = known(() => (parsed as { Statement?: unknown }).Statement);
    if (!isKnown(statement)) {
        return UNKNOWN;
    }
    if (statement === undefined) {
        return { unreadable: "it has no Statement" };
    }
    const statements = knownList(() => statement as Statement[]);
    if (statements.hasUnknown) {
        return UNKNOWN;
    }
    const bad = statements.items.findIndex((s) => typeof s !== "object" || s === null || Array.isArray(s));
    if (bad >= 0) {
        return { unreadable: `its statement #${bad} is not an object` };
    }
    return { statements: statements.items };
}

/**
 * The policy document's statements; UNKNOWN while the JSON is not known. A document that cannot be
 * read has none here: a rule that must fail closed reads `policyDocumentOf` instead.
 */
export function statementsOf(readPolicy: () => unknown): Maybe<Statement[]> {
    const document = policyDocumentOf(readPolicy);
    if (!isKnown(document)) {
        return UNKNOWN;
    }
    return "statements" in document ? document.statements : [];
}

/**
 * Resources that stand for every resource: "*" and wildcard ARNs such as "arn:*", "arn:aws:*" or
 * "arn:aws:*:*:123456789012:*". IAM's `*` matches any run of characters, colons included
 * (reference_policies_elements_resource.html), so a pattern is "every resource" when it matches
 * ARNs of unrelated services in every region and account of the samples.
 */
const SAMPLE_ARNS = [
    "arn:aws:iam::123456789012:role/any",
    "arn:aws:ec2:eu-central-1:123456789012:instance/i-0123456789abcdef0",
    "arn:aws:rds:eu-west-1:123456789012:db:any",
    "arn:aws:kms:us-east-1:123456789012:key/any",
    "arn:aws:secretsmanager:eu-central-1:123456789012:secret:any",
];

/** IAM's wildcards: `*` any run of characters (across colons and slashes), `?` one character. */
function iamGlobMatches(value: string, pattern: string): boolean {
    const source = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${source}$`, "i").test(value);
}

function isEveryResource(resource: unknown): boolean {
    return typeof resource === "string" && SAMPLE_ARNS.every((arn) => iamGlobMatches(arn, resource));
}

/**
 * Whether `resource` covers every resource of `service`: "arn:aws:iam::*:*" for iam,
 * "arn:aws:s3:::*" for s3. ARNs of a service have one of three shapes (no region and no account as
 * S3's, no region as IAM's, or both); a pattern that matches two unrelated resources of one shape
 * in two accounts matches them all.
 */
function isEveryResourceOf(resource: unknown, service: string): boolean {
    if (typeof resource !== "string") return false;
    if (isEveryResource(resource)) return true;
    const shapes = [
        [`arn:aws:${service}:::any/one`, `arn:aws:${service}:::other/two`],
        [`arn:aws:${service}::123456789012:any/one`, `arn:aws:${service}::210987654321:other/two`],
        [`arn:aws:${service}:eu-central-1:123456789012:any/one`, `arn:aws:${service}:us-east-1:210987654321:other/two`],
    ];
    return shapes.some((samples) => samples.every((arn) => iamGlobMatches(arn, resource)));
}

/** "*" or "*:*": every action of every service. */
const isEveryAction = (action: unknown) => typeof action === "string" && /^\*(:\*)?$/.test(action);

/** The service of a service-wide wildcard such as "iam:*" (action names are case-insensitive), else undefined. */
function serviceWideOf(action: unknown): string | undefined {
    return typeof action === "string" ? /^([a-z0-9-]+):\*$/i.exec(action)?.[1]?.toLowerCase() : undefined;
}

const listOf = (read: () => unknown) => knownList(() => read() as unknown[] | undefined).items;

/** What an Allow statement grants that amounts to administrator access, or undefined. */
function adminGrantOf(statement: Statement): string | undefined {
    const effect = known(() => statement.Effect);
    if (!isKnown(effect) || typeof effect !== "string" || effect.toLowerCase() !== "allow") {
        return undefined;
    }
    const actions = listOf(() => statement.Action);
    const notActions = listOf(() => statement.NotAction);
    const resources = listOf(() => statement.Resource);
    const notResources = listOf(() => statement.NotResource);
    const everyResource = resources.some(isEveryResource);
    const hasNotAction = known(() => statement.NotAction) !== undefined;
    const hasNotResource = known(() => statement.NotResource) !== undefined;
    // NotAction with Allow grants every action but the listed ones (reference_policies_elements_notaction.html).
    if (hasNotAction && (everyResource || hasNotResource)) {
        return `every action except ${notActions.join(", ")} on every resource`;
    }
    if (actions.some(isEveryAction)) {
        if (everyResource) return "every action on every resource";
        // NotResource with Allow grants every resource but the listed ones (reference_policies_elements_notresource.html).
        if (hasNotResource) return `every action on every resource except ${notResources.join(", ")}`;
    }
    for (const action of actions) {
        const service = serviceWideOf(action);
        if (service && (hasNotResource || resources.some((r) => isEveryResourceOf(r, service)))) {
            return `every ${service} action on every resource${hasNotResource ? ` except ${notResources.join(", ")}` : ""}`;
        }
    }
    return undefined;
}

/** Inline policies of users and groups grant as much as a role's. */
const UserPolicy = resourceType<IamPolicyProps>("aws:iam/userPolicy:UserPolicy");
const GroupPolicy = resourceType<IamPolicyProps>("aws:iam/groupPolicy:GroupPolicy");

export const iamNoFullAdmin = resourcesRule({
    name: "aws-iam-policy-no-full-admin",
    description:
        'IAM policies must not allow administrator access: Action "*", NotAction, or a service-wide "<service>:*" on Resource "*" or a wildcard ARN; a document that is not valid policy JSON fails too.',
    enforcementLevel: "mandatory",
    category: "security",
    types: [aws.iam.Policy.__pulumiType, aws.iam.RolePolicy.__pulumiType, UserPolicy.__pulumiType, GroupPolicy.__pulumiType],
    validate: (args, { report }) => {
        const document = policyDocumentOf(() => args.props.policy);
        if (!isKnown(document)) {
            return;
        }
        if ("unreadable" in document) {
            // Fail closed: what cannot be read cannot be shown to grant less than everything.
            report(
                `IAM policy "${args.name}": the document cannot be read as an IAM policy document (${document.unreadable}); write a JSON object with a Statement list.`,
            );
            return;
        }
        document.statements.forEach((statement, index) => {
            const grant = adminGrantOf(statement);
            if (grant) {
                const sid = known(() => statement.Sid);
                const name = isKnown(sid) && sid ? `"${sid}"` : `#${index}`;
                report(`IAM policy "${args.name}": statement ${name} allows ${grant}; list the actions and resource ARNs the role needs.`);
            }
        });
    },
});
