import assert from "node:assert/strict";
import { registeredRestoreTesting } from "../support/restore-testing";

/** The restore testing plan's name in a stack called `stack`. */
async function planName(stack: string): Promise<string> {
    const res = await registeredRestoreTesting(stack);
    return String((res.ofType("aws:backup/restoreTestingPlan:RestoreTestingPlan")[0].inputs as any).name);
}

describe("restore testing", () => {
    it("names its plan within AWS Backup's 50 letters, digits and underscores, distinct for two stacks with long names", async () => {
        const a = await planName("production-of-the-shop-with-a-very-long-name-a");
        const b = await planName("production-of-the-shop-with-a-very-long-name-b");
        for (const n of [a, b]) assert.match(n, /^[A-Za-z0-9_]{1,50}$/);
        assert.notEqual(a, b);
        assert.equal(await planName("production"), "saleor_production_eu_central_1_data_restore_tests");
    });

    it("restores the database into a DB subnet group of the stack, behind a security group that admits nothing", async () => {
        const res = await registeredRestoreTesting("production", { network: { vpcId: "vpc-1", subnetIds: ["subnet-a", "subnet-b"] } });
        const [group] = res.ofType("aws:rds/subnetGroup:SubnetGroup");
        assert.deepEqual((group.inputs as any).subnetIds, ["subnet-a", "subnet-b"]);
        const [sg] = res.ofType("aws:ec2/securityGroup:SecurityGroup");
        assert.equal((sg.inputs as any).vpcId, "vpc-1");
        assert.deepEqual([(sg.inputs as any).ingress ?? [], (sg.inputs as any).egress ?? []], [[], []]);
        assert.deepEqual(res.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"), [], "no rule admits anything");
        assert.deepEqual(res.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"), []);
        const selections = res.ofType("aws:backup/restoreTestingSelection:RestoreTestingSelection");
        const database = selections.find((x) => (x.inputs as any).protectedResourceType === "RDS")!;
        const overrides = (database.inputs as any).restoreMetadataOverrides;
        // The plan's mocks name an auto-named resource by its id.
        assert.equal(overrides.dbSubnetGroupName, group.id);
        assert.deepEqual(JSON.parse(overrides.vpcSecurityGroupIds), [sg.id]);
        const media = selections.find((x) => (x.inputs as any).protectedResourceType === "S3")!;
        assert.equal((media.inputs as any).restoreMetadataOverrides, undefined, "the S3 restore needs no network");
    });
});
