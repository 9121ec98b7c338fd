import assert from "node:assert/strict";
import { checkPlan } from "../../policy/offline";
import { readStackConfig } from "../../policy/table";
import { planOf } from "../support/plans";

// The policy pack's "Rollout with canary and analysis" rule is mandatory in every stack's config
// (policy/config/*.json), dev's included: dev's Rollouts are held to it like production's.

const rule = "kubernetes-rollout-canary-with-analysis";
const rolloutType = "kubernetes:argoproj.io/v1alpha1:Rollout";

describe("dev's canaries under the policy pack", () => {
    it("dev's Rollouts (API, storefront, Dashboard) pass the mandatory canary-with-analysis rule", async () => {
        const plan = await planOf("dev");
        const rollouts = plan.steps.filter((s) => s.newState?.type === rolloutType);
        assert.deepEqual(rollouts.map((s) => s.urn.split("::").pop()).sort(), [
            "local-core-api",
            "local-core-dashboard",
            "local-storefront",
        ]);
        const result = await checkPlan(plan, readStackConfig("dev"));
        assert.deepEqual(
            result.violations.filter((v) => v.policyName === rule),
            [],
        );
    });

    it("a dev Rollout without its analysis is a mandatory violation", async () => {
        const plan = structuredClone(await planOf("dev"));
        const api = plan.steps.find((s) => s.newState?.type === rolloutType && s.urn.endsWith("::local-core-api"))!;
        delete (api.newState!.inputs as any).spec.strategy.canary.analysis;
        const result = await checkPlan(plan, readStackConfig("dev"));
        const found = result.violations.filter((v) => v.policyName === rule);
        assert.deepEqual(
            found.map((v) => [v.urn, v.enforcementLevel]),
            [[api.urn, "mandatory"]],
        );
    });
});
