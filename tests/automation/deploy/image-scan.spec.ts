import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { parseDeployArgs } from "../../../automation/deploy/args";
import { awsCliFindings, scanStateOf, type FindingsSource, type PushedImage, type ScanState } from "../../../automation/deploy/image-scan";
import { exitCode } from "../../../automation/deploy/rollout";
import { closeServers, harness, PRIMARY } from "./harness";

// The storefront image is scanned as built, before it serves traffic: the driver builds and pushes
// it alone (a targeted update), reads ECR's findings of the pushed digest, and refuses the release
// on CRITICAL or HIGH findings the allow-list does not name, before any region's update.

const ROOT = path.resolve(__dirname, "..", "..", "..");
const DIGEST_OLD = `sha256:${"a".repeat(64)}`;
const DIGEST_NEW = `sha256:${"b".repeat(64)}`;
const REPO = "123456789012.dkr.ecr.eu-central-1.amazonaws.com/staging/saleor-storefront";
const BEFORE = { repoDigest: `${REPO}@${DIGEST_OLD}`, imageName: `${REPO}:60fea0904a1b-eu-central-1-1111` };
const AFTER = { repoDigest: `${REPO}@${DIGEST_NEW}`, imageName: `${REPO}:70aa00000000-eu-central-1-2222` };

const finding = (name: string, severity: string, pkg = "openssl") => ({
    name,
    severity,
    attributes: [
        { key: "package_name", value: pkg },
        { key: "package_version", value: "3.0.1" },
    ],
});
const complete = (...findings: ReturnType<typeof finding>[]) =>
    scanStateOf({ imageScanStatus: { status: "COMPLETE" }, imageScanFindings: { findings } });

/** ECR as a list of answers, one per DescribeImageScanFindings; records what was asked. */
function ecr(...answers: ScanState[]): FindingsSource & { asked: PushedImage[] } {
    const asked: PushedImage[] = [];
    return {
        asked,
        async describe(image) {
            asked.push(image);
            return answers.length > 1 ? answers.shift()! : answers[0];
        },
    };
}

const allowList =
    (entries = "[]") =>
    () =>
        `vulnerabilities: ${entries}\n`;

async function scanRun(options: {
    findings: FindingsSource;
    list?: () => string;
    rebuild?: () => { repoDigest: string; imageName: string } | { error: string };
    skip?: string;
    timeoutMs?: number;
    /** A first deployment: no region deployed yet, and the storefront not built yet (its update pushes AFTER). */
    first?: boolean;
}) {
    const h = await harness(
        options.first
            ? { deployed: false, config: {}, scenario: { firstStorefrontBuild: AFTER } }
            : { scenario: { storefrontBuild: BEFORE, rebuildStorefront: options.rebuild ?? (() => AFTER) } },
    );
    const summary = await (
        await import("../../../automation/deploy/rollout")
    ).deploy(
        {
            stack: "staging",
            release: "3.23.5",
            previewOnly: false,
            yes: false,
            allowReplace: false,
            verify: { attempts: 3, timeoutMs: 250, backoffMs: 1, maxBackoffMs: 4 },
            ...(options.skip ? { skipImageScan: options.skip } : {}),
        },
        {
            openStack: async () => h.stack,
            log: (l) => h.lines.push(l),
            now: () => h.clock.now,
            sleep: async (ms) => {
                h.clock.slept.push(ms);
                h.clock.now = new Date(h.clock.now.getTime() + ms);
            },
            imageScan: {
                findings: options.findings,
                allowList: options.list ?? allowList(),
                timeoutMs: options.timeoutMs ?? 60_000,
                intervalMs: 5_000,
            },
        },
    );
    const ups = h.stack.calls.flatMap((c) => (c.kind === "up" ? [c] : []));
    return { h, summary, ups };
}

