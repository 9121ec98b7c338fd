import * as fs from "fs";
import { isStatefulType } from "../stateful";
import { secretText, type PlanDocument, type PlanState, type PlanStep, isCountedResource } from "./json";
import { regionNames, regionOf } from "./render";
import { replaceFieldsHit } from "./replace-fields";

/**
 * Plan diffs: the current program's offline plan against an earlier plan file, which is either an
 * offline plan (`npm run plan -- --json`) or a `pulumi preview --json` document (the same
 * `steps[].newState` shape). Resources are matched by URN.
 */

/** What a plan file must have: steps with states. Both offline plans and `pulumi preview --json` have it. */
export interface PlanLike {
    stack?: string;
    steps: PlanStep[];
    outputs?: Record<string, unknown>;
    offline?: boolean;
}

export type ChangeOp = "create" | "update" | "replace" | "delete" | "same";

/** One changed input: its old and new values, or only that it changed where either side is secret. */
export type PathChange = { path: string; old: unknown; new: unknown } | { path: string; secret: true };

export interface ResourceChange {
    urn: string;
    type: string;
    op: ChangeOp;
    region: string;
    /** Changed input paths (update, replace). */
    paths: string[];
    /** The changed inputs with their values, in the order of `paths`. */
    values: PathChange[];
    /** The paths among the replace fields (replace only). */
    replaceFields: string[];
    /** The earlier URN, when the resource is matched through one of its aliases (a rename). */
    renamedFrom?: string;
    /** What the change means beyond its paths (a promotion, a retained deletion). */
    note?: string;
    old?: PlanState;
    new?: PlanState;
}

export interface DiffUpdate {
    urn: string;
    type: string;
    paths: string[];
    /** Old and new value of each changed path (secrets: only that they changed). */
    values: PathChange[];
    renamedFrom?: string;
    note?: string;
}
export interface DiffReplace extends DiffUpdate {
    replaceFields: string[];
}
export interface RegionDiff {
    create: string[];
    update: DiffUpdate[];
    replace: DiffReplace[];
    delete: string[];
    notes?: Record<string, string>;
}

export interface StatefulChange {
    urn: string;
    type: string;
    region: string;
    change: "update" | "replace" | "delete";
    paths: string[];
    values: PathChange[];
    replaceFields: string[];
    /** The resource has `protect` set: the engine refuses to replace or delete it until it is unprotected. */
    protect: boolean;
    /** A delete of a resource with `retainOnDelete`: it leaves the stack but stays in the cloud. */
    retained: boolean;
    renamedFrom?: string;
    note?: string;
}

/** The `--diff-against ... --json` document. */
export interface PlanDiff {
    stack: string;
    /** The earlier plan file, as given. */
    against: string;
    /** "offline-plan" (this tool's --json) or "pulumi-preview". */
    againstKind: "offline-plan" | "pulumi-preview";
    regions: Record<string, RegionDiff>;
    stateful: StatefulChange[];
    summary: {
        create: number;
        update: number;
        replace: number;
        delete: number;
        same: number;
        stateful: number;
        /** The same counts over resources alone (isCountedResource: no providers or components), as the plan tree counts them. */
        resources: { create: number; update: number; replace: number; delete: number; same: number };
    };
    /** Always false: "[secret]" in both plans counts as unchanged; secret values are not compared. */
    secretsCompared: false;
    notes: string[];
}

export interface DiffResult {
    diff: PlanDiff;
    /** Every resource of either plan (but the stack), by URN. */
    changes: Map<string, ResourceChange>;
}

/** Reads an earlier plan file; a problem is one line for the user (exit code 2). */
export function readPlanFile(file: string): { doc: PlanLike } | { problem: string } {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        return { problem: `--diff-against: cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
    let doc: unknown;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        return { problem: `--diff-against: ${file} is not JSON (${(e as Error).message})` };
    }
    const steps = (doc as PlanLike | null)?.steps;
    if (!Array.isArray(steps) || steps.some((s) => !s || typeof s !== "object" || typeof s.urn !== "string")) {
        return {
            problem: `--diff-against: ${file} has no steps[] with urns: expected an offline plan (npm run plan -- --json) or \`pulumi preview --json\` output`,
        };
    }
    return { doc: doc as PlanLike };
}

