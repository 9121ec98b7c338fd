import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createServiceRole, policyDocument } from "../../aws/iam";

/** One end of a replication: a versioned, KMS-encrypted bucket. */
export interface ReplicationEnd {
    readonly bucketName: pulumi.Input<string>;
    readonly bucketArn: pulumi.Input<string>;
    readonly keyArn: pulumi.Input<string>;
    readonly versioning: pulumi.Resource;
}

export interface BucketReplicationArgs {
    readonly source: ReplicationEnd;
    readonly destination: ReplicationEnd;
    /** AWS provider of the source bucket's region: a replication configuration lives on the source bucket. */
    readonly sourceProvider: pulumi.ProviderResource;
    readonly tags?: Record<string, string>;
    /** The replication role's permissions boundary. */
    readonly permissionsBoundary: string;
}

/** Copies every object version, delete markers included, from `source` into `destination`. */
export function createBucketReplication(name: string, args: BucketReplicationArgs, parent: pulumi.Resource) {
    const { source, destination } = args;
    // Trust: s3.amazonaws.com for this account only (aws:SourceAccount, IfExists), without
    // aws:SourceArn. The Amazon S3 User Guide's replication role ("Setting up permissions for live
    // replication", read in awsdocs/amazon-s3-userguide doc_source/setting-repl-config-perm-overview.md)
    // shows a bare service trust and does not say that S3 sends aws:SourceArn when it assumes the
    // role, nor what ARN it would name (the source bucket or the replication configuration); an
    // ...IfExists condition on a value S3 sends differently would stop replication. Not checked
    // against the current online guide from here.
    const { role, permissions } = createServiceRole(
        `${name}-role`,
        {
            service: "s3.amazonaws.com",
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundary,
            policyJson: policyDocument([
                {
                    Sid: "ReadSourceConfiguration",
                    Effect: "Allow",
                    Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"],
                    Resource: source.bucketArn,
                },
                {
                    Sid: "ReadSourceVersions",
                    Effect: "Allow",
                    Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
                    Resource: pulumi.interpolate`${source.bucketArn}/*`,
                },
                {
                    Sid: "WriteReplicas",
                    Effect: "Allow",
                    Action: ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                    Resource: pulumi.interpolate`${destination.bucketArn}/*`,
                },
                { Sid: "DecryptSource", Effect: "Allow", Action: "kms:Decrypt", Resource: source.keyArn },
                { Sid: "EncryptReplicas", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: destination.keyArn },
            ]),
        },
        parent,
    );
    const configuration = new aws.s3.BucketReplicationConfig(
        name,
        {
            bucket: source.bucketName,
            role: role.arn,
            rules: [
                {
                    id: "media-to-replica",
                    status: "Enabled",
                    filter: {},
                    deleteMarkerReplication: { status: "Enabled" },
                    // Without this, S3 silently skips every SSE-KMS object, i.e. all of them.
                    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
                    destination: {
                        bucket: destination.bucketArn,
                        encryptionConfiguration: { replicaKmsKeyId: destination.keyArn },
                    },
                },
            ],
        },
        { parent, provider: args.sourceProvider, dependsOn: [source.versioning, destination.versioning, ...permissions] },
    );
    return { role, configuration };
}
