import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { allowListProblems } from "./allow-list";

// The storefront image is scanned as built, before any region serves it. It cannot be built in CI:
// its build calls the stack's live GraphQL API (stack/images.ts), so the Pulumi program builds and
// pushes it during the deploy. The driver therefore first runs a targeted update of that build
// alone (its URN read from the stack's state, as the failover finds the resources it targets),
// then reads the pushed image's findings back from ECR, and refuses the release on CRITICAL or HIGH
// findings that .github/trivy-allowlist.yaml does not name (the allow-list and expiry rules of the
// CI scan, allow-list.ts). The regions' updates come after it; a refused release changed no region.
//
// Findings source: ECR basic scanning on push, which is what the registry uses today (the account
// bootstrap's registry scanning configuration, bootstrap/ecr.ts: scanType BASIC, SCAN_ON_PUSH for
// every repository; and the repositories' own imageScanningConfiguration.scanOnPush,
// components/registry.ts). Read with DescribeImageScanFindings (ECR API reference,
// docs.aws.amazon.com/AmazonECR/latest/APIReference/API_DescribeImageScanFindings.html): the scan's
// status (ImageScanStatus: IN_PROGRESS | COMPLETE | FAILED | UNSUPPORTED_IMAGE | ACTIVE | PENDING |
// SCAN_ELIGIBILITY_EXPIRED | FINDINGS_UNAVAILABLE | LIMIT_EXCEEDED | IMAGE_ARCHIVED,
// API_ImageScanStatus.html) and, once complete, `imageScanFindings.findings` (basic: name,
// severity, attributes package_name/package_version; API_ImageScanFinding.html) or
// `enhancedFindings` (Inspector, should the registry ever switch to enhanced scanning:
// packageVulnerabilityDetails.vulnerabilityId, severity; API_EnhancedImageScanFinding.html).
// The SDKs' waiter ImageScanComplete polls the same call every 5 s, 60 times, succeeding on
// COMPLETE and failing on FAILED (the ecr 2015-09-21 waiters-2.json); the driver polls the same
// way with its own timeout, so a scan that never ends stops the run with a message that says so.
//
// AWS is called through the `aws` CLI (`aws ecr describe-image-scan-findings`), run like the
// driver's other external commands (execFile, no shell): the deploy runner's image already has it
// (bootstrap/config.ts: the CodeBuild image with the AWS CLI, which the Kubernetes provider's
// `aws eks get-token` needs too) and it reads the job's OIDC credentials from the environment, so
// the driver needs no new dependency (@aws-sdk/client-ecr would add the client and its @smithy/*
// tree to every install) for one read-only call. The CLI fetches every page itself: the operation
// has a paginator whose result keys are imageScanFindings.findings and .enhancedFindings (botocore
// paginators-1.json for ecr). The deploy role may call it (bootstrap/deploy-policy.ts allows ecr
// on the environment's own repositories).

/** The severities that refuse a release, as the CI scan's `severity: CRITICAL,HIGH`. */
export const BLOCKING_SEVERITIES = ["CRITICAL", "HIGH"] as const;

/** The Pulumi type of a built image (@pulumi/docker's Image), and the name the storefront's build has (stack/images.ts). */
export const DOCKER_IMAGE_TYPE = "docker:index/image:Image";
const STOREFRONT_BUILD = /-storefront-image$/;

/** How long the driver waits for ECR's scan: twice the ImageScanComplete waiter's 5 min (60 × 5 s). */
export const DEFAULT_SCAN_TIMEOUT_MS = 10 * 60_000;
/** The waiter's delay between two polls. */
export const DEFAULT_SCAN_INTERVAL_MS = 5_000;

/** A pushed image in ECR, from the build's `repoDigest` (`<account>.dkr.ecr.<region>.amazonaws.com/<repository>@sha256:<hex>`). */
export interface PushedImage {
    registryId: string;
    region: string;
    repository: string;
    digest: string;
    /** The tag it was pushed under (from the build's imageName), when known. */
    tag?: string;
}

export function pushedImage(repoDigest: unknown, imageName?: unknown): PushedImage | undefined {
    if (typeof repoDigest !== "string") return undefined;
    const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^@:]+)@(sha256:[0-9a-f]{64})$/.exec(repoDigest);
    if (!m) return undefined;
    const tag = typeof imageName === "string" ? /:([\w][\w.-]{0,127})$/.exec(imageName.slice(imageName.lastIndexOf("/")))?.[1] : undefined;
    return { registryId: m[1], region: m[2], repository: m[3], digest: m[4], ...(tag ? { tag } : {}) };
}

export const describeImage = (i: PushedImage) => `${i.registryId}.dkr.ecr.${i.region}.amazonaws.com/${i.repository}@${i.digest}`;