/** Operations whose states describe resources outside the program's management. */
const ignoredOps = new Set(["read", "read-replacement", "discard", "discard-replaced"]);

/**
 * The resources a plan describes, by URN: each step's newState, or its oldState for a delete
 * (the resource as it was). A newState always wins over a delete's oldState for the same URN
 * (`create-replacement` and `delete-replaced` share one).
 */
export function statesOf(doc: PlanLike): Map<string, PlanState> {
    const out = new Map<string, PlanState>();
    const fromDeletes = new Set<string>();
    for (const step of doc.steps) {
        if (ignoredOps.has(step.op)) continue;
        const isDelete = step.op === "delete" || step.op === "delete-replaced";
        const state = isDelete ? (step.oldState ?? step.newState) : (step.newState ?? step.oldState);
        if (!state || state.type === "pulumi:pulumi:Stack") continue;
        if (out.has(step.urn) && !fromDeletes.has(step.urn)) continue;
        out.set(step.urn, { ...state, urn: state.urn ?? step.urn, inputs: state.inputs ?? {}, dependencies: state.dependencies ?? [] });
        if (isDelete) fromDeletes.add(step.urn);
        else fromDeletes.delete(step.urn);
    }
    return out;
}

/**
 * `regionOf` over a set of states: adds the stack itself (which `statesOf` leaves out) so that
 * top-level components are found.
 */
export function regionFinder(states: PlanState[], regions: string[]): (s: PlanState) => string {
    const stacks = [...new Set(states.map((s) => s.parent).filter((p): p is string => !!p && p.includes("::pulumi:pulumi:Stack::")))];
    const all: PlanState[] = [
        ...states,
        ...stacks.map((urn) => ({
            type: "pulumi:pulumi:Stack",
            urn,
            custom: false,
            inputs: {},
            dependencies: [],
            protect: false,
            retainOnDelete: false,
        })),
    ];
    return (s) => regionOf(s, all, regions);
}

