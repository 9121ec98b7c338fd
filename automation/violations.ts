/**
 * How both CLIs (plan, policy) tell a user why they exit 1: every mandatory violation on stderr, in
 * every output mode, so a red CI step always says which rule stopped it even when stdout carries
 * JSON or a diff.
 */

/** What the lines need of a violation (the plan's and the offline checker's shapes both fit). */
export interface ReportedViolation {
    readonly policyName: string;
    readonly enforcementLevel: string;
    readonly urn?: string;
    readonly message: string;
}

/** `type::name` of a URN, the part a reader recognises; "(stack)" for a stack-wide violation. */
function resourceOf(urn: string | undefined): string {
    if (!urn) return "(stack)";
    const parts = urn.split("::");
    const type = parts[parts.length - 2]?.split("$").pop() ?? "";
    return `${type}::${parts[parts.length - 1]}`;
}

/** The stderr lines for the mandatory violations, or none when there are none. */
export function mandatoryViolationLines(violations: readonly ReportedViolation[], configLabel: string): string[] {
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory");
    if (mandatory.length === 0) return [];
    return [
        `policy: ${mandatory.length} mandatory violation(s) (${configLabel})`,
        ...mandatory.map((v) => `  [${v.policyName}] ${resourceOf(v.urn)}: ${v.message.split("\n")[0]}`),
    ];
}
