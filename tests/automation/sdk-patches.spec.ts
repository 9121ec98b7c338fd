import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import {
    answerWithoutStruct,
    checkMockMonitor,
    followUrnPromises,
    installMockRuntime,
    patchSdk,
    sdkStruct,
    withoutCallsites,
    withoutStackTraceHook,
    withoutStructRoundTrip,
} from "../../automation/plan/sdk-patches";
import { evaluateStack, listStacks, runUnderMocks } from "../../automation/plan/evaluate";
import { toPlanDocument, type PlanDocument } from "../../automation/plan/json";
import { planOf } from "../support/plans";

const version = (require("@pulumi/pulumi/package.json") as { version: string }).version;

/** A guard's error: names the installed SDK version and what it did not find. */
function refused(what: RegExp) {
    return (e: unknown) => {
        const message = (e as Error).message;
        assert.ok(message.includes(`@pulumi/pulumi ${version}`), `no SDK version in: ${message}`);
        assert.match(message, what);
        return true;
    };
}

describe("SDK patches check the SDK's shape first", () => {
    it("the stack-trace hook: refuses one that is not a function", () => {
        const errorClass = { prepareStackTrace: "formatted elsewhere" };
        assert.throws(() => withoutStackTraceHook(errorClass), refused(/Error\.prepareStackTrace/));
        assert.equal(errorClass.prepareStackTrace, "formatted elsewhere");
    });

    it("the stack-trace hook: unset while patched, back after", () => {
        const hook = (_e: Error, _s: unknown[]) => "mapped";
        const errorClass: { prepareStackTrace?: unknown } = { prepareStackTrace: hook };
        const undo = withoutStackTraceHook(errorClass);
        assert.equal(errorClass.prepareStackTrace, undefined);
        undo();
        assert.equal(errorClass.prepareStackTrace, hook);
    });

    it("call sites: refuses a Resource without callsites() or the stackTrace(skip) that reads it", () => {
        assert.throws(() => withoutCallsites(class {}), refused(/Resource\.callsites/));
        assert.throws(
            () =>
                withoutCallsites(
                    class {
                        static callsites() {
                            return [];
                        }
                    },
                ),
            refused(/Resource\.stackTrace/),
        );
        // A callsites that takes arguments is not the one the patch replaces.
        assert.throws(
            () =>
                withoutCallsites(
                    class {
                        static callsites(_skip: number) {
                            return [];
                        }
                        static stackTrace(_skip: number) {
                            return [];
                        }
                    },
                ),
            refused(/Resource\.callsites/),
        );
    });

    it("call sites: none while patched, the SDK's after", () => {
        const resource = pulumi.Resource as unknown as { callsites(): unknown[] };
        const callsites = resource.callsites;
        const undo = withoutCallsites();
        assert.deepEqual(resource.callsites(), []);
        undo();
        assert.equal(resource.callsites, callsites);
    });

    it("the Struct round trip: refuses a Struct without fromJavaScript, toJavaScript or getFieldsMap", () => {
        class NoEncoder {
            toJavaScript() {
                return {};
            }
            getFieldsMap(_noLazyCreate?: boolean) {
                return undefined;
            }
        }
        assert.throws(() => withoutStructRoundTrip(NoEncoder), refused(/Struct\.fromJavaScript/));
        class NoDecoder {
            static fromJavaScript(_v: unknown) {
                return new NoDecoder();
            }
            getFieldsMap(_noLazyCreate?: boolean) {
                return undefined;
            }
        }
        assert.throws(() => withoutStructRoundTrip(NoDecoder), refused(/toJavaScript/));
        class NoFields {
            static fromJavaScript(_v: unknown) {
                return new NoFields();
            }
            toJavaScript() {
                return {};
            }
        }
        assert.throws(() => withoutStructRoundTrip(NoFields), refused(/getFieldsMap/));
        assert.throws(() => withoutStructRoundTrip({ fromJavaScript: () => ({}) }), refused(/not a class/));
    });

    it("the registration answer: refuses a response without getObject/setObject", () => {
        assert.throws(() => answerWithoutStruct({ setObject: (_v: unknown) => undefined }, {}), refused(/getObject/));
        const response = { getObject: () => undefined, setObject: (_v: unknown) => undefined };
        answerWithoutStruct(response, { a: 1 });
        assert.deepEqual((response.getObject() as unknown as { toJavaScript(): unknown }).toJavaScript(), { a: 1 });
    });

    it("URN promises: refuses a debuggable module without debuggablePromise(promise, context)", () => {
        assert.throws(() => followUrnPromises({ decorate: false }, {}, () => "`resolveURN(${label})`"), refused(/debuggablePromise/));
        assert.throws(
            () => followUrnPromises({ decorate: false }, { debuggablePromise: (p: Promise<unknown>) => p }, () => "`resolveURN(${label})`"),
            refused(/debuggablePromise/),
        );
    });

    it("URN promises: refuses an SDK that labels URN promises differently", () => {
        const debuggable = { debuggablePromise: (p: Promise<unknown>, _ctx: unknown) => p };
        const original = debuggable.debuggablePromise;
        assert.throws(
            () => followUrnPromises({ decorate: false }, debuggable, () => "debuggablePromise(p, `urn(${label})`)"),
            refused(/resolveURN/),
        );
        assert.equal(debuggable.debuggablePromise, original);
    });

    it("URN promises: names the resources whose URN has not resolved", async () => {
        const debuggable = { debuggablePromise: (p: Promise<unknown>, _ctx: unknown) => p };
        const { undo, waiting } = followUrnPromises({ decorate: false }, debuggable, () => "`resolveURN(${label})`");
        let register!: () => void;
        debuggable.debuggablePromise(
            new Promise<void>((r) => {
                register = r;
            }),
            "resolveURN(resource:a[test:index:Thing])",
        );
        debuggable.debuggablePromise(new Promise(() => undefined), "resolveURN(resource:b[test:index:Thing])");
        debuggable.debuggablePromise(new Promise(() => undefined), "resolveID(resource:c[test:index:Thing])");
        assert.deepEqual(waiting(), ["resource:a[test:index:Thing]", "resource:b[test:index:Thing]"]);
        register();
        await new Promise((r) => setImmediate(r));
        assert.deepEqual(waiting(), ["resource:b[test:index:Thing]"]);
        undo();
    });

    it("MockMonitor: refuses one without newUrn(parent, type, name), registerResource or its resources map", () => {
        class Base {
            resources = new Map();
            constructor(_mocks: unknown) {}
            registerResource(_req: unknown, _callback: unknown) {}
        }
        assert.throws(() => checkMockMonitor(Base), refused(/newUrn/));
        class TwoArguments extends Base {
            newUrn(_type: string, _name: string) {
                return "";
            }
        }
        assert.throws(() => checkMockMonitor(TwoArguments), refused(/newUrn/));
        class NoResources {
            constructor(_mocks: unknown) {}
            newUrn(_parent: string, _type: string, _name: string) {
                return "";
            }
            registerResource(_req: unknown, _callback: unknown) {}
        }
        assert.throws(() => checkMockMonitor(NoResources), refused(/resources/));
        assert.throws(() => checkMockMonitor(null), refused(/MockMonitor/));
        checkMockMonitor();
    });

    describe("the mock runtime", () => {
        const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): unknown };
        const state = require("@pulumi/pulumi/runtime/state") as { getStore(): Record<string, unknown> };
        const mocks: pulumi.runtime.Mocks = { newResource: (a) => ({ id: a.name, state: a.inputs }), call: () => ({}) };
        const features = () => Object.fromEntries(Object.entries(state.getStore()).filter(([k]) => k.startsWith("supports")));
        const monitor = { ours: true };
        const sdk = () => ({
            mocks: require("@pulumi/pulumi/runtime/mocks") as Record<string, unknown>,
            settings: require("@pulumi/pulumi/runtime/settings") as Record<string, unknown>,
            state: require("@pulumi/pulumi/runtime/state") as Record<string, unknown>,
        });

        it("installs our monitor with the feature flags setMocks itself sets", async () => {
            await pulumi.runtime.setMocks(mocks, "project", "stack", false);
            const setBySetMocks = features();
            // setMockOptions, which swaps the monitor, resets every one of them to false.
            assert.equal(setBySetMocks.supportsSecrets, true);
            await installMockRuntime(mocks, monitor, "project", "stack");
            assert.equal(settings.getMonitor(), monitor);
            assert.deepEqual(features(), setBySetMocks);
        });

        it("refuses an SDK without setMocks, setMockOptions or getStore", async () => {
            const without = (part: "mocks" | "settings" | "state", fn: string) => {
                const s = sdk();
                s[part] = { ...s[part], [fn]: undefined };
                return installMockRuntime(mocks, monitor, "project", "stack", s as never);
            };
            await assert.rejects(without("mocks", "setMocks"), refused(/setMocks/));
            await assert.rejects(without("settings", "setMockOptions"), refused(/setMockOptions/));
            await assert.rejects(without("state", "getStore"), refused(/getStore/));
        });

        it("refuses a setMocks that installs no MockMonitor or switches no features on", async () => {
            const s = sdk();
            const setMockOptions = s.settings.setMockOptions as (...a: unknown[]) => void;
            // As setMocks, but with another monitor; then with no features.
            s.mocks = {
                ...s.mocks,
                setMocks: async (_m: unknown, p: string, st: string, preview: boolean, _o: unknown) => setMockOptions({}, p, st, preview),
            };
            await assert.rejects(
                installMockRuntime(mocks, monitor, "project", "stack", s as never),
                refused(/did not install a MockMonitor/),
            );
            const MockMonitor = s.mocks.MockMonitor as new (m: unknown) => unknown;
            s.mocks = {
                ...s.mocks,
                setMocks: async (m: unknown, p: string, st: string, preview: boolean, _o: unknown) =>
                    setMockOptions(new MockMonitor(m), p, st, preview),
            };
            await assert.rejects(installMockRuntime(mocks, monitor, "project", "stack", s as never), refused(/supportsSecrets/));
        });
    });

    it("a refused patch leaves the SDK as it was: the ones already applied are undone", () => {
        const Struct = sdkStruct() as { fromJavaScript: unknown };
        const encoder = Struct.fromJavaScript;
        const resource = pulumi.Resource as unknown as { callsites: unknown };
        const callsites = resource.callsites;
        const debuggable = require("@pulumi/pulumi/runtime/debuggable") as { debuggablePromise: unknown };
        const debuggablePromise = debuggable.debuggablePromise;
        const hook = Error.prepareStackTrace;
        // The Struct is patched last: every other patch has been applied when it is refused.
        Struct.fromJavaScript = () => undefined;
        try {
            assert.throws(() => patchSdk(), refused(/Struct\.fromJavaScript/));
        } finally {
            Struct.fromJavaScript = encoder;
        }
        assert.equal(resource.callsites, callsites);
        assert.equal(debuggable.debuggablePromise, debuggablePromise);
        assert.equal(Error.prepareStackTrace, hook);
    });
});

