import { strict as assert } from "node:assert";
import { accountId, type RecordedResource } from "../../automation/plan/mocks";
import { guardrailsPolicy, servicesPolicy, stateAndSecretsPolicy, type DeployFacts, type Statement } from "../../bootstrap/deploy-policy";
import type { Resources } from "../support/harness";
import { bootstrapped, minimal } from "./support";

const T = {
    role: "aws:iam/role:Role",
    policy: "aws:iam/policy:Policy",
    attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    key: "aws:kms/key:Key",
    alias: "aws:kms/alias:Alias",
} as const;

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const documentOf = (rs: Resources, name: string) => JSON.parse(inputs(rs.one(T.policy, name)).policy) as { Statement: Statement[] };
const trustOf = (rs: Resources, env: string) => JSON.parse(inputs(rs.one(T.role, `saleor-deploy-${env}`)).assumeRolePolicy);

/**
 * Whether `statements` allow `action` on `resource`, IAM-style for the subset of IAM these
 * documents use (`*` wildcards in actions and resources; a condition holds when `context` has a
 * matching value for its key, or for a negated operator none): an explicit Deny wins over any Allow.
 */
function allows(statements: Statement[], action: string, resource: string, context: Record<string, string[]> = {}): boolean {
    const glob = (pattern: string, value: string) =>
        new RegExp(
            `^${pattern
                .split("*")
                .map((p) => p.replace(/[.?+^$|()[\]{}\\/]/g, "\\$&"))
                .join(".*")}$`,
            "i",
        ).test(value);
    const list = (v: string | string[] | undefined) => (v === undefined ? [] : [v].flat());
    const conditionsHold = (s: Statement) =>
        Object.entries(s.Condition ?? {}).every(([operator, entries]) =>
            Object.entries(entries).every(([key, expected]) => {
                const actual = context[key];
                const negated = operator.includes("Not");
                // As IAM: a key missing from the request never matches a positive operator, and always
                // matches a negated one (StringNotEquals, ArnNotLike) — "IfExists" is not used here.
                if (actual === undefined) return negated;
                const match = (a: string) => list(expected).some((e) => (operator.includes("Like") ? glob(e, a) : e === a));
                return negated ? !actual.some(match) : actual.some(match);
            }),
        );
    const matches = (s: Statement) =>
        (s.Action !== undefined ? list(s.Action).some((a) => glob(a, action)) : !list(s.NotAction).some((a) => glob(a, action))) &&
        list(s.Resource).some((r) => glob(r, resource)) &&
        conditionsHold(s);
    if (statements.some((s) => s.Effect === "Deny" && matches(s))) return false;
    return statements.some((s) => s.Effect === "Allow" && matches(s));
}

