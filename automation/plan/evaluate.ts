import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "../../config";
import { PlanMocks } from "./fake-cloud";
import { RecordingMonitor, type RecordedResource } from "./recording-monitor";
import { projectName, readStackFile } from "./stack-file";

export const projectRoot = path.resolve(__dirname, "..", "..");

export interface EvaluateOptions {
    readonly stack: string;
    /** Config file to use instead of `Pulumi.<stack>.yaml`. */
    readonly configFile?: string;
    /** Override individual config values (`saleor:key` → engine string), e.g. a new release. */
    readonly configOverrides?: Record<string, string>;
    readonly projectDir?: string;
}

/** The program evaluated offline: every resource registered, and the stack outputs. */
export interface Evaluation {
    readonly project: string;
    readonly stack: string;
    readonly resources: RecordedResource[];
    /** Stack outputs with Outputs resolved; secret values wrapped as the engine wraps them. */
    readonly outputs: Record<string, unknown>;
}

export type EvaluateResult = { readonly problems: string[] } | { readonly evaluation: Evaluation };

/**
 * Runs the real program (index.ts) for a stack under the SDK's mock runtime: the same config the
 * engine would pass, the same resource registrations, no cloud and no CLI. Invalid config returns
 * its problems before anything is evaluated.
 */
export async function evaluateStack(opts: EvaluateOptions): Promise<EvaluateResult> {
    const projectDir = opts.projectDir ?? projectRoot;
    const project = projectName(projectDir);
    const file = opts.configFile ?? path.join(projectDir, `Pulumi.${opts.stack}.yaml`);
    if (!fs.existsSync(file)) {
        return { problems: [`stack config file ${path.relative(process.cwd(), file) || file} does not exist (stacks: ${listStacks(projectDir).join(", ")})`] };
    }
    const stackConfig = readStackFile(file, project);
    const values = { ...stackConfig.values, ...opts.configOverrides };
    const source = {
        ...stackConfig.source,
        get: (k: string) => values[`saleor:${k}`],
        keys: () => Object.keys(values).filter((k) => k.startsWith("saleor:")).map((k) => k.slice("saleor:".length)),
    };
    const validated = validateStackConfig(source);
    if ("problems" in validated) return { problems: validated.problems };

    pulumi.runtime.setAllConfig(values, stackConfig.secretKeys);
    const main = require(path.join(projectDir, "index.ts")) as () => Promise<Record<string, unknown>>;
    const { resources, result } = await runUnderMocks(project, opts.stack, main);
    return { evaluation: { project, stack: opts.stack, resources, outputs: result as Record<string, unknown> } };
}

/** The plan CLI's exit code for a program that failed, also when its evaluation never finishes. */
export const programErrorExitCode = 4;

/**
 * Runs `program` under the mock runtime and returns every resource it registered (with the options
 * on each registration) and its result with Outputs resolved. Also the harness of component tests.
 */
export async function runUnderMocks<T>(project: string, stack: string, program: () => T | Promise<T>): Promise<{ resources: RecordedResource[]; result: unknown }> {
    // The SDK's runtime (monitor, settings) and what offlineRuntime replaces are process-wide: an
    // evaluation started inside another would mix their resources and undo the other's changes.
    if (evaluating) throw new Error("another evaluation is running in this process; evaluate stacks one after another");
    evaluating = true;
    try {
        return await runAlone(project, stack, program);
    } finally {
        evaluating = false;
    }
}

let evaluating = false;

