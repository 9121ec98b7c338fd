import { validateReleaseSettings } from "../../config/load";
import type { ReleaseSettings } from "../../config/schema";
import { classifyError } from "./errors";
import { EventRecorder, formatChanges } from "./events";
import type { FailoverStack, Role, StateResource, TargetedOperationOptions } from "./failover-stack";
import { failoverNotificationText, post, type FailoverEvent, type FetchLike } from "./notify";
import type { DeployableStack } from "./rollout";
import type { FailoverRunSummary, FailoverStageSummary } from "./summary";
import { checkWindow } from "./windows";

// A regional failover as ordered, separately resumable stages (docs/operations.md, "Regional
// failover"). The program already expresses a failover as a change of roles in config
// (components/data/aws/postgres.ts: the new primary's writer aliases its own standby, and dropping
// replicateSourceDb promotes it); the driver turns that one change into steps an operator can
// watch, stop and resume:
//
//   preflight         the target is a deployed secondary with a standby; nothing else holds the stack
//   release-old       the instances leaving the stack (the old writer, its in-region reader) lose
//                     Pulumi's `protect`, and the one AWS will really delete loses RDS deletion
//                     protection, through the program, on exactly that instance
//   promote           the roles swapped in Pulumi.<stack>.yaml; an update of the standby alone:
//                     RDS promotes it in place
//   target-region     an update of the target region: it becomes the writer's region (its Core,
//                     migration Job, reader, backups)
//   other-region      an update of the old primary's region: its Core is re-pointed at the new
//                     writer, it gets a standby of it, the old instances leave the stack
//   migrations-beat   Celery beat stops in the old primary, then a whole-stack update starts it in
//                     the target and converges everything the targeted updates left aside
//
// Each completed stage is written to the state file before the next starts, so a run that dies
// between two stages is resumed at the next one with --resume.

export const STAGES = ["preflight", "release-old", "promote", "target-region", "other-region", "migrations-beat"] as const;
/**
 * `--primary-down`: the same stages, those that need the old primary skipped, and one more that
 * `--resume` runs once the region answers again (see reconcile()).
 */
export const PRIMARY_DOWN_STAGES = [...STAGES, "reconcile"] as const;
export type Stage = (typeof PRIMARY_DOWN_STAGES)[number];

/** The stages that need the old primary's region, skipped with --primary-down and done by reconcile. */
const NEEDS_OLD_PRIMARY: Partial<Record<Stage, string>> = {
    "release-old": "the old writer and its reader keep their protection; reconcile forgets them (they stay in AWS)",
    "other-region": "its Core still points at the old writer and it has no standby; reconcile re-points it and creates the standby",
};

export interface StageRecord {
    stage: Stage;
    /** Skipped with --primary-down (reconcile does its work). */
    skipped?: true;
    /** When it finished (the run's clock). */
    finishedAt: string;
    durationMs: number;
}

/** What the state file holds for one failover: enough to resume it. */
export interface FailoverState {
    stack: DeployableStack;
    /** The region that was primary when it started. */
    from: string;
    to: string;
    startedAt: string;
    completed: StageRecord[];
    /** Set once the last stage is done. */
    finishedAt?: string;
    /** A drill: once this leg is done, fail back to `from`. */
    drillReturn?: boolean;
    /**
     * `data.aws.postgres.deletionProtection` as the stack file had it before release-old lowered it
     * (null: unset), recorded before the change so that a run killed in between puts back the
     * stack's value, not the lowered one.
     */
    deletionProtectionBefore?: boolean | null;
    /** `--primary-down`: the old primary did not answer; the stages that need it wait for reconcile. */
    primaryDown?: boolean;
    /** The legs of a drill already done (the way out, when the way back is running). */
    previousLegs?: { from: string; to: string; completed: StageRecord[] }[];
}

/** Where the state file lives: `.failover/<stack>.json` beside Pulumi.yaml in the CLI, memory in tests. */
export interface StateStore {
    load(): Promise<FailoverState | undefined>;
    save(state: FailoverState): Promise<void>;
}