/** One finding, whichever kind of scan produced it. */
export interface Finding {
    id: string;
    severity: string;
    package?: string;
}

/** One DescribeImageScanFindings answer, as the driver reads it. */
export type ScanState =
    | { kind: "pending"; status: string }
    | { kind: "complete"; findings: Finding[] }
    | { kind: "failed"; status: string; description?: string };

/** Reads a pushed image's scan from ECR. */
export interface FindingsSource {
    describe(image: PushedImage, signal?: AbortSignal): Promise<ScanState>;
}

/** DescribeImageScanFindings's JSON (all pages) → what the driver decides on. */
export function scanStateOf(response: unknown): ScanState {
    const r = (response ?? {}) as {
        imageScanStatus?: { status?: string; description?: string };
        imageScanFindings?: {
            findings?: { name?: string; severity?: string; attributes?: { key?: string; value?: string }[] }[];
            enhancedFindings?: {
                severity?: string;
                packageVulnerabilityDetails?: { vulnerabilityId?: string; vulnerablePackages?: { name?: string }[] };
            }[];
        };
    };
    const status = r.imageScanStatus?.status ?? "UNKNOWN";
    if (status === "IN_PROGRESS" || status === "PENDING") return { kind: "pending", status };
    // ACTIVE: enhanced scanning's continuous monitoring, whose findings are current.
    if (status !== "COMPLETE" && status !== "ACTIVE") {
        return { kind: "failed", status, ...(r.imageScanStatus?.description ? { description: r.imageScanStatus.description } : {}) };
    }
    const basic = (r.imageScanFindings?.findings ?? []).map((f) => ({
        id: String(f.name ?? "unnamed finding"),
        severity: String(f.severity ?? "UNDEFINED"),
        ...packageOf(
            f.attributes?.find((a) => a.key === "package_name")?.value,
            f.attributes?.find((a) => a.key === "package_version")?.value,
        ),
    }));
    const enhanced = (r.imageScanFindings?.enhancedFindings ?? []).map((f) => ({
        id: String(f.packageVulnerabilityDetails?.vulnerabilityId ?? "unnamed finding"),
        severity: String(f.severity ?? "UNTRIAGED"),
        ...packageOf(f.packageVulnerabilityDetails?.vulnerablePackages?.[0]?.name, undefined),
    }));
    return { kind: "complete", findings: [...basic, ...enhanced] };
}

const packageOf = (name: string | undefined, version: string | undefined) =>
    name ? { package: version ? `${name} ${version}` : name } : {};

/** Runs a command without a shell and resolves with its stdout; rejects with its stderr in the message. */
export type CommandRunner = (file: string, args: string[], options: { signal?: AbortSignal; timeoutMs: number }) => Promise<string>;

export const execFileRunner: CommandRunner = (file, args, { signal, timeoutMs }) =>
    new Promise((resolve, reject) => {
        execFile(file, args, { signal, timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: "utf8" }, (error, stdout, stderr) => {
            if (error) reject(new Error(`${file} ${args.slice(0, 2).join(" ")} failed: ${stderr.trim() || error.message}`));
            else resolve(stdout);
        });
    });

/** `aws ecr describe-image-scan-findings`, every page (the CLI paginates itself). */
export function awsCliFindings(run: CommandRunner = execFileRunner): FindingsSource {
    return {
        async describe(image, signal) {
            const args = [
                "ecr",
                "describe-image-scan-findings",
                "--registry-id",
                image.registryId,
                "--repository-name",
                image.repository,
                "--image-id",
                `imageDigest=${image.digest}`,
                "--region",
                image.region,
                "--output",
                "json",
            ];
            let stdout: string;
            try {
                stdout = await run("aws", args, { signal, timeoutMs: 60_000 });
            } catch (e) {
                // Right after a push the scan may not exist yet: the API answers ScanNotFoundException.
                if (/ScanNotFoundException/.test(String((e as Error).message))) return { kind: "pending", status: "not started yet" };
                throw e;
            }
            return scanStateOf(JSON.parse(stdout));
        },
    };
}

/** An allow-list entry the driver can honour: it names the finding, says why, and has not expired. */
export interface AllowEntry {
    id: string;
    statement: string;
    expiredAt: string;
}

/**
 * The entries of the allow-list that apply on `today` (UTC): `expired_at` is the last day an entry
 * applies, as Trivy reads it. An invalid list is an error, not an empty list. An entry narrowed with
 * `purls` or `paths` does not apply to ECR's findings, which carry no package URL or path to match:
 * the driver fails closed on them rather than allow more than the entry says.
 */