async function runAlone<T>(project: string, stack: string, program: () => T | Promise<T>): Promise<{ resources: RecordedResource[]; result: unknown }> {
    const mocks = new PlanMocks();
    const monitor = new RecordingMonitor(mocks);
    installMockRuntime(monitor, project, stack);
    const runtime = offlineRuntime();
    // Nothing left to run but the program not finished: node exits with nothing said unless told.
    const unfinished = () => {
        const waiting = runtime.waiting();
        const which = waiting.length === 0
            ? "every resource is registered; an invoke or an Output the program awaits never resolved"
            : `${waiting.length} resource(s) never registered: ${waiting.slice(0, 5).join("; ")}${waiting.length > 5 ? "; ..." : ""}`;
        process.stderr.write(`the program never finished when nothing was left to run (a dependency cycle, or an Output that never resolves): ${which}\n`);
        if (!process.exitCode) process.exitCode = programErrorExitCode;
    };
    process.once("exit", unfinished);
    try {
        const result = await resolveDeep(await program());
        await settle(monitor);
        return { resources: monitor.recorded, result };
    } finally {
        process.removeListener("exit", unfinished);
        runtime.restore();
    }
}

/**
 * The SDK formats a stack trace for every resource (an unbounded one, to report the source position
 * to the engine) and decorates every operation's promise (an id, a context and a stack trace, as
 * three property definitions, plus two chained promises) so that it can name the ones still
 * pending when the process exits. A two-region stack makes some 24,000 such promises (four per
 * output property of every resource, and more); with ts-node's source-map hook this was over half
 * of the evaluation, and still a sixth after the traces went (CPU profile of the production plan).
 *
 * An offline plan reports no source positions, so evaluation gives resources no call sites, and
 * follows one promise per resource instead of every operation: its URN, which resolves once the
 * resource is registered. `waiting` names the resources whose URN never resolved, which
 * runUnderMocks reports if the process exits before the program finishes (a cycle, or an Output
 * that never resolves), as the SDK's own check would. Errors the program throws keep their
 * stacks.
 *
 * Every registration, invoke and component output also goes through a protobuf Struct, built by
 * the SDK and decoded straight back by the mock monitor, a few thousand small protobuf objects
 * per plan. Offline, `Struct.fromJavaScript` keeps the value as the round trip would give it
 * back instead (see structRoundTrip); the Struct it returns answers `toJavaScript` with that
 * value and builds its protobuf fields only if something asks for them. Returns the undo.
 */
function offlineRuntime(): { restore: () => void; waiting: () => string[] } {
    const errorClass = Error as { prepareStackTrace?: unknown };
    const mapStackTrace = errorClass.prepareStackTrace;
    errorClass.prepareStackTrace = undefined;
    const resourceClass = pulumi.Resource as unknown as { callsites: () => unknown[] };
    const callsites = resourceClass.callsites;
    resourceClass.callsites = () => [];
    const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };
    const debuggablePromise = debuggable.debuggablePromise;
    // Resources not yet registered, counted by the label the SDK gives their URN,
    // `resource:<name>[<type>]` (two resources under different parents may share one).
    const unregistered = new Map<string, number>();
    const urnContext = "resolveURN(";
    debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
        // Called for every operation (some 24,000 in production): only the URN's are followed.
        if (typeof ctx !== "string" || !ctx.startsWith(urnContext)) return p;
        const label = ctx.slice(urnContext.length, -1);
        unregistered.set(label, (unregistered.get(label) ?? 0) + 1);
        const registered = () => {
            const left = unregistered.get(label)! - 1;
            if (left === 0) unregistered.delete(label);
            else unregistered.set(label, left);
        };
        p.then(registered, registered);
        return p;
    };
    const { Struct } = require(sdkStructModule()) as { Struct: StructClass };
    const structFromJavaScript = Struct.fromJavaScript;
    Struct.fromJavaScript = (obj: Record<string, unknown>) => {
        const value = structRoundTrip(obj) as Record<string, unknown>;
        const struct = new Struct();
        let fields: unknown;
        struct.toJavaScript = () => value;
        struct.getFieldsMap = () => (fields ??= structFromJavaScript(value).getFieldsMap());
        return struct;
    };
    return {
        restore: () => {
            Struct.fromJavaScript = structFromJavaScript;
            errorClass.prepareStackTrace = mapStackTrace;
            resourceClass.callsites = callsites;
            debuggable.debuggablePromise = debuggablePromise;
        },
        waiting: () => [...unregistered].flatMap(([label, n]) => Array<string>(n).fill(label)),
    };
}

