import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../../aws/iam";
import { createPodIdentityRole, type PodIdentityRole } from "../../aws/pod-identity";
import type { AwsDataArgs } from "../types";

export interface MediaAccess {
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
}

/**
 * The role Core's pods assume through EKS Pod Identity to read and write media: temporary
 * credentials from the standard AWS chain, which boto3 (and so Saleor's S3 storage) picks up, and
 * no static keys. It reaches the media bucket and its key, nothing else.
 */
export function createWorkloadIdentity(
    name: string,
    args: { readonly workload: AwsDataArgs["workloadIdentity"]; readonly media: MediaAccess; readonly tags?: Record<string, string> },
    parent: pulumi.Resource,
): PodIdentityRole {
    return createPodIdentityRole(
        `${name}-workload`,
        {
            clusterName: args.workload.clusterName,
            namespace: args.workload.namespace,
            serviceAccountName: args.workload.serviceAccountName,
            policyJson: policyDocument([
                { Sid: "ListMedia", Effect: "Allow", Action: "s3:ListBucket", Resource: args.media.bucketArn },
                {
                    Sid: "ReadWriteMedia",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    Resource: pulumi.interpolate`${args.media.bucketArn}/*`,
                },
                // SSE-KMS: S3 asks KMS on the caller's behalf, with the caller's permissions.
                { Sid: "UseMediaKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: args.media.keyArn },
            ]),
            tags: args.tags,
        },
        parent,
    );
}
