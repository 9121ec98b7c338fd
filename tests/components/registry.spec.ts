import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { PlanMocks } from "../../automation/plan/fake-cloud";
import { accountId, type RecordedResource } from "../../automation/plan/mocks";
import { ImageRegistry, type ImageRegistryArgs } from "../../components/registry";
import { registered, type Resources } from "../support/harness";

const T = {
    repository: "aws:ecr/repository:Repository",
    lifecycle: "aws:ecr/lifecyclePolicy:LifecyclePolicy",
    replication: "aws:ecr/replicationConfiguration:ReplicationConfiguration",
} as const;

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        output.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

/** The registry in the primary region, built through that region's provider as index.ts does (replicated to eu-west-1 when asked). */
async function build(
    args: ImageRegistryArgs,
    replicated = false,
): Promise<{ rs: Resources; registry: ImageRegistry; providerRef: () => string }> {
    let registry!: ImageRegistry;
    const rs = await registered(() => {
        const provider = new aws.Provider("eu-central-1", { region: "eu-central-1" });
        const replicatedTo = replicated ? { "eu-west-1": new aws.Provider("eu-west-1", { region: "eu-west-1" }) } : undefined;
        registry = new ImageRegistry("registry", { ...args, replicatedTo }, { providers: [provider] });
    });
    const providerRef = () => {
        const p = rs.one("pulumi:providers:aws", "eu-central-1");
        return `${p.urn}::${p.id}`;
    };
    return { rs, registry, providerRef };
}

