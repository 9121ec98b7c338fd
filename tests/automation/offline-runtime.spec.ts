import assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../../automation/plan/evaluate";
import { sdkStructModule, structRoundTrip } from "../../automation/plan/sdk-patches";

const { Struct } = require(sdkStructModule()) as typeof import("google-protobuf/google/protobuf/struct_pb");

/** The protobuf round trip every registration made before the offline runtime skipped it. */
const protobufRoundTrip = (v: Record<string, unknown>) => Struct.fromJavaScript(v as never).toJavaScript();

class Thing extends pulumi.CustomResource {
    declare readonly size: pulumi.Output<number>;
    declare readonly spec: pulumi.Output<Record<string, unknown>>;
    constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
        super("test:index:Thing", name, { size: undefined, spec: undefined, ...args }, opts);
    }
}

describe("offline runtime", () => {
    describe("structRoundTrip gives what a protobuf Struct gives back", () => {
        class WithDefaults {
            own = 1;
        }
        (WithDefaults.prototype as unknown as Record<string, unknown>).inherited = "from the prototype";
        const values: Record<string, Record<string, unknown>> = {
            "keys sorted at every depth": {
                zeta: 1,
                alpha: { y: [{ d: 1, c: { b: 2, a: 1 } }], x: null },
                Mid: true,
                "10": "ten",
                "9": "nine",
            },
            "every scalar a Struct holds": { s: "", n: -0.5, zero: 0, big: 1e21, t: true, f: false, nil: null, nan: Number.NaN },
            "empty objects and lists": { o: {}, l: [], nested: [[], [{}]] },
            "the engine's secret and unknown markers": {
                secret: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" },
                unknown: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
            },
            "class instances, with inherited enumerable keys": { instance: new WithDefaults(), date: new Date(0) },
        };
        for (const [what, value] of Object.entries(values)) {
            it(what, () => {
                // JSON text compares key order too.
                assert.equal(JSON.stringify(structRoundTrip(value)), JSON.stringify(protobufRoundTrip(value)));
            });
        }

        it("refuses, as the protobuf does, a value a Struct cannot hold", () => {
            // eslint-disable-next-line no-sparse-arrays
            for (const bad of [{ u: undefined }, { f: () => 1 }, { b: BigInt(1) }, { nested: { s: Symbol("x") } }, { hole: [1, , 3] }]) {
                assert.throws(() => protobufRoundTrip(bad), /Unexpected struct type/);
                assert.throws(() => structRoundTrip(bad), /Unexpected struct type/, JSON.stringify(Object.keys(bad)));
            }
        });
    });

    it("still answers a Struct's fields where the SDK reads them: a resource looked up by URN", async () => {
        const { result } = await runUnderMocks("project", "stack", () => {
            const original = new Thing("original", { size: 3, spec: { b: [1, { y: 2, x: 1 }], a: "first" } });
            // Looked up by URN, the SDK reads the mock monitor's answer field by field.
            const again = original.urn.apply((urn) => new Thing("again", {}, { urn }));
            return { size: again.apply((r) => r.size), spec: again.apply((r) => r.spec) };
        });
        assert.deepEqual(result, { size: 3, spec: { a: "first", b: [1, { x: 1, y: 2 }] } });
    });

    it("refuses a second evaluation while one runs, and leaves the first intact", async () => {
        let second: Promise<unknown> | undefined;
        const first = await runUnderMocks("project", "stack", () => {
            second = runUnderMocks("project", "other", () => ({}));
            return { size: new Thing("only", { size: 1 }).size };
        });
        await assert.rejects(second!, /another evaluation is running in this process/);
        assert.deepEqual(first.result, { size: 1 });
        assert.deepEqual(
            first.resources.map((r) => r.name),
            ["only"],
        );
        // And the next one runs.
        assert.deepEqual((await runUnderMocks("project", "stack", () => ({ ok: true }))).result, { ok: true });
    });

    it("restores the protobuf encoder after the evaluation", async () => {
        const encoder = Struct.fromJavaScript;
        let during: unknown;
        await runUnderMocks("project", "stack", () => {
            during = Struct.fromJavaScript;
            return {};
        });
        assert.notEqual(during, encoder);
        assert.equal(Struct.fromJavaScript, encoder);
        assert.equal(protobufRoundTrip({ b: 1, a: 2 }).constructor, Object);
    });
});
