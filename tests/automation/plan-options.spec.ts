import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { runUnderMocks } from "../../automation/plan/evaluate";
import { toPlanDocument } from "../../automation/plan/json";

/** The resource options a `pulumi preview --json` consumer reads are in the plan as registered. */
class Thing extends pulumi.CustomResource {
    constructor(name: string, args: Record<string, pulumi.Input<unknown>>, opts?: pulumi.CustomResourceOptions) {
        super("test:index:Thing", name, args, opts);
    }
}

describe("resource options in the plan", () => {
    it("carries replaceOnChanges, ignoreChanges, deleteBeforeReplace and customTimeouts as registered", async () => {
        const { resources } = await runUnderMocks("project", "stack", () => {
            new Thing(
                "with",
                { size: 1 },
                {
                    replaceOnChanges: ["size"],
                    ignoreChanges: ["tags"],
                    deleteBeforeReplace: true,
                    customTimeouts: { create: "1h30m" },
                },
            );
            new Thing("without", { size: 1 });
            return {};
        });
        const doc = toPlanDocument({ project: "project", stack: "stack", resources, outputs: {} });
        const state = (name: string) => doc.steps.find((s) => s.urn.endsWith(`::${name}`))!.newState!;
        assert.deepEqual(state("with").replaceOnChanges, ["size"]);
        assert.deepEqual(state("with").ignoreChanges, ["tags"]);
        assert.equal(state("with").deleteBeforeReplace, true);
        assert.deepEqual(state("with").customTimeouts, { create: 5400 });
        assert.equal(state("without").replaceOnChanges, undefined);
        assert.equal(state("without").customTimeouts, undefined);
    });
});

describe("URNs as the engine makes them", () => {
    class Group extends pulumi.ComponentResource {
        constructor(type: string, name: string, opts?: pulumi.ComponentResourceOptions) {
            super(type, name, {}, opts);
        }
    }

    it("qualifies a type by its parents' whole type chain, as resource.NewURN does", async () => {
        const { resources } = await runUnderMocks("project", "stack", () => {
            const outer = new Group("test:index:Outer", "outer");
            const inner = new Group("test:index:Inner", "inner", { parent: outer });
            new Thing("leaf", { size: 1 }, { parent: inner });
            return {};
        });
        const leaf = resources.find((r) => r.name === "leaf")!;
        assert.equal(leaf.urn, "urn:pulumi:stack::project::test:index:Outer$test:index:Inner$test:index:Thing::leaf");
    });
});