describe("plans without the speed patches", () => {
    async function planWith(stack: string, opts: { speedPatches?: boolean; skipPromiseDecoration?: boolean }): Promise<PlanDocument> {
        const r = await evaluateStack({ stack, ...opts });
        if ("problems" in r) throw new Error(r.problems.join("\n"));
        return toPlanDocument(r.evaluation);
    }
    const byUrn = (doc: PlanDocument) => ({ ...doc, steps: [...doc.steps].sort((a, b) => (a.urn < b.urn ? -1 : a.urn > b.urn ? 1 : 0)) });

    for (const stack of listStacks()) {
        it(`${stack}: byte-identical without the speed-only patches`, async () => {
            // JSON text: the same steps in the same order, every key in the same order.
            assert.equal(JSON.stringify(await planWith(stack, { speedPatches: false })), JSON.stringify(await planOf(stack)));
        });

        it(`${stack}: the same steps and outputs, in registration order of their own, with the SDK's promise decoration`, async () => {
            // The decoration's extra microtask hops change which resource registers first, nothing else.
            const plain = await planWith(stack, { speedPatches: false, skipPromiseDecoration: false });
            assert.equal(JSON.stringify(byUrn(plain)), JSON.stringify(byUrn(await planOf(stack))));
        });
    }

    it("switches them off: the SDK's call sites, stack-trace hook, Struct encoder and promise decoration run", async () => {
        const Struct = sdkStruct() as { fromJavaScript: unknown };
        const resource = pulumi.Resource as unknown as { callsites: unknown };
        const debuggable = require("@pulumi/pulumi/runtime/debuggable") as {
            debuggablePromise(p: Promise<unknown>, ctx: string): Promise<unknown>;
        };
        const sdk = { encoder: Struct.fromJavaScript, callsites: resource.callsites, hook: Error.prepareStackTrace };
        const seen = (opts: { speedPatches?: boolean; skipPromiseDecoration?: boolean }) =>
            runUnderMocks(
                "project",
                "stack",
                () => {
                    const p = Promise.resolve();
                    debuggable.debuggablePromise(p, "test");
                    return {
                        encoder: Struct.fromJavaScript === sdk.encoder,
                        callsites: resource.callsites === sdk.callsites,
                        hook: Error.prepareStackTrace === sdk.hook,
                        decorated: Object.getOwnPropertyNames(p).includes("_debugCtx"),
                    };
                },
                opts,
            ).then((r) => r.result);
        assert.deepEqual(await seen({ speedPatches: false, skipPromiseDecoration: false }), {
            encoder: true,
            callsites: true,
            hook: true,
            decorated: true,
        });
        assert.deepEqual(await seen({ speedPatches: false }), { encoder: true, callsites: true, hook: true, decorated: false });
        // Patched, the stack-trace hook is unset: the same as the SDK's only if there was none.
        assert.deepEqual(await seen({}), { encoder: false, callsites: false, hook: sdk.hook === undefined, decorated: false });
    });
});