export function diffPlans(base: PlanLike, current: PlanDocument, against: string): DiffResult {
    const before = statesOf(base);
    const after = statesOf(current);
    const regions = [...new Set([...regionNames(current), ...regionNames({ outputs: base.outputs ?? {} } as PlanDocument)])].sort(
        (a, b) => b.length - a.length,
    );
    const regionAfter = regionFinder([...after.values()], regions);
    const regionBefore = regionFinder([...before.values()], regions);
    const changes = new Map<string, ResourceChange>();

    // The engine moves an alias's state to the resource that names it: match those first.
    const renamedFrom = new Map<string, string>();
    for (const [urn, now] of after) {
        if (before.has(urn)) continue;
        const alias = (now.aliases ?? []).find((a) => before.has(a) && !after.has(a));
        if (alias) renamedFrom.set(urn, alias);
    }
    const consumed = new Set(renamedFrom.values());

    for (const [urn, now] of after) {
        const region = regionAfter(now);
        const from = renamedFrom.get(urn);
        const was = before.get(from ?? urn);
        if (!was) {
            changes.set(urn, { urn, type: now.type, op: "create", region, paths: [], values: [], replaceFields: [], new: now });
            continue;
        }
        const values = withoutIgnoredValues(changedValues(was.inputs, now.inputs), now.ignoreChanges ?? []);
        const paths = values.map((v) => v.path);
        let replaceFields = replaceFieldsHit(now.type, paths, providerInputs(now, after));
        let note: string | undefined;
        if (isReplicaPromotion(was, now)) {
            // A read replica has these from its source, and the provider reads them back into its
            // state: declared now with the source's values, they change nothing.
            const inherited = replaceFields.filter((f) => was.inputs[f] === undefined);
            replaceFields = replaceFields.filter((f) => !inherited.includes(f));
            note = `promotes the read replica to a standalone writer (replicateSourceDb removed)${inherited.length ? `; ${inherited.join(", ")} are inherited from its source, not changed` : ""}`;
        }
        if (providerChanged(was, now)) replaceFields.push("provider");
        const op: ChangeOp =
            was.type !== now.type ? "replace" : replaceFields.length > 0 ? "replace" : paths.length > 0 || from ? "update" : "same";
        changes.set(urn, {
            urn,
            type: now.type,
            op,
            region,
            paths,
            values,
            replaceFields: was.type !== now.type ? ["type"] : replaceFields,
            old: was,
            new: now,
            ...(from ? { renamedFrom: from } : {}),
            ...(note ? { note } : {}),
        });
    }
    for (const [urn, was] of before) {
        if (after.has(urn) || consumed.has(urn)) continue;
        changes.set(urn, {
            urn,
            type: was.type,
            op: "delete",
            region: regionBefore(was),
            paths: [],
            values: [],
            replaceFields: [],
            old: was,
            ...(was.retainOnDelete ? { note: "leaves the stack and stays in the cloud (retainOnDelete)" } : {}),
        });
    }

    const regionDiffs: Record<string, RegionDiff> = {};
    const stateful: StatefulChange[] = [];
    const summary = {
        create: 0,
        update: 0,
        replace: 0,
        delete: 0,
        same: 0,
        stateful: 0,
        resources: { create: 0, update: 0, replace: 0, delete: 0, same: 0 },
    };
    for (const c of [...changes.values()].sort((a, b) => a.urn.localeCompare(b.urn))) {
        summary[c.op]++;
        const state = c.new ?? c.old;
        if (state && isCountedResource(state)) summary.resources[c.op]++;
        if (c.op === "same") continue;
        const r = (regionDiffs[c.region] ??= { create: [], update: [], replace: [], delete: [] });
        if (c.op === "create") r.create.push(c.urn);
        else if (c.op === "delete") r.delete.push(c.urn);
        else if (c.op === "update")
            r.update.push({
                urn: c.urn,
                type: c.type,
                paths: c.paths,
                values: c.values,
                ...(c.renamedFrom ? { renamedFrom: c.renamedFrom } : {}),
                ...(c.note ? { note: c.note } : {}),
            });
        else
            r.replace.push({
                urn: c.urn,
                type: c.type,
                paths: c.paths,
                values: c.values,
                replaceFields: c.replaceFields,
                ...(c.renamedFrom ? { renamedFrom: c.renamedFrom } : {}),
            });
        if (c.op === "delete" && c.note) (r.notes ??= {})[c.urn] = c.note;
        if (c.op !== "create" && isStatefulType(c.type)) {
            stateful.push({
                urn: c.urn,
                type: c.type,
                region: c.region,
                change: c.op,
                paths: c.paths,
                values: c.values,
                replaceFields: c.replaceFields,
                protect: (c.new ?? c.old)?.protect === true,
                retained: c.op === "delete" && c.old?.retainOnDelete === true,
                ...(c.renamedFrom ? { renamedFrom: c.renamedFrom } : {}),
                ...(c.note ? { note: c.note } : {}),
            });
        }
    }
    summary.stateful = stateful.length;
    const againstKind = base.offline === true ? "offline-plan" : "pulumi-preview";
    const notes = ["Secret values are not compared: a value that is [secret] in both plans counts as unchanged."];
    if (againstKind === "pulumi-preview") {
        notes.push("Compared with a `pulumi preview --json` file: engine-added inputs (auto-names, __defaults) may show as differences.");
    }
    return {
        diff: {
            stack: current.stack,
            against,
            againstKind,
            regions: sortRegions(regionDiffs, regions),
            stateful,
            summary,
            secretsCompared: false,
            notes,
        },
        changes,
    };
}

function sortRegions(r: Record<string, RegionDiff>, regions: string[]): Record<string, RegionDiff> {
    const order = (k: string) => (regions.includes(k) ? 0 : 1);
    return Object.fromEntries(Object.entries(r).sort(([a], [b]) => order(a) - order(b) || a.localeCompare(b)));
}

