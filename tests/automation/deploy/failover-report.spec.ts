import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseDeployArgs, USAGE } from "../../../automation/deploy/args";
import { STAGES } from "../../../automation/deploy/failover";
import type { FetchLike } from "../../../automation/deploy/notify";
import { renderFailoverMarkdown, writeSummaries } from "../../../automation/deploy/summary";
import { setup } from "./failover-harness";
import { PRIMARY, SECONDARY } from "./harness";

// A failover reports like a release: the same two summaries (JSON for tools, Markdown for the job
// summary) with each stage's result and time, the release webhook hears its start, a failed stage
// and its success, and the stack's deployment windows are judged the way docs/operations.md says.

const WEBHOOK = "https://hooks.slack.com/services/T0001/B0001/secret-token";
const LINK = "https://github.com/shop/saleor-pulumi/actions/runs/7";
const webhook = { settings: { releaseWebhookUrl: WEBHOOK }, secretSettings: ["releaseWebhookUrl"] };

function recorder() {
    const posted: string[] = [];
    const fetch: FetchLike = async (url, init) => {
        assert.equal(url, WEBHOOK);
        posted.push((JSON.parse(init.body) as { text: string }).text);
        return { ok: true, status: 200 };
    };
    return { posted, fetch };
}

const productionWindows = {
    releaseWindows: {
        timeZone: "Europe/Berlin",
        windows: [{ days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "02:00", to: "04:00" }],
    },
};
const stagingWindows = {
    releaseWindows: { timeZone: "America/Los_Angeles", windows: [{ days: ["tue", "wed", "thu"], from: "10:00", to: "15:00" }] },
};
// Friday 2026-12-04 14:00 in Berlin, 05:00 in Los Angeles: outside both stacks' windows.
const FRIDAY_AFTERNOON = new Date("2026-12-04T13:00:00Z");

