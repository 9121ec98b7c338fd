import * as assert from "assert";
import { iamPermissionsBoundarySet } from "../../../policy/aws/iam";
import { checkPlan } from "../../../policy/offline";
import { readStackConfig } from "../../../policy/table";
import { planOf } from "../../support/plans";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

const boundary = "arn:aws:iam::123456789012:policy/saleor-bootstrap/saleor-production-workload-boundary";
const role = (props: object) => ({ type: "aws:iam/role:Role", name: "nodes", props: { assumeRolePolicy: "{}", ...props } });
const user = (props: object) => ({ type: "aws:iam/user:User", name: "smtp", props: { name: "saleor-production-smtp", ...props } });

describe("aws-iam-permissions-boundary-set", () => {
    it("a role without a permissions boundary is a violation naming the role", () =>
        assertViolates(
            iamPermissionsBoundarySet,
            role({}),
            /IAM role "nodes" has no permissions boundary; set permissionsBoundary to the stack's workload boundary/,
        ));

    it("a user without one is a violation naming the user", () =>
        assertViolates(iamPermissionsBoundarySet, user({ permissionsBoundary: "" }), /IAM user "smtp" has no permissions boundary/));

    it("a role or user with a boundary passes", async () => {
        await assertPasses(iamPermissionsBoundarySet, role({ permissionsBoundary: boundary }));
        await assertPasses(iamPermissionsBoundarySet, user({ permissionsBoundary: boundary }));
    });

    it("a boundary not known until the deployment passes (it cannot be judged yet)", () =>
        assertPasses(iamPermissionsBoundarySet, role({ permissionsBoundary: UNKNOWN_VALUE })));

    it("is mandatory for the AWS stacks", () => {
        for (const stack of ["staging", "production"] as const) {
            assert.equal(
                (readStackConfig(stack)[iamPermissionsBoundarySet.name] as { enforcementLevel: string }).enforcementLevel,
                "mandatory",
            );
        }
    });

    for (const stack of ["staging", "production"] as const) {
        it(`passes the ${stack} plan, whose every role and user has the boundary`, async () => {
            const result = await checkPlan(await planOf(stack), readStackConfig(stack));
            assert.deepStrictEqual(
                result.violations.filter((v) => v.policyName === iamPermissionsBoundarySet.name).map((v) => v.message),
                [],
            );
            assert.ok(result.resourceCount > 20);
        });
    }
});
