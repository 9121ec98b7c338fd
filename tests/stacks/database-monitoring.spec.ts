import assert from "node:assert/strict";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

const inputs = (r: RecordedResource) => r.inputs as any;

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: database monitoring`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });

        it("sends OS metrics of every instance, replicas included, every 60 s through a role RDS may assume", () => {
            const instances = res.ofType("aws:rds/instance:Instance");
            assert.ok(instances.length >= 2);
            for (const db of instances) {
                const i = inputs(db);
                assert.equal(i.monitoringInterval, 60, db.name);
                const role = res.ofType("aws:iam/role:Role").find((r) => db.dependencies.includes(r.urn) && r.name.includes("monitoring"));
                assert.ok(role, `${db.name} waits for its monitoring role`);
                const trust = JSON.parse(inputs(role).assumeRolePolicy).Statement[0];
                assert.equal(trust.Principal.Service, "monitoring.rds.amazonaws.com");
                const attached = res
                    .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                    .filter((a) => a.dependencies.includes(role.urn))
                    .map((a) => inputs(a).policyArn);
                assert.deepEqual(attached, ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"]);
                assert.ok(
                    res
                        .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                        .some((a) => a.dependencies.includes(role.urn) && db.dependencies.includes(a.urn)),
                    `${db.name} waits until the role holds its policy`,
                );
            }
        });

        it("keeps Performance Insights on every instance for the free 7 days, encrypted with the region's key", () => {
            for (const db of res.ofType("aws:rds/instance:Instance")) {
                const i = inputs(db);
                assert.equal(i.performanceInsightsEnabled, true, db.name);
                assert.equal(i.performanceInsightsRetentionPeriod, 7, db.name);
                assert.match(i.performanceInsightsKmsKeyId, /^arn:aws:kms:/, db.name);
            }
        });
    });
}