export interface FailoverOptions {
    stack: DeployableStack;
    /** The region to make primary; absent with `resume`. */
    to?: string;
    /** Go on with the failover the state file records. */
    resume: boolean;
    /** Fail over to `to` and back (staging only), timing every stage. */
    drill: boolean;
    /** Production goes ahead without asking. */
    yes: boolean;
    /** Why a drill may start outside the deployment windows (recorded; a failover needs none). */
    emergency?: string;
    /** The old primary's region does not answer: go on without it (`--primary-down`). */
    primaryDown?: boolean;
    /** With primaryDown: go on although the preflight reached the region. */
    force?: boolean;
}

export interface FailoverDeps {
    openStack(): Promise<FailoverStack>;
    state: StateStore;
    log(line: string): void;
    /** The clock stage times are measured with. Default: the system clock. */
    now?: () => Date;
    confirm?: (question: string) => Promise<boolean>;
    /** Posts the notifications (saleor:releaseWebhookUrl). Default: the global fetch. */
    fetch?: FetchLike;
    /** Where the run's summary can be read; every notification links it. */
    summaryLink?: string;
}

/** The run's report: summary.ts writes it as the release's JSON and Markdown summaries. */
export type FailoverSummary = FailoverRunSummary;

const RDS = "aws:rds/instance:Instance";
/** What the AWS SDK and Go's resolver say when a region's endpoints do not answer. */
const NETWORK_ERROR = /dial tcp|i\/o timeout|no such host|connection refused|request send failed|ECONNREFUSED|ETIMEDOUT|ENOTFOUND/i;
const PROJECT = "saleor";

/** A usage or configuration problem: nothing was changed (exit 2). */
class UsageError extends Error {}
/** The run stops with this exit code and message. */
class Halt extends Error {
    constructor(
        readonly code: 1 | 3 | 4,
        message: string,
    ) {
        super(message);
    }
}

/** Pulumi's URN glob (`*` within one URN part, `**` across parts) for a resource of this name, any type. */
export function nameGlob(stack: string, name: string): string {
    return `urn:pulumi:${stack}::${PROJECT}::**::${name}`;
}

/**
 * The resources each targeted stage updates (Pulumi's --target and --exclude): the promotion the
 * target's writer alone, each region's stage every resource named for that region but its Celery
 * beat, which migrations-beat moves (with what waits for the new beat). Exported for the spec that checks them against the program.
 */
export function stageTargets(
    stage: "promote" | "target-region" | "other-region",
    { stack, from, to }: Pick<FailoverState, "stack" | "from" | "to">,
): Pick<TargetedOperationOptions, "target" | "exclude" | "excludeDependents"> {
    switch (stage) {
        case "promote":
            return { target: [nameGlob(stack, names(to).writer)] };
        case "target-region":
            // The region's alarms and dashboard wait for its Core, beat included: they follow in
            // migrations-beat (tests/automation/deploy/failover-targets.spec.ts).
            return { target: [nameGlob(stack, `${to}-*`)], exclude: [nameGlob(stack, names(to).beat)], excludeDependents: true };
        case "other-region":
            return { target: [nameGlob(stack, `${from}-*`)], exclude: [nameGlob(stack, names(from).beat)] };
    }
}

const resourceName = (urn: string) => urn.slice(urn.lastIndexOf("::") + 2);

/** The logical names the program gives a region's instances and its primary-only processes. */
export const names = (region: string) => ({
    writer: `${region}-data-postgres-writer`,
    standby: `${region}-data-postgres-standby`,
    reader: `${region}-data-postgres-reader`,
    beat: `${region}-core-beat`,
    migrate: `${region}-core-migrate`,
});

function regionsOf(config: { get(key: string): string | undefined }): { name: string; role: Role }[] {
    const raw = config.get("regions");
    if (raw === undefined) throw new UsageError("saleor:regions is not set in the stack file: the stack has no regions to fail over");
    const parsed: unknown = JSON.parse(raw);
    if (!Array.isArray(parsed)) throw new UsageError("saleor:regions must be a list of regions");
    return parsed.map((r: { name?: unknown; role?: unknown }) => ({
        name: String(r.name),
        role: r.role === "primary" ? "primary" : "secondary",
    }));
}

