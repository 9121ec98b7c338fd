// The one place that says which resources hold data (or hold everything else up) so
// that replacing or deleting them is never an incidental side effect of a rollout.
// Tokens are the `__pulumiType` of the installed packages (checked by
// tests/automation/deploy/stateful.spec.ts), because the engine reports exactly that
// string in step metadata and in `pulumi preview --json`.

export const STATEFUL_RESOURCE_TYPES: ReadonlySet<string> = new Set([
    // Databases: a replacement is a new, empty instance.
    "aws:rds/instance:Instance",
    "aws:rds/cluster:Cluster",
    // Cache and Celery broker: queued tasks are lost with the group.
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:elasticache/cluster:Cluster",
    // Media. In @pulumi/aws 7 `s3.Bucket` is the former BucketV2; the deprecated
    // BucketV2 token still exists and names the same kind of bucket.
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketV2:BucketV2",
    // Replacing the cluster, its nodes or its network takes every workload down with it.
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:ec2/vpc:Vpc",
    // A replaced key cannot decrypt what the old one encrypted.
    "aws:kms/key:Key",
    // Saleor's SECRET_KEY and JWT signing key, generated once per stack: a new SECRET_KEY invalidates
    // every signed link and token, a new RSA key every issued JWT (every user is logged out). The
    // database master password they share a type with is no less disruptive to replace.
    "random:index/randomPassword:RandomPassword",
    "tls:index/privateKey:PrivateKey",
    // Saleor's secrets on AWS. A deleted secret keeps its name reserved for its recovery window, so a
    // replacement under the same name fails, and one under a new name leaves External Secrets
    // reading a secret that is gone.
    "aws:secretsmanager/secret:Secret",
    // The image registry: a replacement is a new, empty repository, without the releases a rollback
    // (and the other regions' replicas) pull; the stacks' repositories refuse force-deletion.
    "aws:ecr/repository:Repository",
    // In-cluster data tier (dev stack and any portable flavour).
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:core/v1:PersistentVolumeClaim",
]);

// Step operations that end the life of the existing physical resource. `replace` is the
// summary op; `create-replacement` / `delete-replaced` are the two halves the engine
// reports separately, and a plain `delete` loses the data just the same.
export const DESTRUCTIVE_OPS: ReadonlySet<string> = new Set(["replace", "create-replacement", "delete-replaced", "delete"]);

export function isStatefulType(type: string): boolean {
    return STATEFUL_RESOURCE_TYPES.has(type);
}

export function destroysState(op: string, type: string): boolean {
    return DESTRUCTIVE_OPS.has(op) && isStatefulType(type);
}
