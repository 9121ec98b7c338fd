import { strict as assert } from "node:assert";
import { diffPlans, renderDiff, renderDiffMarkdown } from "../../automation/plan/diff";
import type { PlanDocument } from "../../automation/plan/json";
import { planOf } from "../support/plans";

/**
 * A reviewer reads a diff for what changes to what, as `pulumi preview --diff` and `terraform plan`
 * show it: old -> new for every changed input, secrets only as "changed, secret".
 */
describe("plan diffs show values", () => {
    let base: PlanDocument;
    let current: PlanDocument;
    const longImage = `registry.example.com/${"very-long-path/".repeat(8)}saleor:3.23.6`;

    before(async () => {
        const plan = await planOf("dev");
        base = JSON.parse(JSON.stringify(plan));
        current = JSON.parse(JSON.stringify(plan));
        const api = (doc: PlanDocument) =>
            doc.steps.find((s) => s.urn.endsWith("kubernetes:argoproj.io/v1alpha1:Rollout::local-core-api"))!.newState!;
        (api(current).inputs as any).spec.replicas = 3;
        (api(current).inputs as any).spec.template.spec.containers[0].image = longImage;
        (api(base).inputs as any).spec.template.metadata.annotations = { token: "[secret]" };
        (api(current).inputs as any).spec.template.metadata.annotations = { token: "new-plain-value" };
    });

    it("lists old and new values of each changed path in the JSON, secrets as changed without values", () => {
        const { diff } = diffPlans(base, current, "base.json");
        const [update] = diff.regions.local.update;
        const byPath = Object.fromEntries(update.values.map((v) => [v.path, v]));
        assert.deepEqual(byPath["spec.replicas"], { path: "spec.replicas", old: 1, new: 3 });
        assert.deepEqual(byPath["spec.template.spec.containers[0].image"], {
            path: "spec.template.spec.containers[0].image",
            old: "ghcr.io/saleor/saleor:3.23.5",
            new: longImage,
        });
        assert.deepEqual(byPath["spec.template.metadata.annotations.token"], {
            path: "spec.template.metadata.annotations.token",
            secret: true,
        });
    });

    it("prints old -> new in the human diff, long values cut short and secrets named only", () => {
        const text = renderDiff(diffPlans(base, current, "base.json").diff);
        assert.match(text, /spec\.replicas: 1 -> 3/);
        assert.match(text, /spec\.template\.metadata\.annotations\.token: changed, secret/);
        // Lines wrap at spaces; the value itself is cut short.
        const unwrapped = text.replace(/\n\s+/g, " ");
        const imageLine = unwrapped.slice(unwrapped.indexOf("containers[0].image"), unwrapped.indexOf("containers[0].image") + 200);
        assert.ok(imageLine.includes("…") && !unwrapped.includes(longImage), imageLine);
    });

    it("lists every change per region in collapsible Markdown sections, stateful changes first", () => {
        const md = renderDiffMarkdown(diffPlans(base, current, "base.json").diff);
        assert.match(md, /<details><summary>local: 1 to update<\/summary>/);
        assert.match(md, /- update `kubernetes:argoproj.io\/v1alpha1:Rollout` local-core-api\n {2}- `spec.replicas`: `1` -> `3`/);
        assert.ok(md.indexOf("stateful") < md.indexOf("<details>"));
    });
});