/** The protobuf Struct module the SDK itself loads (google-protobuf is its dependency, not ours). */
export function sdkStructModule(): string {
    return require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });
}

interface StructLike {
    toJavaScript(): Record<string, unknown>;
    getFieldsMap(): unknown;
}
type StructClass = { new(): StructLike; fromJavaScript(obj: Record<string, unknown>): StructLike };

/**
 * What `Struct.fromJavaScript(v).toJavaScript()` gives back, without the protobuf: the same data
 * with every object's keys (own and inherited enumerable ones) in sorted order, as protobuf maps
 * iterate; and the same error, when the Struct is built, for a value it cannot hold (undefined,
 * a function, a bigint, a symbol).
 */
export function structRoundTrip(v: unknown): unknown {
    switch (typeof v) {
        case "string":
        case "number":
        case "boolean":
            return v;
        case "object":
            if (v === null) return null;
            if (Array.isArray(v)) {
                const list: unknown[] = [];
                for (let i = 0; i < v.length; i++) list.push(structRoundTrip(v[i])); // a hole is undefined
                return list;
            }
            {
                const keys: string[] = [];
                for (const k in v) keys.push(k);
                const out: Record<string, unknown> = {};
                for (const k of keys.sort()) out[k] = structRoundTrip((v as Record<string, unknown>)[k]);
                return out;
            }
        default:
            throw new Error("Unexpected struct type.");
    }
}

export function listStacks(projectDir = projectRoot): string[] {
    return fs.readdirSync(projectDir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort();
}

/** `setMocks`, but with our recording monitor (setMocks builds its own and hides it). */
function installMockRuntime(monitor: RecordingMonitor, project: string, stack: string) {
    const settings = require("@pulumi/pulumi/runtime/settings") as { setMockOptions(m: unknown, p?: string, s?: string, preview?: boolean): void };
    const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };
    settings.setMockOptions(monitor, project, stack, false);
    // The same features setMocks switches on (runtime/mocks.ts).
    Object.assign(state.getStore(), {
        supportsSecrets: true,
        supportsResourceReferences: true,
        supportsOutputValues: false,
        supportsDeletedWith: true,
        supportsReplaceWith: true,
        supportsAliasSpecs: true,
        supportsTransforms: false,
        supportsParameterization: true,
        supportsResourceHooks: true,
        supportsErrorHooks: true,
    });
}

/** Waits until every registration the program started has been answered. */
async function settle(monitor: RecordingMonitor) {
    const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
    for (let quiet = 0; quiet < 3;) {
        await settings.waitForRPCs();
        await new Promise((r) => setImmediate(r));
        quiet = monitor.busy ? 0 : quiet + 1;
    }
}

/** Marks a resolved secret the way the engine's wire format does. */
export const secretSig = { key: "4dabf18193072939515e22adb298388d", value: "1b47061264138c4ac30d75fd1eb44270" };

/** Resolves Outputs inside plain data; secret values keep the engine's secret wrapper. */
async function resolveDeep(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const o = value as any;
        const [inner, isSecret, isKnown] = await Promise.all([o.promise(true), o.isSecret, o.isKnown]);
        const resolved = isKnown ? await resolveDeep(inner) : unknownMarker;
        return isSecret ? { [secretSig.key]: secretSig.value, value: resolved } : resolved;
    }
    if (Array.isArray(value)) return Promise.all(value.map(resolveDeep));
    if (value && typeof value === "object" && !(value instanceof pulumi.Resource)) {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value)) out[k] = await resolveDeep(v);
        return out;
    }
    return value;
}

export const unknownMarker = Symbol("unknown");