describe("deploy: the storefront image is scanned as built, before it serves traffic", () => {
    after(closeServers);

    it("a first deployment builds everything but the storefront's workloads, scans the image, then starts the storefront", async () => {
        const { summary, ups, h } = await scanRun({ first: true, findings: ecr(complete(finding("CVE-2026-0001", "MEDIUM"))) });
        assert.equal(summary.result, "succeeded", summary.message);
        assert.deepEqual(ups[0].exclude, h.stack.storefrontWorkloadUrns(), "the storefront's Rollouts (and what depends on them) wait");
        assert.equal(ups[0].excludeDependents, true);
        assert.equal(summary.imageScan?.result, "passed");
        assert.equal(ups.at(-1)!.exclude, undefined, "then the whole program");
        assert.equal(h.stack.storefrontServing, true);
    });

    it("a first deployment whose storefront image has a HIGH finding stops before any storefront serves", async () => {
        const { summary, ups, h } = await scanRun({ first: true, findings: ecr(complete(finding("CVE-2026-0002", "HIGH"))) });
        assert.equal(summary.result, "failed");
        assert.equal(exitCode(summary), 1);
        assert.equal(h.stack.storefrontServing, false, "no storefront workload was created");
        assert.ok(
            ups.every((u) => u.exclude !== undefined || u.target !== undefined),
            "no update of the whole program",
        );
        assert.match(summary.message, /CVE-2026-0002/);
    });

    it("builds and pushes the storefront image alone first, then reads ECR's findings of the pushed digest, then rolls out", async () => {
        const findings = ecr({ kind: "pending", status: "IN_PROGRESS" }, complete(finding("CVE-2026-0001", "MEDIUM")));
        const { summary, ups, h } = await scanRun({ findings });
        assert.equal(summary.result, "succeeded", summary.message);
        assert.deepEqual(ups[0].target, [h.stack.storefrontUrn()], "the first update targets the storefront's build alone");
        assert.ok(ups[0].withPolicies, "with the policy pack, like every forward update");
        assert.ok(
            ups.slice(1).every((u) => u.target === undefined),
            "then the regions' updates",
        );
        assert.deepEqual(findings.asked[0], {
            registryId: "123456789012",
            region: "eu-central-1",
            repository: "staging/saleor-storefront",
            digest: DIGEST_NEW,
            tag: "70aa00000000-eu-central-1-2222",
        });
        assert.equal(findings.asked.length, 2, "polled until the scan completed");
        assert.deepEqual(h.clock.slept.slice(0, 1), [5_000], "every 5 s, as the ImageScanComplete waiter");
        assert.equal(summary.imageScan?.result, "passed");
        assert.deepEqual(summary.imageScan?.counts, { MEDIUM: 1 });
    });

    it("refuses the release on a HIGH or CRITICAL finding the allow-list does not name: exit 1, no region changed, the unused tag named", async () => {
        const findings = ecr(
            complete(finding("CVE-2026-0002", "HIGH"), finding("CVE-2026-0003", "CRITICAL", "zlib"), finding("CVE-2026-0004", "LOW")),
        );
        const { summary, ups, h } = await scanRun({ findings });
        assert.equal(summary.result, "failed");
        assert.equal(exitCode(summary), 1);
        assert.equal(ups.length, 1, "only the targeted build ran: no region was updated");
        assert.ok(summary.regions.every((r) => r.status === "not-started"));
        assert.match(summary.message, /CVE-2026-0002 \(HIGH, openssl 3\.0\.1\), CVE-2026-0003 \(CRITICAL, zlib 3\.0\.1\)/);
        assert.doesNotMatch(summary.message, /CVE-2026-0004/);
        assert.match(summary.message, /nothing to roll back/);
        assert.match(
            summary.message,
            /What is left: the image tag 70aa00000000-eu-central-1-2222 in staging\/saleor-storefront \(eu-central-1\), which no region runs/,
        );
        assert.equal(summary.imageScan?.result, "refused");
        assert.deepEqual(
            summary.imageScan?.blocking?.map((f) => f.id),
            ["CVE-2026-0002", "CVE-2026-0003"],
        );
        assert.deepEqual(h.stack.releaseHistory, []);
        assert.deepEqual(JSON.parse(JSON.stringify(summary)).imageScan.result, "refused", "in the JSON summary");
    });

    it("honours an allow-list entry until its expiry day, and refuses once it has passed", async () => {
        const entry = (day: string) =>
            allowList(`[{id: CVE-2026-0002, statement: "not reachable from the storefront", expired_at: "${day}"}]`);
        // The harness's clock reads 2026-12-02.
        const ok = await scanRun({ findings: ecr(complete(finding("CVE-2026-0002", "HIGH"))), list: entry("2026-12-02") });
        assert.equal(ok.summary.result, "succeeded", ok.summary.message);
        assert.deepEqual(
            ok.summary.imageScan?.allowed?.map((a) => `${a.id} ${a.until}`),
            ["CVE-2026-0002 2026-12-02"],
        );
        const expired = await scanRun({ findings: ecr(complete(finding("CVE-2026-0002", "HIGH"))), list: entry("2026-12-01") });
        assert.equal(expired.summary.result, "failed");
        assert.match(expired.summary.message, /expired: CVE-2026-0002 \(expired 2026-12-01\)/);
    });

    it("refuses, before building, with an allow-list that breaks the CI scan's rules; and does not let a purl-narrowed entry allow an ECR finding", async () => {
        const bad = await scanRun({ findings: ecr(complete()), list: allowList(`[{id: CVE-2026-0002, expired_at: "2026-12-31"}]`) });
        assert.equal(bad.summary.result, "failed");
        assert.match(bad.summary.message, /trivy-allowlist\.yaml is invalid: vulnerabilities\[0\]\.statement/);
        assert.equal(bad.ups.length, 0, "nothing was built");
        const narrowed = await scanRun({
            findings: ecr(complete(finding("CVE-2026-0002", "HIGH"))),
            list: allowList(
                `[{id: CVE-2026-0002, statement: "only in the build stage", expired_at: "2026-12-31", purls: ["pkg:npm/x@1"]}]`,
            ),
        });
        assert.equal(narrowed.summary.result, "failed");
    });

    it("gives up with a clear message when ECR's scan does not complete in time, and when ECR cannot scan the image", async () => {
        const slow = await scanRun({ findings: ecr({ kind: "pending", status: "IN_PROGRESS" }), timeoutMs: 20_000 });
        assert.equal(slow.summary.result, "failed");
        assert.match(slow.summary.message, /did not complete within 20 s \(status IN_PROGRESS\)/);
        assert.match(slow.summary.message, /--skip-image-scan/);
        assert.ok(slow.h.clock.slept.reduce((a, b) => a + b, 0) <= 20_000);
        assert.equal(slow.ups.length, 1);
        const unsupported = await scanRun({
            findings: ecr(scanStateOf({ imageScanStatus: { status: "UNSUPPORTED_IMAGE", description: "unsupported OS" } })),
        });
        assert.equal(unsupported.summary.result, "failed");
        assert.match(unsupported.summary.message, /ECR could not scan .*\(UNSUPPORTED_IMAGE: unsupported OS\)/);
    });

    it("stops without touching a region when the build itself fails", async () => {
        const { summary, ups } = await scanRun({ findings: ecr(complete()), rebuild: () => ({ error: "pnpm install failed" }) });
        assert.equal(summary.result, "failed");
        assert.match(summary.message, /storefront image build .* failed.*No region was changed/);
        assert.equal(ups.length, 1);
    });

    it("--skip-image-scan <reason> goes ahead without building first, and the reason is recorded", async () => {
        const findings = ecr(complete(finding("CVE-2026-0002", "CRITICAL")));
        const { summary, ups, h } = await scanRun({ findings, skip: "ECR scanning outage in eu-central-1" });
        assert.equal(summary.result, "succeeded", summary.message);
        assert.deepEqual(summary.imageScan, { result: "skipped", reason: "ECR scanning outage in eu-central-1" });
        assert.ok(ups.every((u) => u.target === undefined));
        assert.equal(findings.asked.length, 0);
        assert.ok(h.lines.some((l) => l.includes("IMAGE SCAN SKIPPED: ECR scanning outage")));
        const parsed = parseDeployArgs(["--stack", "staging", "--release", "3.23.5", "--skip-image-scan", "outage"]);
        assert.ok(parsed.kind === "ok" && parsed.options.deploy.skipImageScan === "outage");
        const empty = parseDeployArgs(["--stack", "staging", "--release", "3.23.5", "--skip-image-scan", " "]);
        assert.ok(empty.kind === "problems" && /--skip-image-scan needs a reason/.test(empty.problems.join()));
    });

    it("ends as cancelled (exit 130) when a signal arrives while it waits for ECR, with no region changed", async () => {
        const cancel = new AbortController();
        const findings: FindingsSource = {
            async describe() {
                cancel.abort("SIGTERM");
                // The CLI, killed by the same signal through execFile's `signal`.
                throw new Error("aws ecr describe-image-scan-findings failed: The operation was aborted");
            },
        };
        const h = await harness({ scenario: { storefrontBuild: BEFORE, rebuildStorefront: () => AFTER }, signal: cancel.signal });
        const { deploy } = await import("../../../automation/deploy/rollout");
        const summary = await deploy(
            { stack: "staging", release: "3.23.5", previewOnly: false, yes: false, allowReplace: false },
            {
                openStack: async () => h.stack,
                log: () => undefined,
                now: () => h.clock.now,
                signal: cancel.signal,
                imageScan: { findings },
            },
        );
        assert.equal(summary.result, "cancelled", summary.message);
        assert.equal(exitCode(summary), 130);
        assert.deepEqual(h.stack.releaseHistory, []);
    });

    it("has nothing to scan for a stack without a storefront build in its state, and rolls out as before", async () => {
        const h = await harness();
        const s = await h.run();
        assert.equal(s.result, "succeeded");
        assert.equal(s.imageScan?.result, "not-built");
        assert.ok(h.ups().length === 2 && region(s).status === "deployed");
    });

    it("finds the build under the name the program gives it (plan of staging)", function () {
        this.timeout(60_000);
        const plan = JSON.parse(
            execFileSync(
                "node",
                ["-r", "./automation/register.js", "automation/plan-cli.ts", "--stack", "staging", "--json", "--no-policy"],
                {
                    cwd: ROOT,
                    encoding: "utf8",
                    maxBuffer: 64 * 1024 * 1024,
                },
            ),
        ) as { steps: { urn: string; newState?: { type: string; inputs: { build?: { context?: string } } } }[] };
        const builds = plan.steps.filter((s) => s.newState?.type === "docker:index/image:Image" && /-storefront-image$/.test(s.urn));
        assert.deepEqual(
            builds.map((b) => b.newState?.inputs.build?.context),
            ["../storefront"],
        );
        assert.match(builds[0].urn, new RegExp(`::${PRIMARY}-storefront-image$`));
    });
});

