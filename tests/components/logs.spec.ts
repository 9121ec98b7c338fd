import assert from "node:assert/strict";
import * as aws from "@pulumi/aws";
import { accountId } from "../../automation/plan/mocks";
import { RegionalLogs } from "../../components/logs";
import { registered, type RecordedResource } from "../support/harness";

const inputs = (r: RecordedResource) => r.inputs as any;

/** The statements of the access-log bucket's policy for a RegionalLogs in `region`. */
async function accessLogStatements(region: string): Promise<any[]> {
    const res = await registered(() => {
        const provider = new aws.Provider(region, { region: region as aws.Region });
        new RegionalLogs(`${region}-logs`, { region }, { providers: [provider] });
    });
    const policy = res.one("aws:s3/bucketPolicy:BucketPolicy", `${region}-logs-access-policy`);
    return JSON.parse(inputs(policy).policy).Statement;
}

describe("RegionalLogs", () => {
    it("lets the region's ELB account write ALB logs where AWS names one (regions older than August 2022)", async () => {
        const elb = (await accessLogStatements("eu-west-1")).find((s) => s.Sid === "AllowElbAccessLogs");
        assert.deepEqual(elb.Principal, { AWS: "arn:aws:iam::156460612806:root" });
    });

    it("lets the log delivery service principal write ALB logs in newer regions", async () => {
        const elb = (await accessLogStatements("eu-central-2")).find((s) => s.Sid === "AllowElbAccessLogs");
        assert.deepEqual(elb.Principal, { Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
        assert.match(elb.Resource, new RegExp(`/alb/AWSLogs/${accountId}/\\*$`));
    });

    it("keeps logs 90 days unless told otherwise, and refuses a retention that is not a whole number of days", async () => {
        const res = await registered(() => new RegionalLogs("logs", { region: "eu-west-1" }));
        for (const l of res.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"))
            assert.equal(inputs(l).rules[0].expiration.days, 90);
        await assert.rejects(
            registered(() => new RegionalLogs("logs", { region: "eu-west-1", expirationDays: 0.5 })),
            /expirationDays 0.5 must be a whole number of days above 0/,
        );
    });

    it("removes expired object delete markers in a rule of their own, and aborts incomplete multipart uploads, in every log bucket", async () => {
        const res = await registered(() => new RegionalLogs("logs", { region: "eu-west-1" }));
        const configs = res.ofType("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
        assert.ok(configs.length >= 2, "the region's log buckets");
        for (const l of configs) {
            const rules: any[] = inputs(l).rules;
            const markers = rules.filter((r) => r.expiration?.expiredObjectDeleteMarker === true);
            assert.equal(markers.length, 1, "one rule removes the delete markers that expired logs leave in a versioned bucket");
            // expired_object_delete_marker conflicts with days and date (r/s3_bucket_lifecycle_configuration).
            assert.equal(markers[0].expiration.days, undefined);
            assert.equal(markers[0].expiration.date, undefined);
            assert.equal(markers[0].status, "Enabled");
            assert.ok(rules.some((r) => r.expiration?.days === 90));
            // Parts of an upload a service never completed are storage nobody sees: gone after a day.
            const abort = rules.filter((r) => r.abortIncompleteMultipartUpload !== undefined);
            assert.deepEqual(
                abort.map((r) => [r.filter, r.abortIncompleteMultipartUpload.daysAfterInitiation]),
                [[{}, 1]],
                "the whole bucket, once",
            );
            assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, "rule ids are unique");
        }
    });
});
