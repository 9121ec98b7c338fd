import assert from "node:assert/strict";
import { accountId } from "../../automation/plan/mocks";
import { Resources, reveal, type RecordedResource } from "../support/harness";
import { coreSecretEnv } from "../support/core-secrets";
import { evaluated } from "../support/plans";

const providerRegion = (res: Resources, r: RecordedResource): string | undefined => {
    const urn = r.provider.split("::").slice(0, -1).join("::");
    return (res.byUrn(urn)?.inputs as any)?.region;
};
/** The region of a resource from the top-level component it belongs to. */
const topRegion = (res: Resources, r: RecordedResource): string => {
    let cur: RecordedResource | undefined = r;
    while (cur?.parent && res.byUrn(cur.parent)) cur = res.byUrn(cur.parent);
    return cur!.name.match(/^eu-(central|west)-1/)?.[0] ?? "stack-wide";
};
const coreEnv = coreSecretEnv;
const hostOf = (url: string) => new URL(url).hostname;

for (const stack of ["staging", "production"] as const) {
    describe(`${stack} stack: topology`, () => {
        let res: Resources;
        let outputs: any;
        before(async () => {
            const e = await evaluated(stack);
            res = new Resources(e.resources);
            outputs = e.outputs;
        });

        it("spans eu-central-1 as primary and eu-west-1 as secondary", () => {
            assert.equal(outputs.primaryRegion, "eu-central-1");
            assert.equal(outputs.regions["eu-central-1"].role, "primary");
            assert.equal(outputs.regions["eu-west-1"].role, "secondary");
            const providerRegions = res
                .ofType("pulumi:providers:aws")
                .map((p) => (p.inputs as any).region)
                .sort();
            // us-east-1 for CloudFront (its distribution, WAF, certificate and DNS, in production) and the
            // Route 53 health checks' alarms with their topic (Route 53 publishes their metrics there only).
            assert.deepEqual(providerRegions, ["eu-central-1", "eu-west-1", "us-east-1"]);
            const global = res.ofType("pulumi:providers:aws").find((p) => (p.inputs as any).region === "us-east-1");
            if (global) {
                const users = res.all.filter((r) => r.provider.startsWith(`${global.urn}::`));
                assert.ok(users.length > 0);
                for (const r of users)
                    // The CDN's log bucket sits beside its web ACL (WAF logs only to a bucket of the ACL's region); Route 53's
                    // health metrics and their alarms exist only in us-east-1.
                    assert.ok(
                        /cloudfront|wafv2|acm|route53/.test(r.type) ||
                            r.name.startsWith("media-cdn-logs") ||
                            (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && (r.inputs as any).namespace === "AWS/Route53") ||
                            r.name.startsWith("us-east-1-alerts"),
                        `${r.type} ${r.name} has no reason to live in us-east-1`,
                    );
            }
        });

        it("creates every AWS resource through its own region's provider", () => {
            const awsResources = res.all.filter((r) => r.type.startsWith("aws:"));
            assert.ok(awsResources.length > 100);
            for (const r of awsResources) {
                const region = topRegion(res, r);
                if (region === "stack-wide") continue;
                // Peering accepts on the accepter's side; replication lives on the source bucket.
                const expected =
                    r.type === "aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter"
                        ? "eu-west-1"
                        : r.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
                          ? "eu-central-1"
                          : region;
                if (r.name.startsWith("eu-central-1-to-eu-west-1")) continue;
                // Route 53 publishes health check metrics in us-east-1 only: their alarms live there.
                if (r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && (r.inputs as any).namespace === "AWS/Route53") {
                    assert.equal(providerRegion(res, r), "us-east-1", `${r.type} ${r.name}`);
                    continue;
                }
                assert.equal(providerRegion(res, r), expected, `${r.type} ${r.name}`);
            }
        });

        it("builds one EKS cluster per region, each with a kubeconfig for its own region", () => {
            const clusters = res.ofType("aws:eks/cluster:Cluster");
            assert.deepEqual(clusters.map((c) => providerRegion(res, c)).sort(), ["eu-central-1", "eu-west-1"]);
            const providers = res.ofType("pulumi:providers:kubernetes");
            assert.deepEqual(providers.map((p) => topRegion(res, p)).sort(), ["eu-central-1", "eu-west-1"]);
            for (const p of providers) {
                const region = topRegion(res, p);
                const clusterName = (clusters.find((c) => providerRegion(res, c) === region)!.inputs as any).name;
                const kubeconfig = JSON.parse(reveal<string>((p.inputs as any).kubeconfig));
                assert.equal(kubeconfig["current-context"], clusterName, `${p.name} current context`);
                assert.deepEqual(
                    kubeconfig.clusters.map((c: any) => c.name),
                    [clusterName],
                    `${p.name} clusters`,
                );
                assert.match(
                    hostOf(kubeconfig.clusters[0].cluster.server),
                    new RegExp(`\\.${region}\\.eks\\.amazonaws\\.com$`),
                    `${p.name} server`,
                );
                // The token comes from `aws eks get-token` for this region's cluster, in this region.
                const args: string[] = kubeconfig.users[0].user.exec.args;
                const flag = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
                assert.equal(flag("--cluster-name"), clusterName, `${p.name}: aws ${args.join(" ")}`);
                assert.equal(flag("--region"), region, `${p.name}: aws ${args.join(" ")}`);
            }
        });

        it("peers the two VPCs, with routes on both sides", () => {
            assert.equal(res.ofType("aws:ec2/vpcPeeringConnection:VpcPeeringConnection").length, 1);
            assert.equal(res.ofType("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter").length, 1);
            const routes = res.ofType("aws:ec2/route:Route").filter((r) => (r.inputs as any).vpcPeeringConnectionId);
            const destinations = new Set(routes.map((r) => (r.inputs as any).destinationCidrBlock));
            assert.equal(destinations.size, 2);
        });

        it("runs migrations and Celery beat only in the primary; the secondary's Core waits for the primary's Job", () => {
            const jobs = res.component("kubernetes:batch/v1:Job", "migrations");
            assert.deepEqual(
                jobs.map((j) => j.name),
                ["eu-central-1-core-migrate"],
            );
            assert.deepEqual(
                res.component("kubernetes:apps/v1:Deployment", "beat").map((d) => d.name),
                ["eu-central-1-core-beat"],
            );
            for (const c of ["api", "worker", "beat"]) {
                for (const d of res.component("kubernetes:apps/v1:Deployment", c)) {
                    assert.ok(d.dependencies.includes(jobs[0].urn), `${d.name} waits for the migration`);
                }
            }
        });

        it("has the secondary write to the primary's writer and read from its own cross-region replica", () => {
            const instances = res.ofType("aws:rds/instance:Instance");
            const writer = instances.find((i) => !(i.inputs as any).replicateSourceDb)!;
            assert.equal(providerRegion(res, writer), "eu-central-1");
            assert.equal(instances.filter((i) => !(i.inputs as any).replicateSourceDb).length, 1, "exactly one writer");
            const crossRegion = instances.find((i) => providerRegion(res, i) === "eu-west-1")!;
            assert.match((crossRegion.inputs as any).replicateSourceDb, /^arn:aws:rds:eu-central-1:/);

            const primaryEnv = coreEnv(res, "eu-central-1");
            const secondaryEnv = coreEnv(res, "eu-west-1");
            // One writer for both regions: the secondary's through its connection pooler (tests/stacks/pooler.spec.ts).
            assert.equal(hostOf(secondaryEnv.DATABASE_URL), "saleor-pooler.saleor.svc.cluster.local");
            const pooler = (res.one("kubernetes:core/v1:ConfigMap", "eu-west-1-pooler-config").inputs as any).data["pgbouncer.ini"];
            assert.ok(pooler.includes(`host=${hostOf(primaryEnv.DATABASE_URL)} `), "one writer for both regions");
            assert.match(hostOf(secondaryEnv.DATABASE_URL_REPLICA), /\.eu-west-1\.rds\.amazonaws\.com$/);
            assert.match(hostOf(primaryEnv.DATABASE_URL), /\.eu-central-1\.rds\.amazonaws\.com$/);
            for (const env of [primaryEnv, secondaryEnv]) {
                assert.match(env.CACHE_URL, /^rediss:\/\//);
                assert.match(env.CELERY_BROKER_URL, /^rediss:\/\/.*\/1\?ssl_cert_reqs=required$/);
            }
        });

        it("keeps each region's cache local and every region's media in the primary bucket", () => {
            const primaryEnv = coreEnv(res, "eu-central-1");
            const secondaryEnv = coreEnv(res, "eu-west-1");
            assert.notEqual(
                hostOf(primaryEnv.CACHE_URL.replace("rediss", "https")),
                hostOf(secondaryEnv.CACHE_URL.replace("rediss", "https")),
            );
            const media = (region: string) => (res.one("kubernetes:core/v1:ConfigMap", `${region}-core-config`).inputs as any).data;
            assert.equal(media("eu-west-1").AWS_MEDIA_BUCKET_NAME, media("eu-central-1").AWS_MEDIA_BUCKET_NAME);
            assert.equal(media("eu-west-1").AWS_S3_REGION_NAME, "eu-central-1");
        });

        it("runs Core under a service account bound to a media role through Pod Identity", () => {
            for (const region of ["eu-central-1", "eu-west-1"]) {
                const api = res.workload(`${region}-core-api`);
                assert.equal((api.inputs as any).spec.template.spec.serviceAccountName, "saleor-core");
            }
            const associations = res
                .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .filter((a) => (a.inputs as any).serviceAccount === "saleor-core");
            assert.equal(associations.length, 2);
        });

        it("serves HTTPS through one shared ALB per region", () => {
            for (const i of res.ofType("kubernetes:networking.k8s.io/v1:Ingress")) {
                const a = (i.inputs as any).metadata.annotations;
                assert.equal((i.inputs as any).spec.ingressClassName, "alb");
                assert.equal(a["alb.ingress.kubernetes.io/group.name"], `saleor-${stack}`);
                assert.match(a["alb.ingress.kubernetes.io/listen-ports"], /"HTTPS": 443/);
                assert.equal(a["alb.ingress.kubernetes.io/ssl-redirect"], "443");
            }
        });

        it("points each region's Route 53 alias records at the ALB its own API Ingress reports", () => {
            const records = res.ofType("aws:route53/record:Record").filter((r) => (r.inputs as any).aliases?.length);
            const toAlb = records.filter((r) => !String((r.inputs as any).aliases[0].zoneId).startsWith("Z2FDTNDATAQYW2"));
            assert.ok(toAlb.length > 0, "no alias record to a load balancer");
            for (const r of toAlb) {
                const region = providerRegion(res, r) ?? topRegion(res, r);
                const name = (r.inputs as any).aliases[0].name;
                assert.match(String(name), new RegExp(`^k8s-[a-z0-9]+-[0-9a-f]{10}-\\d+\\.${region}\\.elb\\.amazonaws\\.com$`), r.urn);
            }
        });

        it("builds the Core image once and pulls it in the secondary from its own region's registry", () => {
            assert.equal(res.ofType("docker:index/image:Image").filter((i) => i.name.startsWith("core-")).length, 1);
            const image = (region: string) => (res.workload(`${region}-core-api`).inputs as any).spec.template.spec.containers[0].image;
            assert.ok(
                image("eu-central-1").startsWith(`${accountId}.dkr.ecr.eu-central-1.amazonaws.com/${stack}/saleor-core@sha256:`),
                image("eu-central-1"),
            );
            assert.ok(
                image("eu-west-1").startsWith(`${accountId}.dkr.ecr.eu-west-1.amazonaws.com/${stack}/saleor-core@sha256:`),
                image("eu-west-1"),
            );
            assert.equal(image("eu-west-1").split("@")[1], image("eu-central-1").split("@")[1]);
        });
    });
}

describe("production stack: high availability and protection", () => {
    let res: Resources;
    before(async () => {
        res = new Resources((await evaluated("production")).resources);
    });

    it("runs at least two API and worker replicas per region, with HPAs and PDBs", () => {
        for (const region of ["eu-central-1", "eu-west-1"]) {
            for (const c of ["api", "worker"]) {
                const hpa = res.one("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", `${region}-core-${c}`);
                assert.ok((hpa.inputs as any).spec.minReplicas >= 2, `${region} ${c}`);
                res.one("kubernetes:policy/v1:PodDisruptionBudget", `${region}-core-${c}`);
            }
        }
    });

    it("sizes web pods as the production guide does: 1 CPU / 2 GiB requested, 2 CPU / 4 GiB limit", () => {
        const api = res.workload("eu-central-1-core-api");
        assert.deepEqual((api.inputs as any).spec.template.spec.containers[0].resources, {
            requests: { cpu: "1", memory: "2Gi" },
            limits: { cpu: "2", memory: "4Gi" },
        });
    });

    it("keeps the writer Multi-AZ, deletion-protected, backed up 30 days, with a final snapshot", () => {
        const writer = res.ofType("aws:rds/instance:Instance").find((i) => !(i.inputs as any).replicateSourceDb)!;
        const i = writer.inputs as any;
        assert.equal(i.multiAz, true);
        assert.equal(i.deletionProtection, true);
        assert.equal(i.backupRetentionPeriod, 30);
        assert.equal(i.skipFinalSnapshot, false);
        assert.equal(i.storageEncrypted, true);
        assert.equal(i.publiclyAccessible, false);
    });

    it("protects every database, cache, bucket, key and cluster from deletion", () => {
        const stateful = [
            "aws:rds/instance:Instance",
            "aws:elasticache/replicationGroup:ReplicationGroup",
            "aws:s3/bucket:Bucket",
            "aws:kms/key:Key",
            "aws:eks/cluster:Cluster",
        ];
        for (const type of stateful) {
            // Keys that encrypt stored data; the alert topics' keys only wrap messages in flight.
            const found = res.ofType(type).filter((r) => !r.name.endsWith("-alerts-key"));
            assert.ok(found.length > 0, type);
            for (const r of found) assert.equal(r.protect, true, `${type} ${r.name}`);
        }
    });

    it("uses a NAT gateway per zone and Multi-AZ caches with failover", () => {
        assert.equal(res.ofType("aws:ec2/natGateway:NatGateway").length, 6);
        for (const c of res.ofType("aws:elasticache/replicationGroup:ReplicationGroup")) {
            assert.equal((c.inputs as any).multiAzEnabled, true);
            assert.equal((c.inputs as any).automaticFailoverEnabled, true);
        }
    });

    it("replicates the media bucket to the secondary region", () => {
        assert.equal(res.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").length, 1);
    });
});

describe("staging stack: smaller and unprotected", () => {
    let res: Resources;
    before(async () => {
        res = new Resources((await evaluated("staging")).resources);
    });

    it("uses one NAT gateway per region and no Multi-AZ database", () => {
        assert.equal(res.ofType("aws:ec2/natGateway:NatGateway").length, 2);
        for (const i of res.ofType("aws:rds/instance:Instance")) assert.notEqual((i.inputs as any).multiAz, true, i.name);
    });

    it("protects nothing, so a staging stack can be torn down", () => {
        assert.deepEqual(
            res.all.filter((r) => r.protect).map((r) => r.name),
            [],
        );
        const writer = res.ofType("aws:rds/instance:Instance").find((i) => !(i.inputs as any).replicateSourceDb)!;
        assert.equal((writer.inputs as any).deletionProtection, false);
        assert.equal((writer.inputs as any).skipFinalSnapshot, true);
    });

    it("does not replicate media (the secondary writes to the primary's bucket; its own stays empty until a failover)", () => {
        assert.equal(res.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig").length, 0);
        assert.deepEqual(
            res
                .ofType("aws:s3/bucket:Bucket")
                .map((b) => b.name)
                .filter((n) => n.includes("-data-"))
                .sort(),
            ["eu-central-1-data-media", "eu-central-1-data-private", "eu-west-1-data-media", "eu-west-1-data-private"],
        );
    });
});
