import { celeryBeatSingleReplica } from "./celery-beat";
import { noDemoDataJob } from "./demo-data";
import { albIngressWaf, ingressTls } from "./ingress";
import { networkPolicyNoWholeVpc } from "./network-policy";
import { noLoadBalancerServices } from "./service";
import { noPlaintextSecretEnv } from "./workload-env";
import { noHostNamespaces, noHostPathVolumes } from "./workload-host";
import { imagePinned, imageRegistryAllowed } from "./workload-images";
import { rolloutCanaryWithAnalysis } from "./rollout";
import { healthProbes } from "./workload-probes";
import { resourcesSpecified, resourcesWithinRange } from "./workload-resources";
import { dropsAllCapabilities, noPrivilegedContainers, noPrivilegeEscalation, runsAsNonRoot } from "./workload-security";

export * from "./celery-beat";
export * from "./demo-data";
export * from "./ingress";
export * from "./network-policy";
export * from "./rollout";
export * from "./selector";
export * from "./service";
export * from "./types";
export * from "./workload";
export * from "./workload-env";
export * from "./workload-host";
export * from "./workload-images";
export * from "./workload-probes";
export * from "./workload-resources";
export * from "./workload-security";

/** Rules that judge Kubernetes objects (one at a time; NetworkPolicies against the stack's VPCs). */
export const kubernetesPolicies = [
    noPrivilegedContainers,
    noPrivilegeEscalation,
    runsAsNonRoot,
    dropsAllCapabilities,
    noHostPathVolumes,
    noHostNamespaces,
    resourcesSpecified,
    resourcesWithinRange,
    healthProbes,
    imagePinned,
    imageRegistryAllowed,
    noPlaintextSecretEnv,
    celeryBeatSingleReplica,
    rolloutCanaryWithAnalysis,
    noDemoDataJob,
    noLoadBalancerServices,
    ingressTls,
    albIngressWaf,
    networkPolicyNoWholeVpc,
];
