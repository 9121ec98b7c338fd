// The AWS flavour of DataTier, which loads it lazily: @pulumi/aws only for a stack on AWS.
export { createAwsData, type AwsDataResources } from "./aws-data";