class Failover {
    private stack?: FailoverStack;
    private settings?: ReleaseSettings;
    private readonly summary: FailoverSummary;
    private readonly started: Date;
    /** The run passed its gates and is about to change the stack: the channel heard "start". */
    private changing = false;

    constructor(
        private readonly options: FailoverOptions,
        private readonly deps: FailoverDeps,
    ) {
        this.started = this.now();
        this.summary = {
            kind: "failover",
            stack: options.stack,
            drill: options.drill,
            startedAt: this.started.toISOString(),
            finishedAt: "",
            durationMs: 0,
            result: "error",
            exitCode: 4,
            message: "",
            legs: [],
        };
    }

    private now(): Date {
        return (this.deps.now ?? (() => new Date()))();
    }

    private get target(): FailoverStack {
        if (!this.stack) throw new Error("stack not opened");
        return this.stack;
    }

    async run(): Promise<FailoverSummary> {
        try {
            await this.stages(await this.begin());
        } catch (e) {
            this.failed(e);
        }
        const finished = this.now();
        this.summary.finishedAt = finished.toISOString();
        this.summary.durationMs = finished.getTime() - this.started.getTime();
        if (this.changing) await this.notify(this.summary.result === "succeeded" ? "success" : "failure");
        return this.summary;
    }

    private async stages(initial: FailoverState): Promise<void> {
        const { log } = this.deps;
        let state = initial;
        for (;;) {
            const leg = { from: state.from, to: state.to, stages: [] as FailoverStageSummary[] };
            this.summary.legs.push(leg);
            log(
                `==> failover of ${state.stack}: ${state.from} → ${state.to}${state.completed.length ? ` (resumed after ${state.completed.at(-1)!.stage})` : ""}`,
            );
            for (const stage of state.primaryDown ? PRIMARY_DOWN_STAGES : STAGES) {
                if (state.completed.some((c) => c.stage === stage)) continue;
                if (stage === "reconcile" && leg.stages.length > 0) {
                    // The region did not answer when this run began: the reconcile is a run of its own.
                    this.summary.followUp = this.whenBack(state);
                    break;
                }
                if (stage !== "preflight" && !this.changing) {
                    // The gates passed: from here on the stack changes, and the channel hears it.
                    this.changing = true;
                    await this.notify("start");
                }
                const started = this.now();
                const skip = state.primaryDown ? NEEDS_OLD_PRIMARY[stage] : undefined;
                if (skip) {
                    const note = `skipped: ${state.from} did not answer; ${skip}`;
                    log(`==> [${stage}] ${note}`);
                    const record = { stage, finishedAt: started.toISOString(), durationMs: 0, skipped: true as const };
                    state = { ...state, completed: [...state.completed, record] };
                    leg.stages.push({ stage, result: "skipped", startedAt: started.toISOString(), durationMs: 0, note });
                    await this.deps.state.save(state);
                    continue;
                }
                log(`==> [${stage}]`);
                try {
                    await this.runStage(stage, state);
                } catch (e) {
                    const failedAt = this.now();
                    leg.stages.push({
                        stage,
                        result: "failed",
                        startedAt: started.toISOString(),
                        durationMs: failedAt.getTime() - started.getTime(),
                        error: e instanceof Error ? e.message : String(e),
                    });
                    throw e;
                }
                const finished = this.now();
                const record = { stage, finishedAt: finished.toISOString(), durationMs: finished.getTime() - started.getTime() };
                state = { ...state, completed: [...state.completed, record] };
                leg.stages.push({ ...record, result: "done", startedAt: started.toISOString() });
                if (stage === (state.primaryDown ? "reconcile" : STAGES[STAGES.length - 1])) state.finishedAt = record.finishedAt;
                await this.deps.state.save(state);
                log(`    ${stage} done in ${formatMs(record.durationMs)}`);
                if (stage === "reconcile") this.summary.followUp = this.afterReconcile(state);
            }
            if (!state.drillReturn) break;
            // The way back of a drill: the same stages from the new primary to the old one.
            state = {
                stack: state.stack,
                from: state.to,
                to: state.from,
                startedAt: this.now().toISOString(),
                completed: [],
                previousLegs: [...(state.previousLegs ?? []), { from: state.from, to: state.to, completed: state.completed }],
            };
            await this.deps.state.save(state);
        }
        const message = this.summary.legs
            .map((l) => `${l.from} → ${l.to}: ${l.stages.map((s) => `${s.stage} ${formatMs(s.durationMs)}`).join(", ")}`)
            .join("; ");
        this.summary.result = "succeeded";
        this.summary.exitCode = 0;
        this.summary.message = message || "nothing was left to do";
        if (!state.finishedAt && state.primaryDown) {
            this.summary.message +=
                `. ${state.to} is the primary region; ${state.from} did not answer: once it does, run ` +
                `\`npm run deploy -- --stack ${state.stack} --failover --resume\` (the reconcile stage)`;
        }
        log(`==> succeeded: ${this.summary.message}`);
    }

