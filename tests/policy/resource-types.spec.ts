import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import type * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import type * as types from "../../policy/aws/types";
import type * as kube from "../../policy/kubernetes/types";

/*
 * The pack cannot depend on @pulumi/aws or @pulumi/kubernetes (it judges any program), so it
 * declares the inputs it reads itself. These compile-time checks fail `tsc --noEmit` when a name
 * the rules read does not exist in the installed SDKs' Args types; the spec below runs the same
 * check on this file, so mocha alone fails too. (Exported: used by nothing but the compiler.)
 */
type Extra<Mine, Theirs> = Exclude<keyof Mine, keyof NonNullable<Theirs>>;
type None<T extends never> = T;
type Item<T> = T extends readonly (infer U)[] ? U : never;

export type AwsChecks = [
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
    None<Extra<types.SecretsManagerSecretProps, aws.secretsmanager.SecretArgs>>,
    None<Extra<Item<NonNullable<types.SecretsManagerSecretProps["replicas"]>>, aws.types.input.secretsmanager.SecretReplica>>,
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
    None<Extra<types.IamRoleProps, aws.iam.RoleArgs>>,
    None<Extra<types.IamUserProps, aws.iam.UserArgs>>,
    None<Extra<types.BackupPlanProps, aws.backup.PlanArgs>>,
    None<Extra<Item<NonNullable<types.BackupPlanProps["rules"]>>, aws.types.input.backup.PlanRule>>,
];

export type KubeChecks = [
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

/** Names no SDK has, appended to this file to show that the checks above catch one. */
const controls = {
    notAnRdsInput: "export type AwsControl = None<Extra<types.RdsInstanceProps & { notAnRdsInput?: boolean }, aws.rds.InstanceArgs>>;",
    notAContainerField:
        "export type KubeControl = None<Extra<kube.Container & { notAContainerField?: string }, k8s.types.input.core.v1.Container>>;",
};

/** tsc's errors in `text`, checked as this file under the project's tsconfig.json: "line:column message". */
function typeErrors(text: string): string[] {
    const root = path.join(__dirname, "..", "..");
    const config = ts.getParsedCommandLineOfConfigFile(
        path.join(root, "tsconfig.json"),
        {},
        {
            ...ts.sys,
            onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
        },
    )!;
    const options = { ...config.options, noEmit: true };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile;
    host.getSourceFile = (fileName, languageVersion, ...rest) =>
        path.resolve(fileName) === __filename
            ? ts.createSourceFile(fileName, text, languageVersion)
            : getSourceFile.call(host, fileName, languageVersion, ...rest);
    const program = ts.createProgram([__filename], options, host);
    const file = program.getSourceFile(__filename)!;
    return [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)].map((d) => {
        const { line, character } = file.getLineAndCharacterOfPosition(d.start ?? 0);
        return `${line + 1}:${character + 1} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
    });
}

describe("resource inputs the rules read", () => {
    it("are named as in @pulumi/aws 7 and @pulumi/kubernetes 4 (checked by tsc --noEmit)", () => {
        const source = fs.readFileSync(__filename, "utf8");
        const lines = source.split("\n").length;
        // One program for both: the file as it is, and the controls on lines of their own after it.
        const errors = typeErrors(`${source}\n${Object.values(controls).join("\n")}\n`);
        const line = (e: string) => Number(e.split(":")[0]);
        assert.deepStrictEqual(
            errors.filter((e) => line(e) <= lines),
            [],
            "names the SDKs' Args types do not have",
        );
        for (const [name, control] of Object.entries(controls)) {
            assert.ok(
                errors.some((e) => line(e) > lines && e.includes(`"${name}"`)),
                `the check lets ${name} through (${control}): ${errors.join("; ")}`,
            );
        }
    });
});
