import { isCountedResource } from "./json";
import type { PlanDocument, PlanState } from "./json";

/** Short form of a type token: `kubernetes:apps/v1:Deployment` → `apps/v1:Deployment`. */
function shortType(type: string): string {
    const [pkg, mod, name] = type.split(":");
    if (pkg === "kubernetes" || pkg === "aws") return `${pkg === "aws" ? "aws:" : ""}${mod.replace(/^core\//, "")}:${name}`;
    return type;
}

function nameOf(urn: string): string {
    return urn.split("::").pop() ?? urn;
}

/**
 * The human form of a plan: the resource tree by region and component, counts per type and per
 * region, the stack outputs and the policy summary.
 */
export function renderPlan(doc: PlanDocument, notes: string[] = []): string {
    const states = doc.steps.map((s) => s.newState).filter((s): s is PlanState => !!s);
    const children = new Map<string, PlanState[]>();
    for (const s of states) {
        if (!s.parent) continue;
        children.set(s.parent, [...(children.get(s.parent) ?? []), s]);
    }
    const lines: string[] = [];
    const stack = states.find((s) => s.type === "pulumi:pulumi:Stack")!;
    lines.push(
        `Offline plan for stack "${doc.stack}" (project ${doc.project}): evaluated with the Pulumi SDK's mock runtime, nothing was sent to a cloud.`,
    );
    lines.push("");
    const walk = (s: PlanState, prefix: string, last: boolean, depth: number) => {
        const branch = depth === 0 ? "" : `${prefix}${last ? "└─ " : "├─ "}`;
        const flags = [s.protect ? "protected" : "", s.retainOnDelete ? "retained on delete" : ""].filter(Boolean);
        lines.push(`${branch}${shortType(s.type)}  ${nameOf(s.urn)}${flags.length ? `  [${flags.join(", ")}]` : ""}`);
        const kids = children.get(s.urn) ?? [];
        kids.forEach((k, i) => walk(k, depth === 0 ? "" : `${prefix}${last ? "   " : "│  "}`, i === kids.length - 1, depth + 1));
    };
    walk(stack, "", true, 0);

    const custom = states.filter(isCountedResource);
    lines.push(
        "",
        `Resources: ${custom.length} (plus ${states.filter((s) => s.type.startsWith("pulumi:providers:")).length} providers and ${states.filter((s) => !s.custom).length - 1} components)`,
    );
    lines.push("", "By type:");
    for (const [type, n] of countBy(custom, (s) => s.type)) lines.push(`  ${String(n).padStart(4)}  ${type}`);
    lines.push("", "By region:");
    const regions = regionNames(doc);
    for (const [region, n] of countBy(custom, (s) => regionOf(s, states, regions))) lines.push(`  ${String(n).padStart(4)}  ${region}`);

    lines.push("", "Outputs:");
    lines.push(
        ...JSON.stringify(doc.outputs, null, 2)
            .split("\n")
            .map((l) => `  ${l}`),
    );

    if (doc.policyViolations.length > 0) {
        const mandatory = doc.policyViolations.filter((v) => v.enforcementLevel === "mandatory");
        const advisory = doc.policyViolations.filter((v) => v.enforcementLevel !== "mandatory");
        lines.push("", `Policy: ${mandatory.length} mandatory, ${advisory.length} advisory violation(s)`);
        for (const v of [...mandatory, ...advisory])
            lines.push(`  [${v.enforcementLevel}] ${v.policyName}: ${nameOf(v.urn)}: ${v.message}`);
    }
    for (const n of notes) lines.push("", n);
    return lines.join("\n") + "\n";
}

function countBy<T>(items: T[], key: (t: T) => string): [string, number][] {
    const m = new Map<string, number>();
    for (const i of items) {
        const k = key(i);
        m.set(k, (m.get(k) ?? 0) + 1);
    }
    return [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

/** Region names the stack exports (`outputs.regions`), longest first so prefixes cannot shadow each other. */
export function regionNames(doc: PlanDocument): string[] {
    const regions = doc.outputs.regions;
    return regions && typeof regions === "object" ? Object.keys(regions).sort((a, b) => b.length - a.length) : [];
}

const urnIndexes = new WeakMap<PlanState[], Map<string, PlanState>>();

/** `all` by URN, built once per list (regionOf is asked for every resource of a plan). */
function urnIndex(all: PlanState[]): Map<string, PlanState> {
    let index = urnIndexes.get(all);
    if (!index) urnIndexes.set(all, (index = new Map(all.map((x) => [x.urn, x]))));
    return index;
}

/** The region a resource belongs to: its top-level component is named after the region; else it is stack-wide. */
export function regionOf(s: PlanState, all: PlanState[], regions: string[]): string {
    const byUrn = urnIndex(all);
    let cur: PlanState | undefined = s;
    while (cur?.parent && byUrn.get(cur.parent)?.type !== "pulumi:pulumi:Stack") cur = byUrn.get(cur.parent);
    const top = cur ? nameOf(cur.urn) : "";
    return regions.find((r) => top === r || top.startsWith(`${r}-`)) ?? "stack-wide";
}
