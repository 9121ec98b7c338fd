import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { validateStackConfig } from "../../config";
import { crossStackProblems } from "./cross-stack";
import { PlanMocks } from "./fake-cloud";
import { RecordingMonitor, type RecordedResource, type RecordingOptions } from "./recording-monitor";
import { checkMockMonitor, installMockRuntime, patchSdk } from "./sdk-patches";
import { projectName, readStackFile, StackFileError } from "./stack-file";

export const projectRoot = path.resolve(__dirname, "..", "..");

export interface EvaluateOptions extends RecordingOptions {
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
    /** The stack's config as the engine passed it, secret values blinded as "[secret]". */
    readonly config?: Record<string, string>;
    /** Warnings and errors the program logged (pulumi.log), as `pulumi preview --json` lists them. */
    readonly diagnostics?: Diagnostic[];
    /** Stack outputs with Outputs resolved; secret values wrapped as the engine wraps them. */
    readonly outputs: Record<string, unknown>;
}

/** One logged message, with the fields of the engine's PreviewDiagnostic that an offline run knows. */
export interface Diagnostic {
    readonly severity: "warning" | "error";
    readonly message: string;
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
        // A file the user named is reported as they named it; a missing stack lists the stacks there are.
        return {
            problems: [
                opts.configFile
                    ? `--config-file ${opts.configFile}: no such file`
                    : `stack ${opts.stack} has no stack file ${path.relative(process.cwd(), file) || file} (stacks: ${listStacks(projectDir).join(", ")})`,
            ],
        };
    }
    let stackConfig;
    try {
        stackConfig = readStackFile(file, project);
    } catch (e) {
        if (e instanceof StackFileError) return { problems: [e.message] };
        throw e;
    }
    const values = { ...stackConfig.values, ...opts.configOverrides };
    const source = {
        ...stackConfig.source,
        get: (k: string) => values[`saleor:${k}`],
        keys: () =>
            Object.keys(values)
                .filter((k) => k.startsWith("saleor:"))
                .map((k) => k.slice("saleor:".length)),
    };
    const validated = validateStackConfig(source);
    if ("problems" in validated) return { problems: validated.problems };
    const clashes = crossStackProblems(
        projectDir,
        project,
        listStacks(projectDir).filter((s) => s !== opts.stack),
        validated.config,
    );
    if (clashes.length > 0) return { problems: clashes };

    pulumi.runtime.setAllConfig(values, stackConfig.secretKeys);
    const main = require(path.join(projectDir, "index.ts")) as () => Promise<Record<string, unknown>>;
    const diagnostics: Diagnostic[] = [];
    const { resources, result } = await withDiagnostics(diagnostics, () =>
        runUnderMocks(project, opts.stack, main, {
            speedPatches: opts.speedPatches,
            skipPromiseDecoration: opts.skipPromiseDecoration,
            onRegister: opts.onRegister,
        }),
    );
    const config = Object.fromEntries(
        Object.entries(values)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, stackConfig.secretKeys.includes(k) ? "[secret]" : v]),
    );
    return { evaluation: { project, stack: opts.stack, resources, outputs: result as Record<string, unknown>, config, diagnostics } };
}

/**
 * Runs `run` while collecting what the program logs through pulumi.log. Without an engine the SDK
 * writes those to the console as "warning: [runtime] ..." / "error: [runtime] ..."; they still
 * reach the terminal, and are kept for the plan document.
 */
async function withDiagnostics<T>(into: Diagnostic[], run: () => Promise<T>): Promise<T> {
    const { warn, error } = console;
    const capture =
        (original: (...args: unknown[]) => void) =>
        (...args: unknown[]) => {
            const m = typeof args[0] === "string" ? /^(warning|error): \[runtime\] ([\s\S]*)$/.exec(args[0]) : null;
            if (m) into.push({ severity: m[1] as Diagnostic["severity"], message: m[2] });
            original.apply(console, args);
        };
    console.warn = capture(warn);
    console.error = capture(error);
    try {
        return await run();
    } finally {
        console.warn = warn;
        console.error = error;
    }
}

/** The plan CLI's exit code for a program that failed, also when its evaluation never finishes. */
export const programErrorExitCode = 4;

/**
 * Runs `program` under the mock runtime and returns every resource it registered (with the options
 * on each registration) and its result with Outputs resolved. Also the harness of component tests.
 * `opts` can turn off the SDK patches that are there for speed (sdk-patches.ts).
 */
export async function runUnderMocks<T>(
    project: string,
    stack: string,
    program: () => T | Promise<T>,
    opts: RecordingOptions = {},
): Promise<{ resources: RecordedResource[]; result: unknown }> {
    // The SDK's runtime (monitor, settings) and what patchSdk replaces are process-wide: an
    // evaluation started inside another would mix their resources and undo the other's changes.
    if (evaluating) throw new Error("another evaluation is running in this process; evaluate stacks one after another");
    evaluating = true;
    try {
        return await runAlone(project, stack, program, opts);
    } finally {
        evaluating = false;
    }
}

let evaluating = false;

async function runAlone<T>(
    project: string,
    stack: string,
    program: () => T | Promise<T>,
    opts: RecordingOptions,
): Promise<{ resources: RecordedResource[]; result: unknown }> {
    const mocks = new PlanMocks();
    checkMockMonitor();
    const monitor = new RecordingMonitor(mocks, opts);
    await installMockRuntime(mocks, monitor, project, stack);
    // Undone in the finally below, as soon as the program has run (sdk-patches.ts).
    const runtime = patchSdk(opts);
    // Nothing left to run but the program not finished: node exits with nothing said unless told.
    const unfinished = () => {
        const waiting = runtime.waiting();
        const which =
            waiting.length === 0
                ? "every resource is registered; an invoke or an Output the program awaits never resolved"
                : `${waiting.length} resource(s) never registered: ${waiting.slice(0, 5).join("; ")}${waiting.length > 5 ? "; ..." : ""}`;
        process.stderr.write(
            `the program never finished when nothing was left to run (a dependency cycle, or an Output that never resolves): ${which}\n`,
        );
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

export function listStacks(projectDir = projectRoot): string[] {
    return fs
        .readdirSync(projectDir)
        .flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? [])
        .sort();
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
