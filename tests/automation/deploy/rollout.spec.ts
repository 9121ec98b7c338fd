import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { breaks, healthy } from "../../../automation/deploy/fakes/region-server";
import { FakeStack } from "../../../automation/deploy/fakes/stack";
import { deploy, exitCode } from "../../../automation/deploy/rollout";
import type { ReleaseConfig } from "../../../automation/deploy/stack";
import { parseDeployArgs } from "../../../automation/deploy/args";
import { renderMarkdown, writeSummaries } from "../../../automation/deploy/summary";
import { assertSummaryShape, closeServers, FAST_VERIFY, harness, NEW, OLD, PRIMARY, region, SECONDARY } from "./harness";

// The driver end to end against the in-memory stack (see ./harness).

afterEach(closeServers);

describe("deploy driver: staged rollout", () => {
    it("a clean rollout updates and verifies the primary, then the secondary, and reports both deployed", async () => {
        const h = await harness();
        const summary = await h.run();

        assert.equal(summary.result, "succeeded");
        assert.equal(exitCode(summary), 0);
        // Primary alone first (the secondary pinned to its old release), then both.
        assert.deepEqual(h.ups(), [
            { [PRIMARY]: NEW, [SECONDARY]: OLD },
            { [PRIMARY]: NEW, [SECONDARY]: NEW },
        ]);
        assert.deepEqual(h.stack.releaseHistory, [
            { region: PRIMARY, release: NEW },
            { region: SECONDARY, release: NEW },
        ]);
        // Verification hit every host of both regions.
        for (const server of Object.values(h.servers)) {
            assert.equal(server.hits.health, 1);
            assert.equal(server.hits.graphql, 1);
            assert.equal(server.hits.storefront, 1);
        }
        assert.deepEqual(
            h.stack.config,
            { release: NEW, previousRelease: OLD },
            "every region runs the release: one key and the primary's previous, no pins",
        );

        assertSummaryShape(summary);
        assert.deepEqual(
            summary.regions.map((r) => [r.region, r.role, r.previousRelease, r.status]),
            [
                [PRIMARY, "primary", OLD, "deployed"],
                [SECONDARY, "secondary", OLD, "deployed"],
            ],
        );
        // Each region's own preview holds exactly its own steps.
        assert.deepEqual(region(summary, PRIMARY).preview?.changes, { create: 1, update: 1, same: 3 });
        assert.deepEqual(region(summary, SECONDARY).preview?.changes, { update: 1, same: 3 });
        assert.deepEqual(summary.preview?.changes, { create: 1, update: 2, same: 2 });
        assert.ok(region(summary, SECONDARY).verification?.checks.every((c) => c.ok));

        const md = renderMarkdown(summary);
        assert.match(md, /## ✅ Deploy `staging` → `3\.23\.5`: succeeded/);
        assert.match(md, /\| eu-central-1 \| primary \| 3\.23\.4 \| 3\.23\.5 \| create 1, update 1, same 3 \| deployed \| passed \|/);
        assert.match(md, /\| eu-west-1 \| secondary \| 3\.23\.4 \| 3\.23\.5 \| update 1, same 3 \| deployed \| passed \|/);
    });

    it("streams one progress line per changed resource step and none for unchanged ones", async () => {
        const h = await harness();
        await h.run();
        assert.ok(h.lines.includes(`  [${PRIMARY}] ~  update   kubernetes:apps/v1:Deployment  saleor-api-${PRIMARY}`));
        assert.ok(h.lines.includes(`  [${PRIMARY}] +  create   kubernetes:batch/v1:Job  migrate-${NEW}`));
        assert.ok(!h.lines.some((l) => l.includes("db-eu-central-1")), "unchanged resources stay out of the log");
    });

    it("a mandatory policy violation stops the run before any update and leaves the config as it was", async () => {
        const h = await harness({
            scenario: {
                policies: () => [
                    {
                        policyName: "rds-storage-encrypted",
                        enforcementLevel: "mandatory",
                        message: "RDS storage must be encrypted",
                        resourceName: "db-eu-central-1",
                    },
                    { policyName: "replicas-min", enforcementLevel: "warning", message: "fewer than 2 replicas" },
                ],
            },
        });
        const summary = await h.run();

        assert.equal(summary.result, "blocked");
        assert.equal(exitCode(summary), 3);
        assert.deepEqual(h.ups(), []);
        assert.deepEqual(h.stack.config, { release: OLD });
        assert.ok(h.stack.calls.some((c) => c.kind === "preview" && c.withPolicies));

        assertSummaryShape(summary);
        assert.equal(summary.preview?.policy.mandatory.length, 1);
        assert.equal(summary.preview?.policy.mandatory[0].policy, "rds-storage-encrypted");
        assert.equal(summary.preview?.policy.advisory.length, 1);
        assert.ok(summary.regions.every((r) => r.status === "not-started"));
        assert.match(summary.message, /mandatory policy violation: saleor-guard\/rds-storage-encrypted on db-eu-central-1/);
        const md = renderMarkdown(summary);
        assert.match(md, /⛔ Deploy `staging` → `3\.23\.5`: blocked/);
        assert.match(md, /\*\*Mandatory policy violations\*\*/);
        assert.match(md, /`saleor-guard\/rds-storage-encrypted`.*RDS storage must be encrypted/);
        assert.match(md, /\*\*Advisory policy findings\*\*/);
    });

    it("advisory policy findings are listed and do not stop the rollout", async () => {
        const h = await harness({
            scenario: { policies: () => [{ policyName: "replicas-min", enforcementLevel: "warning", message: "fewer than 2 replicas" }] },
        });
        const summary = await h.run();
        assert.equal(summary.result, "succeeded");
        assert.equal(summary.preview?.policy.advisory[0].policy, "replicas-min");
        assert.equal(region(summary, PRIMARY).preview?.policy.advisory.length, 1);
        assert.match(renderMarkdown(summary), /Advisory policy findings[\s\S]*replicas-min/);
    });

    it("a preview that would replace the database stops before any update", async () => {
        const h = await harness({
            scenario: { extraSteps: () => [{ op: "replace", type: "aws:rds/instance:Instance", name: "db-eu-central-1" }] },
        });
        const summary = await h.run();

        assert.equal(summary.result, "blocked");
        assert.equal(exitCode(summary), 3);
        assert.deepEqual(h.ups(), []);
        assert.deepEqual(h.stack.config, { release: OLD });
        assertSummaryShape(summary);
        assert.deepEqual(
            summary.preview?.statefulChanges.map((s) => [s.op, s.type]),
            [["replace", "aws:rds/instance:Instance"]],
        );
        assert.match(summary.message, /replace aws:rds\/instance:Instance db-eu-central-1.*--allow-replace/);
        assert.match(renderMarkdown(summary), /Replacements or deletions of stateful resources[\s\S]*replace `aws:rds\/instance:Instance`/);
    });

    it("--allow-replace lets a database replacement through and records it", async () => {
        const h = await harness({
            scenario: { extraSteps: () => [{ op: "replace", type: "aws:rds/instance:Instance", name: "db-eu-central-1" }] },
        });
        const summary = await h.run({ allowReplace: true });
        assert.equal(summary.result, "succeeded");
        assert.equal(h.ups().length, 2);
        assert.equal(summary.preview?.statefulChanges.length, 1);
        assert.ok(h.lines.some((l) => l.includes("--allow-replace: going ahead with replace aws:rds/instance:Instance")));
    });

    it("a region whose own preview turns up a stateful replacement is stopped before its update and the primary stays", async () => {
        // Assigned once the harness that reads it exists.
        // eslint-disable-next-line prefer-const
        let stack: FakeStack | undefined;
        const h = await harness({
            scenario: {
                // Only visible once the primary runs the new release, so the stack-wide gate passes.
                extraSteps: () =>
                    stack?.regions[0].release === NEW
                        ? [{ op: "replace", type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "cache-eu-west-1" }]
                        : [],
            },
        });
        stack = h.stack;
        const summary = await h.run();

        assert.equal(summary.result, "blocked");
        assert.equal(exitCode(summary), 3);
        assert.deepEqual(h.stack.releaseHistory, [{ region: PRIMARY, release: NEW }]);
        assert.deepEqual(h.stack.config.regionReleases, { [PRIMARY]: NEW, [SECONDARY]: OLD });
        assertSummaryShape(summary);
        const s = region(summary, SECONDARY);
        assert.equal(s.status, "blocked");
        assert.equal(s.preview?.statefulChanges[0].type, "aws:elasticache/replicationGroup:ReplicationGroup");
        assert.match(summary.message, /eu-west-1 was stopped before its update: .*cache-eu-west-1.*eu-central-1 stays on 3\.23\.5/);
        assert.match(renderMarkdown(summary), /### eu-west-1: preview[\s\S]*replace `aws:elasticache\/replicationGroup:ReplicationGroup`/);
    });

    it("a failing primary is rolled back and the secondary is never touched", async () => {
        const h = await harness({
            behaviourAt: (r, release) => (r === PRIMARY && release === NEW ? breaks("health", { status: 503 }) : healthy),
        });
        const summary = await h.run();

        assert.equal(summary.result, "failed");
        assert.equal(exitCode(summary), 1);
        assert.deepEqual(h.stack.releaseHistory, [
            { region: PRIMARY, release: NEW },
            { region: PRIMARY, release: OLD },
        ]);
        assert.deepEqual(h.ups(), [
            { [PRIMARY]: NEW, [SECONDARY]: OLD },
            { [PRIMARY]: OLD, [SECONDARY]: OLD },
        ]);
        assert.equal(h.servers[SECONDARY].hits.health, 0, "nobody even probed the secondary");
        assert.deepEqual(
            h.stack.config,
            { release: OLD, previousRelease: NEW },
            "every region runs what it ran before, and the failed release's pre-migration snapshot stays named",
        );

        assertSummaryShape(summary);
        const p = region(summary, PRIMARY);
        assert.equal(p.status, "rolled-back");
        assert.equal(p.verification?.checks[0].status, 503);
        assert.equal(p.verification?.checks[0].attempts, FAST_VERIFY.attempts);
        assert.deepEqual(
            p.verification?.checks.map((c) => [c.check, c.ok, c.skipped ?? false]),
            [
                ["health", false, false],
                ["graphql", false, true],
                ["storefront", false, true],
            ],
        );
        assert.equal(p.rollback?.release, OLD);
        assert.equal(p.rollback?.verified, true);
        assert.equal(region(summary, SECONDARY).status, "not-started");
        assert.match(summary.message, /eu-central-1: verification failed: health .*HTTP 503 after 3 attempts/);
        assert.match(summary.message, /rolled back to 3\.23\.4 and the rollback verified/);
        assert.match(summary.message, /eu-west-1 was not touched/);

        const md = renderMarkdown(summary);
        assert.match(md, /❌ Deploy `staging` → `3\.23\.5`: failed/);
        assert.match(md, /\| eu-central-1 \| primary \| 3\.23\.4 \| 3\.23\.5 \| .* \| rolled-back \| failed \|/);
        assert.match(md, /\| eu-west-1 \| secondary \| 3\.23\.4 \| 3\.23\.5 \| – \| not-started \| – \|/);
        assert.match(md, /### eu-central-1: verification[\s\S]*❌ health `http:\/\/127\.0\.0\.1:\d+\/health\/`: HTTP 503/);
        assert.match(md, /### eu-central-1: rollback to `3\.23\.4` verified ✅/);
    });

    it("the rollback update runs without the policy pack, so a newer rule cannot hold back the known-good release", async () => {
        const h = await harness({
            behaviourAt: (r, release) => (r === PRIMARY && release === NEW ? breaks("health", { status: 503 }) : healthy),
        });
        await h.run();
        const ups = h.stack.calls.filter((c) => c.kind === "up");
        assert.deepEqual(
            ups.map((c) => c.withPolicies),
            [true, false],
        );
    });

    it("a failing secondary is rolled back alone while the primary keeps the new release", async () => {
        const h = await harness({
            behaviourAt: (r, release) =>
                r === SECONDARY && release === NEW
                    ? breaks("graphql", { status: 200, json: { errors: [{ message: "relation does not exist" }] } })
                    : healthy,
        });
        const summary = await h.run();

        assert.equal(summary.result, "failed");
        assert.deepEqual(h.stack.releaseHistory, [
            { region: PRIMARY, release: NEW },
            { region: SECONDARY, release: NEW },
            { region: SECONDARY, release: OLD },
        ]);
        assert.deepEqual(h.stack.config.regionReleases, { [PRIMARY]: NEW, [SECONDARY]: OLD });

        assertSummaryShape(summary);
        assert.equal(region(summary, PRIMARY).status, "deployed");
        const s = region(summary, SECONDARY);
        assert.equal(s.status, "rolled-back");
        assert.equal(s.verification?.checks.find((c) => c.check === "graphql")?.error, "GraphQL error: relation does not exist");
        assert.equal(s.rollback?.verified, true);
        assert.match(summary.message, /eu-west-1: verification failed: graphql/);
        assert.match(summary.message, /eu-central-1 stays on 3\.23\.5/);
        assert.match(renderMarkdown(summary), /### eu-west-1: rollback to `3\.23\.4` verified ✅/);
    });

    it("a rollback that fails its own verification is reported as rollback-failed and asks for attention", async () => {
        // The new release's migration broke the shared database: from then on the
        // primary's API fails whichever image runs there.
        let migrated = false;
        const h = await harness({
            behaviourAt: (r, release) => {
                migrated ||= r === PRIMARY && release === NEW;
                return r === PRIMARY && migrated ? breaks("graphql", { status: 500 }) : healthy;
            },
        });
        const summary = await h.run();

        assert.equal(summary.result, "failed");
        assert.equal(exitCode(summary), 1);
        assertSummaryShape(summary);
        const p = region(summary, PRIMARY);
        assert.equal(p.status, "rollback-failed");
        assert.equal(p.rollback?.verified, false);
        assert.match(p.rollback?.error ?? "", /verification failed: graphql .*HTTP 500/);
        assert.equal(region(summary, SECONDARY).status, "not-started");
        assert.equal(h.servers[SECONDARY].hits.health, 0);
        assert.deepEqual(
            h.stack.releaseHistory.map((x) => x.region),
            [PRIMARY, PRIMARY],
        );
        assert.match(summary.message, /rollback to 3\.23\.4 did NOT verify/);
        assert.match(renderMarkdown(summary), /### eu-central-1: rollback to `3\.23\.4` NOT verified ❌/);
    });

    it("an update that fails is rolled back like a failed verification", async () => {
        const h = await harness({
            scenario: {
                failUpdate: (r, release) =>
                    r === PRIMARY && release === NEW ? "Job saleor-migrate failed: BackoffLimitExceeded" : undefined,
            },
        });
        const summary = await h.run();

        assert.equal(summary.result, "failed");
        const p = region(summary, PRIMARY);
        assert.equal(p.status, "rolled-back");
        assert.match(p.error ?? "", /the update failed: .*BackoffLimitExceeded/);
        assert.equal(p.verification, undefined);
        assert.deepEqual(h.ups().length, 2);
        assert.equal(region(summary, SECONDARY).status, "not-started");
        assert.ok(h.lines.some((l) => l.includes("✗ update failed  kubernetes:apps/v1:Deployment")));
    });

    it("--region limits the rollout to that region and pins every other region to its current release", async () => {
        const h = await harness();
        const summary = await h.run({ region: PRIMARY });
        assert.equal(summary.result, "succeeded");
        assert.deepEqual(h.ups(), [{ [PRIMARY]: NEW, [SECONDARY]: OLD }]);
        assert.deepEqual(
            summary.regions.map((r) => r.region),
            [PRIMARY],
        );
        assert.equal(h.servers[SECONDARY].hits.health, 0);
    });

    it("an unknown --region is a usage error that changes nothing", async () => {
        const h = await harness();
        const summary = await h.run({ region: "us-east-1" });
        assert.equal(summary.result, "error");
        assert.equal(summary.error?.kind, "usage");
        assert.equal(exitCode(summary), 2);
        assert.match(summary.message, /us-east-1 is not a region of stack staging \(regions: eu-central-1, eu-west-1\)/);
        assert.deepEqual(
            h.stack.calls.filter((c) => c.kind === "preview" || c.kind === "up"),
            [],
        );
    });

    it("--preview-only runs the gated preview of the whole rollout and changes nothing", async () => {
        const h = await harness({ config: { release: OLD, regionReleases: { [SECONDARY]: OLD } } });
        const summary = await h.run({ previewOnly: true });

        assert.equal(summary.result, "previewed");
        assert.equal(exitCode(summary), 0);
        assert.deepEqual(h.ups(), []);
        const previews = h.stack.calls.filter((c) => c.kind === "preview");
        assert.deepEqual(previews, [{ kind: "preview", withPolicies: true, releases: { [PRIMARY]: NEW, [SECONDARY]: NEW } }]);
        assert.deepEqual(h.stack.config, { release: OLD, regionReleases: { [SECONDARY]: OLD } }, "config restored exactly");
        assertSummaryShape(summary);
        assert.match(summary.message, /Preview of 3\.23\.5 passed the gates \(create 1, update 2, same 2\); nothing was changed/);
        assert.match(renderMarkdown(summary), /🔎 Deploy `staging` → `3\.23\.5`: previewed/);
    });
});

describe("deploy driver: production confirmation", () => {
    it("production without --yes and without a terminal refuses before any update", async () => {
        const h = await harness({ stackName: "production" });
        const summary = await h.run();
        assert.equal(summary.result, "blocked");
        assert.equal(exitCode(summary), 3);
        assert.deepEqual(h.ups(), []);
        assert.match(summary.message, /production needs --yes or a confirmation on an interactive terminal/);
        assert.deepEqual(h.stack.config, { release: OLD });
    });

    it("production asks after the preview and stops when the answer is no", async () => {
        const h = await harness({ stackName: "production" });
        const questions: string[] = [];
        const summary = await h.run({}, async (q) => {
            questions.push(q);
            assert.ok(
                h.stack.calls.some((c) => c.kind === "preview"),
                "asked only after the preview",
            );
            return false;
        });
        assert.deepEqual(questions, [`Deploy ${NEW} to production (${PRIMARY}, ${SECONDARY})?`]);
        assert.equal(summary.result, "blocked");
        assert.deepEqual(h.ups(), []);
    });

    it("production with --yes goes ahead without asking", async () => {
        const h = await harness({ stackName: "production" });
        const summary = await h.run({ yes: true }, async () => assert.fail("must not ask"));
        assert.equal(summary.result, "succeeded");
    });
});

describe("deploy driver: environment problems and first deployment", () => {
    it("a missing Pulumi CLI ends the run with the explanation in both summaries, not a stack trace", async () => {
        const summary = await deploy(
            { stack: "staging", release: NEW, previewOnly: false, yes: false, allowReplace: false, verify: FAST_VERIFY },
            {
                openStack: async () => {
                    // The Automation API's CommandError text when `pulumi version` cannot be spawned.
                    throw new Error(
                        "code: -2\n stdout: \n stderr: Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT\n err?: Error: Command failed with ENOENT: pulumi version\nspawn pulumi ENOENT\n",
                    );
                },
                log: () => undefined,
            },
        );
        assert.equal(summary.result, "error");
        assert.equal(exitCode(summary), 4);
        assert.equal(summary.error?.kind, "pulumi-cli-missing");
        assertSummaryShape(summary);
        const md = renderMarkdown(summary);
        assert.match(md, /⚠️ Deploy `staging` → `3\.23\.5`: error/);
        assert.match(md, /not installed or not on PATH/);
        assert.match(md, /Cause: `pulumi-cli-missing`/);
        assert.match(md, /spawn pulumi ENOENT/);
        assert.doesNotMatch(md, /\n\s+at /, "no stack trace");
    });

    it("missing cloud credentials during the preview are explained and nothing is updated", async () => {
        const h = await harness({
            scenario: {
                // The provider's diagnostic; the CommandError itself only says "preview failed".
                failPreview: () =>
                    "pulumi:providers:aws resource 'default_7_48_0' has a problem: No valid credential sources found.\nPlease see https://www.pulumi.com/registry/packages/aws/installation-configuration/",
            },
        });
        const summary = await h.run();
        assert.equal(summary.result, "error");
        assert.equal(exitCode(summary), 4);
        assert.equal(summary.error?.kind, "cloud-credentials");
        assert.match(summary.error?.detail ?? "", /No valid credential sources found/);
        assert.deepEqual(h.ups(), []);
        assert.deepEqual(h.stack.config, { release: OLD }, "config restored after the failed preview");
        const md = renderMarkdown(summary);
        assert.match(md, /aws sts get-caller-identity/);
        assert.match(md, /Cause: `cloud-credentials`/);
    });

    it("a stack with no outputs yet gets one update of every region and then verifies each of them", async () => {
        const h = await harness({ deployed: false, config: {} });
        const summary = await h.run();
        assert.equal(summary.result, "succeeded");
        assert.deepEqual(h.ups(), [{ [PRIMARY]: NEW, [SECONDARY]: NEW }]);
        assert.deepEqual(h.stack.config, { release: NEW, regionReleases: undefined });
        assertSummaryShape(summary);
        assert.deepEqual(
            summary.regions.map((r) => [r.region, r.previousRelease, r.status]),
            [
                [PRIMARY, undefined, "deployed"],
                [SECONDARY, undefined, "deployed"],
            ],
        );
        assert.equal(h.servers[SECONDARY].hits.graphql, 1);
        assert.match(summary.message, /first deployment/);
    });

    it("a first deployment that fails verification reports that there is nothing to roll back to", async () => {
        const h = await harness({
            deployed: false,
            config: {},
            behaviourAt: (r) => (r === SECONDARY ? breaks("storefront", { status: 502 }) : healthy),
        });
        const summary = await h.run();
        assert.equal(summary.result, "failed");
        assert.equal(h.ups().length, 1);
        assert.equal(region(summary, SECONDARY).status, "failed");
        assert.equal(region(summary, SECONDARY).rollback, null);
        assert.match(summary.message, /eu-west-1 verification failed: storefront .*HTTP 502.*no previous release to roll back to/);
    });

    it("writes the JSON summary to a file and appends the Markdown to the job summary", async () => {
        const h = await harness();
        const summary = await h.run();
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deploy-summary-"));
        try {
            const json = path.join(dir, "out", "deploy-staging.json");
            const step = path.join(dir, "step-summary.md");
            fs.writeFileSync(step, "earlier step\n");
            writeSummaries(summary, { json, stepSummary: step });
            assert.deepEqual(JSON.parse(fs.readFileSync(json, "utf8")), JSON.parse(JSON.stringify(summary)));
            const md = fs.readFileSync(step, "utf8");
            assert.ok(md.startsWith("earlier step\n## ✅ Deploy"), "appended, not overwritten");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
describe("Saleor upgrades go one minor version at a time", () => {
    it("stops before any change when a release skips a minor version of what a region runs (exit 3)", async () => {
        const h = await harness({ saleorVersion: "3.21.4" });
        const summary = await h.run({ release: "3.23.5" });
        assert.equal(summary.result, "blocked");
        assert.equal(exitCode(summary), 3);
        assert.match(summary.message, /eu-central-1 runs Saleor 3\.21\.4; 3\.23\.5 skips 3\.22: upgrade one minor version at a time/);
        assert.deepEqual(h.ups(), [], "nothing was updated");
    });

    it("goes ahead with a skip only when told why, and records the reason in the summary", async () => {
        const h = await harness({ saleorVersion: "3.21.4" });
        const reason = "3.22 was never released to production; 3.23 tested on staging from 3.21";
        const summary = await h.run({ release: "3.23.5", allowMinorSkip: reason });
        assert.equal(summary.result, "succeeded", summary.message);
        assert.equal(summary.minorSkip, reason);
        assert.ok(h.ups().length > 0);
        const markdown = renderMarkdown(summary);
        assert.ok(markdown.includes(reason), markdown);
        const parsed = parseDeployArgs(["--stack", "staging", "--release", "3.23.5", "--allow-minor-skip", "  "]);
        assert.equal(parsed.kind, "problems");
        assert.match((parsed as { problems: string[] }).problems.join(), /--allow-minor-skip needs a reason/);
        const ok = parseDeployArgs(["--stack", "staging", "--release", "3.23.5", "--allow-minor-skip", reason]);
        assert.equal(ok.kind === "ok" && ok.options.deploy.allowMinorSkip, reason);
    });

    it("lets the next minor, a patch and a git-SHA release through", async () => {
        for (const release of ["3.22.0", "3.21.9", "a1b2c3d"]) {
            const h = await harness({ saleorVersion: "3.21.4" });
            const summary = await h.run({ release });
            assert.equal(summary.result, "succeeded", `${release}: ${summary.message}`);
        }
    });
});

describe("pinned regions keep the Saleor version they run", () => {
    it("pins the secondary's Saleor version with its release while the primary moves, and lifts both at the end", async () => {
        const h = await harness({ saleorVersion: "3.23.4" });
        const summary = await h.run({ release: "a1b2c3d" });
        assert.equal(summary.result, "succeeded");
        const configs = h.stack.calls.filter((c) => c.kind === "setReleaseConfig").map((c) => (c as { config: ReleaseConfig }).config);
        const primaryOnly = configs.find((c) => c.regionReleases?.[PRIMARY] === "a1b2c3d" && c.regionReleases?.[SECONDARY] === OLD);
        assert.deepEqual(primaryOnly, {
            release: OLD,
            regionReleases: { [PRIMARY]: "a1b2c3d", [SECONDARY]: OLD },
            regionSaleorVersions: { [SECONDARY]: "3.23.4" },
            // The primary has moved: its previous release's snapshot is kept (saleor:previousRelease).
            previousRelease: OLD,
        });
        assert.equal(configs.at(-1)?.regionSaleorVersions, undefined, "nothing stays pinned once every region runs the release");
    });
});