    private async notify(event: FailoverEvent): Promise<void> {
        const url = this.settings?.releaseWebhookUrl;
        if (!url) return;
        const text = failoverNotificationText(event, this.summary, this.deps.summaryLink);
        const sent = await post(event, text, {
            webhookUrl: url.value,
            fetch: this.deps.fetch ?? ((input, init) => fetch(input, init)),
            log: this.deps.log,
        });
        (this.summary.notifications ??= []).push({ event, sent });
    }

    private failed(e: unknown): void {
        const s = this.summary;
        if (e instanceof UsageError) {
            Object.assign(s, { result: "error", exitCode: 2, message: e.message });
        } else if (e instanceof Halt) {
            Object.assign(s, {
                result: e.code === 1 ? "failed" : e.code === 3 ? "blocked" : "error",
                exitCode: e.code,
                message: e.message,
            });
        } else {
            const c = classifyError(e, this.options.stack);
            const resume =
                s.legs.length > 0
                    ? ` Fix the cause, then run \`npm run deploy -- --stack ${this.options.stack} --failover --resume\`.`
                    : "";
            Object.assign(s, { result: "failed", exitCode: c.kind === "unknown" ? 1 : 4, message: `${c.message}${resume}` });
        }
        this.deps.log(`==> ${s.result}: ${s.message}`);
    }

    /** Checks the arguments against the state file, opens the stack and returns the failover to run. */
    private async begin(): Promise<FailoverState> {
        const { stack, to, resume, drill } = this.options;
        const saved = await this.deps.state.load();
        const unfinished = saved && !saved.finishedAt ? saved : undefined;
        if (resume && !unfinished) {
            throw new UsageError(`--resume: no unfinished failover of stack ${stack} is recorded; start one with --failover --to <region>`);
        }
        if (!resume && unfinished) {
            throw new UsageError(
                `a failover of stack ${stack} to ${unfinished.to} stopped after ${unfinished.completed.at(-1)?.stage ?? "no stage"}; ` +
                    `finish it with --failover --resume before starting another`,
            );
        }
        this.stack = await this.deps.openStack();
        const config = await this.target.stackConfig();
        const settings = validateReleaseSettings(config);
        if ("problems" in settings) {
            throw new UsageError(`invalid stack configuration in Pulumi.${stack}.yaml: ${settings.problems.join("; ")}`);
        }
        this.settings = settings.settings;
        if (unfinished) {
            if (this.options.primaryDown && !unfinished.primaryDown) {
                if (unfinished.drillReturn || unfinished.previousLegs?.length) {
                    throw new UsageError(
                        `--primary-down: the unfinished failover of stack ${stack} is a drill; resume it without --primary-down`,
                    );
                }
                await this.refuseIfReachable(unfinished.from);
                unfinished.primaryDown = true;
                await this.deps.state.save(unfinished);
            }
            const next = (unfinished.primaryDown ? PRIMARY_DOWN_STAGES : STAGES).find(
                (st) => !unfinished.completed.some((c) => c.stage === st),
            );
            if (next === "reconcile") {
                const probe = await this.target.probeRegion(unfinished.from);
                if (!probe.reachable) {
                    throw new Halt(
                        4,
                        `${unfinished.from} still does not answer (${probe.detail}); the reconcile needs it. Nothing was changed: run --resume again once it answers.`,
                    );
                }
            }
            Object.assign(this.summary, { from: unfinished.from, to: unfinished.to, drill: unfinished.drillReturn === true });
            if (unfinished.previousLegs?.length) {
                // The way back of a drill: the summary names the drill's way out.
                Object.assign(this.summary, { from: unfinished.to, to: unfinished.from, drill: true });
            }
            const last = unfinished.completed.at(-1)?.stage;
            if (last) this.summary.resumedAfter = last;
            // A failover half done is worse than one finished outside a window: --resume is never held back.
            return unfinished;
        }

        const regions = regionsOf(config);
        const target = regions.find((r) => r.name === to);
        if (!target) {
            throw new UsageError(`--to ${to} is not a region of stack ${stack} (regions: ${regions.map((r) => r.name).join(", ")})`);
        }
        if (target.role === "primary") {
            throw new UsageError(`--to ${to} is already the primary region of stack ${stack}; name the secondary to fail over to`);
        }
        const from = regions.find((r) => r.role === "primary");
        if (!from) throw new UsageError(`stack ${stack} has no primary region in saleor:regions`);
        Object.assign(this.summary, { from: from.name, to });
        this.judgeWindows();
        if (this.options.primaryDown) await this.refuseIfReachable(from.name);
        if (stack === "production" && !this.options.yes) {
            const ok = this.deps.confirm ? await this.deps.confirm(`Fail production over from ${from.name} to ${to}?`) : false;
            if (!ok) throw new Halt(3, "Stopped before any change: production needs --yes or a confirmation on an interactive terminal.");
        }
        const state: FailoverState = {
            stack,
            from: from.name,
            to: to!,
            startedAt: this.now().toISOString(),
            completed: [],
            ...(drill ? { drillReturn: true } : {}),
            ...(this.options.primaryDown ? { primaryDown: true } : {}),
        };
        await this.deps.state.save(state);
        return state;
    }

