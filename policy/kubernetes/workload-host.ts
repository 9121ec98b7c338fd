import { isKnown, known, knownList, whenKnown } from "../lib/unknown";
import { knownPodSpec, workloadRule } from "./workload";

export const noHostPathVolumes = workloadRule({
    name: "kubernetes-workload-no-host-path-volumes",
    description: "Workloads must not mount hostPath volumes, which expose the node's file system to the pod.",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        const podSpec = knownPodSpec(workload);
        if (!podSpec) {
            return;
        }
        knownList(() => podSpec.volumes).items.forEach((volume, index) => {
            whenKnown(
                () => volume.hostPath,
                (hostPath) => {
                    if (hostPath !== undefined && hostPath !== null) {
                        const name = known(() => volume.name);
                        const shown = isKnown(name) && name ? `"${name}"` : `#${index}`;
                        report(
                            `${workload.label}: volume ${shown} is a hostPath; use a PersistentVolumeClaim, emptyDir, ConfigMap or Secret volume instead.`,
                        );
                    }
                },
            );
        });
    },
});

const hostNamespaces = ["hostNetwork", "hostPID", "hostIPC"] as const;

export const noHostNamespaces = workloadRule({
    name: "kubernetes-workload-no-host-namespaces",
    description: "Workloads must not share the node's network, process or IPC namespace (hostNetwork, hostPID, hostIPC).",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        const podSpec = knownPodSpec(workload);
        if (!podSpec) {
            return;
        }
        for (const field of hostNamespaces) {
            whenKnown(
                () => podSpec[field],
                (shared) => {
                    if (shared === true) {
                        report(`${workload.label}: the pod sets ${field}: true; remove it so the pod gets its own namespace.`);
                    }
                },
            );
        }
    },
});
