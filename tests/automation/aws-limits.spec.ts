import { strict as assert } from "node:assert";
import { awsLimitProblems } from "../../automation/plan/aws-limits";
import type { PlanDocument } from "../../automation/plan/json";
import { planOf } from "../support/plans";

const step = (type: string, name: string, inputs: Record<string, unknown>) => ({
    op: "create" as const,
    urn: `urn:pulumi:s::p::${type}::${name}`,
    newState: {
        type,
        urn: `urn:pulumi:s::p::${type}::${name}`,
        custom: true,
        inputs,
        dependencies: [],
        protect: false,
        retainOnDelete: false,
    },
});

describe("AWS names and limits the APIs enforce", () => {
    for (const stack of ["dev", "staging", "production"]) {
        it(`${stack}: every name and tag the plan knows is one AWS accepts`, async () => {
            assert.deepEqual(awsLimitProblems(await planOf(stack)), []);
        });
    }

    it("refuses an EventBridge rule name over 64 characters, naming the URN, the input and the source", () => {
        const long = `saleor-${"a-very-long-stack-name-".repeat(2)}eu-central-1-backup-job-failed`;
        const [problem] = awsLimitProblems({ steps: [step("aws:cloudwatch/eventRule:EventRule", "rule", { name: long })] } as Pick<
            PlanDocument,
            "steps"
        >);
        assert.match(problem, /::rule: name ".*" is \d+ characters; allowed: 1 to 64 \(Amazon EventBridge API Reference, PutRule, Name\)$/);
    });

    it("refuses identifiers RDS and ElastiCache would refuse, and accepts what they accept", () => {
        const problems = awsLimitProblems({
            steps: [
                step("aws:rds/instance:Instance", "a", { identifier: "1st-db" }),
                step("aws:rds/instance:Instance", "b", { identifier: "db--writer" }),
                step("aws:rds/instance:Instance", "c", { identifier: "writer-" }),
                step("aws:rds/instance:Instance", "ok", { identifier: "saleor-writer-1" }),
                step("aws:elasticache/replicationGroup:ReplicationGroup", "d", { replicationGroupId: `c${"x".repeat(40)}` }),
            ],
        } as Pick<PlanDocument, "steps">);
        assert.deepEqual(
            problems.map((p) => p.split("::").pop()!.split(":")[0]),
            ["a", "b", "c", "d"],
        );
    });

    it("refuses load balancer and target group names ELB would refuse", () => {
        const problems = awsLimitProblems({
            steps: [
                step("aws:lb/targetGroup:TargetGroup", "long", { name: `tg-${"x".repeat(30)}` }),
                step("aws:lb/targetGroup:TargetGroup", "hyphen", { name: "-api" }),
                step("aws:lb/targetGroup:TargetGroup", "ok", { name: "saleor-production-api" }),
                step("aws:lb/loadBalancer:LoadBalancer", "internal", { name: "internal-api" }),
                step("aws:lb/loadBalancer:LoadBalancer", "ok", { name: "saleor-production" }),
            ],
        } as Pick<PlanDocument, "steps">);
        assert.deepEqual(
            problems.map((p) => p.split("::").pop()!.split(":")[0]),
            ["long", "hyphen", "internal"],
        );
        assert.match(problems[0], /\(Elastic Load Balancing API Reference, CreateTargetGroup, Name\)$/);
    });

    it("refuses an ALB group name or load balancer name the AWS Load Balancer Controller would refuse on an Ingress", () => {
        const ingress = (name: string, annotations: Record<string, string>) =>
            step("kubernetes:networking.k8s.io/v1:Ingress", name, { metadata: { name, annotations }, spec: {} });
        const problems = awsLimitProblems({
            steps: [
                ingress("long", { "alb.ingress.kubernetes.io/group.name": `saleor-${"s".repeat(57)}` }),
                ingress("upper", { "alb.ingress.kubernetes.io/group.name": "Saleor-Production" }),
                ingress("lbname", { "alb.ingress.kubernetes.io/load-balancer-name": `k8s-${"x".repeat(29)}` }),
                ingress("ok", { "alb.ingress.kubernetes.io/group.name": "saleor-production.eu" }),
            ],
        } as Pick<PlanDocument, "steps">);
        assert.deepEqual(
            problems.map((p) => p.split("::").pop()!.split(":")[0]),
            ["long", "upper", "lbname"],
        );
        assert.match(
            problems[0],
            /metadata\.annotations\["alb\.ingress\.kubernetes\.io\/group\.name"\] ".*" is 64 characters; allowed: 1 to 63/,
        );
    });

    it("refuses more than 50 tags and over-long tag values, and skips values the plan does not know", () => {
        const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, "v"]));
        const problems = awsLimitProblems({
            steps: [
                step("aws:s3/bucket:Bucket", "many", { tags }),
                step("aws:s3/bucket:Bucket", "long", { tags: { note: "x".repeat(257) } }),
                step("aws:rds/instance:Instance", "unknown", { identifier: "[unknown]", tags: { note: "[secret]" } }),
            ],
        } as Pick<PlanDocument, "steps">);
        assert.equal(problems.length, 2, problems.join("\n"));
    });
});

describe("the plan refuses what AWS would refuse", () => {
    it("exits 5 and lists each refused name with its URN when a stack name pushes a name over its limit", async () => {
        const { runCli } = await import("../support/plans");
        // EKS cluster names are saleor-<stack>-<region>, capped at 100 characters by CreateCluster.
        const stack = `staging-${"x".repeat(80)}`;
        const { code, stderr } = await runCli(["--stack", stack, "--config-file", "Pulumi.staging.yaml", "--no-policy"]);
        assert.equal(code, 5, stderr);
        assert.match(
            stderr,
            /aws:eks\/cluster:Cluster::eu-central-1-eks: name "saleor-staging-x+-eu-central-1" is \d+ characters; allowed: 1 to 100/,
        );
    });
});