export function allowedOn(text: string, today: Date): { entries: AllowEntry[]; expired: AllowEntry[]; narrowed: string[] } {
    const problems = allowListProblems(text, today);
    if (problems.length > 0) throw new Error(`.github/trivy-allowlist.yaml is invalid: ${problems.join("; ")}`);
    const doc = yaml.load(text, { schema: yaml.CORE_SCHEMA }) as {
        vulnerabilities: { id: string; statement: string; expired_at: string; purls?: unknown; paths?: unknown }[];
    };
    const day = today.toISOString().slice(0, 10);
    const all = doc.vulnerabilities.map((v) => ({
        entry: { id: v.id, statement: v.statement, expiredAt: v.expired_at },
        narrowed: v.purls !== undefined || v.paths !== undefined,
    }));
    return {
        entries: all.filter((a) => !a.narrowed && a.entry.expiredAt >= day).map((a) => a.entry),
        expired: all.filter((a) => !a.narrowed && a.entry.expiredAt < day).map((a) => a.entry),
        narrowed: all.filter((a) => a.narrowed).map((a) => a.entry.id),
    };
}

export interface ScanVerdict {
    /** CRITICAL and HIGH findings no current entry names: each refuses the release. */
    blocking: Finding[];
    /** CRITICAL and HIGH findings a current entry names. */
    allowed: (Finding & { until: string })[];
    /** Blocking findings an entry named until a day that has passed. */
    expired: string[];
}

export function judge(findings: Finding[], allowList: ReturnType<typeof allowedOn>): ScanVerdict {
    const severe = findings.filter((f) => (BLOCKING_SEVERITIES as readonly string[]).includes(f.severity));
    const verdict: ScanVerdict = { blocking: [], allowed: [], expired: [] };
    for (const f of severe) {
        const entry = allowList.entries.find((e) => e.id === f.id);
        if (entry) {
            verdict.allowed.push({ ...f, until: entry.expiredAt });
            continue;
        }
        verdict.blocking.push(f);
        const old = allowList.expired.find((e) => e.id === f.id);
        if (old && !verdict.expired.includes(`${f.id} (expired ${old.expiredAt})`))
            verdict.expired.push(`${f.id} (expired ${old.expiredAt})`);
    }
    return verdict;
}

/** What the run's summary records of the scan. */
export interface ImageScanSummary {
    result: "passed" | "refused" | "skipped" | "not-built";
    /** The image as pushed (registry, repository and digest) and its tag. */
    image?: string;
    tag?: string;
    /** Why the scan was skipped (`--skip-image-scan`), or why nothing was scanned. */
    reason?: string;
    blocking?: Finding[];
    allowed?: (Finding & { until: string })[];
    counts?: Record<string, number>;
    durationMs?: number;
}

/** The stage's view of the stack, the driver and its clock. */
export interface ImageScanContext {
    /** The checkpoint's resources (urn, type, outputs). */
    resources(): Promise<{ urn: string; type: string; outputs: Record<string, unknown> }[]>;
    /** A targeted update of these URNs with the policy pack; rejects when it fails. */
    build(target: string[]): Promise<void>;
    findings: FindingsSource;
    /** The allow-list's text. */
    allowList(): string;
    now(): Date;
    sleep(ms: number): Promise<void>;
    /** Throws when the run was interrupted (SIGINT/SIGTERM). */
    checkCancelled(): void;
    log(line: string): void;
    signal?: AbortSignal;
    timeoutMs: number;
    intervalMs: number;
}

/** The scan refused the release (or could not say): the run fails before any region changes. */
export class ImageScanRefusal extends Error {
    constructor(
        message: string,
        readonly summary: ImageScanSummary,
    ) {
        super(message);
    }
}

const urnName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/**
 * Builds and pushes the storefront image alone (a targeted update), waits for ECR's scan of it, and
 * judges its findings. Resolves with the summary when the release may go on; rejects with an
 * ImageScanRefusal when it may not. A stack whose state has no storefront build (a published
 * storefront image, or no update yet) has nothing to scan here.
 */
