import * as path from "node:path";
import { validateReleaseSettings } from "../../config/load";
import type { ReleaseSettings } from "../../config/schema";
import { classifyError, type ClassifiedError } from "./errors";
import { EventRecorder, formatChanges, resourceName, type OperationReport, type Phase } from "./events";
import { OutputsError, parseDeployedStack, type DeployedRegion, type DeployedStack } from "./outputs";
import type { DeployStack, ReleaseConfig } from "./stack";
import { previewSummary, type DeployResult, type DeploySummary, type RegionSummary, type RollbackSummary } from "./summary";
import {
    DEFAULT_VERIFY_OPTIONS,
    sleep,
    verifyRegion,
    type RegionVerification,
    type Sleep,
    type VerifyContext,
    type VerifyOptions,
} from "./verify";
import { checkWindow } from "./windows";
import { notify, type FetchLike, type ReleaseEvent } from "./notify";
import {
    allowListFile,
    awsCliFindings,
    DEFAULT_SCAN_INTERVAL_MS,
    DEFAULT_SCAN_TIMEOUT_MS,
    DOCKER_IMAGE_TYPE,
    ImageScanRefusal,
    scanStorefrontImage,
    type FindingsSource,
} from "./image-scan";

// The staged rollout of the runbooks (CI/CD pipeline, "Multi-Region Deployment
// Strategy"): gate on a preview with the policy pack, then the primary region, verify,
// then each secondary, verify; a region that fails is put back on its previous image
// and nothing after it is touched.

export type DeployableStack = "staging" | "production";

export interface DeployOptions {
    stack: DeployableStack;
    release: string;
    previewOnly: boolean;
    /** Limit the rollout to this region. */
    region?: string;
    /** Production goes ahead without asking. */
    yes: boolean;
    allowReplace: boolean;
    /** Overrides of the stack's verification budget (saleor:releaseVerification) for this run. */
    verify?: Partial<VerifyOptions>;
    /** Why this run may change the stack outside its deployment windows (`--emergency`). */
    emergency?: string;
    /** Why this release may move a region more than one Saleor minor version (`--allow-minor-skip`). */
    allowMinorSkip?: string;
    /** Why this run goes ahead without scanning the storefront image as built (`--skip-image-scan`). */
    skipImageScan?: string;
}

export interface DeployDeps {
    openStack(): Promise<DeployStack>;
    log(line: string): void;
    /** Asks a person; absent when there is no terminal to ask on. */
    confirm?: (question: string) => Promise<boolean>;
    /** The clock the deployment windows are judged by. Default: the system clock. */
    now?: () => Date;
    /** Posts release notifications (saleor:releaseWebhookUrl). Default: the global fetch. */
    fetch?: FetchLike;
    /** Where the run's summary can be read; every notification links it. */
    summaryLink?: string;
    /** Waits between verification attempts. Default: a timer. */
    sleep?: Sleep;
    /** Aborted on SIGINT/SIGTERM: the running operation is cancelled and the run ends with its summary. */
    signal?: AbortSignal;
    /**
     * How long an interrupted operation may take to stop by itself before the driver runs
     * `pulumi cancel` (GitHub Actions sends SIGTERM 7.5 s after SIGINT). Default 5000.
     */
    cancelGraceMs?: number;
    /**
     * The scan of the storefront image as built (image-scan.ts). Defaults: ECR's findings through the
     * `aws` CLI, the project's .github/trivy-allowlist.yaml, a 10-minute timeout polled every 5 s.
     */
    imageScan?: { findings?: FindingsSource; allowList?: () => string; timeoutMs?: number; intervalMs?: number };
}

/** The run was interrupted by a signal. */
class Cancelled extends Error {}

class UsageError extends Error {}

/** The stack file's driver keys are invalid; the message lists every problem with its key. */
class SettingsError extends Error {}

/** Ends the run early with a result other than success; thrown so each step stays linear. */
class Stop extends Error {
    constructor(
        readonly result: Exclude<DeployResult, "succeeded">,
        message: string,
        /** The recognised cause, when the run ends as an error. */
        readonly cause?: ClassifiedError,
    ) {
        super(message);
    }
}

interface GateOutcome {
    report: OperationReport;
    /** Why the run must not go on, if it must not. */
    blocked?: string;
}

export function exitCode(summary: DeploySummary): number {
    switch (summary.result) {
        case "succeeded":
        case "previewed":
            return 0;
        case "failed":
            return 1;
        case "cancelled":
            // 128 + SIGINT, what a shell reports for a command stopped with Ctrl-C.
            return 130;
        case "blocked":
            return 3;
        case "error":
            return summary.error?.kind === "usage" || summary.error?.kind === "config" ? 2 : 4;
    }
}