    /**
     * `--primary-down` skips stages and leaves work for later, so it is refused when the region
     * answers after all (its regional AWS endpoints: FailoverStack.probeRegion), unless --force says
     * its stack operations fail anyway.
     */
    private async refuseIfReachable(region: string): Promise<void> {
        const probe = await this.target.probeRegion(region);
        this.deps.log(`==> ${region}: ${probe.reachable ? "answers" : "does not answer"} (${probe.detail})`);
        if (!probe.reachable) return;
        if (this.options.force) {
            this.deps.log(`==> --force: going on without ${region} although it answers`);
            return;
        }
        throw new Halt(
            3,
            `Stopped before any change: --primary-down, but ${region} answers (${probe.detail}). Run the failover without --primary-down ` +
                `(every stage runs, nothing is left to reconcile), or add --force if its stack operations fail anyway.`,
        );
    }

    /**
     * Deployment windows (saleor:releaseWindows) never hold back a failover: it answers a region that
     * is failing, and waiting for a window would prolong the outage; the summary and the start
     * notification say when it ran outside one. A drill is planned practice, so it starts inside a
     * window, or outside one with `--emergency "<reason>"` (recorded like a release's).
     */
    private judgeWindows(): void {
        const windows = this.settings?.releaseWindows;
        if (this.options.emergency !== undefined) this.summary.emergency = this.options.emergency;
        if (!windows) return;
        const check = checkWindow(windows, this.now());
        this.summary.window = { inside: check.inside, local: check.local, windows: check.windows };
        if (check.inside) return;
        if (!this.options.drill) {
            this.deps.log(`==> outside the deployment windows (${check.local}; windows ${check.windows}): a failover is never held back`);
            return;
        }
        if (this.options.emergency !== undefined) {
            this.deps.log(`==> EMERGENCY drill outside the deployment windows (${check.local}): ${this.options.emergency}`);
            return;
        }
        throw new Halt(
            3,
            `Stopped before any change: a drill is planned work: it is ${check.local}, outside the deployment windows of stack ${this.options.stack} (${check.windows}). ` +
                `Drill inside a window, or rerun with --emergency "<reason>" (the reason is recorded in the summary).`,
        );
    }

