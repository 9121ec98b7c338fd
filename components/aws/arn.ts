/**
 * The ARN partition of a region. Derived from the region name (known before deployment) rather than
 * looked up, so policy ARNs stay plain strings that name their own resources.
 */
export function partitionOf(region: string): string {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** ARN of an AWS-managed IAM policy, e.g. "AmazonEKSClusterPolicy" or "service-role/AmazonEBSCSIDriverPolicy". */
export function awsManagedPolicy(region: string, path: string): string {
    return `arn:${partitionOf(region)}:iam::aws:policy/${path}`;
}
