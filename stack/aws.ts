import type * as aws from "@pulumi/aws";
import type * as AwsOnly from "../components/aws-only";

/** The AWS SDK and AWS-only components, loaded the first time a stack on AWS asks for them. */
let awsOnlyModules: typeof AwsOnly | undefined;
export const awsOnly = (): typeof AwsOnly => (awsOnlyModules ??= require("../components/aws-only") as typeof AwsOnly);

/** An AWS provider for one region, tagging everything it creates with the stack's tags. */
export const awsProvider = (name: string, region: string, tags: Record<string, string>): aws.Provider =>
    new (awsOnly().aws.Provider)(name, { region: region as aws.Region, defaultTags: { tags } });
