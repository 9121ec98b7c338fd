import { strict as assert } from "node:assert";
import { globalServices, regionalServices } from "../../bootstrap/deploy-policy";
import { evaluated } from "../support/plans";

// The deploy roles may use every action of a fixed list of services (bootstrap/deploy-policy.ts).
// A resource type whose service is not on it plans offline and fails with AccessDenied on the
// first real `pulumi up`, so the list is checked against every AWS resource the stacks register.

/**
 * The IAM service prefix of a resource type, where it is not the type's module (the Pulumi AWS
 * provider groups some services under one module: aws:cloudwatch holds CloudWatch Logs and
 * EventBridge resources, aws:vpc holds EC2 security group rules).
 */
const servicePrefix: Record<string, string> = {
    "aws:cloudwatch/logGroup:LogGroup": "logs",
    "aws:cloudwatch/eventRule:EventRule": "events",
    "aws:cloudwatch/eventTarget:EventTarget": "events",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "ec2",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "ec2",
};
const prefixOf = (type: string): string => servicePrefix[type] ?? type.split(":")[1].split("/")[0];

describe("bootstrap: the deploy roles may use every service the stacks create resources in", () => {
    for (const stack of ["staging", "production"]) {
        it(`${stack}: every AWS resource type of the plan belongs to a service the deploy role is allowed`, async () => {
            const allowed = new Set<string>([...regionalServices, ...globalServices]);
            const types = new Set((await evaluated(stack)).resources.map((r) => r.type).filter((t) => t.startsWith("aws:")));
            const missing = [...types].filter((t) => !allowed.has(prefixOf(t))).map((t) => `${t} (${prefixOf(t)})`);
            assert.deepEqual(missing, [], "resource types whose service is not in bootstrap/deploy-policy.ts");
        });
    }

    it("knows the IAM prefix of the types whose module is not their service", () => {
        assert.equal(prefixOf("aws:cloudwatch/logGroup:LogGroup"), "logs");
        assert.equal(prefixOf("aws:secretsmanager/secret:Secret"), "secretsmanager");
    });
});
