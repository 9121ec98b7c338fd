import { resourceType } from "../lib/define";

/*
 * The parts of Kubernetes objects the rules read, camelCase as in the API and in
 * @pulumi/kubernetes inputs (checked against the installed SDK in tests/policy/resource-types.spec.ts).
 */

export interface ObjectMeta {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
}

export interface EnvVar {
    name?: string;
    value?: string;
    valueFrom?: object;
}

export interface Capabilities {
    add?: string[];
    drop?: string[];
}

export interface SecurityContext {
    privileged?: boolean;
    allowPrivilegeEscalation?: boolean;
    runAsNonRoot?: boolean;
    runAsUser?: number;
    capabilities?: Capabilities;
}

export interface PodSecurityContext {
    runAsNonRoot?: boolean;
    runAsUser?: number;
}

export interface ResourceRequirements {
    requests?: Record<string, string | number>;
    limits?: Record<string, string | number>;
}

export interface Container {
    name?: string;
    image?: string;
    command?: string[];
    args?: string[];
    env?: EnvVar[];
    resources?: ResourceRequirements;
    securityContext?: SecurityContext;
    livenessProbe?: object;
    readinessProbe?: object;
    /** "Always" on an init container makes it a sidecar that runs as long as the pod. */
    restartPolicy?: string;
}

export interface Volume {
    name?: string;
    hostPath?: { path?: string };
}

export interface PodSpec {
    containers?: Container[];
    initContainers?: Container[];
    securityContext?: PodSecurityContext;
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    volumes?: Volume[];
}

export interface PodTemplateSpec {
    metadata?: ObjectMeta;
    spec?: PodSpec;
}

export interface LabelSelector {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key?: string; operator?: string; values?: string[] }[];
}

export interface DeploymentProps {
    metadata?: ObjectMeta;
    spec?: { replicas?: number; selector?: LabelSelector; strategy?: { type?: string }; template?: PodTemplateSpec };
}

export interface StatefulSetProps {
    metadata?: ObjectMeta;
    spec?: { replicas?: number; template?: PodTemplateSpec };
}

export interface DaemonSetProps {
    metadata?: ObjectMeta;
    spec?: { template?: PodTemplateSpec };
}

export interface JobProps {
    metadata?: ObjectMeta;
    spec?: { template?: PodTemplateSpec };
}

export interface CronJobProps {
    metadata?: ObjectMeta;
    spec?: { jobTemplate?: { spec?: { template?: PodTemplateSpec } } };
}

export interface ServiceProps {
    metadata?: ObjectMeta;
    spec?: { type?: string };
}

export interface IngressProps {
    metadata?: ObjectMeta;
    spec?: {
        ingressClassName?: string;
        tls?: { hosts?: string[]; secretName?: string }[];
        rules?: { host?: string }[];
    };
}

export interface PodDisruptionBudgetProps {
    metadata?: ObjectMeta;
    spec?: { selector?: LabelSelector };
}

export interface HorizontalPodAutoscalerProps {
    metadata?: ObjectMeta;
    spec?: { scaleTargetRef?: { kind?: string; name?: string; apiVersion?: string } };
}

export const k8s = {
    apps: {
        Deployment: resourceType<DeploymentProps>("kubernetes:apps/v1:Deployment"),
        StatefulSet: resourceType<StatefulSetProps>("kubernetes:apps/v1:StatefulSet"),
        DaemonSet: resourceType<DaemonSetProps>("kubernetes:apps/v1:DaemonSet"),
    },
    batch: {
        Job: resourceType<JobProps>("kubernetes:batch/v1:Job"),
        CronJob: resourceType<CronJobProps>("kubernetes:batch/v1:CronJob"),
    },
    core: { Service: resourceType<ServiceProps>("kubernetes:core/v1:Service") },
    networking: { Ingress: resourceType<IngressProps>("kubernetes:networking.k8s.io/v1:Ingress") },
    policy: { PodDisruptionBudget: resourceType<PodDisruptionBudgetProps>("kubernetes:policy/v1:PodDisruptionBudget") },
    autoscaling: {
        HorizontalPodAutoscaler: resourceType<HorizontalPodAutoscalerProps>("kubernetes:autoscaling/v2:HorizontalPodAutoscaler"),
    },
} as const;

/** The label every Saleor pod carries to say which process it runs (api, worker, beat, postgres, ...). */
export const COMPONENT_LABEL = "app.kubernetes.io/component";
