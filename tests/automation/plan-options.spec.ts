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
