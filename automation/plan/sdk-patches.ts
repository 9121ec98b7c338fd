import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/**
 * Every place the offline plan reaches into the Pulumi SDK's internals: what it replaces while a
 * program is evaluated, and the private parts it relies on. None of this is the SDK's public API,
 * so any release may change it; each patch first checks that the SDK still has the shape it was
 * written against and otherwise throws, naming the installed version and what is missing, rather
 * than produce a plan that is silently wrong or slow.
 *
 * Three kinds:
 * - needed, without which the plan is wrong or incomplete: the mock runtime with our recording
 *   monitor and the feature flags setMocks sets (installMockRuntime); MockMonitor's private
 *   `newUrn` and `resources`, which name resources and keep their state as the SDK's mock does
 *   (checkMockMonitor); following each resource's URN promise, which names the resources a
 *   program that never finishes still waits for (followUrnPromises).
 * - speed only, which change how fast the same plan comes out, not a byte of it: no source-mapped
 *   stack traces (withoutStackTraceHook), no call sites per resource (withoutCallsites), no
 *   protobuf Struct round trip (withoutStructRoundTrip, answerWithoutStruct). Off with
 *   `speedPatches: false`.
 * - for speed, but not only: no decoration of every operation's promise (followUrnPromises without
 *   `decorate`). The SDK's decoration chains two promises onto each operation, and without those
 *   microtask hops resources register in another order: the plan has the same steps and outputs,
 *   listed in another order. Off with `skipPromiseDecoration: false`.
 * A spec evaluates every stack without each kind of speed patch and compares the plans.
 */

/** What a patch leaves to put the SDK back as it was. */
export type Undo = () => void;

/** Which patches beyond the needed ones an evaluation applies; all of them unless told. */
export interface PatchOptions {
    /** The speed-only patches: the plan is byte-identical without them, only slower. */
    readonly speedPatches?: boolean;
    /** Skip the SDK's decoration of every promise: faster, and the plan's steps in another order without. */
    readonly skipPromiseDecoration?: boolean;
}

/** The version the patches below were written against and checked with. */
const writtenFor = "3.248.0";

/** The installed @pulumi/pulumi's version, as its package.json says. */
function sdkVersion(): string {
    return (require("@pulumi/pulumi/package.json") as { version: string }).version;
}

/** Throws, naming the SDK version, unless the SDK has the shape a patch expects. */
function expectShape(ok: boolean, what: string): asserts ok {
    if (!ok) {
        throw new Error(
            `the offline plan does not support @pulumi/pulumi ${sdkVersion()}: ${what}. ` +
                `automation/plan/sdk-patches.ts relies on this SDK internal (written for ${writtenFor}); adapt it to this version.`,
        );
    }
}

const isFunction = (f: unknown, arity: number): boolean => typeof f === "function" && f.length === arity;

// ---- Speed only -------------------------------------------------------------------------------

/**
 * The SDK takes an unbounded stack trace for every resource to report its source position to the
 * engine, and a source-map hook (`Error.prepareStackTrace`) maps every frame of it: over half the
 * evaluation of a two-region stack when it was measured. An offline plan reports no source
 * positions, so V8 formats stacks itself while a program is evaluated. Errors the program throws
 * keep their stacks, unmapped.
 */
export function withoutStackTraceHook(errorClass: { prepareStackTrace?: unknown } = Error): Undo {
    const hook = errorClass.prepareStackTrace;
    expectShape(hook === undefined || typeof hook === "function", "Error.prepareStackTrace is neither unset nor a function");
    errorClass.prepareStackTrace = undefined;
    return () => {
        errorClass.prepareStackTrace = hook;
    };
}

/**
 * `Resource.callsites()` parses a full stack trace for every resource, for the source position an
 * offline plan never reports: no call sites, so no source position.
 */
export function withoutCallsites(resourceClass: unknown = pulumi.Resource): Undo {
    const target = resourceClass as { callsites?: unknown; stackTrace?: unknown };
    expectShape(isFunction(target.callsites, 0), "Resource.callsites is not a static function of no arguments");
    expectShape(isFunction(target.stackTrace, 1), "Resource.stackTrace(skip), which reads Resource.callsites, is missing");
    const callsites = target.callsites;
    target.callsites = () => [];
    return () => {
        target.callsites = callsites;
    };
}

/**
 * Every registration, invoke and component output goes through a protobuf Struct, built by the SDK
 * and decoded straight back by the mock monitor: a few thousand small protobuf objects per plan.
 * `Struct.fromJavaScript` keeps the value as the round trip would give it back instead (see
 * structRoundTrip); the Struct it returns answers `toJavaScript` with that value and builds its
 * protobuf fields only if something asks for them (the SDK does for a resource looked up by URN).
 */
