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
 * no static keys. It reaches the media bucket, the private-files bucket and their keys, nothing else.
 */
export function createWorkloadIdentity(
    name: string,
    args: {
        readonly workload: AwsDataArgs["workloadIdentity"];
        readonly media: MediaAccess;
        /** Saleor's private storage: webhook payloads the API writes and the worker reads. */
        readonly privateFiles: MediaAccess;
        readonly tags?: Record<string, string>;
        /** The role's permissions boundary. */
        readonly permissionsBoundary: string;
    },
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
                { Sid: "ListPrivateFiles", Effect: "Allow", Action: "s3:ListBucket", Resource: args.privateFiles.bucketArn },
                {
                    Sid: "ReadWritePrivateFiles",
                    Effect: "Allow",
                    Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                    Resource: pulumi.interpolate`${args.privateFiles.bucketArn}/*`,
                },
                {
                    Sid: "UsePrivateFilesKey",
                    Effect: "Allow",
                    Action: ["kms:Decrypt", "kms:GenerateDataKey"],
                    Resource: args.privateFiles.keyArn,
                },
            ]),
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundary,
        },
        parent,
    );
}
