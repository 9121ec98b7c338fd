import * as assert from "assert";
import { checkPlan, Violation } from "../../policy/offline";
import { readStackConfig, StackName } from "../../policy/table";
import { nodeGroup, rdsInstance, replicationGroup } from "./fixtures/aws";
import { container, deployment, ingress } from "./fixtures/kubernetes";
import { Fixture, planOf } from "./harness";

async function levelsIn(stack: StackName, fixtures: Fixture[], policyName: string): Promise<string[]> {
    const result = await checkPlan(planOf(stack, fixtures), readStackConfig(stack));
    return result.violations.filter((v: Violation) => v.policyName === policyName).map((v) => v.enforcementLevel);
}

describe("enforcement per stack (policy/config/<stack>.json)", () => {
    const singleAz = [rdsInstance({ multiAz: false })];
    it("production RDS without Multi-AZ is a mandatory violation", async () =>
        assert.deepStrictEqual(await levelsIn("production", singleAz, "aws-rds-instance-multi-az-enabled"), ["mandatory"]));
    it("staging RDS without Multi-AZ is accepted (DESIGN.md: staging is not Multi-AZ)", async () =>
        assert.deepStrictEqual(await levelsIn("staging", singleAz, "aws-rds-instance-multi-az-enabled"), []));

    const burstable = [rdsInstance({ instanceClass: "db.t4g.large" })];
    it("a burstable production database class is mandatory to fix", async () =>
        assert.deepStrictEqual(await levelsIn("production", burstable, "aws-rds-instance-no-burstable-class"), ["mandatory"]));
    it("staging may run db.t4g.large", async () =>
        assert.deepStrictEqual(await levelsIn("staging", burstable, "aws-rds-instance-class-allowed"), []));

    it("staging's 7-day backups pass staging's minimum but are a mandatory violation in production", async () => {
        const weekly = [rdsInstance({ backupRetentionPeriod: 7 })];
        assert.deepStrictEqual(await levelsIn("staging", weekly, "aws-rds-instance-backup-retention-minimum"), []);
        assert.deepStrictEqual(await levelsIn("production", weekly, "aws-rds-instance-backup-retention-minimum"), ["mandatory"]);
    });

    it("a cache without failover is mandatory to fix in production only", async () => {
        const single = [replicationGroup({ multiAzEnabled: false, automaticFailoverEnabled: false })];
        assert.deepStrictEqual(await levelsIn("production", single, "aws-elasticache-replication-group-multi-az-failover-enabled"), [
            "mandatory",
        ]);
        assert.deepStrictEqual(await levelsIn("staging", single, "aws-elasticache-replication-group-multi-az-failover-enabled"), []);
    });

    it("one node minimum is mandatory to fix in production and only advised against in staging's config (which allows it)", async () => {
        const oneNode = [nodeGroup({ instanceTypes: ["m7i.xlarge"], scalingConfig: { minSize: 1, desiredSize: 2, maxSize: 3 } })];
        assert.deepStrictEqual(await levelsIn("production", oneNode, "aws-eks-node-group-min-size"), ["mandatory"]);
        assert.deepStrictEqual(await levelsIn("staging", oneNode, "aws-eks-node-group-min-size"), []);
    });

    it("undersized production API pods are mandatory to fix; in dev the same sizes pass", async () => {
        const small = [
            deployment({
                containers: [container({ resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "1Gi" } } })],
            }),
        ];
        assert.ok((await levelsIn("production", small, "kubernetes-workload-resources-within-range")).every((l) => l === "mandatory"));
        assert.deepStrictEqual(await levelsIn("dev", small, "kubernetes-workload-resources-within-range"), []);
    });

    it("staging pods above staging's 1 CPU / 2Gi ceiling are only advised against", async () =>
        assert.deepStrictEqual(await levelsIn("staging", [deployment()], "kubernetes-workload-resources-within-range"), [
            "advisory",
            "advisory",
        ]));

    it("a missing probe blocks staging but is advice in dev", async () => {
        const noProbe = [deployment({ containers: [container({ readinessProbe: undefined })] })];
        assert.deepStrictEqual(await levelsIn("staging", noProbe, "kubernetes-workload-health-probes"), ["mandatory"]);
        assert.deepStrictEqual(await levelsIn("dev", noProbe, "kubernetes-workload-health-probes"), ["advisory"]);
    });

    it("a privileged container is mandatory to fix in every stack", async () => {
        const privileged = [
            deployment({
                containers: [
                    container({
                        securityContext: {
                            privileged: true,
                            allowPrivilegeEscalation: false,
                            runAsNonRoot: true,
                            capabilities: { drop: ["ALL"] },
                        },
                    }),
                ],
            }),
        ];
        for (const stack of ["dev", "staging", "production"] as StackName[]) {
            assert.deepStrictEqual(await levelsIn(stack, privileged, "kubernetes-workload-no-privileged-containers"), ["mandatory"], stack);
        }
    });

    it("an internet-facing ALB Ingress without a WAF blocks staging and production and is advice in dev", async () => {
        const unprotected = [
            ingress(
                { ingressClassName: "alb", rules: [{ host: "api.example.com" }] },
                { "alb.ingress.kubernetes.io/scheme": "internet-facing" },
            ),
        ];
        assert.deepStrictEqual(await levelsIn("production", unprotected, "kubernetes-ingress-alb-waf-enabled"), ["mandatory"]);
        assert.deepStrictEqual(await levelsIn("staging", unprotected, "kubernetes-ingress-alb-waf-enabled"), ["mandatory"]);
        assert.deepStrictEqual(await levelsIn("dev", unprotected, "kubernetes-ingress-alb-waf-enabled"), ["advisory"]);
    });
});
