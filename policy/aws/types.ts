import { resourceType } from "../lib/define";

/*
 * The inputs the rules read, named as in @pulumi/aws 7 (tests/policy/resource-types.spec.ts checks
 * every name against the installed SDK's Args types at compile time).
 */

export interface RdsInstanceProps {
    instanceClass?: string;
    storageEncrypted?: boolean;
    publiclyAccessible?: boolean;
    backupRetentionPeriod?: number;
    deletionProtection?: boolean;
    multiAz?: boolean;
    replicateSourceDb?: string;
    manageMasterUserPassword?: boolean;
    password?: string;
}

export interface ReplicationGroupProps {
    atRestEncryptionEnabled?: boolean;
    transitEncryptionEnabled?: boolean;
    authToken?: string;
    userGroupIds?: string[];
    multiAzEnabled?: boolean;
    automaticFailoverEnabled?: boolean;
}

export interface S3BucketProps {
    bucket?: string;
}

export interface S3BucketPublicAccessBlockProps {
    bucket?: string;
    blockPublicAcls?: boolean;
    blockPublicPolicy?: boolean;
    ignorePublicAcls?: boolean;
    restrictPublicBuckets?: boolean;
}

export interface S3BucketEncryptionProps {
    bucket?: string;
    rules?: { applyServerSideEncryptionByDefault?: { sseAlgorithm?: string; kmsMasterKeyId?: string } }[];
}

export interface S3BucketVersioningProps {
    bucket?: string;
    versioningConfiguration?: { status?: string };
}

export interface EcrRepositoryProps {
    name?: string;
    imageScanningConfiguration?: { scanOnPush?: boolean };
    imageTagMutability?: string;
}

export interface EcrLifecyclePolicyProps {
    repository?: string;
    policy?: string;
}

export interface KmsKeyProps {
    enableKeyRotation?: boolean;
    customerMasterKeySpec?: string;
    keyUsage?: string;
}

export interface SecretsManagerSecretProps {
    kmsKeyId?: string;
    replicas?: { region?: string; kmsKeyId?: string }[];
}

export interface SecurityGroupIngressProps {
    fromPort?: number;
    toPort?: number;
    protocol?: string;
    cidrBlocks?: string[];
    ipv6CidrBlocks?: string[];
}

export interface VpcProps {
    cidrBlock?: string;
}

export interface SecurityGroupProps {
    ingress?: SecurityGroupIngressProps[];
}

export interface SecurityGroupRuleProps extends SecurityGroupIngressProps {
    type?: string;
}

export interface VpcSecurityGroupIngressRuleProps {
    fromPort?: number;
    toPort?: number;
    ipProtocol?: string;
    cidrIpv4?: string;
    cidrIpv6?: string;
}

export interface EksClusterProps {
    vpcConfig?: { endpointPublicAccess?: boolean; publicAccessCidrs?: string[] };
    enabledClusterLogTypes?: string[];
    encryptionConfig?: { resources?: string[]; provider?: { keyArn?: string } };
}

export interface EksNodeGroupProps {
    instanceTypes?: string[];
    scalingConfig?: { minSize?: number; maxSize?: number; desiredSize?: number };
    launchTemplate?: { id?: string; name?: string; version?: string };
}

export interface IamPolicyProps {
    policy?: string | object;
}

export interface IamRoleProps {
    assumeRolePolicy?: string | object;
    permissionsBoundary?: string;
}

export interface IamUserProps {
    permissionsBoundary?: string;
}

export interface BackupPlanProps {
    rules?: { ruleName?: string; schedule?: string; enableContinuousBackup?: boolean; lifecycle?: { deleteAfter?: number } }[];
}

export const aws = {
    rds: { Instance: resourceType<RdsInstanceProps>("aws:rds/instance:Instance") },
    elasticache: { ReplicationGroup: resourceType<ReplicationGroupProps>("aws:elasticache/replicationGroup:ReplicationGroup") },
    s3: {
        Bucket: resourceType<S3BucketProps>("aws:s3/bucket:Bucket"),
        BucketPublicAccessBlock: resourceType<S3BucketPublicAccessBlockProps>("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"),
        BucketServerSideEncryptionConfiguration: resourceType<S3BucketEncryptionProps>(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        ),
        BucketVersioning: resourceType<S3BucketVersioningProps>("aws:s3/bucketVersioning:BucketVersioning"),
    },
    ecr: {
        Repository: resourceType<EcrRepositoryProps>("aws:ecr/repository:Repository"),
        LifecyclePolicy: resourceType<EcrLifecyclePolicyProps>("aws:ecr/lifecyclePolicy:LifecyclePolicy"),
    },
    kms: { Key: resourceType<KmsKeyProps>("aws:kms/key:Key") },
    secretsmanager: { Secret: resourceType<SecretsManagerSecretProps>("aws:secretsmanager/secret:Secret") },
    ec2: {
        Vpc: resourceType<VpcProps>("aws:ec2/vpc:Vpc"),
        SecurityGroup: resourceType<SecurityGroupProps>("aws:ec2/securityGroup:SecurityGroup"),
        SecurityGroupRule: resourceType<SecurityGroupRuleProps>("aws:ec2/securityGroupRule:SecurityGroupRule"),
    },
    vpc: {
        SecurityGroupIngressRule: resourceType<VpcSecurityGroupIngressRuleProps>(
            "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        ),
    },
    eks: {
        Cluster: resourceType<EksClusterProps>("aws:eks/cluster:Cluster"),
        NodeGroup: resourceType<EksNodeGroupProps>("aws:eks/nodeGroup:NodeGroup"),
    },
    iam: {
        Policy: resourceType<IamPolicyProps>("aws:iam/policy:Policy"),
        RolePolicy: resourceType<IamPolicyProps>("aws:iam/rolePolicy:RolePolicy"),
        Role: resourceType<IamRoleProps>("aws:iam/role:Role"),
        User: resourceType<IamUserProps>("aws:iam/user:User"),
    },
    backup: { Plan: resourceType<BackupPlanProps>("aws:backup/plan:Plan") },
} as const;

/** The provider type whose `region` input places a resource. */
export const AWS_PROVIDER_TYPE = "pulumi:providers:aws";

/** Addresses that mean "anyone on the internet". */
export const WORLD_CIDRS: readonly string[] = ["0.0.0.0/0", "::/0"];