export async function scanStorefrontImage(ctx: ImageScanContext): Promise<ImageScanSummary> {
    const started = ctx.now().getTime();
    const builds = (await ctx.resources()).filter((r) => r.type === DOCKER_IMAGE_TYPE && STOREFRONT_BUILD.test(urnName(r.urn)));
    if (builds.length === 0) {
        ctx.log(
            "==> image scan: the stack's state has no storefront build (a published image, or none built yet); nothing to scan before the rollout",
        );
        return { result: "not-built", reason: "the stack's state has no storefront build" };
    }
    const target = builds.map((b) => b.urn);
    // The allow-list is checked before anything is built: an invalid list refuses at once.
    let allowList: ReturnType<typeof allowedOn>;
    try {
        allowList = allowedOn(ctx.allowList(), ctx.now());
    } catch (e) {
        throw new ImageScanRefusal(`Refused before any change: ${(e as Error).message}.`, {
            result: "refused",
            reason: (e as Error).message,
        });
    }
    ctx.log(`==> image scan: building and pushing the storefront image alone (${target.map(urnName).join(", ")})`);
    await ctx.build(target);
    const built = (await ctx.resources()).find((r) => r.urn === target[0]);
    const image = pushedImage(built?.outputs.repoDigest, built?.outputs.imageName);
    if (!image) {
        const got = JSON.stringify(built?.outputs.repoDigest ?? null);
        throw new ImageScanRefusal(
            `Refused before any region changed: the storefront build ${urnName(target[0])} reports no ECR image digest after its update (repoDigest ${got}), so its scan cannot be read.`,
            { result: "refused", reason: `no ECR image digest (repoDigest ${got})` },
        );
    }
    const name = describeImage(image);
    const leftOver = `What is left: the image${image.tag ? ` tag ${image.tag}` : ""} in ${image.repository} (${image.region}), which no region runs; the stack's state records it as the storefront's build, so an update outside the driver would roll it out.`;
    ctx.log(`==> image scan: waiting for ECR's scan of ${name}`);
    // The build's own time does not count: the timeout is ECR's.
    const deadline = ctx.now().getTime() + ctx.timeoutMs;
    let state = await ctx.findings.describe(image, ctx.signal);
    while (state.kind === "pending") {
        if (ctx.now().getTime() + ctx.intervalMs > deadline) {
            throw new ImageScanRefusal(
                `Refused before any region changed: ECR's scan of ${name} did not complete within ${Math.round(ctx.timeoutMs / 1000)} s (status ${state.status}). ` +
                    `Deploy again once the scan completes (aws ecr describe-image-scan-findings shows it), or rerun with --skip-image-scan "<reason>". ${leftOver}`,
                {
                    result: "refused",
                    image: name,
                    ...(image.tag ? { tag: image.tag } : {}),
                    reason: `scan not complete after ${Math.round(ctx.timeoutMs / 1000)} s (${state.status})`,
                },
            );
        }
        await ctx.sleep(ctx.intervalMs).catch(() => undefined);
        ctx.checkCancelled();
        state = await ctx.findings.describe(image, ctx.signal);
    }
    const base = { image: name, ...(image.tag ? { tag: image.tag } : {}) };
    if (state.kind === "failed") {
        throw new ImageScanRefusal(
            `Refused before any region changed: ECR could not scan ${name} (${state.status}${state.description ? `: ${state.description}` : ""}), so it is not known to be free of CRITICAL and HIGH findings. ${leftOver}`,
            { result: "refused", ...base, reason: `scan ${state.status}` },
        );
    }
    const verdict = judge(state.findings, allowList);
    const counts: Record<string, number> = {};
    for (const f of state.findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
    const summary: ImageScanSummary = {
        result: verdict.blocking.length > 0 ? "refused" : "passed",
        ...base,
        counts,
        ...(verdict.blocking.length > 0 ? { blocking: verdict.blocking } : {}),
        ...(verdict.allowed.length > 0 ? { allowed: verdict.allowed } : {}),
        durationMs: ctx.now().getTime() - started,
    };
    for (const a of verdict.allowed) ctx.log(`  allowed until ${a.until}: ${a.id} (${a.severity}${a.package ? `, ${a.package}` : ""})`);
    if (allowList.narrowed.length > 0) {
        ctx.log(`  allow-list entries narrowed with purls or paths do not apply to ECR's findings: ${allowList.narrowed.join(", ")}`);
    }
    if (verdict.blocking.length > 0) {
        const list = verdict.blocking.map((f) => `${f.id} (${f.severity}${f.package ? `, ${f.package}` : ""})`).join(", ");
        throw new ImageScanRefusal(
            `Refused before any region changed: the storefront image as built (${name}) has ${verdict.blocking.length} CRITICAL/HIGH finding(s) that .github/trivy-allowlist.yaml does not allow: ${list}` +
                `${verdict.expired.length > 0 ? `; allow-list entries that have expired: ${verdict.expired.join(", ")}` : ""}. ` +
                `Fix them (a newer images/storefront.ref), or allow each with a statement and an expiry, then deploy again. No region serves this image, so there is nothing to roll back. ${leftOver}`,
            summary,
        );
    }
    ctx.log(
        `==> image scan: ${name} passed (${
            Object.entries(counts)
                .map(([s, n]) => `${n} ${s}`)
                .join(", ") || "no findings"
        })`,
    );
    return summary;
}

/** The allow-list file of the project at `root`. */
export function allowListFile(root: string): () => string {
    return () => fs.readFileSync(path.join(root, ".github", "trivy-allowlist.yaml"), "utf8");
}