    private async runStage(stage: Stage, state: FailoverState): Promise<void> {
        switch (stage) {
            case "preflight":
                return this.preflight(state);
            case "release-old":
                return this.releaseOld(state);
            case "promote":
                return this.promote(state);
            case "target-region":
            case "other-region":
                return this.update(stage, stageTargets(stage, state));
            case "migrations-beat":
                return state.primaryDown ? this.migrationsAndBeatWithoutOldPrimary(state) : this.migrationsAndBeat(state);
            case "reconcile":
                return this.reconcile(state);
        }
    }

    private async preflight({ stack, to, primaryDown }: FailoverState): Promise<void> {
        const pending = await this.target.pendingOperations();
        if (pending.length > 0) {
            throw new Halt(
                4,
                `stack ${stack} has ${pending.length} pending operation(s) from an interrupted update (${pending.map((p) => `${p.type} ${resourceName(p.urn)}`).join(", ")}); ` +
                    `resolve them (pulumi refresh --clear-pending-creates, or pulumi stack export/import) before a failover`,
            );
        }
        const resources = await this.target.resources();
        const standby = resources.find((r) => r.type === RDS && resourceName(r.urn) === names(to).standby);
        if (!standby) {
            throw new UsageError(
                `${to} has no standby (${names(to).standby}) in stack ${stack}: there is nothing to promote; deploy the stack first`,
            );
        }
        // Previewing takes the stack's lock as an update would: another update holding it stops the
        // failover here, before anything changed.
        // With the old primary down, a preview of its resources could only fail: the target region's.
        await this.operate("preview", "preflight", primaryDown ? { target: [nameGlob(stack, `${to}-*`)] } : {});
    }

    /**
     * The instances that leave the stack when the roles swap: the old writer (kept in AWS by
     * `retainOnDelete` in production) and the in-region reader beside it (deleted). The engine
     * refuses to delete a `protect`ed resource, so both are unprotected in state; RDS refuses
     * DeleteDBInstance while DeletionProtection is on ("You can't delete a DB instance with
     * deletion protection enabled": Amazon RDS User Guide, "Deleting a DB instance"), so the one
     * RDS will really be asked to delete gets it turned off by an update of that instance alone:
     * the stack's `data.aws.postgres.deletionProtection` set to false for one targeted update and
     * put back right after. Nothing else's protection changes. The unprotect comes last: an update
     * of a resource the program still declares `protect`ed writes the flag back into state.
     */
    private async releaseOld(state: FailoverState): Promise<void> {
        const { from } = state;
        const leaving = new Set([names(from).writer, names(from).reader]);
        const instances = (await this.target.resources()).filter((r) => r.type === RDS && leaving.has(resourceName(r.urn)));
        const toDelete = instances.filter((r) => !r.retainOnDelete && r.outputs.deletionProtection === true);
        if (toDelete.length === 0) {
            this.deps.log(`    no leaving instance has RDS deletion protection on`);
        } else {
            await this.lowerDeletionProtection(state, toDelete);
        }
        // Last: an update that still declares these instances (the one above) would protect them again.
        for (const r of (await this.target.resources()).filter((r) => instances.some((i) => i.urn === r.urn)).filter((i) => i.protect)) {
            this.deps.log(`    pulumi state unprotect ${resourceName(r.urn)}`);
            await this.target.unprotect(r.urn);
        }
    }

    private async lowerDeletionProtection(state: FailoverState, toDelete: StateResource[]): Promise<void> {
        if (state.deletionProtectionBefore === undefined) {
            const data = (await this.target.stackConfig()).get("data");
            const value =
                data === undefined
                    ? undefined
                    : (JSON.parse(data) as { aws?: { postgres?: { deletionProtection?: boolean } } }).aws?.postgres?.deletionProtection;
            state.deletionProtectionBefore = value ?? null;
            await this.deps.state.save(state);
        }
        const before = state.deletionProtectionBefore ?? undefined;
        await this.target.setConfigPath("data.aws.postgres.deletionProtection", false);
        try {
            await this.update("release-old", { target: toDelete.map((r) => r.urn) });
        } finally {
            await this.target.setConfigPath("data.aws.postgres.deletionProtection", before);
        }
        const after = (await this.target.resources()).filter((r) => toDelete.some((d) => d.urn === r.urn));
        const still = after.filter((r) => r.outputs.deletionProtection !== false);
        if (still.length > 0) {
            throw new Halt(
                1,
                `RDS deletion protection is still on for ${still.map((r) => resourceName(r.urn)).join(", ")} after the update; the failover stops before it would fail to delete it.`,
            );
        }
    }