describe("ImageRegistry", () => {
    const production: ImageRegistryArgs = { repositories: ["saleor-core", "saleor-storefront"], namespace: "production", protect: true };
    let rs: Resources;
    let registry: ImageRegistry;
    let providerRef: () => string;
    before(async () => {
        ({ rs, registry, providerRef } = await build(production));
    });

    it("keeps images in immutable, scanned, KMS-encrypted repositories that are never force-deleted", () => {
        const repositories = rs.ofType(T.repository);
        assert.deepStrictEqual(repositories.map((r) => inputs(r).name).sort(), ["production/saleor-core", "production/saleor-storefront"]);
        for (const r of repositories.map(inputs)) {
            assert.strictEqual(r.imageTagMutability, "IMMUTABLE");
            assert.deepStrictEqual(r.imageScanningConfiguration, { scanOnPush: true });
            assert.deepStrictEqual(
                r.encryptionConfigurations.map((e: any) => e.encryptionType),
                ["KMS"],
            );
            assert.strictEqual(r.forceDelete, false);
        }
    });

    it("protects the repositories in production, and not otherwise", async () => {
        for (const r of rs.ofType(T.repository)) assert.strictEqual(r.protect, true, r.name);
        const staging = await build({ repositories: ["saleor-core"], namespace: "staging", protect: false });
        for (const r of staging.rs.ofType(T.repository)) assert.strictEqual(r.protect, false, r.name);
    });

    it("expires untagged images after 7 days and keeps the newest 50 releases by default", () => {
        const policies = rs.ofType(T.lifecycle);
        assert.deepStrictEqual(policies.map((p) => inputs(p).repository).sort(), [
            "production/saleor-core",
            "production/saleor-storefront",
        ]);
        const { rules } = JSON.parse(inputs(policies[0]).policy);
        const untagged = rules.find((r: any) => r.selection.tagStatus === "untagged");
        assert.deepStrictEqual(untagged.selection, {
            tagStatus: "untagged",
            countType: "sinceImagePushed",
            countUnit: "days",
            countNumber: 7,
        });
        assert.deepStrictEqual(untagged.action, { type: "expire" });
        const releases = rules.find((r: any) => r.selection.tagStatus === "tagged");
        assert.deepStrictEqual([releases.selection.countType, releases.selection.countNumber], ["imageCountMoreThan", 50]);
        assert.deepStrictEqual(releases.selection.tagPatternList, ["*"]);
    });

    it("keeps as many releases as asked", async () => {
        const { rs: few } = await build({ ...production, keepReleases: 10 });
        const { rules } = JSON.parse(inputs(few.ofType(T.lifecycle)[0]).policy);
        assert.strictEqual(rules.find((r: any) => r.selection.tagStatus === "tagged").selection.countNumber, 10);
    });

    it("names each repository under the stack's namespace, so two stacks share an account", async () => {
        const { rs: staging } = await build({ repositories: ["saleor-core"], namespace: "staging", protect: false });
        assert.deepStrictEqual(
            staging.ofType(T.repository).map((r) => inputs(r).name),
            ["staging/saleor-core"],
        );
    });

    it("leaves replication to the account: it declares no replication configuration, one per account and region", () => {
        assert.strictEqual(rs.ofType(T.replication).length, 0);
    });

    it("builds everything in the primary region through the provider it was given", () => {
        const component = rs.one("saleor:components:ImageRegistry", "registry");
        for (const r of rs.all.filter((r) => r.type.startsWith("aws:"))) {
            assert.strictEqual(r.parent, component.urn, r.name);
            assert.strictEqual(r.provider, providerRef(), r.name);
        }
    });

    it("gives each repository's URL at home and, by urlIn, in the regions it replicates to", async () => {
        assert.strictEqual(
            await valueOf(registry.repositoryUrls["saleor-core"]),
            `${accountId}.dkr.ecr.eu-central-1.amazonaws.com/production/saleor-core`,
        );
        assert.strictEqual(
            await valueOf(registry.urlIn("saleor-core", "eu-west-1")),
            `${accountId}.dkr.ecr.eu-west-1.amazonaws.com/production/saleor-core`,
        );
        assert.throws(() => registry.urlIn("saleor-dashboard", "eu-west-1"), /no repository "saleor-dashboard"/);
    });

    it("gives no repository URL to push to before the bootstrap's replication template for the stack exists in each replica region", async () => {
        const asked: { prefix: string; region: string }[] = [];
        const call = PlanMocks.prototype.call;
        // The account as before its bootstrap ran: eu-west-1 has a creation template for pull-through caches only.
        PlanMocks.prototype.call = function (this: PlanMocks, args) {
            if (args.token !== "aws:ecr/getRepositoryCreationTemplate:getRepositoryCreationTemplate") return call.call(this, args);
            const answer = call.call(this, args);
            asked.push({ prefix: answer.prefix, region: answer.region });
            return { ...answer, appliedFors: ["PULL_THROUGH_CACHE"] };
        };
        try {
            await assert.rejects(async () => {
                const { registry: unready } = await build(production, true);
                // The Output's own promise rejects with the apply's error (valueOf only ever sees values).
                await (unready.repositoryUrls["saleor-core"] as unknown as { promise(): Promise<string> }).promise();
            }, /eu-west-1 has no repository creation template for "production" applied to REPLICATION: run the account bootstrap \(bootstrap\/\) before this stack/);
        } finally {
            PlanMocks.prototype.call = call;
        }
        assert.deepStrictEqual(asked, [{ prefix: "production", region: "eu-west-1" }]);
        const { registry: ready } = await build(production, true);
        assert.strictEqual(
            await valueOf(ready.repositoryUrls["saleor-core"]),
            `${accountId}.dkr.ecr.eu-central-1.amazonaws.com/production/saleor-core`,
        );
    });

    it("hands docker the ECR login with the password kept secret", async () => {
        const { server, username, password } = registry.credentials;
        assert.strictEqual(await valueOf(server), `https://${accountId}.dkr.ecr.eu-central-1.amazonaws.com`);
        assert.strictEqual(await valueOf(username), "AWS");
        assert.strictEqual(await pulumi.isSecret(password), true);
        assert.strictEqual(await valueOf(password), "mock-ecr-token-eu-central-1");
    });
});

describe("Core image (images/core/Dockerfile)", () => {
    const dockerfile = fs.readFileSync(path.join(__dirname, "..", "..", "images", "core", "Dockerfile"), "utf8");
    const instructions = dockerfile.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));

    it("is upstream Saleor at the given version, run as its saleor user (uid/gid 999) instead of root", () => {
        assert.deepStrictEqual(instructions, ["ARG SALEOR_VERSION", "FROM ghcr.io/saleor/saleor:${SALEOR_VERSION}", "USER 999:999"]);
    });
});