export function withoutStructRoundTrip(structClass: unknown = sdkStruct()): Undo {
    const Struct = structClass as StructClass;
    expectShape(typeof Struct === "function", "google-protobuf's Struct (the SDK's own copy) is not a class");
    expectShape(isFunction(Struct.fromJavaScript, 1), "Struct.fromJavaScript(value) is missing");
    expectShape(isFunction(Struct.prototype?.toJavaScript, 0), "Struct.prototype.toJavaScript() is missing");
    expectShape(isFunction(Struct.prototype?.getFieldsMap, 1), "Struct.prototype.getFieldsMap(noLazyCreate) is missing");
    const structFromJavaScript = Struct.fromJavaScript;
    Struct.fromJavaScript = (obj: Record<string, unknown>) => {
        const value = structRoundTrip(obj) as Record<string, unknown>;
        const struct = new Struct();
        let fields: unknown;
        struct.toJavaScript = () => value;
        struct.getFieldsMap = () => (fields ??= structFromJavaScript(value).getFieldsMap());
        return struct;
    };
    return () => {
        Struct.fromJavaScript = structFromJavaScript;
    };
}

/**
 * A registration's answer to the SDK carrying the resource's serialized state without encoding it
 * into a protobuf Struct the SDK only decodes again: `getObject().toJavaScript()` is all the SDK
 * reads of it (resolveOutputs), and it gets `state` itself.
 */
export function answerWithoutStruct(response: unknown, state: Record<string, unknown>): void {
    const r = response as { getObject?: unknown; setObject?: unknown };
    expectShape(isFunction(r.getObject, 0) && isFunction(r.setObject, 1), "RegisterResourceResponse has no getObject()/setObject(value)");
    r.getObject = () => ({ toJavaScript: () => state });
}

/** The protobuf Struct module the SDK itself loads (google-protobuf is its dependency, not ours). */
export function sdkStructModule(): string {
    return require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] });
}

/** The SDK's protobuf Struct class. */
export function sdkStruct(): unknown {
    return (require(sdkStructModule()) as { Struct: unknown }).Struct;
}

interface StructLike {
    toJavaScript(): Record<string, unknown>;
    getFieldsMap(): unknown;
}
type StructClass = { new (): StructLike; prototype?: Partial<StructLike>; fromJavaScript(obj: Record<string, unknown>): StructLike };

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

// ---- Needed -----------------------------------------------------------------------------------

type DebuggableModule = { debuggablePromise: <T>(p: Promise<T>, ctx: unknown) => Promise<T> };

/** How the SDK labels a resource's URN promise (runtime/resource.js): `resolveURN(<label>)`. */
const urnContext = "resolveURN(";

/**
 * The SDK decorates every operation's promise (an id, a context and a stack trace, as three
 * property definitions, plus two chained promises) so that it can name the ones still pending when
 * the process exits: some 24,000 promises for a two-region stack, a sixth of its evaluation.
 *
 * This follows one promise per resource instead, its URN, which resolves once the resource is
 * registered: `waiting` names the resources whose URN never resolved, which the evaluation reports
 * if the process exits before the program finishes (a cycle, or an Output that never resolves).
 * That much is needed. With `decorate` the SDK's own decoration still runs too (slower, with the
 * SDK's leak report at exit, and resources register in the order they do under the SDK); without,
 * it is skipped.
 */
export function followUrnPromises(
    opts: { decorate: boolean },
    debuggableModule: unknown = require("@pulumi/pulumi/runtime/debuggable"),
    resourceSource: () => string = sdkResourceSource,
): { undo: Undo; waiting: () => string[] } {
    const debuggable = debuggableModule as DebuggableModule;
    expectShape(isFunction(debuggable.debuggablePromise, 2), "runtime/debuggable exports no debuggablePromise(promise, context)");
    expectShape(
        resourceSource().includes("`resolveURN(${label})`"),
        "runtime/resource.js no longer labels a resource's URN promise `resolveURN(<label>)`",
    );
    const debuggablePromise = debuggable.debuggablePromise;
    // Resources not yet registered, counted by the label the SDK gives their URN,
    // `resource:<name>[<type>]` (two resources under different parents may share one).
    const unregistered = new Map<string, number>();
    debuggable.debuggablePromise = <T>(p: Promise<T>, ctx: unknown): Promise<T> => {
        // Called for every operation (some 24,000 in production): only the URN's are followed.
        if (typeof ctx === "string" && ctx.startsWith(urnContext)) {
            const label = ctx.slice(urnContext.length, -1);
            unregistered.set(label, (unregistered.get(label) ?? 0) + 1);
            const registered = () => {
                const left = unregistered.get(label)! - 1;
                if (left === 0) unregistered.delete(label);
                else unregistered.set(label, left);
            };
            p.then(registered, registered);
        }
        return opts.decorate ? debuggablePromise(p, ctx) : p;
    };
    return {
        undo: () => {
            debuggable.debuggablePromise = debuggablePromise;
        },
        waiting: () => [...unregistered].flatMap(([label, n]) => Array<string>(n).fill(label)),
    };
}