    /**
     * The roles swapped in the stack file (the change to commit), and an update of the target's
     * standby alone: under its new logical name (the writer, aliased to the standby) the instance
     * loses replicateSourceDb, which the AWS provider applies as PromoteReadReplica. The stage ends
     * only when the checkpoint shows a standalone instance.
     */
    private async promote(state: FailoverState): Promise<void> {
        const regions = regionsOf(await this.target.stackConfig());
        const roles = Object.fromEntries(regions.map((r) => [r.name, r.name === state.to ? "primary" : "secondary"])) as Record<
            string,
            Role
        >;
        await this.target.setRegionRoles(roles);
        await this.update("promote", stageTargets("promote", state));
        const writer = (await this.target.resources()).find((r) => r.type === RDS && resourceName(r.urn) === names(state.to).writer);
        if (!writer || writer.outputs.replicateSourceDb) {
            throw new Halt(
                1,
                `${state.to}'s standby was not promoted: the stack ${writer ? `still replicates ${names(state.to).writer} from ${String(writer.outputs.replicateSourceDb)}` : `has no ${names(state.to).writer}`}.`,
            );
        }
    }

    /** One beat per database (docs/operations.md): the old one stops before the new one starts. */
    private async migrationsAndBeat(state: FailoverState): Promise<void> {
        await this.update("migrations-beat: stop beat", { target: [nameGlob(state.stack, names(state.from).beat)] });
        await this.update("migrations-beat: whole stack", {});
        await this.checkMoved(state, true);
    }

    /**
     * `--primary-down`: the old primary's beat cannot be stopped (its region does not answer; while
     * it is down it runs nothing), so the update converges every resource but the old region's and
     * starts beat and migrations in the target. reconcile() stops the old beat once it answers.
     */
    private async migrationsAndBeatWithoutOldPrimary(state: FailoverState): Promise<void> {
        await this.update(`migrations-beat: all but ${state.from}`, { exclude: [nameGlob(state.stack, `${state.from}-*`)] });
        await this.checkMoved(state, false);
    }

    /**
     * `--resume` after a `--primary-down` failover, once the old primary answers: what release-old,
     * other-region and migrations-beat would have done there. Its beat stops first (it schedules
     * against the old writer); then an update of the region but its old instances re-points its
     * Core at the new writer and creates its standby; then the old instances are forgotten
     * (`pulumi state delete --force`: they stay in AWS, the old writer with writes that never
     * reached the new one, to be reconciled and deleted by hand) — after the Core update, because
     * Pulumi refuses to delete from state a resource others still depend on; then the whole stack.
     */
    private async reconcile(state: FailoverState): Promise<void> {
        const { stack, from } = state;
        await this.update("reconcile: stop beat", { target: [nameGlob(stack, names(from).beat)] });
        const old = [names(from).reader, names(from).writer];
        const other = stageTargets("other-region", state);
        await this.update("reconcile: other-region", {
            ...other,
            exclude: [...(other.exclude ?? []), ...old.map((n) => nameGlob(stack, n))],
        });
        const resources = await this.target.resources();
        for (const name of old) {
            const r = resources.find((x) => x.type === RDS && resourceName(x.urn) === name);
            if (!r) continue;
            this.deps.log(`    pulumi state delete --force ${name} (kept in AWS)`);
            await this.target.forget(r.urn);
            this.forgotten.push({ name, identifier: String(r.outputs.identifier ?? name), region: from });
        }
        await this.update("reconcile: whole stack", {});
        await this.checkMoved(state, true);
    }

    /** The instances reconcile() forgot in this run. */
    private readonly forgotten: { name: string; identifier: string; region: string }[] = [];