describe("deploy --failover: summaries, notifications and deployment windows", () => {
    it("writes the release's two summaries with each stage's result, start and time", async () => {
        {
            const run = setup("production");
            const summary = await run.go({ to: SECONDARY });
            assert.equal(summary.exitCode, 0, summary.message);
            assert.equal(summary.kind, "failover");
            assert.deepEqual([summary.from, summary.to, summary.result], [PRIMARY, SECONDARY, "succeeded"]);
            assert.deepEqual(
                summary.legs[0].stages.map((s) => [s.stage, s.result, s.startedAt, s.durationMs]),
                [
                    ["preflight", "done", "2026-12-02T02:00:00.000Z", 0],
                    ["release-old", "done", "2026-12-02T02:00:00.000Z", 60_000],
                    ["promote", "done", "2026-12-02T02:01:00.000Z", 60_000],
                    ["target-region", "done", "2026-12-02T02:02:00.000Z", 60_000],
                    ["other-region", "done", "2026-12-02T02:03:00.000Z", 60_000],
                    ["migrations-beat", "done", "2026-12-02T02:04:00.000Z", 120_000],
                ],
            );
            assert.equal(summary.startedAt, "2026-12-02T02:00:00.000Z");
            assert.equal(summary.durationMs, 6 * 60_000);

            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "failover-summary-"));
            const json = path.join(dir, "out", "failover.json");
            const md = path.join(dir, "step-summary.md");
            writeSummaries(summary, { json, stepSummary: md });
            assert.deepEqual(JSON.parse(fs.readFileSync(json, "utf8")), JSON.parse(JSON.stringify(summary)));
            const markdown = fs.readFileSync(md, "utf8");
            assert.match(markdown, /^## ✅ Failover `production`: eu-central-1 → eu-west-1: succeeded/);
            assert.match(markdown, /\| eu-central-1 → eu-west-1 \| promote \| done \| 2026-12-02T02:01:00\.000Z \| 60\.0 s \|/);
        }
    });

    it("a failed stage is in the summary with its error; the stages after it did not start", async () => {
        const run = setup("staging", {
            failUp: (_n, { target }) => (target?.some((g) => g.includes(`::${PRIMARY}-*`)) ? "the source is busy" : undefined),
        });
        const summary = await run.go({ to: SECONDARY });
        assert.equal(summary.exitCode, 1);
        assert.equal(summary.result, "failed");
        const stages = summary.legs[0].stages;
        assert.deepEqual(
            stages.map((s) => [s.stage, s.result]),
            [
                ["preflight", "done"],
                ["release-old", "done"],
                ["promote", "done"],
                ["target-region", "done"],
                ["other-region", "failed"],
            ],
        );
        assert.match(stages.at(-1)!.error ?? "", /the source is busy/);
        assert.match(renderFailoverMarkdown(summary), /\| other-region \| failed \|/);
        assert.match(renderFailoverMarkdown(summary), /--failover --resume/);
    });

    it("the release webhook hears the start, a failed stage and the success of the resume, never its URL", async () => {
        const r = recorder();
        let failed = false;
        const run = setup(
            "staging",
            {
                ...webhook,
                failUp: (_n, { target }) => {
                    if (failed || !target?.some((g) => g.includes(`::${PRIMARY}-*`))) return undefined;
                    failed = true;
                    return "the source is busy";
                },
            },
            undefined,
            { fetch: r.fetch, summaryLink: LINK },
        );
        const first = await run.go({ to: SECONDARY });
        assert.equal(first.exitCode, 1);
        const resumed = await run.go({ resume: true });
        assert.equal(resumed.exitCode, 0, resumed.message);
        assert.equal(r.posted.length, 4, r.posted.join("\n"));
        assert.match(
            r.posted[0],
            /^:rotating_light: Failover of staging from eu-central-1 to eu-west-1 started\.\nSummary: https:\/\/github\.com\//,
        );
        assert.match(r.posted[1], /^:x: Failover of staging from eu-central-1 to eu-west-1 FAILED at other-region: .*source is busy/);
        assert.match(r.posted[1], /--failover --resume/);
        assert.match(r.posted[2], /^:rotating_light: Failover of staging from eu-central-1 to eu-west-1 resumed after target-region\./);
        assert.match(
            r.posted[3],
            /^:white_check_mark: Failover of staging from eu-central-1 to eu-west-1 is done: eu-west-1 is the primary region\./,
        );
        assert.deepEqual(first.notifications, [
            { event: "start", sent: true },
            { event: "failure", sent: true },
        ]);
        for (const text of [JSON.stringify(first), JSON.stringify(resumed), run.lines.join("\n")]) {
            assert.ok(!text.includes("secret-token"), "the webhook URL is in no summary and no log line");
        }
    });

    it("a run stopped before any change posts nothing", async () => {
        const r = recorder();
        const run = setup("staging", { ...webhook, locked: true }, undefined, { fetch: r.fetch });
        const summary = await run.go({ to: SECONDARY });
        assert.equal(summary.exitCode, 4);
        assert.deepEqual(r.posted, []);
    });

    describe("deployment windows", () => {
        it("never hold back a failover: outside the windows it runs, and the summary says so", async () => {
            const run = setup("production", { settings: productionWindows }, undefined, { start: FRIDAY_AFTERNOON });
            const summary = await run.go({ to: SECONDARY });
            assert.equal(summary.exitCode, 0, summary.message);
            assert.deepEqual(summary.window, {
                inside: false,
                local: "Fri 14:00 (Europe/Berlin)",
                windows: "mon,tue,wed,thu,fri,sat,sun 02:00–04:00 (Europe/Berlin)",
            });
            assert.match(renderFailoverMarkdown(summary), /outside the deployment windows/);
        });

        it("hold back a drill outside the windows (exit 3, nothing changed) unless --emergency gives a reason", async () => {
            const run = setup("staging", { settings: stagingWindows }, undefined, { start: FRIDAY_AFTERNOON });
            const refused = await run.go({ to: SECONDARY, drill: true });
            assert.equal(refused.exitCode, 3);
            assert.equal(refused.result, "blocked");
            assert.match(
                refused.message,
                /a drill is planned work: it is Fri 05:00 \(America\/Los_Angeles\), outside the deployment windows/,
            );
            assert.match(refused.message, /--emergency "<reason>"/);
            assert.deepEqual(
                run.stack.calls.filter((c) => c.kind !== "preview"),
                [],
            );

            const allowed = await run.go({ to: SECONDARY, drill: true, emergency: "game day with the on-call team" });
            assert.equal(allowed.exitCode, 0, allowed.message);
            assert.equal(allowed.emergency, "game day with the on-call team");
            assert.match(renderFailoverMarkdown(allowed), /game day with the on-call team/);
        });

        it("never hold back --resume: a failover half done is worse than one finished outside a window", async () => {
            const run = setup("staging", { settings: stagingWindows }, "promote", { start: new Date("2026-12-01T19:00:00Z") });
            const crashed = await run.go({ to: SECONDARY, drill: true });
            assert.notEqual(crashed.exitCode, 0);
            run.clock.now = FRIDAY_AFTERNOON;
            const resumed = await run.go({ resume: true });
            assert.equal(resumed.exitCode, 0, resumed.message);
        });

        it("the command line takes --summary and --emergency with --failover; an emergency needs a reason", () => {
            const parsed = parseDeployArgs([
                "--stack",
                "staging",
                "--failover",
                "--to",
                SECONDARY,
                "--drill",
                "--emergency",
                "game day",
                "--summary",
                "failover.json",
            ]);
            assert.deepEqual(parsed, {
                kind: "failover",
                options: { stack: "staging", to: SECONDARY, resume: false, drill: true, yes: false, emergency: "game day" },
                summaryPath: "failover.json",
            });
            const problems = parseDeployArgs(["--stack", "staging", "--failover", "--to", SECONDARY, "--emergency", " "]);
            assert.equal(problems.kind, "problems");
            assert.match(problems.kind === "problems" ? problems.problems.join() : "", /--emergency needs a reason/);
            assert.match(USAGE, /--failover[\s\S]*--summary <file>/);
        });
    });

    it("every stage of a normal failover is in the summary, in order", async () => {
        const summary = await setup("staging").go({ to: SECONDARY });
        assert.deepEqual(
            summary.legs[0].stages.map((s) => s.stage),
            [...STAGES],
        );
    });
});