function providerInputs(s: PlanState, states: Map<string, PlanState>): Record<string, unknown> {
    const urn = s.provider?.split("::").slice(0, -1).join("::");
    return (urn && states.get(urn)?.inputs) || {};
}

/** An RDS instance that was a read replica (`replicateSourceDb`) and is no longer one. */
function isReplicaPromotion(was: PlanState, now: PlanState): boolean {
    return (
        now.type === "aws:rds/instance:Instance" && was.inputs.replicateSourceDb !== undefined && now.inputs.replicateSourceDb === undefined
    );
}

/** An explicit provider swapped for another replaces the resource; a default provider's version bump does not. */
function providerChanged(was: PlanState, now: PlanState): boolean {
    const urn = (p?: string) => p?.split("::").slice(0, -1).join("::");
    const a = urn(was.provider);
    const b = urn(now.provider);
    return !!a && !!b && a !== b && !a.includes("::default") && !b.includes("::default");
}

/** Input paths (`spec.template.spec.containers[0].image`) whose values differ. */
export function changedPaths(a: unknown, b: unknown, prefix = ""): string[] {
    return changedValues(a, b, prefix).map((c) => c.path);
}

/** The inputs that differ, each with its old and new value; where either side is secret, only that it changed. */
export function changedValues(a: unknown, b: unknown, prefix = ""): PathChange[] {
    if (same(a, b)) return [];
    if (isObject(a) && isObject(b)) {
        const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => !k.startsWith("__")).sort();
        return keys.flatMap((k) => changedValues(a[k], b[k], join(prefix, k)));
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        const out: PathChange[] = [];
        for (let i = 0; i < Math.max(a.length, b.length); i++) out.push(...changedValues(a[i], b[i], `${prefix}[${i}]`));
        return out;
    }
    const path = prefix || "(inputs)";
    return a === secretText || b === secretText ? [{ path, secret: true }] : [{ path, old: a, new: b }];
}

function join(prefix: string, key: string): string {
    const part = /^[A-Za-z_$][\w$]*$/.test(key) ? key : `[${JSON.stringify(key)}]`;
    return !prefix ? part : part.startsWith("[") ? `${prefix}${part}` : `${prefix}.${part}`;
}

function withoutIgnoredValues(values: PathChange[], ignore: string[]): PathChange[] {
    return values.filter(({ path: p }) => !ignore.some((i) => p === i || p.startsWith(`${i}.`) || p.startsWith(`${i}[`)));
}

function isObject(v: unknown): v is Record<string, unknown> {
    return !!v && typeof v === "object" && !Array.isArray(v);
}

/** Deep equality; "[secret]" equals "[secret]" like any equal string (secrets are opaque). */
function same(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (a === secretText || b === secretText) return false;
    if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
    if (isObject(a) && isObject(b)) {
        const ka = Object.keys(a).filter((k) => !k.startsWith("__"));
        const kb = Object.keys(b).filter((k) => !k.startsWith("__"));
        return ka.length === kb.length && ka.every((k) => k in b && same(a[k], b[k]));
    }
    return false;
}

const nameOf = (urn: string) => urn.split("::").pop() ?? urn;
const MAX_PATHS = 6;
/** Changed inputs listed per resource in the human diff. */
const MAX_VALUES = 12;
/** Characters of a value shown in the human diff before it is cut short. */
const MAX_VALUE_CHARS = 60;

/** A value as JSON, cut short with "…" past MAX_VALUE_CHARS. */
function shortValue(v: unknown): string {
    const text = v === undefined ? "(none)" : JSON.stringify(v);
    return [...text].length <= MAX_VALUE_CHARS ? text : `${[...text].slice(0, MAX_VALUE_CHARS - 1).join("")}…`;
}

/** `path: old -> new`, or `path: changed, secret`. */
function describeChange(c: PathChange, show: (v: unknown) => string): string {
    return "secret" in c ? `${c.path}: changed, secret` : `${c.path}: ${show(c.old)} -> ${show(c.new)}`;
}