function describeStateful(report: OperationReport): string {
    return report.statefulChanges.map((s) => `${s.op} ${s.type} ${resourceName(s.urn)}`).join("; ");
}

function failedChecks(v: RegionVerification): string {
    return v.checks
        .filter((c) => !c.ok && !c.skipped)
        .map((c) => `${c.check} ${c.url}: ${c.error} after ${c.attempts} attempt${c.attempts === 1 ? "" : "s"}`)
        .join("; ");
}

class Deployment {
    private readonly started = new Date();
    private stack?: DeployStack;
    private deployed: DeployedStack = { regions: [] };
    private settings?: ReleaseSettings;
    /** The driver ran `pulumi cancel` because an interrupted update did not stop by itself. */
    private cancelCalled = false;
    /** The run got past its gates and began changing the stack: the channel heard "start". */
    private changing = false;
    private original: ReleaseConfig = {};
    private readonly summary: DeploySummary;
    /** Diagnostics of the operation that failed last, for the error classifier. */
    private lastErrors: string[] = [];
    /** Why a region's update could not start: another update held the stack's lock. */
    private lockConflict?: ClassifiedError;
    /** Regions already on the new release in this run. */
    private readonly moved: Record<string, string> = {};
    /**
     * Puts the release config back in line with what is deployed when the run ends
     * early. The config lives in Pulumi.<stack>.yaml, and a later `pulumi up` by hand
     * must not deploy a release this run only previewed. When nothing moved, the file
     * goes back byte for byte, so the run leaves nothing to commit.
     */
    private settle?: () => Promise<void>;
    /** The release the primary's update ran when it failed and was rolled back (its snapshot is kept). */
    private primaryTried?: string;

    constructor(
        private readonly options: DeployOptions,
        private readonly deps: DeployDeps,
    ) {
        this.summary = {
            stack: options.stack,
            release: options.release,
            options: { previewOnly: options.previewOnly, region: options.region, allowReplace: options.allowReplace },
            startedAt: this.started.toISOString(),
            finishedAt: "",
            durationMs: 0,
            result: "error",
            message: "",
            regions: [],
        };
    }

    async run(): Promise<DeploySummary> {
        try {
            await this.open();
            this.refuseOutsideWindows();
            this.refuseMinorSkips();
            if (this.deployed.regions.length === 0) {
                await this.firstDeployment();
            } else {
                await this.stagedRollout();
            }
        } catch (e) {
            this.fail(e);
            // Best effort: when the CLI itself is what failed, this fails the same way,
            // and the original error is the one worth reporting.
            await this.settle?.().catch(() => undefined);
        }
        const finished = new Date();
        this.summary.finishedAt = finished.toISOString();
        this.summary.durationMs = finished.getTime() - this.started.getTime();
        this.deps.log(`==> ${this.summary.result}: ${this.summary.message}`);
        if (this.changing) {
            await this.notify(this.outcomeEvent());
        }
        return this.summary;
    }

    /** What the channel hears at the end of a run that changed (or tried to change) the stack. */
    private outcomeEvent(): ReleaseEvent {
        if (this.summary.result === "succeeded") return "success";
        const rolledBack = this.summary.regions.some((r) => r.status === "rolled-back");
        return this.summary.result === "failed" && rolledBack ? "rollback" : "failure";
    }

    private async notify(event: ReleaseEvent): Promise<void> {
        const url = this.settings?.releaseWebhookUrl;
        if (!url) return;
        const sent = await notify(event, this.summary, {
            webhookUrl: url.value,
            summaryLink: this.deps.summaryLink,
            fetch: this.deps.fetch ?? ((input, init) => fetch(input, init)),
            log: this.deps.log,
        });
        (this.summary.notifications ??= []).push({ event, sent });
    }

    /** Called once the gates passed, right before the first update. */
    private async starting(): Promise<void> {
        this.changing = true;
        await this.notify("start");
    }

    private fail(e: unknown): void {
        if (e instanceof Cancelled) {
            this.summary.result = "cancelled";
            this.summary.message = this.cancelMessage();
        } else if (e instanceof Stop) {
            this.summary.result = e.result;
            this.summary.message = e.message;
            if (e.cause) {
                this.summary.error = { kind: e.cause.kind, message: e.cause.message, detail: e.cause.detail };
            }
        } else if (e instanceof UsageError) {
            this.summary.result = "error";
            this.summary.message = e.message;
            this.summary.error = { kind: "usage", message: e.message };
        } else if (e instanceof SettingsError) {
            this.summary.result = "error";
            this.summary.message = e.message;
            this.summary.error = { kind: "config", message: e.message };
        } else if (e instanceof OutputsError) {
            this.summary.result = "error";
            this.summary.message = e.message;
            this.summary.error = { kind: "outputs", message: e.message };
        } else {
            const c = classifyError(e, this.options.stack, this.lastErrors);
            this.summary.result = "error";
            this.summary.message = c.message;
            this.summary.error = { kind: c.kind, message: c.message, detail: c.detail };
        }
    }

