import { PolicyResource } from "@pulumi/policy";
import { asWorkload, namespaceOf, REPLICATED_APP_TYPES, ROLLOUT_TYPE, Workload } from "../kubernetes/workload";
import { selectorMatches } from "../kubernetes/selector";
import { HorizontalPodAutoscalerProps, k8s, PodDisruptionBudgetProps } from "../kubernetes/types";
import { stackRule } from "../lib/define";
import { isKnown, known, Maybe, UNKNOWN } from "../lib/unknown";

/** Namespaces are equal, or one is not known yet (and so might be). */
function sameNamespace(a: Maybe<string>, b: Maybe<string>): Maybe<boolean> {
    return isKnown(a) && isKnown(b) ? a === b : UNKNOWN;
}

/** Whether an HPA scales this Deployment or Rollout: by scaleTargetRef, or by waiting for it when its name is not known yet. */
function autoscales(hpa: PolicyResource, deployment: PolicyResource, workload: Workload): Maybe<boolean> {
    const props = hpa.props as HorizontalPodAutoscalerProps;
    const kind = known(() => props.spec?.scaleTargetRef?.kind);
    if (isKnown(kind) && kind !== workload.kind) {
        return false;
    }
    if (
        sameNamespace(
            namespaceOf(() => props.metadata),
            workload.namespace,
        ) === false
    ) {
        return false;
    }
    const target = known(() => props.spec?.scaleTargetRef?.name);
    if (isKnown(target) && isKnown(workload.name) && target === workload.name) {
        return true;
    }
    // The program passes deployment.metadata.name, so the HPA waits for the Deployment it scales.
    if (hpa.dependencies.some((dependency) => dependency.urn === deployment.urn)) {
        return true;
    }
    return isKnown(target) ? false : UNKNOWN;
}

function protects(pdb: PolicyResource, workload: Workload): Maybe<boolean> {
    const props = pdb.props as PodDisruptionBudgetProps;
    const namespace = sameNamespace(
        namespaceOf(() => props.metadata),
        workload.namespace,
    );
    if (namespace === false) {
        return false;
    }
    if (!isKnown(workload.podLabels)) {
        return UNKNOWN;
    }
    const matches = selectorMatches(() => props.spec?.selector, workload.podLabels);
    return matches === true && namespace === UNKNOWN ? UNKNOWN : matches;
}

export const deploymentHasDisruptionBudget = stackRule({
    name: "kubernetes-deployment-pod-disruption-budget",
    description:
        "Every Deployment or Argo Rollout with more than one replica, or scaled by an HPA, must be selected by a policy/v1 PodDisruptionBudget in its namespace, so node drains keep it serving.",
    enforcementLevel: "mandatory",
    category: "reliability",
    guards: [
        k8s.apps.Deployment.__pulumiType,
        ROLLOUT_TYPE,
        k8s.autoscaling.HorizontalPodAutoscaler.__pulumiType,
        k8s.policy.PodDisruptionBudget.__pulumiType,
    ],
    validate: (args, { report }) => {
        const deployments = args.resources.filter((r) => REPLICATED_APP_TYPES.includes(r.type));
        if (deployments.length === 0) {
            args.notApplicable("the stack has no Deployments");
        }
        const hpas = args.resources.filter((r) => r.type === k8s.autoscaling.HorizontalPodAutoscaler.__pulumiType);
        const pdbs = args.resources.filter((r) => r.type === k8s.policy.PodDisruptionBudget.__pulumiType);
        for (const deployment of deployments) {
            const workload = asWorkload(deployment)!;
            const replicas = known(() => deployment.props.spec?.replicas);
            const scaledBy = hpas.map((hpa) => autoscales(hpa, deployment, workload));
            const replicated = (isKnown(replicas) && typeof replicas === "number" && replicas > 1) || scaledBy.includes(true);
            if (!replicated) {
                continue;
            }
            const coverage = pdbs.map((pdb) => protects(pdb, workload));
            if (coverage.includes(true) || coverage.includes(UNKNOWN)) {
                continue;
            }
            const why = scaledBy.includes(true) ? "is scaled by a HorizontalPodAutoscaler" : `has ${String(replicas)} replicas`;
            const labels = isKnown(workload.podLabels) ? JSON.stringify(workload.podLabels) : "its pod labels";
            report(
                `${workload.label} ${why} but no PodDisruptionBudget selects its pods; add a policy/v1 PodDisruptionBudget in namespace ${String(workload.namespace)} whose selector.matchLabels match ${labels} (e.g. maxUnavailable: 1).`,
                deployment.urn,
            );
        }
    },
});
