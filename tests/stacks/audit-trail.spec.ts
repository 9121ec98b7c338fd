import assert from "node:assert/strict";
import { accountId } from "../../automation/plan/mocks";
import { Resources, type RecordedResource } from "../support/harness";
import { evaluated } from "../support/plans";

/**
 * The audit trail a platform team expects of an AWS account (AWS Foundational Security Best
 * Practices: EC2.6 VPC flow logs, EC2.2 default security groups, WAF.11 web ACL logging, ELB.5 and
 * ELB.6 load balancer logs and deletion protection, CloudFront.5 distribution logs, S3.9 bucket
 * access logs): where each log goes, how long it is kept, and who can read it.
 */

const T = {
    vpc: "aws:ec2/vpc:Vpc",
    flowLog: "aws:ec2/flowLog:FlowLog",
    defaultSg: "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
    bucket: "aws:s3/bucket:Bucket",
    publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
    bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
    bucketLogging: "aws:s3/bucketLogging:BucketLogging",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    wafLogging: "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    ingress: "kubernetes:networking.k8s.io/v1:Ingress",
    distribution: "aws:cloudfront/distribution:Distribution",
} as const;

const inputs = (r: RecordedResource) => r.inputs as any;
const regions = ["eu-central-1", "eu-west-1"];

/** The ELB accounts AWS names for the regions the stacks use (ELB User Guide, "Enable access logs"). */
const elbAccounts: Record<string, string> = { "eu-central-1": "054676820928", "eu-west-1": "156460612806" };

/** The bucket named `name` and what configures it: every log bucket is private, encrypted and expires its objects. */
function logBucket(res: Resources, name: string) {
    const bucket = res.ofType(T.bucket).find((b) => inputs(b).bucket === name);
    assert.ok(bucket, `no bucket named ${name}: ${res.ofType(T.bucket).map((b) => inputs(b).bucket ?? b.name)}`);
    const of = (type: string) => res.ofType(type).filter((r) => inputs(r).bucket === name);
    const [publicAccess] = of(T.publicAccess);
    assert.ok(publicAccess, `${name} blocks public access`);
    for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"])
        assert.equal(inputs(publicAccess)[flag], true, `${name} ${flag}`);
    const [encryption] = of(T.encryption);
    assert.ok(encryption, `${name} is encrypted`);
    const [lifecycle] = of(T.lifecycle);
    assert.ok(lifecycle, `${name} has a lifecycle`);
    const expiry = inputs(lifecycle).rules.find((r: any) => r.expiration?.days)?.expiration.days;
    const [policy] = of(T.bucketPolicy);
    assert.ok(policy, `${name} has a policy`);
    return {
        bucket,
        sse: inputs(encryption).rules[0].applyServerSideEncryptionByDefault,
        expiryDays: expiry as number,
        ownership: inputs(of(T.ownership)[0])?.rule?.objectOwnership as string | undefined,
        statements: JSON.parse(inputs(policy).policy).Statement as any[],
    };
}

const grants = (statements: any[], principal: (p: any) => boolean, action: string) =>
    statements.filter((s) => s.Effect === "Allow" && principal(s.Principal) && [s.Action].flat().includes(action));

