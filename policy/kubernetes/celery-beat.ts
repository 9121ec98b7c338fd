import { isKnown, known } from "../lib/unknown";
import { commandLineOf, containersOf, workloadRule } from "./workload";

/** `celery ... beat`, or a worker with an embedded scheduler (`worker -B` / `--beat`). */
export function runsCeleryBeat(commandLine: string): boolean {
    return /\bcelery\b/.test(commandLine) && /(\bbeat\b|\s-B\b|\s--beat\b)/.test(commandLine);
}

export const celeryBeatSingleReplica = workloadRule({
    name: "kubernetes-celery-beat-single-replica",
    description:
        "A Deployment running Celery beat must have at most one replica and the Recreate strategy, so two schedulers never send the same periodic task twice.",
    enforcementLevel: "mandatory",
    category: "reliability",
    validate: (workload, { report }) => {
        if (workload.kind !== "Deployment") {
            return;
        }
        const runsBeat = containersOf(workload, { init: false }).some((ref) => {
            const commandLine = commandLineOf(ref.container);
            return isKnown(commandLine) && runsCeleryBeat(commandLine);
        });
        if (!runsBeat) {
            return;
        }
        const props = workload.resource.props;
        // Kubernetes defaults replicas to 1 and the strategy to RollingUpdate.
        const replicas = known(() => props.spec?.replicas ?? 1);
        if (isKnown(replicas) && typeof replicas === "number" && replicas > 1) {
            report(`${workload.label} runs Celery beat with ${replicas} replicas; set spec.replicas to 1.`);
        }
        const strategy = known(() => props.spec?.strategy?.type ?? "RollingUpdate");
        if (isKnown(strategy) && strategy !== "Recreate") {
            report(
                `${workload.label} runs Celery beat with the ${strategy} strategy, which starts the new scheduler before the old one stops; set spec.strategy.type: Recreate.`,
            );
        }
    },
});
