import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import { BootstrapConfigError, loadBootstrapConfig } from "../../bootstrap/config";
import { configOf, minimal, problemsOf, source } from "./support";

describe("bootstrap config", () => {
    it("needs only the repository; everything else has the documented default", () => {
        const cfg = configOf(minimal);
        assert.equal(cfg.githubRepository, "octo-org/saleor-pulumi");
        assert.equal(cfg.githubSubject, "name");
        assert.deepEqual(cfg.environments, ["staging", "production"]);
        assert.equal(cfg.homeRegion, "eu-central-1");
        assert.deepEqual(cfg.replicaRegions, ["eu-west-1"]);
        assert.equal(cfg.deploySessionHours, 3);
        assert.deepEqual(cfg.runner, {
            vpcCidr: "10.250.0.0/24",
            zones: 2,
            computeType: "BUILD_GENERAL1_LARGE",
            image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
            connectionAuthorized: false,
        });
    });

    it("names the key of a missing or malformed repository", () => {
        assert.deepEqual(problemsOf({}), [
            "saleor-bootstrap:githubRepository: is required (owner/name of the repository that deploys, e.g. octo-org/saleor-pulumi)",
        ]);
        assert.deepEqual(problemsOf({ githubRepository: "saleor-pulumi" }), [
            "saleor-bootstrap:githubRepository: must be owner/name, e.g. octo-org/saleor-pulumi",
        ]);
        assert.deepEqual(problemsOf({ githubRepository: "https://github.com/octo-org/saleor-pulumi" }), [
            "saleor-bootstrap:githubRepository: must be owner/name, e.g. octo-org/saleor-pulumi",
        ]);
    });

    it("refuses a runner CIDR that overlaps a stack VPC", () => {
        assert.deepEqual(problemsOf({ ...minimal, runner: { vpcCidr: "10.30.0.0/24" } }), [
            "saleor-bootstrap:runner.vpcCidr: 10.30.0.0/24 overlaps the stack VPC 10.30.0.0/16; the runner VPC is peered with every stack VPC, and AWS refuses peering between overlapping ranges",
        ]);
        assert.match(
            problemsOf({ ...minimal, runner: { vpcCidr: "10.40.255.0/24" } })[0],
            /overlaps the stack VPC 10\.40\.0\.0\/16/,
            "the last of its range too",
        );
        // And the stack ranges are configurable: a fifth stack VPC is checked as well.
        assert.match(
            problemsOf({ ...minimal, stackVpcCidrs: ["10.250.0.0/16"] })[0],
            /^saleor-bootstrap:runner\.vpcCidr: 10\.250\.0\.0\/24 overlaps the stack VPC 10\.250\.0\.0\/16/,
        );
    });

    it("refuses a runner CIDR that is not a range or too small for its subnets", () => {
        assert.deepEqual(problemsOf({ ...minimal, runner: { vpcCidr: "10.250.0.1/24" } }), [
            "saleor-bootstrap:runner.vpcCidr: 10.250.0.1/24 has host bits set; did you mean 10.250.0.0/24?",
        ]);
        assert.match(
            problemsOf({ ...minimal, runner: { vpcCidr: "10.250.0.0/28" } })[0],
            /^saleor-bootstrap:runner\.vpcCidr: VPC range 10\.250\.0\.0\/28 is too small for 2 zones/,
        );
        assert.match(
            problemsOf({ ...minimal, runner: { vpcCidr: "banana" } })[0],
            /^saleor-bootstrap:runner\.vpcCidr: banana is not an IPv4 CIDR block/,
        );
    });

    it("keeps deploy sessions at least as long as the pessimistic first production deployment, and within IAM's 12 hours", () => {
        assert.deepEqual(problemsOf({ ...minimal, deploySessionHours: 1 }), [
            "saleor-bootstrap:deploySessionHours: must be at least 2: a first production deployment is modelled at ~1 h, pessimistic 2 h",
        ]);
        assert.deepEqual(problemsOf({ ...minimal, deploySessionHours: 13 }), [
            "saleor-bootstrap:deploySessionHours: IAM allows at most 12 hours",
        ]);
        assert.deepEqual(problemsOf({ ...minimal, deploySessionHours: 2.5 }), [
            "saleor-bootstrap:deploySessionHours: must be a whole number of hours",
        ]);
    });

    it("asks for the numeric ids when the roles trust the immutable subject form", () => {
        assert.deepEqual(problemsOf({ ...minimal, githubSubject: "immutable" }), [
            "saleor-bootstrap:githubOwnerId: is required when githubSubject is \"immutable\": the immutable sub claim carries the owner's and the repository's numeric ids (repo:owner@<id>/name@<id>:...)",
        ]);
        assert.deepEqual(problemsOf({ ...minimal, githubSubject: "both", githubOwnerId: "123456", githubRepositoryId: "x" }), [
            "saleor-bootstrap:githubRepositoryId: must be GitHub's numeric id (digits only)",
        ]);
        assert.deepEqual(problemsOf({ ...minimal, githubSubject: "wildcard" }), [
            'saleor-bootstrap:githubSubject: is "wildcard"; allowed: name, immutable, both',
        ]);
    });

    it("names unknown and misspelt keys, top-level and in runner", () => {
        assert.deepEqual(problemsOf({ ...minimal, homeregion: "eu-west-1" }), [
            "saleor-bootstrap:homeregion: unknown key; allowed keys are githubRepository, githubSubject, githubOwnerId, githubRepositoryId, environments, homeRegion, replicaRegions, stateBucketName, deploySessionHours, stackVpcCidrs, runner",
        ]);
        assert.deepEqual(problemsOf({ ...minimal, runner: { vpcCdir: "10.250.0.0/24" } }), [
            "saleor-bootstrap:runner.vpcCdir: unknown key; allowed keys are vpcCidr, zones, computeType, image, githubConnectionArn, connectionAuthorized",
        ]);
    });

    it("refuses environments and regions that cannot work", () => {
        assert.deepEqual(problemsOf({ ...minimal, environments: ["dev"] }), [
            'saleor-bootstrap:environments[0]: is "dev"; allowed: staging, production',
        ]);
        assert.deepEqual(problemsOf({ ...minimal, environments: [] }), ["saleor-bootstrap:environments: needs at least one environment"]);
        assert.deepEqual(problemsOf({ ...minimal, environments: ["staging", "staging"] }), [
            'saleor-bootstrap:environments[1]: "staging" is listed twice',
        ]);
        assert.deepEqual(problemsOf({ ...minimal, replicaRegions: ["eu-central-1"] }), [
            "saleor-bootstrap:replicaRegions[0]: eu-central-1 is the home region; images are replicated from it, not to it",
        ]);
        assert.deepEqual(problemsOf({ ...minimal, homeRegion: "Frankfurt" }), [
            "saleor-bootstrap:homeRegion: must be an AWS region such as eu-central-1",
        ]);
        assert.deepEqual(problemsOf({ ...minimal, stateBucketName: "My_Bucket" }), [
            "saleor-bootstrap:stateBucketName: must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)",
        ]);
    });

    it("reports a wrong type with the key, and every problem at once", () => {
        assert.deepEqual(problemsOf({ ...minimal, runner: { zones: "two" }, deploySessionHours: "3h" }), [
            'saleor-bootstrap:deploySessionHours: is not valid JSON ("3h"); set it with `pulumi config set --path` or as YAML in the stack file',
            'saleor-bootstrap:runner.zones: expected number, received "two"',
        ]);
    });

    it("fails under the engine with one error listing the problems, no stack trace", () => {
        assert.throws(
            () => loadBootstrapConfig(source({ githubRepository: "nope", runner: { zones: 0 } })),
            (e: unknown) => {
                assert.ok(e instanceof BootstrapConfigError);
                assert.ok(pulumi.RunError.isInstance(e), "a RunError: the engine prints the message only");
                assert.equal(e.problems.length, 2);
                assert.match(
                    e.message,
                    /^invalid bootstrap configuration \(2 problems\):\n {2}- saleor-bootstrap:githubRepository: must be owner\/name/,
                );
                return true;
            },
        );
    });
});