describe("ECR's scan findings through the aws CLI", () => {
    const image: PushedImage = {
        registryId: "123456789012",
        region: "eu-central-1",
        repository: "staging/saleor-storefront",
        digest: DIGEST_NEW,
    };

    it("asks describe-image-scan-findings for the pushed digest in its region, every page, without a shell", async () => {
        const calls: { file: string; args: string[] }[] = [];
        const source = awsCliFindings(async (file, args) => {
            calls.push({ file, args });
            return JSON.stringify({
                imageScanStatus: { status: "COMPLETE" },
                imageScanFindings: {
                    findings: [finding("CVE-2026-0002", "HIGH")],
                    enhancedFindings: [
                        {
                            severity: "CRITICAL",
                            packageVulnerabilityDetails: { vulnerabilityId: "GHSA-m425-mq94-257g", vulnerablePackages: [{ name: "next" }] },
                        },
                    ],
                },
            });
        });
        const state = await source.describe(image);
        assert.deepEqual(calls, [
            {
                file: "aws",
                args: [
                    "ecr",
                    "describe-image-scan-findings",
                    "--registry-id",
                    "123456789012",
                    "--repository-name",
                    "staging/saleor-storefront",
                    "--image-id",
                    `imageDigest=${DIGEST_NEW}`,
                    "--region",
                    "eu-central-1",
                    "--output",
                    "json",
                ],
            },
        ]);
        assert.deepEqual(state, {
            kind: "complete",
            findings: [
                { id: "CVE-2026-0002", severity: "HIGH", package: "openssl 3.0.1" },
                { id: "GHSA-m425-mq94-257g", severity: "CRITICAL", package: "next" },
            ],
        });
    });

    it("reads a scan that does not exist yet as pending, and passes any other failure on", async () => {
        const notYet = awsCliFindings(async () => {
            throw new Error("aws ecr describe-image-scan-findings failed: An error occurred (ScanNotFoundException) when calling ...");
        });
        assert.deepEqual(await notYet.describe(image), { kind: "pending", status: "not started yet" });
        const denied = awsCliFindings(async () => {
            throw new Error("An error occurred (AccessDeniedException)");
        });
        await assert.rejects(denied.describe(image), /AccessDeniedException/);
    });
});

function region(s: { regions: { region: string; status: string }[] }) {
    return s.regions.find((r) => r.region === PRIMARY)!;
}
