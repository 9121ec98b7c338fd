/**
 * The cluster controllers' pinned charts: plain data, free of SDK imports, so config validation can
 * check a stack's Kubernetes version against them without loading the components that install them.
 */

/** A pinned Helm chart of a cluster controller that calls AWS APIs. */
export interface ControllerChart {
    readonly repo: string;
    readonly chart: string;
    /** Pinned, so a chart release never changes the cluster unannounced. */
    readonly version: string;
    readonly namespace: string;
    /** The service account the chart creates; the Pod Identity role is bound to it. */
    readonly serviceAccountName: string;
}

/** Pinned so a chart release never changes the cluster unannounced; the IAM policy follows this version. */
export const loadBalancerControllerChart: ControllerChart = {
    repo: "https://aws.github.io/eks-charts",
    chart: "aws-load-balancer-controller",
    /** Chart 1.14.0 ships controller v2.14.0. */
    version: "1.14.0",
    namespace: "kube-system",
    serviceAccountName: "aws-load-balancer-controller",
};

/**
 * Pinned so a chart release never changes the cluster unannounced. The autoscaler simulates the
 * scheduler of its own Kubernetes minor, so upstream supports it only on the control-plane minor it
 * was built for (kubernetes/autoscaler cluster-autoscaler/README.md, "Releases": 1.34.x clusters
 * take CA 1.34.x): bump chart and image together with `kubernetesVersion`.
 */
export const clusterAutoscalerChart: ControllerChart & {
    readonly kubernetesMinor: string;
    readonly image: { readonly repository: string; readonly tag: string };
} = {
    repo: "https://kubernetes.github.io/autoscaler",
    chart: "cluster-autoscaler",
    /**
     * The chart repository's index.yaml (kubernetes/autoscaler, gh-pages branch) lists 9.53.0 with
     * appVersion 1.34.2, the last chart of the 1.34 line (9.54.0 moved to 1.35.0; 9.51.0 still ships 1.33.0).
     */
    version: "9.53.0",
    /** The Kubernetes minor this chart and image are built for. */
    kubernetesMinor: "1.34",
    /** registry.k8s.io/autoscaling/cluster-autoscaler, the release the chart's appVersion names. */
    image: { repository: "registry.k8s.io/autoscaling/cluster-autoscaler", tag: "v1.34.2" },
    namespace: "kube-system",
    serviceAccountName: "cluster-autoscaler",
};

/**
 * External Secrets Operator, which syncs Saleor's secrets from AWS Secrets Manager into the app
 * namespace. Pinned so a chart release never changes the cluster unannounced: 2.9.0 is the latest
 * release (tag helm-chart-2.9.0 of external-secrets/external-secrets,
 * deploy/charts/external-secrets/Chart.yaml: version 2.9.0, appVersion v2.9.0, kubeVersion >= 1.19);
 * the repository is the one that chart's README adds. The service account is the chart's fullname
 * for a release named "external-secrets" (values.yaml serviceAccount.name: "").
 */
export const externalSecretsChart: ControllerChart = {
    repo: "https://charts.external-secrets.io",
    chart: "external-secrets",
    version: "2.9.0",
    namespace: "external-secrets",
    serviceAccountName: "external-secrets",
};

/**
 * Argo Rollouts, which runs the API's, the storefront's and the Dashboard's canary releases in every
 * stack (weighted ALB target groups through the AWS Load Balancer Controller on AWS, ingress-nginx's
 * canary Ingress in dev) and their analysis. Pinned so a chart
 * release never changes the cluster unannounced: argoproj/argo-helm charts/argo-rollouts/Chart.yaml
 * at commit af0a931 (2026-07-02) reads version 2.41.0, appVersion v1.9.0; the repository is the one
 * the chart's README adds. The service account is the chart's fullname for a release named
 * "argo-rollouts" (values.yaml serviceAccount.name: "", templates/_helpers.tpl
 * argo-rollouts.serviceAccountName).
 */
export const argoRolloutsChart: ControllerChart & { readonly appVersion: string } = {
    repo: "https://argoproj.github.io/argo-helm",
    chart: "argo-rollouts",
    version: "2.41.0",
    appVersion: "v1.9.0",
    namespace: "argo-rollouts",
    serviceAccountName: "argo-rollouts",
};