/** The SDK's runtime/resource.js, read once: where it labels URN promises. */
function sdkResourceSource(): string {
    return (resourceSourceText ??= fs.readFileSync(require.resolve("@pulumi/pulumi/runtime/resource"), "utf8"));
}
let resourceSourceText: string | undefined;

/**
 * What RecordingMonitor uses of the SDK's MockMonitor beyond its public methods: the private
 * `newUrn(parent, type, name)`, which makes URNs exactly as the mock runtime does, and the
 * `resources` map, where registered state is kept for `getResource` lookups by URN.
 */
export function checkMockMonitor(mockMonitorClass: unknown = require("@pulumi/pulumi/runtime/mocks").MockMonitor): void {
    const MockMonitor = mockMonitorClass as { new (mocks: unknown): { resources?: unknown }; prototype?: Record<string, unknown> };
    expectShape(typeof MockMonitor === "function", "runtime/mocks exports no MockMonitor class");
    expectShape(isFunction(MockMonitor.prototype?.newUrn, 3), "MockMonitor.newUrn(parent, type, name) is missing");
    expectShape(isFunction(MockMonitor.prototype?.registerResource, 2), "MockMonitor.registerResource(request, callback) is missing");
    expectShape(new MockMonitor({}).resources instanceof Map, "MockMonitor keeps no `resources` map of registered state");
}

interface SdkRuntime {
    mocks: { setMocks?: unknown; MockMonitor?: unknown };
    settings: { setMockOptions?: unknown };
    state: { getStore?: unknown };
}

const sdkRuntime = (): SdkRuntime => ({
    mocks: require("@pulumi/pulumi/runtime/mocks"),
    settings: require("@pulumi/pulumi/runtime/settings"),
    state: require("@pulumi/pulumi/runtime/state"),
});

/**
 * `setMocks`, but with our recording monitor: setMocks builds its own MockMonitor and hides it.
 * setMocks runs as it is, and the feature flags it switched on (`supports*` in the runtime's
 * store) are read back; then the monitor is replaced through `setMockOptions`, which resets those
 * flags, and they are set again as setMocks left them.
 */
export async function installMockRuntime(
    mocks: pulumi.runtime.Mocks,
    monitor: unknown,
    project: string,
    stack: string,
    sdk: SdkRuntime = sdkRuntime(),
): Promise<void> {
    const { setMocks, MockMonitor } = sdk.mocks;
    const { setMockOptions } = sdk.settings;
    const { getStore } = sdk.state;
    expectShape(isFunction(setMocks, 5), "runtime/mocks exports no setMocks(mocks, project, stack, preview, organization)");
    expectShape(
        isFunction(setMockOptions, 5),
        "runtime/settings exports no setMockOptions(monitor, project, stack, preview, organization)",
    );
    expectShape(isFunction(getStore, 0), "runtime/state exports no getStore()");
    const store = () => (getStore as () => { settings?: { monitor?: unknown } } & Record<string, unknown>)();
    await (setMocks as (m: unknown, p: string, s: string, preview: boolean) => Promise<void>)(mocks, project, stack, false);
    expectShape(
        typeof MockMonitor === "function" && store().settings?.monitor instanceof (MockMonitor as new (...a: unknown[]) => unknown),
        "setMocks did not install a MockMonitor in the runtime's store (settings.monitor)",
    );
    const features = Object.fromEntries(Object.entries(store()).filter(([k]) => k.startsWith("supports")));
    expectShape(features.supportsSecrets === true, "setMocks did not switch on `supportsSecrets` in the runtime's store");
    (setMockOptions as (m: unknown, p: string, s: string, preview: boolean) => void)(monitor, project, stack, false);
    expectShape(store().settings?.monitor === monitor, "setMockOptions did not install the given monitor");
    Object.assign(store(), features);
}

// ---- All of them --------------------------------------------------------------------------------

/**
 * Applies the patches for one evaluation (after installMockRuntime): the needed ones, and the
 * others unless `opts` turns them off (only the spec that compares plans does). If a check fails,
 * what was already patched is undone before the error propagates.
 */
export function patchSdk(opts: PatchOptions = {}): { restore: Undo; waiting: () => string[] } {
    const undo: Undo[] = [];
    const restore = () => {
        for (const u of undo.splice(0).reverse()) u();
    };
    try {
        const urns = followUrnPromises({ decorate: opts.skipPromiseDecoration === false });
        undo.push(urns.undo);
        if (opts.speedPatches !== false) {
            undo.push(withoutStackTraceHook());
            undo.push(withoutCallsites());
            undo.push(withoutStructRoundTrip());
        }
        return { restore, waiting: urns.waiting };
    } catch (e) {
        restore();
        throw e;
    }
}