/** Human output: per region, what is created, updated (with paths), replaced (with the reason) and deleted. */
export function renderDiff(d: PlanDiff, notes: string[] = []): string {
    const lines: string[] = [];
    const kind = d.againstKind === "offline-plan" ? "an offline plan" : "a `pulumi preview --json` file";
    lines.push(`Plan diff for stack "${d.stack}" against ${d.against} (${kind}).`);
    lines.push("Secret values are not compared: a value that is [secret] in both plans counts as unchanged.");
    const typeWidth = 52;
    const row = (sym: string, type: string, urn: string) => {
        const padded = `  ${sym.padEnd(10)} ${type.padEnd(typeWidth)} ${nameOf(urn)}`;
        // Too long for a column: single spaces, so the line wraps between words.
        return padded.length <= 100 ? padded : `  ${sym} ${type} ${nameOf(urn)}`;
    };
    const typeOf = (urn: string) => urn.split("::")[2]?.split("$").pop() ?? "";
    const pathLines = (paths: string[], label: string) => {
        const shown = paths.slice(0, MAX_PATHS).join(", ");
        return `${" ".repeat(14)}${label}: ${shown}${paths.length > MAX_PATHS ? ` (+${paths.length - MAX_PATHS} more)` : ""}`;
    };
    // One line per changed input, as `pulumi preview --diff` shows it; --json has every value in full.
    const valueLines = (values: PathChange[]) => [
        ...values.slice(0, MAX_VALUES).map((v) => `${" ".repeat(14)}${describeChange(v, shortValue)}`),
        ...(values.length > MAX_VALUES
            ? [`${" ".repeat(14)}(+${values.length - MAX_VALUES} more changed inputs; --json lists them all)`]
            : []),
    ];
    const regions = Object.entries(d.regions);
    if (regions.length === 0) lines.push("", "No changes: every resource is the same.");
    for (const [region, r] of regions) {
        lines.push("", `${region}`);
        for (const u of r.create) lines.push(row("+ create", typeOf(u), u));
        for (const u of r.update) {
            lines.push(row("~ update", u.type, u.urn));
            if (u.renamedFrom) lines.push(`${" ".repeat(14)}was: ${nameOf(u.renamedFrom)} (alias)`);
            lines.push(...valueLines(u.values));
            if (u.note) lines.push(`${" ".repeat(14)}${u.note}`);
        }
        for (const u of r.replace) {
            lines.push(row("+- replace", u.type, u.urn));
            lines.push(pathLines(u.replaceFields, "forced by"));
            lines.push(...valueLines(u.values));
        }
        for (const u of r.delete) {
            lines.push(row("- delete", typeOf(u), u));
            if (r.notes?.[u]) lines.push(`${" ".repeat(14)}${r.notes[u]}`);
        }
    }
    lines.push("");
    if (d.stateful.length === 0) {
        lines.push("Stateful resources: none would be updated, replaced or deleted.");
    } else {
        lines.push(
            `STATEFUL: ${d.stateful.length} change(s) to resources that hold data or carry everything else; a person must review (exit code 3):`,
        );
        for (const s of d.stateful) {
            const why =
                s.change === "replace"
                    ? ` (forced by ${s.replaceFields.join(", ")}: a new, empty resource)`
                    : s.change === "delete"
                      ? s.retained
                          ? " (leaves the stack, stays in the cloud: retainOnDelete)"
                          : " (deleted: if this is a rename, add an alias instead)"
                      : s.note
                        ? ` (${s.note})`
                        : ` (${s.paths.slice(0, MAX_PATHS).join(", ")})`;
            lines.push(
                `  ${s.change.padEnd(8)} ${s.type} ${nameOf(s.urn)} [${s.region}]${why}${s.protect && s.change !== "update" ? " [protected: the engine will refuse until unprotected]" : ""}`,
            );
        }
    }
    const s = d.summary;
    const r = s.resources;
    lines.push(
        `Summary: resources ${r.create} to create, ${r.update} to update, ${r.replace} to replace, ${r.delete} to delete, ${r.same} unchanged; ` +
            `with providers and components ${s.create}, ${s.update}, ${s.replace}, ${s.delete}, ${s.same}.`,
    );
    for (const n of d.notes.slice(1)) lines.push(n);
    for (const n of notes) lines.push(n);
    return lines.flatMap((l) => wrap(l, 100)).join("\n") + "\n";
}

