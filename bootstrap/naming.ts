import type { Environment } from "./config";

// Names other programs and the workflows depend on: the deploy workflow's `runs-on` labels, the
// stacks' `--secrets-provider` URLs and backend URLs, and the IAM path the deploy roles may not touch.

/**
 * The IAM path of the bootstrap's own roles and policies (the deploy roles' policies, the runners'
 * and ECR's service roles); the deploy roles are denied everything under it. The deploy roles
 * themselves stay at `/`: their ARNs, `arn:aws:iam::<account>:role/saleor-deploy-<env>`, are what the
 * stacks' `saleor:cluster.aws.deployRoleArn` names for its EKS access entry, and an STS session ARN
 * (`assumed-role/<name>/<session>`) carries no path to compare with.
 */
export const iamPath = "/saleor-bootstrap/";

/** Tag on every bootstrap resource (through the providers' default tags). */
export const bootstrapTags = { "saleor:owner": "bootstrap", "managed-by": "pulumi" } as const;

/** The state bucket unless `stateBucketName` says otherwise: S3 names are global, the account id makes it unique. */
export const defaultStateBucketName = (accountId: string): string => `saleor-pulumi-state-${accountId}`;

/** Each environment's stacks keep their state under their own prefix of the bucket: `s3://<bucket>/<env>`. */
export const statePrefix = (env: Environment): string => env;

/** The bootstrap's own state, beside the environments': `s3://<bucket>/bootstrap`. */
export const bootstrapStatePrefix = "bootstrap";

/**
 * The backend URL of `env`'s stacks: `pulumi login` with the region in the query, as Pulumi's DIY
 * backend docs show (`s3://<bucket-name>?region=...&awssdk=v2`; "The bucket-name value can include
 * multiple folders"), research §9.
 */
export const stateUrl = (bucket: string, env: Environment | typeof bootstrapStatePrefix, region: string): string =>
    `s3://${bucket}/${env}?region=${region}&awssdk=v2`;

export const secretsKeyAlias = (env: Environment): string => `alias/saleor-${env}-pulumi-secrets`;

/** `pulumi stack init --secrets-provider` for `env` (research §9: `awskms://alias/<name>?region=<region>`). */
export const secretsProviderUrl = (env: Environment, region: string): string => `awskms://${secretsKeyAlias(env)}?region=${region}`;

export const deployRoleName = (env: Environment): string => `saleor-deploy-${env}`;

/**
 * The permissions boundary every IAM role and user of `env`'s stacks carries (the stacks'
 * `saleor:cluster.aws.permissionsBoundaryArn`). Under the bootstrap's IAM path, so the deploy roles,
 * denied everything there, cannot edit the boundary they are made to use.
 */
export const workloadBoundaryName = (env: Environment): string => `saleor-${env}-workload-boundary`;

/** The boundary's ARN, known before it exists (a managed policy's ARN carries its path). */
export const workloadBoundaryArn = (accountId: string, env: Environment): string =>
    `arn:aws:iam::${accountId}:policy${iamPath}${workloadBoundaryName(env)}`;

/** The CodeBuild project that serves `env`'s deploy jobs as a GitHub Actions runner. */
export const runnerProjectName = (env: Environment): string => `saleor-deploy-${env}`;

/**
 * The `runs-on` label of a job served by `env`'s runner project: "codebuild-<project-name>-
 * ${{github.run_id}}-${{github.run_attempt}}" (CodeBuild User Guide, sample-github-action-runners-
 * update-labels.html; research §6).
 */
export const runnerLabel = (env: Environment): string =>
    `codebuild-${runnerProjectName(env)}-\${{ github.run_id }}-\${{ github.run_attempt }}`;

/** The workflow whose jobs the runner projects serve (`name:` of .github/workflows/deploy.yml). */
export const deployWorkflowName = "Deploy";
