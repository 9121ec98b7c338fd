import { strict as assert } from "node:assert";
import type { PlanDocument } from "../../automation/plan/json";
import { planOf } from "../support/plans";

/**
 * Staging and production may live in one AWS account. Every resource a stack names explicitly
 * must then carry the stack, and nothing that exists once per account and region may belong to
 * a stack: the bootstrap program (bootstrap/) owns those.
 */

/** The input that is a resource type's physical name, unique per account and region. */
const nameInput: Record<string, string> = {
    "aws:ecr/repository:Repository": "name",
    "aws:eks/cluster:Cluster": "name",
    "aws:cloudwatch/logGroup:LogGroup": "name",
    "aws:cloudwatch/eventRule:EventRule": "name",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "name",
    "aws:cloudwatch/dashboard:Dashboard": "dashboardName",
    "aws:kms/alias:Alias": "name",
    "aws:sns/topic:Topic": "name",
    "aws:s3/bucket:Bucket": "bucket",
    "aws:rds/instance:Instance": "identifier",
    "aws:rds/parameterGroup:ParameterGroup": "name",
    "aws:rds/subnetGroup:SubnetGroup": "name",
    "aws:elasticache/replicationGroup:ReplicationGroup": "replicationGroupId",
    "aws:elasticache/subnetGroup:SubnetGroup": "name",
    "aws:iam/role:Role": "name",
    "aws:iam/policy:Policy": "name",
    "aws:iam/user:User": "name",
    // One identity per domain, account and region: staging sends from its own domain.
    "aws:ses/domainIdentity:DomainIdentity": "domain",
    "aws:wafv2/webAcl:WebAcl": "name",
    "aws:backup/vault:Vault": "name",
    "aws:backup/plan:Plan": "name",
    "aws:ec2/securityGroup:SecurityGroup": "name",
    "aws:ec2/launchTemplate:LaunchTemplate": "name",
    "aws:cloudfront/cachePolicy:CachePolicy": "name",
};

/**
 * Resources of which an account holds one per region (or one per key, owned by whoever creates it
 * first): a stack declaring one overwrites, or fails on, another stack's.
 */
const accountSingletons = [
    "aws:ecr/replicationConfiguration:ReplicationConfiguration",
    "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
    "aws:ecr/registryPolicy:RegistryPolicy",
    "aws:ecr/repositoryCreationTemplate:RepositoryCreationTemplate",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
    "aws:backup/regionSettings:RegionSettings",
    "aws:backup/globalSettings:GlobalSettings",
];

/** Every explicitly named AWS resource of a plan as `type region name`. */
function physicalNames(plan: PlanDocument): string[] {
    const regionOf = new Map<string, string>();
    for (const { newState: s } of plan.steps) {
        if (s?.type === "pulumi:providers:aws") regionOf.set(s.urn, String((s.inputs as Record<string, unknown>).region ?? "default"));
    }
    return plan.steps.flatMap(({ newState: s }) => {
        if (!s) return [];
        const key = nameInput[s.type];
        const name = key === undefined ? undefined : (s.inputs as Record<string, unknown>)[key];
        if (typeof name !== "string" || name.startsWith("[")) return [];
        // IAM and CloudFront names are global; everything else here is unique per region.
        const region =
            s.type.startsWith("aws:iam/") || s.type.startsWith("aws:cloudfront/")
                ? "global"
                : (regionOf.get(s.provider?.split("::").slice(0, -1).join("::") ?? "") ?? "?");
        return [`${s.type} ${region} ${name}`];
    });
}

describe("two stacks in one AWS account", () => {
    it("never name two resources alike: no (type, region, physical name) of staging repeats in production", async () => {
        const staging = await planOf("staging");
        const production = await planOf("production");
        const stagingNames = new Set(physicalNames(staging));
        assert.ok(stagingNames.size > 10, `read only ${stagingNames.size} names: the table above no longer matches the plan`);
        assert.deepEqual(
            physicalNames(production).filter((n) => stagingNames.has(n)),
            [],
        );
    });

    for (const stack of ["staging", "production"]) {
        it(`${stack} declares nothing an account holds once per region`, async () => {
            const plan = await planOf(stack);
            assert.deepEqual(
                plan.steps.map((s) => s.newState?.type).filter((t) => t !== undefined && accountSingletons.includes(t)),
                [],
            );
        });
    }
});
