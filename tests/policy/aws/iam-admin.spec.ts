import * as assert from "assert";
import { iamNoFullAdmin } from "../../../policy/aws/iam";
import { Fixture } from "../harness";
import { iamPolicy } from "../fixtures/aws";
import { assertPasses, assertViolates, resourceViolations } from "../harness";

/*
 * The wildcard-admin rule fails closed: a document it cannot read is a violation, and every way of
 * writing "everything" in IAM counts — NotAction, service-wide wildcards, wildcard ARNs, arrays.
 */

const userPolicy = (statements: unknown): Fixture => ({
    type: "aws:iam/userPolicy:UserPolicy",
    name: "mailer",
    props: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
});

describe("aws-iam-policy-no-full-admin fails closed", () => {
    describe("a document the rule cannot read is a violation, not a pass", () => {
        for (const [what, document] of [
            ["text that is not JSON", "{ Statement: [ not json"],
            ["a JSON array", "[]"],
            ["a JSON string", '"Allow everything"'],
            ["JSON null", "null"],
            ["an object without Statement", JSON.stringify({ Version: "2012-10-17" })],
            ["a Statement that is a string", JSON.stringify({ Version: "2012-10-17", Statement: "*" })],
            ["a statement that is not an object", JSON.stringify({ Version: "2012-10-17", Statement: ["Allow"] })],
        ] as const) {
            it(`${what}`, () => assertViolates(iamNoFullAdmin, iamPolicy(document), /cannot be read as an IAM policy document/));
        }
        it("the message never repeats the document (it may hold anything)", async () => {
            const [message] = await resourceViolations(iamNoFullAdmin, iamPolicy("secret-value-123 not json"));
            assert.doesNotMatch(message, /secret-value-123/);
        });
        it("an empty Statement list grants nothing and passes", () => assertPasses(iamNoFullAdmin, iamPolicy([])));
    });

    describe("NotAction and NotResource", () => {
        it("Allow with NotAction on Resource * is a violation (everything but a few actions)", () =>
            assertViolates(
                iamNoFullAdmin,
                iamPolicy([{ Sid: "PowerUser", Effect: "Allow", NotAction: ["iam:*", "organizations:*"], Resource: "*" }]),
                /statement "PowerUser" allows every action except iam:\*, organizations:\* on every resource/,
            ));
        it("Allow * with NotResource is a violation (every resource but a few)", () =>
            assertViolates(
                iamNoFullAdmin,
                iamPolicy([{ Effect: "Allow", Action: "*", NotResource: "arn:aws:s3:::audit/*" }]),
                /statement #0 allows every action on every resource except arn:aws:s3:::audit\/\*/,
            ));
        it("Deny with NotAction is a guard, not a grant, and passes", () =>
            assertPasses(iamNoFullAdmin, iamPolicy([{ Effect: "Deny", NotAction: "sts:AssumeRole", Resource: "*" }])));
        it("Allow with NotAction on one bucket's objects passes", () =>
            assertPasses(iamNoFullAdmin, iamPolicy([{ Effect: "Allow", NotAction: "s3:DeleteObject", Resource: "arn:aws:s3:::media/*" }])));
    });

    describe("service-wide wildcards on every resource", () => {
        for (const action of ["iam:*", "s3:*", "IAM:*", "kms:*"]) {
            it(`${action} on Resource * is a violation naming the service`, () =>
                assertViolates(
                    iamNoFullAdmin,
                    iamPolicy([{ Effect: "Allow", Action: ["ecr:GetAuthorizationToken", action], Resource: "*" }]),
                    new RegExp(`statement #0 allows every ${action.split(":")[0].toLowerCase()} action on every resource`),
                ));
        }
        it("a service-wide wildcard on one bucket passes (scoped by resource)", () =>
            assertPasses(
                iamNoFullAdmin,
                iamPolicy([{ Effect: "Allow", Action: "s3:*", Resource: ["arn:aws:s3:::media", "arn:aws:s3:::media/*"] }]),
            ));
        it("a prefix wildcard such as s3:Get* on * passes (not every action of the service)", () =>
            assertPasses(iamNoFullAdmin, iamPolicy([{ Effect: "Allow", Action: "s3:Get*", Resource: "*" }])));
    });

    describe("wildcard ARNs count as every resource", () => {
        for (const resource of ["arn:*", "arn:aws:*", "arn:aws:*:*:*:*", "arn:*:*:*:*:*", "arn:aws:*:*:123456789012:*"]) {
            it(`Action * on ${resource} is a violation`, () =>
                assertViolates(iamNoFullAdmin, iamPolicy([{ Effect: "Allow", Action: "*", Resource: [resource] }]), /on every resource/));
        }
        it("iam:* on arn:aws:iam::*:* is a violation (every resource the service has)", () =>
            assertViolates(
                iamNoFullAdmin,
                iamPolicy([{ Effect: "Allow", Action: "iam:*", Resource: "arn:aws:iam::*:*" }]),
                /every iam action/,
            ));
        it("s3:* on arn:aws:s3:::* is a violation (every bucket of the account, other stacks' too)", () =>
            assertViolates(
                iamNoFullAdmin,
                iamPolicy([{ Effect: "Allow", Action: "s3:*", Resource: "arn:aws:s3:::*" }]),
                /every s3 action/,
            ));
        it("Action * on one service's ARNs only passes this rule", () =>
            assertPasses(iamNoFullAdmin, iamPolicy([{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::*" }])));
    });

    it("every inline policy type is judged: a user's inline policy too", () =>
        assertViolates(
            iamNoFullAdmin,
            userPolicy([{ Effect: "Allow", Action: "*", Resource: "*" }]),
            /allows every action on every resource/,
        ));
});
