import { whenKnown } from "../lib/unknown";
import { containersOf, workloadRule } from "./workload";

const probes = ["livenessProbe", "readinessProbe"] as const;

export const healthProbes = workloadRule({
    name: "kubernetes-workload-health-probes",
    description:
        "Long-running containers (Deployment, Argo Rollout, StatefulSet, DaemonSet) must have liveness and readiness probes so Kubernetes restarts hung processes and routes traffic only to ready pods.",
    enforcementLevel: "mandatory",
    category: "reliability",
    validate: (workload, { report }) => {
        if (!workload.longRunning) {
            return;
        }
        for (const ref of containersOf(workload, { init: false })) {
            for (const probe of probes) {
                whenKnown(
                    () => ref.container[probe],
                    (value) => {
                        if (value === undefined || value === null) {
                            report(`${workload.label}: ${ref.label} has no ${probe}; add an httpGet, tcpSocket, grpc or exec ${probe}.`);
                        }
                    },
                );
            }
        }
    },
});
