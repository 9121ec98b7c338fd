import { strict as assert } from "node:assert";
import { destroysState, isStatefulType, STATEFUL_RESOURCE_TYPES } from "../../../automation/stateful";

// The tokens must be the installed packages' own `__pulumiType` strings: a typo would
// silently let a database replacement through the deploy gate.

const SOURCES: [module: string, className: string][] = [
    ["@pulumi/aws/rds/instance", "Instance"],
    ["@pulumi/aws/rds/cluster", "Cluster"],
    ["@pulumi/aws/elasticache/replicationGroup", "ReplicationGroup"],
    ["@pulumi/aws/elasticache/cluster", "Cluster"],
    ["@pulumi/aws/s3/bucket", "Bucket"],
    ["@pulumi/aws/s3/bucketV2", "BucketV2"],
    ["@pulumi/aws/eks/cluster", "Cluster"],
    ["@pulumi/aws/eks/nodeGroup", "NodeGroup"],
    ["@pulumi/aws/ec2/vpc", "Vpc"],
    ["@pulumi/aws/kms/key", "Key"],
    ["@pulumi/kubernetes/apps/v1/statefulSet", "StatefulSet"],
    ["@pulumi/kubernetes/core/v1/persistentVolumeClaim", "PersistentVolumeClaim"],
    ["@pulumi/aws/secretsmanager/secret", "Secret"],
    ["@pulumi/random/randomPassword", "RandomPassword"],
    ["@pulumi/tls/privateKey", "PrivateKey"],
    ["@pulumi/aws/ecr/repository", "Repository"],
];

describe("stateful resource types", () => {
    it("lists exactly the type tokens of the installed AWS and Kubernetes resource classes", () => {
        // Loading single resource modules keeps this fast (the full @pulumi/aws index is not needed).
        const tokens = SOURCES.map(([mod, cls]) => (require(mod) as Record<string, { __pulumiType: string }>)[cls].__pulumiType);
        assert.deepEqual([...STATEFUL_RESOURCE_TYPES].sort(), [...tokens].sort());
    });

    it("treats replace, its two halves and delete of a database as destroying state", () => {
        for (const op of ["replace", "create-replacement", "delete-replaced", "delete"]) {
            assert.equal(destroysState(op, "aws:rds/instance:Instance"), true, op);
        }
    });

    it("flags a replaced image repository: the releases a rollback or the other regions pull are in it", () => {
        assert.equal(destroysState("replace", "aws:ecr/repository:Repository"), true);
    });

    it("does not flag updates of stateful resources nor replacements of stateless ones", () => {
        assert.equal(destroysState("update", "aws:rds/instance:Instance"), false);
        assert.equal(destroysState("replace", "kubernetes:apps/v1:Deployment"), false);
        assert.equal(isStatefulType("kubernetes:batch/v1:Job"), false);
    });
});
