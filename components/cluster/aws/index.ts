// The EKS flavour of RegionalCluster, which loads it lazily: @pulumi/aws only for a stack on AWS.
export { createAwsCluster, type AwsClusterResources } from "./aws-cluster";
