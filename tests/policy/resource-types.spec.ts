import type * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import type * as types from "../../policy/aws/types";
import type * as kube from "../../policy/kubernetes/types";

/*
 * The pack cannot depend on @pulumi/aws or @pulumi/kubernetes (it judges any program), so it
 * declares the inputs it reads itself. These compile-time checks fail `tsc --noEmit` when a name
 * the rules read does not exist in the installed SDKs' Args types.
 */
type Extra<Mine, Theirs> = Exclude<keyof Mine, keyof NonNullable<Theirs>>;
type None<T extends never> = T;
type Item<T> = T extends readonly (infer U)[] ? U : never;

type AwsChecks = [
    None<Extra<types.RdsInstanceProps, aws.rds.InstanceArgs>>,
    None<Extra<types.ReplicationGroupProps, aws.elasticache.ReplicationGroupArgs>>,
    None<Extra<types.S3BucketProps, aws.s3.BucketArgs>>,
    None<Extra<types.S3BucketPublicAccessBlockProps, aws.s3.BucketPublicAccessBlockArgs>>,
    None<Extra<types.S3BucketEncryptionProps, aws.s3.BucketServerSideEncryptionConfigurationArgs>>,
    None<Extra<Item<NonNullable<types.S3BucketEncryptionProps["rules"]>>, aws.types.input.s3.BucketServerSideEncryptionConfigurationRule>>,
    None<Extra<types.S3BucketVersioningProps, aws.s3.BucketVersioningArgs>>,
    None<Extra<types.EcrRepositoryProps, aws.ecr.RepositoryArgs>>,
    None<Extra<types.EcrLifecyclePolicyProps, aws.ecr.LifecyclePolicyArgs>>,
    None<Extra<types.KmsKeyProps, aws.kms.KeyArgs>>,
    None<Extra<types.SecurityGroupProps, aws.ec2.SecurityGroupArgs>>,
    None<Extra<types.SecurityGroupIngressProps, aws.types.input.ec2.SecurityGroupIngress>>,
    None<Extra<types.SecurityGroupRuleProps, aws.ec2.SecurityGroupRuleArgs>>,
    None<Extra<types.VpcSecurityGroupIngressRuleProps, aws.vpc.SecurityGroupIngressRuleArgs>>,
    None<Extra<types.EksClusterProps, aws.eks.ClusterArgs>>,
    None<Extra<NonNullable<types.EksClusterProps["vpcConfig"]>, aws.types.input.eks.ClusterVpcConfig>>,
    None<Extra<NonNullable<types.EksClusterProps["encryptionConfig"]>, aws.types.input.eks.ClusterEncryptionConfig>>,
    None<Extra<types.EksNodeGroupProps, aws.eks.NodeGroupArgs>>,
    None<Extra<NonNullable<types.EksNodeGroupProps["scalingConfig"]>, aws.types.input.eks.NodeGroupScalingConfig>>,
    None<Extra<types.IamPolicyProps, aws.iam.PolicyArgs>>,
    None<Extra<types.IamPolicyProps, aws.iam.RolePolicyArgs>>,
    None<Extra<types.BackupPlanProps, aws.backup.PlanArgs>>,
    None<Extra<Item<NonNullable<types.BackupPlanProps["rules"]>>, aws.types.input.backup.PlanRule>>,
];

type KubeChecks = [
    None<Extra<kube.Container, k8s.types.input.core.v1.Container>>,
    None<Extra<kube.PodSpec, k8s.types.input.core.v1.PodSpec>>,
    None<Extra<kube.SecurityContext, k8s.types.input.core.v1.SecurityContext>>,
    None<Extra<kube.PodSecurityContext, k8s.types.input.core.v1.PodSecurityContext>>,
    None<Extra<kube.Volume, k8s.types.input.core.v1.Volume>>,
    None<Extra<kube.EnvVar, k8s.types.input.core.v1.EnvVar>>,
    None<Extra<kube.ObjectMeta, k8s.types.input.meta.v1.ObjectMeta>>,
    None<Extra<kube.LabelSelector, k8s.types.input.meta.v1.LabelSelector>>,
    None<Extra<NonNullable<kube.DeploymentProps["spec"]>, k8s.types.input.apps.v1.DeploymentSpec>>,
    None<Extra<NonNullable<kube.CronJobProps["spec"]>, k8s.types.input.batch.v1.CronJobSpec>>,
    None<Extra<NonNullable<kube.IngressProps["spec"]>, k8s.types.input.networking.v1.IngressSpec>>,
    None<Extra<NonNullable<kube.ServiceProps["spec"]>, k8s.types.input.core.v1.ServiceSpec>>,
    None<Extra<NonNullable<kube.PodDisruptionBudgetProps["spec"]>, k8s.types.input.policy.v1.PodDisruptionBudgetSpec>>,
    None<Extra<NonNullable<kube.HorizontalPodAutoscalerProps["spec"]>, k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec>>,
];

describe("resource inputs the rules read", () => {
    it("are named as in @pulumi/aws 7 and @pulumi/kubernetes 4 (checked by tsc --noEmit)", () => {
        const checked: [AwsChecks | undefined, KubeChecks | undefined] = [undefined, undefined];
        return checked.length === 2 ? undefined : Promise.reject(new Error("unreachable"));
    });
});
