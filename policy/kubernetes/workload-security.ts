import { known, knownList, UNKNOWN, whenKnown } from "../lib/unknown";
import { containersOf, knownPodSpec, workloadRule } from "./workload";

export const noPrivilegedContainers = workloadRule({
    name: "kubernetes-workload-no-privileged-containers",
    description: "Workload containers must not run privileged, which hands them the node's devices and kernel.",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        for (const ref of containersOf(workload)) {
            whenKnown(
                () => ref.container.securityContext?.privileged,
                (privileged) => {
                    if (privileged === true) {
                        report(`${workload.label}: ${ref.label} runs privileged; remove securityContext.privileged or set it to false.`);
                    }
                },
            );
        }
    },
});

export const noPrivilegeEscalation = workloadRule({
    name: "kubernetes-workload-no-privilege-escalation",
    description:
        "Workload containers must set allowPrivilegeEscalation to false so setuid binaries cannot gain more rights than the process started with.",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        for (const ref of containersOf(workload)) {
            whenKnown(
                () => ref.container.securityContext?.allowPrivilegeEscalation,
                (allowed) => {
                    if (allowed !== false) {
                        report(
                            `${workload.label}: ${ref.label} may escalate privileges; set securityContext.allowPrivilegeEscalation: false.`,
                        );
                    }
                },
            );
        }
    },
});

export const runsAsNonRoot = workloadRule({
    name: "kubernetes-workload-runs-as-non-root",
    description: "Workload containers must run as a non-root user: runAsNonRoot true or a non-zero runAsUser, on the pod or the container.",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        const podSpec = knownPodSpec(workload);
        if (!podSpec) {
            return;
        }
        const podNonRoot = known(() => podSpec.securityContext?.runAsNonRoot);
        const podUser = known(() => podSpec.securityContext?.runAsUser);
        for (const ref of containersOf(workload)) {
            const ownNonRoot = known(() => ref.container.securityContext?.runAsNonRoot);
            const ownUser = known(() => ref.container.securityContext?.runAsUser);
            // A container's own setting overrides the pod's, as the kubelet applies them.
            const nonRoot = ownNonRoot === undefined ? podNonRoot : ownNonRoot;
            const user = ownUser === undefined ? podUser : ownUser;
            if (user === 0) {
                report(`${workload.label}: ${ref.label} runs as uid 0; set securityContext.runAsUser to the image's non-root uid.`);
            } else if (nonRoot === true || (typeof user === "number" && user > 0)) {
                continue;
            } else if (nonRoot !== UNKNOWN && user !== UNKNOWN) {
                report(
                    `${workload.label}: ${ref.label} may run as root; set securityContext.runAsNonRoot: true and a non-zero runAsUser on the pod or the container.`,
                );
            }
        }
    },
});

export const dropsAllCapabilities = workloadRule({
    name: "kubernetes-workload-drops-all-capabilities",
    description: "Workload containers must drop ALL Linux capabilities and add back only what they need.",
    enforcementLevel: "mandatory",
    category: "security",
    validate: (workload, { report }) => {
        for (const ref of containersOf(workload)) {
            const drop = knownList(() => ref.container.securityContext?.capabilities?.drop);
            if (drop.items.some((capability) => String(capability).toUpperCase() === "ALL") || drop.hasUnknown) {
                continue;
            }
            report(`${workload.label}: ${ref.label} keeps the default capabilities; set securityContext.capabilities.drop: ["ALL"].`);
        }
    },
});