    private async open(): Promise<void> {
        const { log } = this.deps;
        log(`==> stack ${this.options.stack}: release ${this.options.release}`);
        this.stack = await this.deps.openStack();
        const settings = validateReleaseSettings(await this.stack.stackConfig());
        if ("problems" in settings) {
            throw new SettingsError(`invalid stack configuration in Pulumi.${this.options.stack}.yaml: ${settings.problems.join("; ")}`);
        }
        this.settings = settings.settings;
        this.deployed = parseDeployedStack(await this.stack.outputs());
        this.original = await this.stack.getReleaseConfig();
        this.settle = () => this.target.restoreStackFile();
        for (const r of this.deployed.regions) {
            log(`    ${r.name} (${r.role}) runs ${r.release}`);
        }
    }

    /**
     * The stack's deployment windows (saleor:releaseWindows): a run that may change the stack starts
     * only inside one, unless it says why it must not wait (`--emergency`). A preview changes nothing
     * and may run at any time.
     */
    private refuseOutsideWindows(): void {
        const windows = this.settings?.releaseWindows;
        if (!windows || this.options.previewOnly) return;
        const at = (this.deps.now ?? (() => new Date()))();
        const check = checkWindow(windows, at);
        this.summary.window = { inside: check.inside, local: check.local, windows: check.windows };
        if (check.inside) return;
        if (this.options.emergency !== undefined) {
            this.summary.emergency = this.options.emergency;
            this.deps.log(
                `==> EMERGENCY outside the deployment windows (${check.local}; windows ${check.windows}): ${this.options.emergency}`,
            );
            return;
        }
        throw new Stop(
            "blocked",
            `Stopped before any change: it is ${check.local}, outside the deployment windows of stack ${this.options.stack} (${check.windows}). ` +
                `Deploy inside a window, or rerun with --emergency "<reason>" (the reason is recorded in the summary).`,
        );
    }

    /**
     * Saleor's upgrade guide upgrades with zero downtime one minor version at a time: a release that
     * is a Saleor version may move each region at most one minor ahead of the version it runs (known
     * from the outputs; a git-SHA release builds the stack's saleorVersion, which config checks).
     */
    private refuseMinorSkips(): void {
        const target = /^(\d+)\.(\d+)\.\d+$/.exec(this.options.release);
        if (!target) return;
        for (const r of this.deployed.regions) {
            const runs = r.saleorVersion ? /^(\d+)\.(\d+)\.\d+$/.exec(r.saleorVersion) : null;
            if (!runs) continue;
            const [major, minor] = [Number(target[1]), Number(target[2])];
            const [runsMajor, runsMinor] = [Number(runs[1]), Number(runs[2])];
            if (major === runsMajor && minor <= runsMinor + 1) continue;
            const next = major === runsMajor ? `${major}.${runsMinor + 1}` : `a new major version`;
            if (this.options.allowMinorSkip !== undefined) {
                this.summary.minorSkip = this.options.allowMinorSkip;
                this.deps.log(
                    `==> ${r.name} runs Saleor ${r.saleorVersion}; ${this.options.release} skips ${next}, allowed: ${this.options.allowMinorSkip}`,
                );
                continue;
            }
            throw new Stop(
                "blocked",
                `Stopped before any change: ${r.name} runs Saleor ${r.saleorVersion}; ${this.options.release} skips ${next}: upgrade one minor version at a time (Saleor's upgrade guide), releasing ${runsMajor}.${runsMinor + 1}.x first, or rerun with --allow-minor-skip "<reason>".`,
            );
        }
    }

    private get target(): DeployStack {
        if (!this.stack) {
            throw new Error("stack not opened");
        }
        return this.stack;
    }