describe("bootstrap: GitHub OIDC and the deploy roles", () => {
    let rs: Resources;
    before(async () => {
        ({ rs } = await bootstrapped(minimal));
    });

    it("trusts GitHub's OIDC issuer for the STS audience, without a thumbprint", () => {
        const [provider] = rs.ofType(T.oidc);
        assert.equal(inputs(provider).url, "https://token.actions.githubusercontent.com");
        assert.deepEqual(inputs(provider).clientIdLists, ["sts.amazonaws.com"]);
        assert.equal(inputs(provider).thumbprintLists, undefined);
    });

    it("trusts only the production GitHub environment for the production role", () => {
        const trust = trustOf(rs, "production");
        assert.equal(trust.Statement.length, 1);
        const [statement] = trust.Statement;
        assert.equal(statement.Action, "sts:AssumeRoleWithWebIdentity");
        assert.match(statement.Principal.Federated, /github-actions/);
        assert.deepEqual(statement.Condition, {
            StringEquals: {
                "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
                "token.actions.githubusercontent.com:sub": ["repo:octo-org/saleor-pulumi:environment:production"],
            },
        });
        assert.doesNotMatch(JSON.stringify(trust), /StringLike|\*/, "no wildcard subject");
    });

    it("trusts only the staging GitHub environment for the staging role", () => {
        assert.deepEqual(trustOf(rs, "staging").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:octo-org/saleor-pulumi:environment:staging",
        ]);
    });

    it("trusts GitHub's immutable subject form (or both forms) when configured", async () => {
        const ids = { githubOwnerId: "123456", githubRepositoryId: "789012" };
        const { rs: immutable } = await bootstrapped({ ...minimal, ...ids, githubSubject: "immutable", environments: ["production"] });
        assert.deepEqual(trustOf(immutable, "production").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:octo-org@123456/saleor-pulumi@789012:environment:production",
        ]);
        const { rs: both } = await bootstrapped({ ...minimal, ...ids, githubSubject: "both", environments: ["production"] });
        assert.deepEqual(trustOf(both, "production").Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"], [
            "repo:octo-org/saleor-pulumi:environment:production",
            "repo:octo-org@123456/saleor-pulumi@789012:environment:production",
        ]);
    });

    it("lets a session outlast the longest modelled deployment: 3 hours, at least the pessimistic 2", async () => {
        for (const env of ["staging", "production"]) {
            const role = inputs(rs.one(T.role, `saleor-deploy-${env}`));
            assert.equal(role.maxSessionDuration, 3 * 3600);
            // No path: the ARN is the one the stacks name as saleor:cluster.aws.deployRoleArn.
            assert.equal(role.path, undefined);
        }
        const { rs: longer } = await bootstrapped({ ...minimal, deploySessionHours: 6 });
        assert.equal(inputs(longer.one(T.role, "saleor-deploy-production")).maxSessionDuration, 6 * 3600);
    });

    it("gives each role its three customer-managed policies and no AWS-managed administrator policy", () => {
        for (const env of ["staging", "production"]) {
            const attached = rs
                .ofType(T.attachment)
                .filter((a) => inputs(a).role === `saleor-deploy-${env}`)
                .map((a) => String(inputs(a).policyArn))
                .sort();
            assert.deepEqual(
                attached.map((a) => a.split("/").pop()),
                [`saleor-deploy-${env}-guardrails`, `saleor-deploy-${env}-services`, `saleor-deploy-${env}-state-and-secrets`],
            );
        }
        assert.doesNotMatch(JSON.stringify(rs.all.map(inputs)), /AdministratorAccess|PowerUserAccess/);
        for (const p of rs.ofType(T.policy)) {
            // IAM's limit for a managed policy is 6,144 characters without whitespace.
            assert.ok(inputs(p).policy.replace(/\s/g, "").length <= 6144, p.name);
            for (const s of JSON.parse(inputs(p).policy).Statement as Statement[]) {
                assert.ok(!(s.Effect === "Allow" && [s.Action].flat().includes("*")), `${p.name} ${s.Sid}: no Allow of every action`);
            }
        }
    });

    it("keeps one key and alias per environment, rotated and protected", () => {
        assert.deepEqual(
            rs
                .ofType(T.alias)
                .map((a) => inputs(a).name)
                .sort(),
            ["alias/saleor-production-pulumi-secrets", "alias/saleor-staging-pulumi-secrets"],
        );
        for (const key of rs.ofType(T.key)) {
            assert.equal(inputs(key).enableKeyRotation, true);
            assert.equal(inputs(key).deletionWindowInDays, 30);
            assert.equal(key.protect, true);
        }
    });

    describe("what the policies allow, as IAM evaluates them", () => {
        const bucket = "arn:aws:s3:::saleor-pulumi-state-123456789012";
        const statementsOf = (env: string) =>
            ["services", "state-and-secrets", "guardrails"].flatMap((p) => documentOf(rs, `saleor-deploy-${env}-${p}`).Statement);
        const keyArn = (env: string) => rs.one(T.key, `${env}-secrets`);
        /** The OIDC provider's ARN, as the trust policies name it. */
        const outputsOidcArn = (): string => trustOf(rs, "staging").Statement[0].Principal.Federated;
        const arnOf = (r: RecordedResource) => `arn:aws:kms:eu-central-1:${accountId}:key/${r.id}`;

        it("lets staging's role read and write only the staging state prefix", () => {
            const staging = statementsOf("staging");
            assert.ok(allows(staging, "s3:PutObject", `${bucket}/staging/.pulumi/stacks/saleor/staging.json`));
            assert.ok(allows(staging, "s3:ListBucket", bucket, { "s3:prefix": ["staging/.pulumi/stacks/"] }));
            assert.ok(!allows(staging, "s3:GetObject", `${bucket}/production/.pulumi/stacks/saleor/production.json`));
            assert.ok(!allows(staging, "s3:PutObject", `${bucket}/production/.pulumi/stacks/saleor/production.json`));
            assert.ok(!allows(staging, "s3:ListBucket", bucket, { "s3:prefix": ["production/.pulumi/"] }));
            assert.ok(
                !allows(staging, "s3:GetObject", `${bucket}/bootstrap/.pulumi/stacks/saleor-bootstrap/account.json`),
                "nor the bootstrap's state",
            );
            assert.ok(!allows(staging, "s3:PutBucketPolicy", bucket), "nor the bucket's configuration");
            assert.ok(!allows(staging, "s3:PutBucketVersioning", bucket));
        });

        it("does not let staging's role use production's KMS key, by ARN or by alias", () => {
            const staging = statementsOf("staging");
            assert.ok(allows(staging, "kms:Decrypt", arnOf(keyArn("staging")), { "aws:RequestedRegion": ["eu-central-1"] }));
            assert.ok(
                !allows(staging, "kms:Decrypt", arnOf(keyArn("production")), {
                    "aws:RequestedRegion": ["eu-central-1"],
                    "kms:ResourceAliases": ["alias/saleor-production-pulumi-secrets"],
                }),
            );
            assert.ok(!allows(staging, "kms:PutKeyPolicy", arnOf(keyArn("production")), { "aws:RequestedRegion": ["eu-central-1"] }));
            assert.ok(
                !allows(statementsOf("production"), "kms:Decrypt", arnOf(keyArn("staging")), {
                    "aws:RequestedRegion": ["eu-central-1"],
                    "kms:ResourceAliases": ["alias/saleor-staging-pulumi-secrets"],
                }),
            );
            assert.ok(
                !allows(staging, "kms:ScheduleKeyDeletion", arnOf(keyArn("staging")), { "aws:RequestedRegion": ["eu-central-1"] }),
                "nor delete its own",
            );
        });

        it("lets the deploy roles build the stacks' services only in the stacks' regions", () => {
            const production = statementsOf("production");
            for (const region of ["eu-central-1", "eu-west-1", "us-east-1"]) {
                assert.ok(allows(production, "eks:CreateCluster", "*", { "aws:RequestedRegion": [region] }), region);
            }
            assert.ok(!allows(production, "eks:CreateCluster", "*", { "aws:RequestedRegion": ["ap-southeast-2"] }));
            assert.ok(
                allows(production, "iam:CreateRole", `arn:aws:iam::${accountId}:role/eu-central-1-eks-cluster-222810c`, {
                    // With its workload boundary, as every role it creates (OnlyBoundedIdentities).
                    "iam:PermissionsBoundary": [`arn:aws:iam::${accountId}:policy/saleor-bootstrap/saleor-production-workload-boundary`],
                }),
            );
            assert.ok(!allows(production, "organizations:LeaveOrganization", "*", { "aws:RequestedRegion": ["eu-central-1"] }));
        });

        it("keeps the deploy roles off the bootstrap's identities and account singletons", () => {
            const staging = statementsOf("staging");
            assert.ok(!allows(staging, "iam:UpdateAssumeRolePolicy", `arn:aws:iam::${accountId}:role/saleor-deploy-production`));
            assert.ok(!allows(staging, "iam:AttachRolePolicy", `arn:aws:iam::${accountId}:role/saleor-deploy-staging`), "not even its own");
            assert.ok(
                !allows(staging, "iam:PutRolePolicy", `arn:aws:iam::${accountId}:role/saleor-bootstrap/saleor-deploy-staging-codebuild`),
                "nor the runners' roles",
            );
            assert.ok(!allows(staging, "sts:AssumeRole", `arn:aws:iam::${accountId}:role/saleor-deploy-production`));
            assert.ok(!allows(staging, "iam:DeleteOpenIDConnectProvider", outputsOidcArn()));
            // The stacks read their own deploy role (iam.getSessionContext) to grant it cluster access.
            assert.ok(allows(staging, "iam:GetRole", `arn:aws:iam::${accountId}:role/saleor-deploy-staging`));
            assert.ok(!allows(staging, "ecr:PutReplicationConfiguration", "*", { "aws:RequestedRegion": ["eu-central-1"] }));
            assert.ok(!allows(staging, "codebuild:UpdateProject", "*", { "aws:RequestedRegion": ["eu-central-1"] }));
            assert.ok(
                !allows(staging, "ecr:PutImage", `arn:aws:ecr:eu-central-1:${accountId}:repository/production/saleor-core`, {
                    "aws:RequestedRegion": ["eu-central-1"],
                }),
            );
            assert.ok(
                allows(staging, "ecr:PutImage", `arn:aws:ecr:eu-central-1:${accountId}:repository/staging/saleor-core`, {
                    "aws:RequestedRegion": ["eu-central-1"],
                }),
            );
            assert.ok(
                !allows(staging, "rds:DeleteDBInstance", "*", {
                    "aws:RequestedRegion": ["eu-central-1"],
                    "aws:ResourceTag/saleor:environment": ["production"],
                }),
            );
        });

        it("builds the documents from the facts alone", () => {
            const facts: DeployFacts = {
                env: "production",
                accountId: "111122223333",
                regions: ["eu-central-1"],
                homeRegion: "eu-central-1",
                stateBucket: "b",
                secretsKeyArn: "arn:aws:kms:eu-central-1:111122223333:key/p",
                otherSecretsKeyArns: [],
                oidcProviderArn: "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
            };
            assert.deepEqual(servicesPolicy(facts).Statement[0].Condition, { StringEquals: { "aws:RequestedRegion": ["eu-central-1"] } });
            assert.equal(stateAndSecretsPolicy(facts).Statement[0].Resource, "arn:aws:s3:::b/production/*");
            assert.deepEqual(guardrailsPolicy(facts).Statement[0].Resource, ["arn:aws:s3:::b/staging/*", "arn:aws:s3:::b/bootstrap/*"]);
        });
    });
});

