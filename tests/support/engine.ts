import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { deserializeProperties, serializeProperties } from "@pulumi/pulumi/runtime/rpc";
import { PlanMocks } from "../../automation/plan/mocks";
import { engineUrn } from "../../automation/plan/recording-monitor";

// A program through the engine's own door. The Node.js language host (pulumi/pulumi
// sdk/nodejs/cmd/pulumi-language-nodejs/main.go at v3.248.0) starts
// `node <program dir>/node_modules/@pulumi/pulumi/cmd/run <args>`: constructArguments (lines 1067-1098)
// appends, each only when non-empty and in this order, `--monitor <addr> --engine <addr> --sync <pipes dir>
// --organization <org> --project <p> --root-directory <dir> --stack <s> --pwd <program dir>`, then
// `--dry-run` for a preview, `--parallel <n>`, `--tracing` (none here) and the entry point ("." when
// Pulumi.yaml names no main). execRuntime (lines 877-906) adds to the host's environment PULUMI_CONFIG
// (constructConfig, lines 1101-1127: `<namespace>:config:<name>` → the engine's string, through Go's
// json.Marshal), PULUMI_CONFIG_SECRET_KEYS (constructConfigSecretKeys, lines 1130-1143: the secret keys
// as the engine names them, `<namespace>:<name>`) and PULUMI_NODEJS_TYPESCRIPT=true for
// `runtime.options.typescript`. Here an in-process gRPC ResourceMonitor and Engine answer the program with
// the offline plan's mocks (automation/plan/fake-cloud.ts) and record every registration.

const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const resourceGrpc = require(path.join(sdk, "proto", "resource_grpc_pb.js"));
const resourcePb = require(path.join(sdk, "proto", "resource_pb.js"));
const providerPb = require(path.join(sdk, "proto", "provider_pb.js"));
const enginePb = require(path.join(sdk, "proto", "engine_pb.js"));
const engineGrpc = require(path.join(sdk, "proto", "engine_grpc_pb.js"));
const { Empty } = require(require.resolve("google-protobuf/google/protobuf/empty_pb", { paths: [sdk] })) as { Empty: new () => unknown };
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [sdk] })) as {
    Struct: { fromJavaScript(o: unknown): unknown };
};

/** One RegisterResource request as the engine received it, and the URN the engine gave it. */
export interface Registration {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    /** The parent URN as the program sent it: the stack's URN for top-level resources, "" for the stack. */
    parent: string;
    provider: string;
    protect: boolean;
    /** Inputs deserialized keeping unknowns (the SDK's `unknown` sentinel) and secrets (their signature wrapper). */
    inputs: Record<string, any>;
}

export interface EngineRun {
    code: number | null;
    registrations: Registration[];
    /** Outputs the program registered per URN (RegisterResourceOutputs), the stack's among them. */
    outputs: Map<string, Record<string, any>>;
    logs: { severity: number; message: string }[];
    /** stdout and stderr of the program's process, interleaved. */
    stderr: string;
}

export interface EngineRunOptions {
    /** The program directory (Pulumi.yaml's). */
    readonly projectDir: string;
    readonly project: string;
    readonly stack: string;
    /** `<namespace>:<name>` → the string the engine passes (object and list values as Go's JSON). */
    readonly config: Record<string, string>;
    readonly secretKeys?: readonly string[];
    /** Pulumi.yaml's `main`, or "." (the engine's default entry point). */
    readonly entryPoint?: string;
    /** `pulumi preview` (the default) or `pulumi up`. */
    readonly dryRun?: boolean;
    /** Which monitor features to claim; by default those the offline plan's mock runtime runs with. */
    readonly supportsFeature?: (id: string) => boolean;
    /** Kill the program and reject after this long (a failing program's error can stall on Node 20.20). */
    readonly timeoutMs?: number;
}

/**
 * The features setMocks switches on for the offline plan (runtime/mocks.js, setMocks): everything but
 * output values and transforms. Claiming the same set keeps a difference between the two runs from
 * being one of wire format.
 */
export const mockRuntimeFeatures = (id: string): boolean => id !== "outputValues" && id !== "transforms";

