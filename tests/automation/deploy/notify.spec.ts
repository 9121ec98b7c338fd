import { strict as assert } from "node:assert";
import { breaks, healthy } from "../../../automation/deploy/fakes/region-server";
import type { FetchLike } from "../../../automation/deploy/notify";
import { exitCode } from "../../../automation/deploy/rollout";
import { closeServers, harness, NEW, PRIMARY } from "./harness";

// Release notifications to a Slack-compatible webhook: start, success, rollback, failure, each
// linking the summary; a webhook that fails never fails the release.

const WEBHOOK = "https://hooks.slack.com/services/T0001/B0001/secret-token";
const LINK = "https://github.com/shop/saleor-pulumi/actions/runs/42";
const settings = { releaseWebhookUrl: WEBHOOK };
const secretSettings = ["releaseWebhookUrl"];

interface Posted {
    url: string;
    text: string;
}

function recorder(answer: () => Promise<{ ok: boolean; status: number }> = async () => ({ ok: true, status: 200 })) {
    const posted: Posted[] = [];
    const fetch: FetchLike = async (url, init) => {
        assert.equal(init.method, "POST");
        assert.equal(init.headers["content-type"], "application/json");
        posted.push({ url, text: (JSON.parse(init.body) as { text: string }).text });
        return answer();
    };
    return { posted, fetch };
}

afterEach(closeServers);

describe("deploy driver: release notifications", () => {
    it("announces the start and the success, each with the link to the summary", async () => {
        const r = recorder();
        const h = await harness({ scenario: { settings, secretSettings }, fetch: r.fetch, summaryLink: LINK });
        const summary = await h.run();
        assert.equal(summary.result, "succeeded");
        assert.deepEqual(
            r.posted.map((p) => p.url),
            [WEBHOOK, WEBHOOK],
        );
        assert.match(
            r.posted[0].text,
            /^:rocket: Release 3\.23\.5 to staging \(eu-central-1, eu-west-1\) started\.\nSummary: https:\/\/github\.com\/shop\/saleor-pulumi\/actions\/runs\/42$/,
        );
        assert.match(r.posted[1].text, /^:white_check_mark: Release 3\.23\.5 to staging .* is live and verified\.\nSummary: /);
        assert.deepEqual(summary.notifications, [
            { event: "start", sent: true },
            { event: "success", sent: true },
        ]);
        assert.ok(!JSON.stringify(summary).includes("secret-token"), "the webhook URL is not in the summary");
        assert.ok(!h.lines.join("\n").includes("secret-token"), "nor in the log");
    });

    it("announces a rollback with what failed", async () => {
        const r = recorder();
        const h = await harness({
            scenario: { settings, secretSettings },
            fetch: r.fetch,
            behaviourAt: (region, release) => (region === PRIMARY && release === NEW ? breaks("health", { status: 503 }) : healthy),
        });
        const summary = await h.run();
        assert.equal(summary.result, "failed");
        assert.equal(r.posted.length, 2);
        assert.match(r.posted[1].text, /^:rewind: Release 3\.23\.5 to staging .* was rolled back: eu-central-1: verification failed/);
    });

    it("announces a failure that is not a rollback", async () => {
        const r = recorder();
        const h = await harness({
            scenario: { settings, secretSettings, failUpdate: (region) => (region === PRIMARY ? "boom" : undefined) },
            fetch: r.fetch,
            behaviourAt: (region, release) => (release !== NEW ? breaks("health", { status: 503 }) : healthy),
        });
        const summary = await h.run();
        assert.equal(summary.result, "failed");
        assert.match(r.posted.at(-1)?.text ?? "", /^:x: Release 3\.23\.5 to staging .* FAILED: /);
    });

    it("says nothing for a run that stopped at a gate or only previewed", async () => {
        const r = recorder();
        const h = await harness({ scenario: { settings, secretSettings }, fetch: r.fetch });
        assert.equal((await h.run({ previewOnly: true })).result, "previewed");
        assert.deepEqual(r.posted, []);
    });

    it("a webhook that fails or hangs up is a warning: the release still succeeds", async () => {
        for (const answer of [async () => ({ ok: false, status: 500 }), async () => Promise.reject(new TypeError("fetch failed"))]) {
            const r = recorder(answer);
            const h = await harness({ scenario: { settings, secretSettings }, fetch: r.fetch });
            const summary = await h.run();
            assert.equal(summary.result, "succeeded");
            assert.equal(exitCode(summary), 0);
            assert.deepEqual(
                summary.notifications?.map((n) => n.sent),
                [false, false],
            );
            assert.ok(
                h.lines.some((l) => /warning: .*release webhook \(hooks\.slack\.com\).*the deploy goes on/.test(l)),
                h.lines.join("\n"),
            );
        }
    });

    it("a webhook URL that is not a secret is a config error naming the key, before any change", async () => {
        const r = recorder();
        const h = await harness({ scenario: { settings }, fetch: r.fetch });
        const summary = await h.run();
        assert.equal(exitCode(summary), 2);
        assert.match(summary.message, /saleor:releaseWebhookUrl: holds credentials, so it must be a secret/);
        assert.deepEqual(r.posted, []);
        assert.deepEqual(h.ups(), []);
    });
});
