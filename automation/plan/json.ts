import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import type { Evaluation } from "./evaluate";
import { secretSig, unknownMarker } from "./evaluate";
import type { RecordedResource } from "./recording-monitor";
import { secretText, unknownText } from "./redaction";

export { secretText, unknownText };

/** One step of the plan: the subset of `pulumi preview --json` a consumer reads. */
export interface PlanStep {
    op: "create" | "same" | "update" | "replace" | "delete" | "create-replacement" | "delete-replaced" | "read" | "refresh" | string;
    urn: string;
    newState?: PlanState;
    oldState?: PlanState;
    /** Input paths that differ (in a real preview, and in plan diffs). */
    diffs?: string[];
    /** Input paths that force a replacement. */
    replaceReasons?: string[];
}

export interface PlanState {
    type: string;
    urn: string;
    custom: boolean;
    /** URN of the parent; the stack's URN for top-level resources. */
    parent?: string;
    /** `<provider urn>::<provider id>` for custom resources. */
    provider?: string;
    /** Inputs with secrets as "[secret]" and unknowns as "[unknown]". */
    inputs: Record<string, unknown>;
    dependencies: string[];
    protect: boolean;
    retainOnDelete: boolean;
    deleteBeforeReplace?: boolean;
    ignoreChanges?: string[];
    /** Input paths whose change replaces the resource (the `replaceOnChanges` option); absent when none. */
    replaceOnChanges?: string[];
    /** URNs the resource was known by before (the `aliases` option); absent when none. */
    aliases?: string[];
    /** The `customTimeouts` option in seconds per operation, as the engine keeps it in state; absent when none. */
    customTimeouts?: { create?: number; update?: number; delete?: number };
}

/** The offline plan document: the same field names as `pulumi preview --json` where they overlap. */
export interface PlanDocument {
    stack: string;
    project: string;
    /** The stack file the plan was made from, relative to the project (set by the plan CLI). */
    configFile?: string;
    /** The config the program ran with, secrets as "[secret]" (pulumi preview --json's `config`). */
    config?: Record<string, string>;
    /** Operations per kind (pulumi preview --json's `changeSummary`): everything is created offline. */
    changeSummary?: Record<string, number>;
    /** What the program logged (pulumi preview --json's `diagnostics`). */
    diagnostics?: { severity: string; message: string }[];
    /** Nanoseconds the evaluation took (pulumi preview --json's `duration`; set by the plan CLI). */
    duration?: number;
    steps: PlanStep[];
    outputs: Record<string, unknown>;
    policyViolations: PolicyViolationJson[];
    /** Always true for this document: nothing was sent to a cloud. */
    offline: true;
}

export interface PolicyViolationJson {
    policyPackName: string;
    policyName: string;
    enforcementLevel: string;
    urn: string;
    message: string;
}

/** Replaces secrets with "[secret]" and unknowns with "[unknown]", recursively. */
export function redact(value: unknown): unknown {
    if (value === unknownMarker || isUnknown(value)) return unknownText;
    if (Array.isArray(value)) return value.map(redact);
    if (value && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if (o[secretSig.key] === secretSig.value) return secretText;
        if (pulumi.Resource.isInstance(value)) return `[resource ${String((value as any).__pulumiType ?? "")}]`;
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(o)) out[k] = redact(v);
        return out;
    }
    return value;
}

// The SDK's deserializer hands unknown values back as its `unknown` sentinel object.
const { unknown: unknownSentinel } = require("@pulumi/pulumi/output") as { unknown: unknown };

function isUnknown(v: unknown): boolean {
    return v === unknownSentinel;
}

/** Builds the plan document: a stack step, a step per default provider the engine would create, then every resource. */
export function toPlanDocument(e: Evaluation, policyViolations: PolicyViolationJson[] = []): PlanDocument {
    const stackUrn = `urn:pulumi:${e.stack}::${e.project}::pulumi:pulumi:Stack::${e.project}-${e.stack}`;
    const steps: PlanStep[] = [
        {
            op: "create",
            urn: stackUrn,
            newState: {
                type: "pulumi:pulumi:Stack",
                urn: stackUrn,
                custom: false,
                inputs: {},
                dependencies: [],
                protect: false,
                retainOnDelete: false,
            },
        },
    ];
    const defaults = new Map<string, string>();
    const defaultProvider = (pkg: string): string => {
        let ref = defaults.get(pkg);
        if (!ref) {
            const version = packageVersion(pkg).replace(/\./g, "_");
            const urn = `urn:pulumi:${e.stack}::${e.project}::pulumi:providers:${pkg}::default_${version}`;
            ref = `${urn}::${pkg}-default-provider`;
            defaults.set(pkg, ref);
            steps.push({
                op: "create",
                urn,
                newState: {
                    type: `pulumi:providers:${pkg}`,
                    urn,
                    custom: true,
                    parent: stackUrn,
                    inputs: { version: packageVersion(pkg) },
                    dependencies: [],
                    protect: false,
                    retainOnDelete: false,
                },
            });
        }
        return ref;
    };
    for (const r of e.resources) {
        const isProvider = r.type.startsWith("pulumi:providers:");
        const provider = r.custom && !isProvider ? r.provider || defaultProvider(r.type.split(":")[0]) : undefined;
        steps.push({ op: "create", urn: r.urn, newState: toState(r, stackUrn, provider) });
    }
    return {
        stack: e.stack,
        project: e.project,
        ...(e.config ? { config: e.config } : {}),
        changeSummary: { create: steps.length },
        ...(e.diagnostics?.length ? { diagnostics: e.diagnostics } : {}),
        steps,
        outputs: redact(e.outputs) as Record<string, unknown>,
        policyViolations,
        offline: true,
    };
}

function toState(r: RecordedResource, stackUrn: string, provider: string | undefined): PlanState {
    return {
        type: r.type,
        urn: r.urn,
        custom: r.custom,
        parent: r.parent || stackUrn,
        ...(provider ? { provider } : {}),
        inputs: redact(r.inputs) as Record<string, unknown>,
        dependencies: r.dependencies,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
        deleteBeforeReplace: r.deleteBeforeReplace,
        ignoreChanges: r.ignoreChanges,
        ...(r.replaceOnChanges ? { replaceOnChanges: r.replaceOnChanges } : {}),
        ...(r.aliases?.length ? { aliases: r.aliases } : {}),
        ...(r.customTimeouts ? { customTimeouts: r.customTimeouts } : {}),
    };
}

const versions = new Map<string, string>();
function packageVersion(pkg: string): string {
    if (!versions.has(pkg)) {
        let v = "0.0.0";
        try {
            v = JSON.parse(fs.readFileSync(path.join(require.resolve(`@pulumi/${pkg}/package.json`)), "utf8")).version;
        } catch {
            /* a package we do not ship: keep the placeholder */
        }
        versions.set(pkg, v);
    }
    return versions.get(pkg)!;
}

/**
 * What "resources" means in every output of the plan tools: the custom resources a stack manages,
 * without its providers, its components and the stack itself; those three are counted apart.
 */
export function isCountedResource(s: Pick<PlanState, "type" | "custom">): boolean {
    return s.custom && !s.type.startsWith("pulumi:providers:");
}
