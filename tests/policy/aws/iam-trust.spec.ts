import * as assert from "assert";
import { iamTrustServiceConditioned } from "../../../policy/aws/iam";
import { checkPlan } from "../../../policy/offline";
import { readStackConfig } from "../../../policy/table";
import { planOf } from "../../support/plans";
import { assertPasses, assertViolates, resourceViolations, UNKNOWN_VALUE } from "../harness";

const role = (statement: object) => ({
    type: "aws:iam/role:Role",
    name: "nodes",
    props: { assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [statement] }) },
});
const assume = { Effect: "Allow", Action: "sts:AssumeRole" };

describe("aws-iam-role-trust-service-conditioned", () => {
    it("a service principal with no condition is a violation naming the service", () =>
        assertViolates(
            iamTrustServiceConditioned,
            role({ ...assume, Principal: { Service: "ec2.amazonaws.com" } }),
            /IAM role "nodes": trust statement #0 lets ec2\.amazonaws\.com assume the role with no condition; add aws:SourceAccount/,
        ));

    it("a condition that does not name the source is a violation too", () =>
        assertViolates(
            iamTrustServiceConditioned,
            role({ ...assume, Principal: { Service: ["s3.amazonaws.com"] }, Condition: { Bool: { "aws:SecureTransport": "true" } } }),
            /with no source condition \(only aws:securetransport\)/,
        ));

    it("aws:SourceAccount, with or without IfExists, passes", async () => {
        await assertPasses(
            iamTrustServiceConditioned,
            role({
                ...assume,
                Principal: { Service: "backup.amazonaws.com" },
                Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
            }),
        );
        await assertPasses(
            iamTrustServiceConditioned,
            role({
                ...assume,
                Principal: { Service: "ec2.amazonaws.com" },
                Condition: { StringEqualsIfExists: { "AWS:SourceAccount": "1" } },
            }),
        );
    });

    it("a Pod Identity role bound to its cluster by session tag passes", () =>
        assertPasses(
            iamTrustServiceConditioned,
            role({
                Effect: "Allow",
                Action: ["sts:AssumeRole", "sts:TagSession"],
                Principal: { Service: "pods.eks.amazonaws.com" },
                Condition: { StringEquals: { "aws:RequestTag/eks-cluster-arn": "arn:aws:eks:eu-central-1:1:cluster/c" } },
            }),
        ));

    it("principals that are not services, and Deny statements, are not its business", async () => {
        await assertPasses(iamTrustServiceConditioned, role({ ...assume, Principal: { AWS: "arn:aws:iam::1:root" } }));
        await assertPasses(
            iamTrustServiceConditioned,
            role({ Effect: "Deny", Action: "sts:AssumeRole", Principal: { Service: "ec2.amazonaws.com" } }),
        );
    });

    it("a trust policy not known during preview is skipped", async () => {
        assert.deepStrictEqual(
            await resourceViolations(iamTrustServiceConditioned, { type: "aws:iam/role:Role", props: { assumeRolePolicy: UNKNOWN_VALUE } }),
            [],
        );
    });

    for (const stack of ["dev", "staging", "production"] as const) {
        it(`${stack}'s plan has no role it flags`, async () => {
            const result = await checkPlan(await planOf(stack), readStackConfig(stack));
            assert.deepStrictEqual(
                result.violations.filter((v) => v.policyName === iamTrustServiceConditioned.name).map((v) => v.message),
                [],
            );
            assert.ok(result.resourceCount > 20);
        });
    }
});