/** Runs a program as the language host would for `pulumi preview --stack <stack>`, against an in-process engine. */
export async function runThroughEngine(opts: EngineRunOptions): Promise<EngineRun> {
    // The mocks run in this process, whose SDK runtime is not the program's: they are told the stack.
    const mocks = new PlanMocks(opts.stack);
    const registrations: Registration[] = [];
    const outputs = new Map<string, Record<string, any>>();
    const logs: EngineRun["logs"] = [];
    const supports = opts.supportsFeature ?? mockRuntimeFeatures;
    let root = "";
    const unary = (fn: (req: any) => Promise<unknown> | unknown) => (call: any, callback: any) => {
        Promise.resolve()
            .then(() => fn(call.request))
            .then(
                (r) => callback(null, r),
                (e) => callback(e, null),
            );
    };
    const server = new grpc.Server();
    server.addService(resourceGrpc.ResourceMonitorService, {
        supportsFeature: unary((req) => {
            const response = new resourcePb.SupportsFeatureResponse();
            response.setHassupport(supports(req.getId()));
            return response;
        }),
        registerResource: unary(async (req) => {
            const type: string = req.getType();
            const name: string = req.getName();
            const parent: string = req.getParent();
            const provider: string = req.getProvider();
            const inputs = deserializeProperties(req.getObject(), true);
            // The mocks see inputs as MockMonitor hands them over: without unknowns.
            const result = mocks.newResource({
                type,
                name,
                inputs: deserializeProperties(req.getObject()),
                provider,
                custom: req.getCustom(),
                id: req.getImportid(),
            });
            const urn = engineUrn(opts.stack, opts.project, parent, type, name);
            if (type.startsWith("pulumi:providers:")) mocks.rememberProvider(`${urn}::${result.id}`, inputs);
            registrations.push({ urn, type, name, custom: req.getCustom(), parent, provider, protect: req.getProtect() === true, inputs });
            const response = new resourcePb.RegisterResourceResponse();
            response.setUrn(urn);
            response.setId(result.id ?? "");
            response.setObject(Struct.fromJavaScript(await serializeProperties("", result.state)));
            return response;
        }),
        registerResourceOutputs: unary((req) => {
            outputs.set(req.getUrn(), deserializeProperties(req.getOutputs(), true));
            return new Empty();
        }),
        invoke: unary(async (req) => {
            const result = mocks.call({ token: req.getTok(), inputs: deserializeProperties(req.getArgs()), provider: req.getProvider() });
            const response = new providerPb.InvokeResponse();
            response.setReturn(Struct.fromJavaScript(await serializeProperties("", result)));
            return response;
        }),
    });
    server.addService(engineGrpc.EngineService, {
        log: unary((req) => {
            logs.push({ severity: req.getSeverity(), message: req.getMessage() });
            return new Empty();
        }),
        getRootResource: unary(() => {
            const response = new enginePb.GetRootResourceResponse();
            response.setUrn(root);
            return response;
        }),
        setRootResource: unary((req) => {
            root = req.getUrn();
            return new enginePb.SetRootResourceResponse();
        }),
    });
    const port = await new Promise<number>((resolve, reject) =>
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const address = `127.0.0.1:${port}`;
    // The host's pipes for synchronous invokes (invoke_req, invoke_res). The SDK opens them only for a
    // synchronous invoke, which this project does not make: an empty directory, so one would fail loudly.
    const sync = fs.mkdtempSync(path.join(os.tmpdir(), "engine-sync-"));
    const secretKeys = opts.secretKeys ?? [];
    try {
        const child = spawn(
            process.execPath,
            [
                // locateModule (main.go): `@pulumi/pulumi/cmd/run` as node resolves it from the program directory.
                require.resolve("@pulumi/pulumi/cmd/run", { paths: [opts.projectDir] }),
                "--monitor",
                address,
                "--engine",
                address,
                "--sync",
                sync,
                "--organization",
                "organization",
                "--project",
                opts.project,
                "--root-directory",
                opts.projectDir,
                "--stack",
                opts.stack,
                "--pwd",
                opts.projectDir,
                ...(opts.dryRun === false ? [] : ["--dry-run"]),
                // The CLI's default --parallel: GOMAXPROCS * 4 (pkg/cmd/pulumi/operations/up.go defaultParallel, v3.248.0).
                "--parallel",
                String(os.availableParallelism() * 4),
                opts.entryPoint ?? ".",
            ],
            {
                cwd: opts.projectDir,
                env: {
                    ...process.env,
                    PULUMI_CONFIG: engineConfig(opts.config),
                    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
                    PULUMI_NODEJS_TYPESCRIPT: "true",
                    // mocha's own loader and source maps must not leak into the program's process.
                    NODE_OPTIONS: "",
                },
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        let stderr = "";
        child.stderr.on("data", (d) => (stderr += d));
        child.stdout.on("data", (d) => (stderr += d));
        const timeoutMs = opts.timeoutMs ?? 60_000;
        const code = await new Promise<number | null>((resolve, reject) => {
            const timer = setTimeout(() => {
                child.kill("SIGKILL");
                reject(
                    new Error(
                        `${opts.project} (stack ${opts.stack}) did not exit within ${timeoutMs / 1000} s through cmd/run ` +
                            `(${registrations.length} registrations so far; a failing program's error report can stall on Node 20.20). ` +
                            `Its output so far:\n${stderr}\nEngine log:\n${logs.map((l) => l.message).join("\n")}`,
                    ),
                );
            }, timeoutMs);
            child.on("exit", (c) => {
                clearTimeout(timer);
                resolve(c);
            });
        });
        return { code, registrations, outputs, logs, stderr };
    } finally {
        server.forceShutdown();
        fs.rmSync(sync, { recursive: true, force: true });
    }
}

/** PULUMI_CONFIG as constructConfig builds it: `<namespace>:<name>` keys become `<namespace>:config:<name>`. */
export function engineConfig(config: Record<string, string>): string {
    const transformed: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const i = key.indexOf(":");
        transformed[`${key.slice(0, i)}:config:${key.slice(i + 1)}`] = value;
    }
    return goJson(transformed);
}

/**
 * Go's json.Marshal of a decoded YAML/JSON value: map keys sorted (byte order), `<`, `>`, `&`, U+2028 and
 * U+2029 escaped as \u003c, \u003e, \u0026, \u2028, \u2029. Independent of the offline plan's encoder on purpose.
 */
export function goJson(value: unknown): string {
    if (Array.isArray(value)) return `[${value.map(goJson).join(",")}]`;
    if (value !== null && typeof value === "object") {
        const keys = Object.keys(value).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b)) as number) || 0);
        return `{${keys.map((k) => `${goString(k)}:${goJson((value as Record<string, unknown>)[k])}`).join(",")}}`;
    }
    if (typeof value === "string") return goString(value);
    return JSON.stringify(value);
}

const goString = (s: string) =>
    JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

/** What the program told the user: its output and the engine log's warnings and errors (not the SDK's debug lines). */
export const said = (run: EngineRun): string =>
    [
        ...run.stderr.split("\n").filter((l) => !/RPC (prepared|finished)/.test(l)),
        ...run.logs.filter((l) => l.severity > 1).map((l) => l.message),
    ].join("\n");
