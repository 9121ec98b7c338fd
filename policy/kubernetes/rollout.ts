import { isKnown, known } from "../lib/unknown";
import { workloadRule } from "./workload";

/**
 * An Argo Rollout exists to release progressively and to stop a bad release on its own: a canary
 * that shifts traffic in `setWeight` steps (argo-rollouts docs/features/canary) and an analysis,
 * in the background (`strategy.canary.analysis`) or as a step (`steps[].analysis`), whose failure
 * aborts the update and returns the traffic to the stable version (docs/features/analysis.md).
 */
export const rolloutCanaryWithAnalysis = workloadRule({
    name: "kubernetes-rollout-canary-with-analysis",
    description:
        "An Argo Rollout must release through a canary with setWeight steps and an analysis (background or as a step), so a bad release is aborted and its traffic returns to the stable version.",
    enforcementLevel: "mandatory",
    category: "reliability",
    validate: (workload, { report }) => {
        if (workload.kind !== "Rollout") {
            return;
        }
        const strategy = known(() => workload.resource.props.spec?.strategy);
        if (!isKnown(strategy)) {
            return;
        }
        const canary = strategy?.canary;
        if (!canary) {
            report(`${workload.label} has no canary strategy; set spec.strategy.canary with setWeight steps and an analysis.`);
            return;
        }
        const steps = known(() => canary.steps);
        const analysis = known(() => canary.analysis?.templates);
        if (!isKnown(steps) || !isKnown(analysis)) {
            return;
        }
        const list: Record<string, unknown>[] = Array.isArray(steps) ? steps : [];
        if (!list.some((s) => s && s.setWeight !== undefined)) {
            report(`${workload.label}'s canary has no setWeight step; shift traffic in steps (spec.strategy.canary.steps[].setWeight).`);
        }
        const inSteps = list.some((s) => s && s.analysis !== undefined);
        if (!(Array.isArray(analysis) && analysis.length > 0) && !inSteps) {
            report(
                `${workload.label}'s canary runs no analysis; add spec.strategy.canary.analysis.templates (or an analysis step), so a failing canary is aborted.`,
            );
        }
    },
});
