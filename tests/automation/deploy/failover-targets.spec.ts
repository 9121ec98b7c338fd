import { strict as assert } from "node:assert";
import * as path from "node:path";
import { stageTargets } from "../../../automation/deploy/failover";
import { urnGlobMatches } from "../../../automation/deploy/fakes/failover-stack";
import { projectRoot, type Evaluation } from "../../../automation/plan/evaluate";
import { readStackFile } from "../../../automation/plan/stack-file";
import { evaluated } from "../../support/plans";

// The failover's targeted updates against the real program: a targeted `pulumi up` cannot create
// or update a resource that waits for (depends on, is parented by, is provided by) one outside
// its targets that does not exist yet. Replaying the stages over the program's resources with the
// roles swapped checks that every stage can run in the order the driver runs them.

function swapped(stack: string): Record<string, string> {
    const file = readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`), "saleor");
    const regions = JSON.parse(file.values["saleor:regions"]) as { role: string }[];
    return { "saleor:regions": JSON.stringify(regions.map((r) => ({ ...r, role: r.role === "primary" ? "secondary" : "primary" }))) };
}

const waitsFor = (r: Evaluation["resources"][number]) =>
    [...r.dependencies, r.parent, r.provider ? r.provider.slice(0, r.provider.lastIndexOf("::")) : ""].filter((u) => u !== "");

for (const stack of ["staging", "production"] as const) {
    describe(`${stack}: the failover's targeted stages fit the program's graph`, () => {
        it("promote, target-region and other-region each find everything they wait for already in the stack", async () => {
            const before = await evaluated(stack);
            const after = await evaluated(stack, swapped(stack));
            // What the checkpoint holds: the resources before, an aliased one under its new URN once updated.
            const exists = new Set(before.resources.map((r) => r.urn));
            const ids = { stack, from: "eu-central-1", to: "eu-west-1" };
            for (const stage of ["promote", "target-region", "other-region"] as const) {
                const { target = [], exclude = [], excludeDependents } = stageTargets(stage, ids);
                const excluded = new Set(after.resources.filter((r) => exclude.some((g) => urnGlobMatches(g, r.urn))).map((r) => r.urn));
                // --exclude-dependents: what waits for an excluded resource, transitively.
                for (let grew = excludeDependents === true; grew;) {
                    grew = false;
                    for (const r of after.resources) {
                        if (!excluded.has(r.urn) && waitsFor(r).some((u) => excluded.has(u))) {
                            excluded.add(r.urn);
                            grew = true;
                        }
                    }
                }
                const selected = after.resources.filter((r) => target.some((g) => urnGlobMatches(g, r.urn)) && !excluded.has(r.urn));
                assert.ok(selected.length > 0, `${stage} updates something`);
                const chosen = new Set(selected.map((r) => r.urn));
                const missing = selected.flatMap((r) =>
                    waitsFor(r)
                        .filter((u) => !exists.has(u) && !chosen.has(u))
                        .map((u) => `${r.urn} waits for ${u}`),
                );
                assert.deepEqual(missing, [], `${stage}: waits for resources neither in the stack nor among its targets`);
                for (const r of selected) exists.add(r.urn);
            }
        });

        it("the promotion updates exactly the target's writer, which carries the alias of its standby", async () => {
            const after = await evaluated(stack, swapped(stack));
            const { target = [] } = stageTargets("promote", { stack, from: "eu-central-1", to: "eu-west-1" });
            const selected = after.resources.filter((r) => target.some((g) => urnGlobMatches(g, r.urn)));
            assert.deepEqual(
                selected.map((r) => r.name),
                ["eu-west-1-data-postgres-writer"],
            );
            assert.ok(selected[0].aliases.some((a) => a.endsWith("::eu-west-1-data-postgres-standby")));
        });
    });
}