describe("bootstrap: the workload boundary, so a deploy role cannot mint an administrator", () => {
    let rs: Resources;
    let outputs: any;
    before(async () => {
        ({ rs, outputs } = await bootstrapped(minimal));
    });
    const boundaryArn = (env: string) => `arn:aws:iam::${accountId}:policy/saleor-bootstrap/saleor-${env}-workload-boundary`;
    const boundaryOf = (env: string) => documentOf(rs, `saleor-${env}-workload-boundary`).Statement;
    const deployStatementsOf = (env: string) =>
        ["services", "state-and-secrets", "guardrails"].flatMap((p) => documentOf(rs, `saleor-deploy-${env}-${p}`).Statement);
    const stackRole = `arn:aws:iam::${accountId}:role/eu-central-1-nodes-1a2b3c4`;
    const inRegion = { "aws:RequestedRegion": ["eu-central-1"] };

    it("is one managed policy per environment under the bootstrap's IAM path, exported like the deploy roles", () => {
        for (const env of ["staging", "production"]) {
            const policy = inputs(rs.one(T.policy, `saleor-${env}-workload-boundary`));
            assert.equal(policy.name, `saleor-${env}-workload-boundary`);
            assert.equal(policy.path, "/saleor-bootstrap/");
            assert.equal(outputs.workloadBoundaries[env], boundaryArn(env));
            assert.equal(outputs.environments[env].workloadBoundaryArn, boundaryArn(env));
        }
    });

    it("leaves a stack role what its AWS-managed and controller policies need", () => {
        const boundary = boundaryOf("staging");
        for (const action of [
            "ec2:AssignPrivateIpAddresses",
            "elasticloadbalancing:CreateLoadBalancer",
            "autoscaling:SetDesiredCapacity",
            "ecr:BatchGetImage",
            "secretsmanager:GetSecretValue",
            "backup:StartBackupJob",
            "logs:PutLogEvents",
            "iam:CreateServiceLinkedRole",
            "iam:GetServerCertificate",
            "iam:ListServerCertificates",
            "iam:PassRole",
        ]) {
            assert.ok(allows(boundary, action, "*"), action);
        }
    });

    it("caps a stack role below the identity plane, whatever policy is attached to it", () => {
        const boundary = boundaryOf("staging");
        for (const action of [
            "iam:CreateRole",
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "iam:CreateUser",
            "iam:CreateAccessKey",
            "iam:CreatePolicyVersion",
            "iam:UpdateAssumeRolePolicy",
            "iam:DeleteRolePermissionsBoundary",
            "sts:AssumeRole",
            "organizations:LeaveOrganization",
            "account:CloseAccount",
        ]) {
            assert.ok(!allows(boundary, action, "*"), action);
        }
    });

    it("keeps a stack role off the state, the secrets-provider keys, other environments and the bootstrap's identities", () => {
        const boundary = boundaryOf("staging");
        const bucket = `arn:aws:s3:::saleor-pulumi-state-${accountId}`;
        assert.ok(!allows(boundary, "s3:GetObject", `${bucket}/staging/.pulumi/stacks/saleor/staging.json`), "not even its own state");
        assert.ok(!allows(boundary, "s3:ListBucket", bucket));
        assert.ok(allows(boundary, "s3:GetObject", "arn:aws:s3:::saleor-staging-media/x.jpg"));
        for (const env of ["staging", "production"]) {
            const key = `arn:aws:kms:eu-central-1:${accountId}:key/${rs.one(T.key, `${env}-secrets`).id}`;
            assert.ok(!allows(boundary, "kms:Decrypt", key, inRegion), env);
            assert.ok(!allows(boundary, "kms:Decrypt", "*", { "kms:ResourceAliases": [`alias/saleor-${env}-pulumi-secrets`] }), env);
        }
        assert.ok(allows(boundary, "kms:Decrypt", `arn:aws:kms:eu-central-1:${accountId}:key/stack-key`));
        assert.ok(!allows(boundary, "rds:DeleteDBInstance", "*", { "aws:ResourceTag/saleor:environment": ["production"] }));
        assert.ok(!allows(boundary, "ec2:CreateVolume", "*", { "aws:RequestTag/saleor:environment": ["production"] }));
        assert.ok(allows(boundary, "ec2:CreateVolume", "*", { "aws:RequestTag/saleor:environment": ["staging"] }));
        for (const role of ["saleor-deploy-staging", "saleor-deploy-production", "saleor-bootstrap/saleor-deploy-staging-codebuild"]) {
            assert.ok(!allows(boundary, "iam:PassRole", `arn:aws:iam::${accountId}:role/${role}`), role);
        }
        assert.ok(allows(boundary, "iam:PassRole", stackRole));
    });

    it("cannot be changed by a deploy role (the bootstrap's IAM path is denied to them)", () => {
        for (const env of ["staging", "production"]) {
            for (const action of [
                "iam:CreatePolicyVersion",
                "iam:SetDefaultPolicyVersion",
                "iam:DeletePolicyVersion",
                "iam:DeletePolicy",
            ]) {
                assert.ok(!allows(deployStatementsOf("staging"), action, boundaryArn(env)), `${env} ${action}`);
            }
        }
    });

    describe("the deploy roles create and change roles and users only under their environment's boundary", () => {
        const boundedActions = [
            "iam:CreateRole",
            "iam:CreateUser",
            "iam:PutRolePermissionsBoundary",
            "iam:PutUserPermissionsBoundary",
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "iam:DetachRolePolicy",
            "iam:DeleteRolePolicy",
            "iam:AttachUserPolicy",
            "iam:PutUserPolicy",
            "iam:DetachUserPolicy",
            "iam:DeleteUserPolicy",
        ];
        for (const action of boundedActions) {
            it(`${action}: only with iam:PermissionsBoundary = its own environment's boundary`, () => {
                const staging = deployStatementsOf("staging");
                const resource = action.includes("User") ? `arn:aws:iam::${accountId}:user/smtp` : stackRole;
                assert.ok(allows(staging, action, resource, { "iam:PermissionsBoundary": [boundaryArn("staging")] }));
                assert.ok(!allows(staging, action, resource), "without a boundary");
                assert.ok(!allows(staging, action, resource, { "iam:PermissionsBoundary": [boundaryArn("production")] }), "another's");
                assert.ok(
                    !allows(staging, action, resource, { "iam:PermissionsBoundary": ["arn:aws:iam::aws:policy/AdministratorAccess"] }),
                    "an administrator's",
                );
            });
        }

        it("never removes a boundary", () => {
            const staging = deployStatementsOf("staging");
            const context = { "iam:PermissionsBoundary": [boundaryArn("staging")] };
            assert.ok(!allows(staging, "iam:DeleteRolePermissionsBoundary", stackRole, context));
            assert.ok(!allows(staging, "iam:DeleteUserPermissionsBoundary", `arn:aws:iam::${accountId}:user/smtp`, context));
        });

        it("changes the trust and credentials only of identities tagged for its environment", () => {
            const staging = deployStatementsOf("staging");
            const tagged = (env: string) => ({ "aws:ResourceTag/saleor:environment": [env] });
            assert.ok(allows(staging, "iam:UpdateAssumeRolePolicy", stackRole, tagged("staging")));
            assert.ok(!allows(staging, "iam:UpdateAssumeRolePolicy", `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`));
            assert.ok(!allows(staging, "iam:UpdateAssumeRolePolicy", stackRole, tagged("production")));
            const smtp = `arn:aws:iam::${accountId}:user/saleor-staging-eu-central-1-smtp`;
            assert.ok(allows(staging, "iam:CreateAccessKey", smtp, tagged("staging")));
            assert.ok(!allows(staging, "iam:CreateAccessKey", `arn:aws:iam::${accountId}:user/alice`), "a person's user");
            assert.ok(!allows(staging, "iam:CreateLoginProfile", `arn:aws:iam::${accountId}:user/alice`));
            assert.ok(!allows(staging, "iam:UpdateLoginProfile", `arn:aws:iam::${accountId}:user/alice`));
        });
    });
});