/** Wraps a long line at spaces; continuation lines keep the indentation plus two. */
export function wrap(line: string, width: number): string[] {
    if ([...line].length <= width) return [line];
    const indent = " ".repeat((/^ */.exec(line)?.[0].length ?? 0) + 2);
    const out: string[] = [];
    let cur = "";
    for (const word of line.split(/(?<=\S) (?=\S)/)) {
        const next = cur ? `${cur} ${word}` : word;
        if ([...next].length > width && cur) {
            out.push(cur);
            cur = `${indent}${word.trimStart()}`;
        } else cur = next;
    }
    out.push(cur);
    return out;
}

/** A short Markdown summary (for $GITHUB_STEP_SUMMARY). */
export function renderDiffMarkdown(d: PlanDiff): string {
    const s = d.summary;
    const code = (v: unknown) => `\`${shortValue(v).replace(/`/g, "'")}\``;
    const valueLines = (values: PathChange[]) =>
        values.map((v) => ("secret" in v ? `  - \`${v.path}\`: changed, secret` : `  - \`${v.path}\`: ${code(v.old)} -> ${code(v.new)}`));
    const lines = [
        `### Plan diff: ${d.stack}`,
        "",
        `${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.same} unchanged. Secret values are not compared.`,
        "",
    ];
    if (Object.keys(d.regions).length) {
        lines.push("| region | create | update | replace | delete |", "| --- | --- | --- | --- | --- |");
        for (const [region, r] of Object.entries(d.regions)) {
            lines.push(
                `| ${region} | ${r.create.length} | ${r.update.length} | ${r.replace.map((x) => `${nameOf(x.urn)} (${x.replaceFields.join(", ")})`).join("<br>") || 0} | ${r.delete.length} |`,
            );
        }
        lines.push("");
    }
    // Stateful changes before the per-region lists: they are what a reviewer must not miss.
    lines.push(
        d.stateful.length === 0
            ? "Stateful resources: none changed."
            : `**${d.stateful.length} stateful change(s): a person must review.**`,
    );
    for (const c of d.stateful) {
        lines.push(
            `- ${c.change} \`${c.type}\` ${nameOf(c.urn)} (${c.region})${c.replaceFields.length ? `: forced by ${c.replaceFields.join(", ")}` : ""}`,
            ...valueLines(c.values),
        );
    }
    const typeOf = (urn: string) => urn.split("::")[2]?.split("$").pop() ?? "";
    for (const [region, r] of Object.entries(d.regions)) {
        const counts = [
            [r.create.length, "to create"],
            [r.update.length, "to update"],
            [r.replace.length, "to replace"],
            [r.delete.length, "to delete"],
        ]
            .filter(([n]) => n !== 0)
            .map(([n, what]) => `${n} ${what}`)
            .join(", ");
        lines.push("", `<details><summary>${region}: ${counts}</summary>`, "");
        for (const u of r.replace) {
            lines.push(`- replace \`${u.type}\` ${nameOf(u.urn)}: forced by ${u.replaceFields.join(", ")}`, ...valueLines(u.values));
        }
        for (const u of r.update) lines.push(`- update \`${u.type}\` ${nameOf(u.urn)}`, ...valueLines(u.values));
        for (const u of r.delete) lines.push(`- delete \`${typeOf(u)}\` ${nameOf(u)}`);
        for (const u of r.create) lines.push(`- create \`${typeOf(u)}\` ${nameOf(u)}`);
        lines.push("", "</details>");
    }
    return lines.join("\n") + "\n";
}
