/**
 * EKS managed add-on versions, pinned per Kubernetes minor: plain data that config validation and
 * the cluster components share. Looked up with `mostRecent`, an add-on moved on any routine
 * `pulumi up` whenever EKS published a build, unreviewed; pinned, it moves only when this table
 * or `saleor:cluster.aws.addonVersions` changes, and the plan diff shows the new version.
 *
 * Bump with the cluster's Kubernetes minor. Check a version before committing it with
 * `aws eks describe-addon-versions --kubernetes-version <minor> --addon-name <name>`.
 */

/** The add-ons the clusters run. */
export const eksAddonNames = [
    "vpc-cni",
    "kube-proxy",
    "eks-pod-identity-agent",
    "coredns",
    "aws-ebs-csi-driver",
    "amazon-cloudwatch-observability",
] as const;
export type EksAddonName = (typeof eksAddonNames)[number];

/** An EKS add-on build: the upstream version and EKS's build number. */
export const eksAddonVersionPattern = /^v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+$/;

/**
 * The pinned versions per Kubernetes minor.
 *
 * Verified in the Amazon EKS User Guide's version tables (late-2025 edition), row "1.34":
 * vpc-cni ("pod-networking", v1.20.4-eksbuild.1), kube-proxy ("managing-kube-proxy",
 * v1.34.1-eksbuild.2), coredns ("managing-coredns", v1.12.4-eksbuild.1).
 *
 * UNVERIFIED here (the guide has no table for them and no AWS account was reachable): the other
 * three are the builds other published infrastructure code pins for 1.34. Confirm each with
 * describe-addon-versions before the first deployment, and correct this table if EKS says otherwise.
 */
export const eksAddonVersions: Readonly<Record<string, Readonly<Record<EksAddonName, string>>>> = {
    "1.34": {
        "vpc-cni": "v1.20.4-eksbuild.1",
        "kube-proxy": "v1.34.1-eksbuild.2",
        coredns: "v1.12.4-eksbuild.1",
        // Unverified: see above.
        "eks-pod-identity-agent": "v1.3.10-eksbuild.2",
        "aws-ebs-csi-driver": "v1.54.0-eksbuild.1",
        "amazon-cloudwatch-observability": "v4.10.0-eksbuild.1",
    },
};