    /** What the on-call engineer does once the old primary answers again (after a --primary-down run). */
    private whenBack(state: FailoverState): string[] {
        const cmd = `npm run deploy -- --stack ${state.stack} --failover --resume`;
        return [
            `As soon as ${state.from} answers again, run \`${cmd}\` (the reconcile stage). Until then, once ${state.from} runs again, its Core still writes to the old writer, and Route 53 sends it traffic as soon as its /health/ passes: if it comes back before you can reconcile, scale its api, worker and beat Deployments to 0 first.`,
            `The old writer in ${state.from} may hold writes that never reached ${state.to}: after the reconcile, compare its last minutes (orders, payments) with the new writer before deleting it.`,
        ];
    }

    private afterReconcile(state: FailoverState): string[] {
        return this.forgotten.map(
            (f) =>
                `${f.identifier} (${f.region}) left the stack but still runs in AWS${f.name === names(state.from).writer ? " with the old primary's last writes" : ""}: once nothing more is needed from it, ` +
                `\`aws rds modify-db-instance --region ${f.region} --db-instance-identifier ${f.identifier} --no-deletion-protection --apply-immediately\` then ` +
                `\`aws rds delete-db-instance --region ${f.region} --db-instance-identifier ${f.identifier} --final-db-snapshot-identifier ${f.identifier}-final\`.`,
        );
    }

    /** The outputs name the target as primary; migrations and beat run there (and, when `gone`, no longer in the old primary). */
    private async checkMoved(state: FailoverState, gone: boolean): Promise<void> {
        const outputs = await this.target.outputs();
        if (outputs.primaryRegion !== state.to) {
            throw new Halt(
                1,
                `after the update the stack reports ${String(outputs.primaryRegion)} as its primary region, expected ${state.to}`,
            );
        }
        const resources = (await this.target.resources()).map((r) => resourceName(r.urn));
        const wrong = gone ? [names(state.from).beat, names(state.from).migrate].filter((n) => resources.includes(n)) : [];
        const missing = [names(state.to).beat, names(state.to).migrate].filter((n) => !resources.includes(n));
        if (wrong.length > 0 || missing.length > 0) {
            throw new Halt(
                1,
                `migrations and beat did not move to ${state.to}: ${[...wrong.map((n) => `${n} is still there`), ...missing.map((n) => `${n} is missing`)].join(", ")}`,
            );
        }
    }

    private async update(
        label: string,
        targets: Pick<TargetedOperationOptions, "target" | "exclude" | "excludeDependents">,
    ): Promise<void> {
        await this.operate("up", label, targets);
    }

    private async operate(
        phase: "preview" | "up",
        label: string,
        targets: Pick<TargetedOperationOptions, "target" | "exclude" | "excludeDependents">,
    ): Promise<void> {
        const recorder = new EventRecorder(phase, label, this.deps.log);
        try {
            await this.target[phase]({ onEvent: recorder.handle, withPolicies: true, ...targets });
        } catch (e) {
            const report = recorder.report();
            const c = classifyError(e, this.options.stack, report.errors);
            let resume = `Fix the cause, then run \`npm run deploy -- --stack ${this.options.stack} --failover --resume\`.`;
            const text = [...report.errors, e instanceof Error ? e.message : String(e)].join("\n");
            if (NETWORK_ERROR.test(text) && this.summary.from && !this.options.primaryDown) {
                resume += ` If ${this.summary.from} is down, go on without it: \`npm run deploy -- --stack ${this.options.stack} --failover --resume --primary-down\` (docs/operations.md, "When the primary region is down").`;
            }
            if (c.kind === "unknown") {
                throw new Halt(
                    1,
                    `${label}: the ${phase === "up" ? "update" : "preview"} failed: ${report.errors.join("; ") || c.message}. ${resume}`,
                );
            }
            throw new Halt(4, `${label}: ${c.message} ${resume}`);
        }
        this.deps.log(`    [${label}] ${formatChanges(recorder.report().changes)}`);
    }
}

function formatMs(ms: number): string {
    if (ms < 1000) return `${ms} ms`;
    const s = Math.round(ms / 1000);
    return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

export function failover(options: FailoverOptions, deps: FailoverDeps): Promise<FailoverSummary> {
    return new Failover(options, deps).run();
}

export type { StateResource };