    private async operate(
        phase: Phase,
        label: string,
        withPolicies: boolean,
        target?: string[],
        exclude?: string[],
    ): Promise<{ report: OperationReport; error?: unknown }> {
        const { signal } = this.deps;
        this.throwIfCancelled();
        const recorder = new EventRecorder(phase, label, this.deps.log);
        // The SDK interrupts the CLI when `signal` aborts; should the update not stop within the
        // grace period, `pulumi cancel` ends it on the backend and releases the stack's lock.
        let timer: NodeJS.Timeout | undefined;
        const onAbort = () => {
            this.deps.log(`==> ${String(signal?.reason ?? "signal")}: cancelling the running ${phase} of ${label}`);
            timer = setTimeout(() => {
                this.deps.log(`==> the ${phase} did not stop within ${this.deps.cancelGraceMs ?? 5000} ms: pulumi cancel`);
                this.cancelCalled = true;
                this.target
                    .cancel()
                    .catch((e: unknown) =>
                        this.deps.log(`  warning: pulumi cancel failed: ${classifyError(e, this.options.stack).message}`),
                    );
            }, this.deps.cancelGraceMs ?? 5000);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        try {
            await this.target[phase]({
                onEvent: recorder.handle,
                withPolicies,
                ...(signal ? { signal } : {}),
                ...(target ? { target } : {}),
                ...(exclude ? { exclude, excludeDependents: true } : {}),
            });
            return { report: recorder.report() };
        } catch (error) {
            const report = recorder.report();
            this.lastErrors = report.errors;
            if (phase === "up") {
                await this.recordPendingOperations();
            }
            return { report, error };
        } finally {
            clearTimeout(timer);
            signal?.removeEventListener("abort", onAbort);
            this.throwIfCancelled();
        }
    }

    private verifyContext(): VerifyContext {
        return { signal: this.deps.signal, sleep: this.deps.sleep };
    }

    /**
     * The verification budget: the stack's saleor:releaseVerification, each value overridden by its
     * flag. Retries wait a fixed interval, so the budget is attempts × (interval + timeout) at most.
     */
    private verifyOptions(): VerifyOptions {
        const fromConfig = this.settings?.releaseVerification;
        const base: VerifyOptions = fromConfig
            ? {
                  attempts: fromConfig.attempts,
                  timeoutMs: fromConfig.timeoutSeconds * 1000,
                  backoffMs: fromConfig.intervalSeconds * 1000,
                  maxBackoffMs: fromConfig.intervalSeconds * 1000,
              }
            : DEFAULT_VERIFY_OPTIONS;
        return { ...base, ...this.options.verify };
    }

    private throwIfCancelled(): void {
        if (this.deps.signal?.aborted) {
            throw new Cancelled(String(this.deps.signal.reason ?? "signal"));
        }
    }

    /** After a failed or cancelled update: what the engine started and never saw finish. */
    private async recordPendingOperations(): Promise<void> {
        try {
            const pending = await this.target.pendingOperations();
            if (pending.length === 0) return;
            this.summary.pendingOperations = pending;
            for (const op of pending) {
                this.deps.log(`  pending operation: ${op.type} ${op.resourceType} ${resourceName(op.urn)}`);
            }
        } catch (e) {
            this.deps.log(`  warning: could not read the stack's pending operations: ${classifyError(e, this.options.stack).message}`);
        }
    }

    private cancelMessage(): string {
        const reason = String(this.deps.signal?.reason ?? "a signal");
        const parts = [`Cancelled by ${reason}${this.cancelCalled ? " (the update did not stop by itself: pulumi cancel ended it)" : ""}.`];
        const interrupted = this.summary.regions.filter((r) => r.status === "cancelled").map((r) => r.region);
        if (interrupted.length > 0) {
            parts.push(`${interrupted.join(", ")} was being changed and may be part-way: verify it or deploy again.`);
        }
        const done = Object.keys(this.moved);
        if (done.length > 0) {
            parts.push(`${done.join(", ")} ${done.length > 1 ? "stay" : "stays"} on ${this.options.release}.`);
        }
        if (this.summary.pendingOperations?.length) {
            parts.push(
                `The engine left ${this.summary.pendingOperations.length} pending operation(s) (listed in the summary): run \`pulumi refresh --stack ${this.options.stack}\` ` +
                    "(with --clear-pending-creates for pending creates) before the next update.",
            );
        }
        return parts.join(" ");
    }

    /** Preview with the policy pack; decide whether the run may go on. */
    private async gate(label: string): Promise<GateOutcome> {
        const { report, error } = await this.operate("preview", label, true);
        this.deps.log(`  [${label}] changes: ${formatChanges(report.changes)}`);
        if (report.mandatory.length > 0) {
            const which = report.mandatory.map((f) => `${f.policyPack}/${f.policy}${f.urn ? ` on ${resourceName(f.urn)}` : ""}`).join(", ");
            return { report, blocked: `mandatory policy violation${report.mandatory.length > 1 ? "s" : ""}: ${which}` };
        }
        if (error !== undefined) {
            // Not a policy stop: the preview itself could not run.
            throw error;
        }
        if (report.statefulChanges.length > 0) {
            if (!this.options.allowReplace) {
                return {
                    report,
                    blocked: `the preview would replace or delete stateful resources (${describeStateful(report)}); rerun with --allow-replace if that is intended`,
                };
            }
            this.deps.log(`  [${label}] --allow-replace: going ahead with ${describeStateful(report)}`);
        }
        return { report };
    }

    private async setReleases(regionReleases: Record<string, string> | undefined, release = this.original.release): Promise<void> {
        await this.target.setReleaseConfig({ release, regionReleases });
    }

    /**
     * Every deployed region pinned explicitly, so only the regions in `changed` move: each other region
     * keeps its release and, where the stack exported it, the Saleor version it runs (a region on a
     * git-SHA release would otherwise be rebuilt from a newer saleorVersion).
     */
    private async pinAllBut(changed: Record<string, string>): Promise<void> {
        const regionReleases = Object.fromEntries(this.deployed.regions.map((r) => [r.name, changed[r.name] ?? r.release]));
        const versions = this.deployed.regions.flatMap((r) =>
            changed[r.name] === undefined && r.saleorVersion ? [[r.name, r.saleorVersion]] : [],
        );
        await this.target.setReleaseConfig({
            release: this.original.release,
            regionReleases,
            ...(versions.length > 0 ? { regionSaleorVersions: Object.fromEntries(versions) } : {}),
            ...this.previousReleaseWith(changed),
        });
    }

    /**
     * `saleor:previousRelease` while the regions in `changed` run their new releases: the release the
     * primary ran before, once the primary moves to another one (the program then keeps that
     * release's pre-migration snapshot of the writer beside the new one's); otherwise what the stack
     * file said.
     */
    private previousReleaseWith(changed: Record<string, string>): Pick<ReleaseConfig, "previousRelease"> {
        const primary = this.deployed.regions.find((r) => r.role === "primary");
        const moving = primary ? changed[primary.name] : undefined;
        const previousRelease =
            primary && moving !== undefined && moving !== primary.release
                ? primary.release
                : // Rolled back: the primary ran the failed release last; its snapshot (taken before its
                  // migration, the one to restore if that migration did harm) must outlive the rollback.
                  primary && this.primaryTried !== undefined && this.primaryTried !== primary.release
                  ? this.primaryTried
                  : this.original.previousRelease;
        return previousRelease !== undefined ? { previousRelease } : {};
    }

    /** Why production may not go ahead, or undefined when it may. */
    private async productionRefusal(regions: string): Promise<string | undefined> {
        if (this.options.stack !== "production" || this.options.yes) {
            return undefined;
        }
        if (!this.deps.confirm) {
            return "production needs --yes or a confirmation on an interactive terminal, and there is no terminal";
        }
        const ok = await this.deps.confirm(`Deploy ${this.options.release} to production (${regions})?`);
        return ok ? undefined : "the production rollout was not confirmed";
    }

    /** Preview-only runs and the gates stop here, before anything changed. */
    private async beforeChanges(gate: GateOutcome, what: string, regions: string): Promise<void> {
        if (gate.blocked) {
            throw new Stop("blocked", `Stopped before any change: ${gate.blocked}.`);
        }
        if (this.options.previewOnly) {
            throw new Stop(
                "previewed",
                `Preview of ${what} passed the gates (${formatChanges(gate.report.changes)}); nothing was changed.`,
            );
        }
        const refusal = await this.productionRefusal(regions);
        if (refusal) {
            throw new Stop("blocked", `Stopped before any change: ${refusal}.`);
        }
    }

    private rolloutRegions(): DeployedRegion[] {
        if (this.options.region === undefined) {
            return this.deployed.regions;
        }
        const region = this.deployed.regions.find((r) => r.name === this.options.region);
        if (!region) {
            const known = this.deployed.regions.map((r) => r.name).join(", ");
            throw new UsageError(`--region ${this.options.region} is not a region of stack ${this.options.stack} (regions: ${known})`);
        }
        // Only the primary migrates; a secondary reads the primary's database through its replica, so
        // new code there before the primary's migration would run against the old schema.
        const primary = this.deployed.regions.find((r) => r.role === "primary");
        if (region.role === "secondary" && primary && primary.release !== this.options.release) {
            throw new Stop(
                "blocked",
                `Stopped before any change: ${region.name} is a secondary region and the primary ${primary.name} runs ${primary.release}, not ${this.options.release}; ` +
                    `the primary migrates the shared database first: deploy --region ${primary.name} (or every region) before ${region.name}.`,
            );
        }
        return [region];
    }

    private async stagedRollout(): Promise<void> {
        const { release } = this.options;
        const regions = this.rolloutRegions();
        const summaries: RegionSummary[] = regions.map((r) => ({
            region: r.name,
            role: r.role,
            previousRelease: r.release,
            newRelease: release,
            status: "not-started",
            durationMs: 0,
        }));
        this.summary.regions = summaries;

        // The gate previews the end state; since regions are independent in the program,
        // its steps are the union of what the per-region updates will do.
        await this.pinAllBut(Object.fromEntries(regions.map((r) => [r.name, release])));
        const gate = await this.gate("preview");
        this.summary.preview = previewSummary(gate.report);
        await this.beforeChanges(gate, release, regions.map((r) => r.name).join(", "));
        await this.starting();
        // Nothing moved yet: the stack file goes back exactly as it was, not as a pin of every region.
        this.settle = async () => {
            if (Object.keys(this.moved).length > 0) return this.pinAllBut(this.moved);
            await this.target.restoreStackFile();
            // Nothing moved, but a rolled-back primary ran the failed release: keep its snapshot named.
            if (this.primaryTried !== undefined) await this.target.setReleaseConfig({ ...this.original, ...this.previousReleaseWith({}) });
        };
        await this.scanImage();

        for (let i = 0; i < regions.length; i++) {
            const region = regions[i];
            const rs = summaries[i];
            const started = Date.now();
            try {
                await this.rolloutRegion(region, rs);
            } catch (e) {
                if (e instanceof Cancelled) rs.status = "cancelled";
                throw e;
            } finally {
                rs.durationMs = Date.now() - started;
            }
            if (rs.status === "unchanged") {
                throw new Stop("error", `${this.failureMessage(rs)} ${this.lockConflict?.message ?? ""}`.trim(), this.lockConflict);
            }
            if (rs.status !== "deployed") {
                throw new Stop(rs.status === "blocked" ? "blocked" : "failed", this.failureMessage(rs));
            }
            this.moved[region.name] = release;
        }
        if (regions.length === this.deployed.regions.length) {
            // Every region runs the release: the stack file says so in one key, without pins, so a
            // later `pulumi up` by hand deploys what runs (the change to commit after a release).
            await this.target.setReleaseConfig({ release, ...this.previousReleaseWith(this.moved) });
        }
        this.summary.result = "succeeded";
        this.summary.message = `${release} is live and verified in ${regions.map((r) => r.name).join(", ")}.`;
    }

    private async rolloutRegion(region: DeployedRegion, rs: RegionSummary): Promise<void> {
        const { log } = this.deps;
        const { release } = this.options;
        log(`==> ${region.name} (${region.role}): ${region.release} → ${release}`);
        await this.pinAllBut({ ...this.moved, [region.name]: release });

        // Earlier regions are already updated, so this preview shows exactly this
        // region's steps, and it re-checks what the update is about to do.
        const gate = await this.gate(`${region.name} preview`);
        rs.preview = previewSummary(gate.report);
        if (gate.blocked) {
            await this.pinAllBut(this.moved);
            rs.status = "blocked";
            rs.error = `stopped before its update: ${gate.blocked}`;
            return;
        }

        const outcome = await this.applyAndVerify(region, release, true);
        rs.changes = outcome.changes;
        rs.verification = outcome.verification;
        if (outcome.locked) {
            // The engine refused before taking the lock: nothing changed, so there is nothing to roll
            // back, and a rollback update would only meet the same lock.
            rs.status = "unchanged";
            rs.error = "nothing changed, another update holds the stack's lock";
            this.lockConflict = outcome.locked;
            return;
        }
        if (outcome.ok) {
            rs.status = "deployed";
            return;
        }
        rs.error = outcome.error;
        // The primary's update ran (it may have taken its pre-migration snapshot and migrated): from
        // here on that release stays named as the previous one, so its snapshot is kept.
        if (region.role === "primary") this.primaryTried = release;
        rs.rollback = await this.rollback(region);
        rs.status = rs.rollback === null ? "failed" : rs.rollback.verified ? "rolled-back" : "rollback-failed";
    }

    /** `up`, then the smoke checks against the endpoints the update just reported. */
    private async applyAndVerify(
        region: DeployedRegion,
        expected: string,
        withPolicies: boolean,
    ): Promise<{
        ok: boolean;
        changes?: Record<string, number>;
        verification?: RegionVerification;
        error?: string;
        /** Set when the update did not start because another update holds the stack's lock. */
        locked?: ClassifiedError;
    }> {
        const label = region.name;
        const { report, error } = await this.operate("up", label, withPolicies);
        if (error !== undefined) {
            const c = classifyError(error, this.options.stack, report.errors);
            if (c.kind === "stack-locked") {
                return { ok: false, changes: report.changes, error: `the update did not start: ${c.message}`, locked: c };
            }
            const canary = canaryFailure(report.failed);
            return { ok: false, changes: report.changes, error: `the update failed: ${canary ?? c.message}` };
        }
        this.deps.log(`  [${label}] updated: ${formatChanges(report.changes)}`);
        let now: DeployedRegion | undefined;
        try {
            now = parseDeployedStack(await this.target.outputs()).regions.find((r) => r.name === region.name);
        } catch (e) {
            return { ok: false, changes: report.changes, error: e instanceof Error ? e.message : String(e) };
        }
        if (!now) {
            return { ok: false, changes: report.changes, error: `the stack outputs no longer list ${region.name}` };
        }
        // Guards against a program that ignored the release config: the checks below
        // would otherwise pass against the old release.
        if (now.release !== expected) {
            return {
                ok: false,
                changes: report.changes,
                error: `after the update the stack reports ${now.release} in ${region.name}, expected ${expected}`,
            };
        }
        const verification = await verifyRegion(now.endpoints, this.verifyOptions(), this.deps.log, label, this.verifyContext());
        this.throwIfCancelled();
        if (!verification.ok) {
            return { ok: false, changes: report.changes, verification, error: `verification failed: ${failedChecks(verification)}` };
        }
        return { ok: true, changes: report.changes, verification };
    }

    private async rollback(region: DeployedRegion): Promise<RollbackSummary | null> {
        const previous = region.release;
        if (previous === this.options.release) {
            this.deps.log(`==> ${region.name}: it already ran ${previous} before this run; there is nothing older to roll back to`);
            return null;
        }
        this.deps.log(`==> ${region.name}: rolling back to ${previous}`);
        try {
            await this.pinAllBut(this.moved);
            // No policy pack here: putting back the release that ran before must not be
            // blocked by a rule that changed since it was deployed.
            const outcome = await this.applyAndVerify(region, previous, false);
            return {
                release: previous,
                changes: outcome.changes,
                verification: outcome.verification,
                verified: outcome.ok,
                error: outcome.error,
            };
        } catch (e) {
            if (e instanceof Cancelled) throw e;
            // The region's state is what matters now; report it rather than abort the report.
            return { release: previous, verified: false, error: classifyError(e, this.options.stack).message };
        }
    }

    private failureMessage(rs: RegionSummary): string {
        const parts = [rs.status === "blocked" ? `${rs.region} was ${rs.error}.` : `${rs.region}: ${rs.error}.`];
        if (rs.rollback) {
            parts.push(
                rs.rollback.verified
                    ? `It was rolled back to ${rs.rollback.release} and the rollback verified.`
                    : `The rollback to ${rs.rollback.release} did NOT verify${rs.rollback.error ? ` (${rs.rollback.error})` : ""}: the region needs attention now.`,
            );
        } else if (rs.rollback === null) {
            parts.push("It could not be rolled back: it ran the same release before this run.");
        }
        const done = Object.keys(this.moved);
        if (done.length > 0) {
            parts.push(`${done.join(", ")} ${done.length > 1 ? "stay" : "stays"} on ${this.options.release}.`);
        }
        const untouched = this.summary.regions.filter((r) => r.status === "not-started").map((r) => r.region);
        if (untouched.length > 0) {
            parts.push(`${untouched.join(", ")} ${untouched.length > 1 ? "were" : "was"} not touched.`);
        }
        return parts.join(" ");
    }

    /**
     * The storefront image as built, scanned before any region serves it: a targeted update builds and
     * pushes it alone, and ECR's findings decide (image-scan.ts). A refusal changes no region.
     */
    private async scanImage(): Promise<void> {
        const { log } = this.deps;
        if (this.options.skipImageScan !== undefined) {
            this.summary.imageScan = { result: "skipped", reason: this.options.skipImageScan };
            log(`==> IMAGE SCAN SKIPPED: ${this.options.skipImageScan}`);
            return;
        }
        const scan = this.deps.imageScan ?? {};
        try {
            this.summary.imageScan = await scanStorefrontImage({
                resources: () => this.target.resources(),
                build: async (target) => {
                    const { error } = await this.operate("up", "storefront image", true, target);
                    if (error === undefined) return;
                    const c = classifyError(error, this.options.stack, this.lastErrors);
                    if (c.kind === "stack-locked") throw new Stop("error", `The storefront image was not built: ${c.message}`, c);
                    throw new Stop(
                        "failed",
                        `The storefront image build (a targeted update of it alone) failed: ${c.message}. No region was changed.`,
                    );
                },
                findings: scan.findings ?? awsCliFindings(),
                allowList: scan.allowList ?? allowListFile(path.resolve(__dirname, "..", "..")),
                now: this.deps.now ?? (() => new Date()),
                sleep: (ms) => (this.deps.sleep ?? sleep)(ms, this.deps.signal),
                checkCancelled: () => this.throwIfCancelled(),
                log,
                signal: this.deps.signal,
                timeoutMs: scan.timeoutMs ?? DEFAULT_SCAN_TIMEOUT_MS,
                intervalMs: scan.intervalMs ?? DEFAULT_SCAN_INTERVAL_MS,
            });
        } catch (e) {
            // A signal also ends the aws CLI the scan was waiting on: that is a cancellation, not its error.
            this.throwIfCancelled();
            if (!(e instanceof ImageScanRefusal)) throw e;
            this.summary.imageScan = e.summary;
            throw new Stop("failed", e.message);
        }
    }

    /** No outputs yet: every region comes up together, and there is nothing to roll back to. */
    private async firstDeployment(): Promise<void> {
        const { release } = this.options;
        const { log } = this.deps;
        if (this.options.region !== undefined) {
            throw new UsageError(`stack ${this.options.stack} has no deployed regions yet; deploy all of them first (without --region)`);
        }
        log(`==> no regions deployed yet: first deployment of ${release} to every region`);
        await this.setReleases(undefined, release);
        const gate = await this.gate("preview");
        this.summary.preview = previewSummary(gate.report);
        await this.beforeChanges(gate, `the first deployment of ${release}`, "every region, first deployment");
        await this.starting();
        // From here on the stack holds whatever the update created: leave the config be.
        this.settle = undefined;
        // The storefront's image is built by this update (its build calls the API the same update
        // creates), so nothing could scan it before. Everything but the storefront's workloads (and
        // what depends on them) comes up first; the image is scanned; only then does the storefront start.
        const storefront = storefrontWorkloads(gate.report);
        if (storefront.length > 0) {
            if (this.options.skipImageScan === undefined) {
                log(`==> first deployment: everything but the storefront's workloads, so its image is scanned before it serves`);
                const first = await this.operate("up", "up (all but the storefront)", true, undefined, storefront);
                if (first.error !== undefined) {
                    throw first.error;
                }
            }
            // Scans the image, or records why it was skipped.
            await this.scanImage();
        }
        const { report, error } = await this.operate("up", "up", true);
        if (error !== undefined) {
            throw error;
        }
        this.deployed = parseDeployedStack(await this.target.outputs());
        for (const region of this.deployed.regions) {
            const started = Date.now();
            const verification = await verifyRegion(region.endpoints, this.verifyOptions(), log, region.name, this.verifyContext());
            this.throwIfCancelled();
            this.summary.regions.push({
                region: region.name,
                role: region.role,
                newRelease: release,
                status: verification.ok ? "deployed" : "failed",
                changes: report.changes,
                verification,
                ...(verification.ok ? {} : { error: `verification failed: ${failedChecks(verification)}`, rollback: null }),
                // The shared update is in the run's duration; this is the region's own time.
                durationMs: Date.now() - started,
            });
        }
        const failed = this.summary.regions.filter((r) => r.status === "failed");
        if (failed.length > 0) {
            throw new Stop(
                "failed",
                `First deployment of ${release}: ${failed.map((r) => `${r.region} ${r.error}`).join("; ")}. There is no previous release to roll back to.`,
            );
        }
        this.summary.result = "succeeded";
        this.summary.message = `${release} is live and verified in ${this.deployed.regions.map((r) => r.name).join(", ")} (first deployment).`;
    }
}

export function deploy(options: DeployOptions, deps: DeployDeps): Promise<DeploySummary> {
    return new Deployment(options, deps).run();
}

/**
 * The storefront's workloads a first deployment's preview plans to create, when it also builds the
 * storefront's image (stack/images.ts: a docker Image `<home>-storefront-image`; components/storefront.ts:
 * a Rollout, or in dev a Deployment, `<region>-storefront`): none when the image is a published one.
 */
export function storefrontWorkloads(preview: OperationReport): string[] {
    const builds = preview.planned.some((p) => p.type === DOCKER_IMAGE_TYPE && p.op === "create" && /-storefront-image$/.test(p.urn));
    if (!builds) return [];
    return preview.planned
        .filter(
            (p) =>
                p.op === "create" &&
                (p.type === "kubernetes:argoproj.io/v1alpha1:Rollout" || p.type === "kubernetes:apps/v1:Deployment") &&
                /::[a-z0-9-]+-storefront$/.test(p.urn),
        )
        .map((p) => p.urn);
}

/**
 * What to tell the on-call engineer when a canary's gate Job failed (components/kubernetes/rollout-gate.ts):
 * its Rollout was aborted (the analysis failed, or someone aborted it) or did not finish in time. The
 * reason is in the gate's log and in Argo's AnalysisRun, not in what Pulumi reports (a failed Job).
 */
export function canaryFailure(failed: string[]): string | undefined {
    const gates = failed.filter((name) => name.endsWith("-gate"));
    if (gates.length === 0) return undefined;
    const rollouts = gates.map((g) => g.slice(0, -"-gate".length));
    return (
        `the canary of ${rollouts.join(" and ")} was aborted or did not finish (its gate Job failed); traffic is on the stable version. ` +
        "Why: `kubectl -n <namespace> logs -l app.kubernetes.io/component=rollout-gate --tail=20` (the Rollout's phase and message) and " +
        "`kubectl argo rollouts get rollout <rollout> -n <namespace>` (the AnalysisRun's measurements; the namespace is `saleor` unless the stack says otherwise)"
    );
}