for (const stack of ["staging", "production"] as const) {
    const protect = stack === "production";
    const retentionDays = protect ? 365 : 90;
    const accessLogs = (region: string) => `saleor-${stack}-${region}-access-logs-${accountId}`;
    const wafLogs = (region: string) => `aws-waf-logs-saleor-${stack}-${region}-${accountId}`;

    describe(`${stack} stack: an audit trail`, () => {
        let res: Resources;
        before(async () => {
            res = new Resources((await evaluated(stack)).resources);
        });

        it("logs every VPC's traffic to its region's log bucket, KMS-encrypted, kept for the retention", () => {
            const vpcs = res.ofType(T.vpc);
            assert.equal(vpcs.length, 2);
            for (const vpc of vpcs) {
                const region = regions.find((r) => vpc.name.startsWith(r))!;
                const flowLogs = res.ofType(T.flowLog).filter((f) => inputs(f).vpcId === vpc.id);
                assert.equal(flowLogs.length, 1, `${vpc.name} has one flow log`);
                const f = inputs(flowLogs[0]);
                assert.equal(f.trafficType, "ALL");
                assert.equal(f.logDestinationType, "s3");
                assert.equal(f.logDestination, `arn:aws:s3:::${wafLogs(region)}/vpc-flow-logs/`);
                const b = logBucket(res, wafLogs(region));
                assert.equal(b.sse.sseAlgorithm, "aws:kms");
                assert.ok(b.sse.kmsMasterKeyId, "with the region's log key");
                assert.equal(b.expiryDays, retentionDays);
                assert.equal(b.bucket.protect, protect);
                assert.equal(grants(b.statements, (p) => p?.Service === "delivery.logs.amazonaws.com", "s3:PutObject").length, 1);
            }
        });

        it("leaves no rule in any VPC's default security group", () => {
            for (const vpc of res.ofType(T.vpc)) {
                const groups = res.ofType(T.defaultSg).filter((g) => inputs(g).vpcId === vpc.id);
                assert.equal(groups.length, 1, `${vpc.name} adopts its default security group`);
                assert.deepEqual(inputs(groups[0]).ingress ?? [], []);
                assert.deepEqual(inputs(groups[0]).egress ?? [], []);
            }
        });

        it("logs every web ACL's requests, without Authorization or Cookie headers, to a bucket named aws-waf-logs-*", () => {
            const acls = res.ofType(T.webAcl);
            assert.ok(acls.length >= 2);
            for (const acl of acls) {
                const logging = res.ofType(T.wafLogging).filter((l) => l.dependencies.includes(acl.urn));
                assert.equal(logging.length, 1, `${acl.name} is logged`);
                const l = inputs(logging[0]);
                assert.equal(l.logDestinationConfigs.length, 1);
                const bucketName = l.logDestinationConfigs[0].replace(/^arn:aws:s3:::/, "");
                assert.match(bucketName, /^aws-waf-logs-/);
                logBucket(res, bucketName);
                const redacted = l.redactedFields.map((f: any) => f.singleHeader?.name).sort();
                assert.deepEqual(redacted, ["authorization", "cookie"]);
            }
        });

        it("has every ALB write access logs to its region's bucket, which ELB may write to, and protects it in production", () => {
            for (const region of regions) {
                const ingresses = res.ofType(T.ingress).filter((i) => i.name.startsWith(region));
                assert.ok(ingresses.length >= 3);
                for (const i of ingresses) {
                    const attributes = inputs(i).metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"];
                    assert.equal(
                        attributes,
                        `access_logs.s3.enabled=true,access_logs.s3.bucket=${accessLogs(region)},access_logs.s3.prefix=alb,deletion_protection.enabled=${protect}`,
                        i.name,
                    );
                }
                const b = logBucket(res, accessLogs(region));
                // ELB writes access logs only to buckets encrypted with SSE-S3.
                assert.equal(b.sse.sseAlgorithm, "AES256");
                assert.equal(b.expiryDays, retentionDays);
                assert.equal(b.bucket.protect, protect);
                const elb = grants(b.statements, (p) => p?.AWS === `arn:aws:iam::${elbAccounts[region]}:root`, "s3:PutObject");
                assert.equal(elb.length, 1, `${region}: the region's ELB account may write`);
                assert.equal(elb[0].Resource, `arn:aws:s3:::${accessLogs(region)}/alb/AWSLogs/${accountId}/*`);
            }
        });

        it("logs every request to the media and private buckets in the region's access-log bucket", () => {
            for (const region of regions) {
                const logged = res
                    .ofType(T.bucketLogging)
                    .filter((l) => l.name.startsWith(region) && inputs(l).targetBucket === accessLogs(region));
                assert.deepEqual(logged.map((l) => l.name).sort(), [
                    `${region}-data-media-access-logs`,
                    `${region}-data-private-access-logs`,
                ]);
                const b = logBucket(res, accessLogs(region));
                assert.equal(grants(b.statements, (p) => p?.Service === "logging.s3.amazonaws.com", "s3:PutObject").length, 1);
            }
        });

        if (protect) {
            it("has CloudFront write standard logs to a us-east-1 bucket with ACLs enabled, as legacy logging needs", () => {
                const [distribution] = res.ofType(T.distribution);
                const logging = inputs(distribution).loggingConfig;
                const name = `aws-waf-logs-saleor-${stack}-cdn-${accountId}`;
                assert.equal(logging.bucket, `${name}.s3.amazonaws.com`);
                assert.equal(logging.includeCookies, false);
                const b = logBucket(res, name);
                assert.equal(b.ownership, "BucketOwnerPreferred");
                assert.equal(b.expiryDays, retentionDays);
                assert.equal(b.bucket.protect, true);
            });
        }
    });
}
