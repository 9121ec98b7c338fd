import type { OpType, PolicyEvent } from "@pulumi/pulumi/automation";
import type { ConfigSource } from "../../../config/load";
import type { RegionEndpoints } from "../outputs";
import type { CheckpointResource, DeployStack, EngineEvent, OperationOptions, PendingOperation, ReleaseConfig } from "../stack";

// In-memory DeployStack for the driver's tests: it keeps each region's deployed release,
// answers outputs in the program's contract shape, and emits engine events shaped like
// the CLI's (typed against @pulumi/pulumi/automation). Like the engine, it fails a
// preview or update that has a mandatory policy violation.

export interface FakeRegion {
    name: string;
    role: "primary" | "secondary";
    release: string;
    /** The Saleor version the region runs, when the stack exports it. */
    saleorVersion?: string;
    endpoints: RegionEndpoints;
    /** False for a region the program declares but no update has created yet. */
    deployed?: boolean;
}

export interface FakeStep {
    op: OpType;
    type: string;
    name: string;
}

export type FakePolicy = Pick<PolicyEvent, "policyName" | "enforcementLevel" | "message"> & { resourceName?: string };

export interface FakeScenario {
    /**
     * The text of Pulumi.<stack>.yaml as the run finds it. Every setReleaseConfig rewrites it the
     * way `pulumi config set` of our values does (a structured value becomes a JSON string).
     */
    stackFile?: string;
    /** The stack file's other `saleor` keys (plain values; objects as the engine hands them over, JSON). */
    settings?: Record<string, unknown>;
    /** Keys of `settings` set with `pulumi config set --secret`. */
    secretSettings?: string[];
    /** Policy findings for the effective releases (evaluated on previews and policy-checked updates). */
    policies?: (releases: Record<string, string>) => FakePolicy[];
    /** Steps beyond the app rollout itself, e.g. a database replacement. */
    extraSteps?: (releases: Record<string, string>) => FakeStep[];
    /** Error text when the preview itself should fail (reported as an error diagnostic, as the engine does). */
    failPreview?: () => string | undefined;
    /** Error text when updating `region` to `release` should fail. */
    failUpdate?: (region: string, release: string) => string | undefined;
    /**
     * True when another update holds the stack's lock as `op` starts with these releases: the
     * operation fails as the Automation API's ConcurrentUpdateError does, before changing anything.
     */
    locked?: (op: "preview" | "up", releases: Record<string, string>) => boolean;
    /**
     * Called as an update starts changing `region` (before the step finishes): tests deliver a
     * signal here. If the operation's signal is then aborted, the step is interrupted and stays
     * pending in the checkpoint, as when the CLI is interrupted mid-step.
     */
    duringUpdate?: (region: string, release: string) => void;
    /** An interrupted update only ends once `cancel()` is called (a CLI that does not stop on SIGINT). */
    ignoresInterrupt?: boolean;
    /** A failed update leaves its step pending in the checkpoint. */
    pendingOnFailure?: boolean;
    /** Called when an update moves a region to a release (tests switch their servers here). */
    onRelease?: (region: string, release: string) => void;
    /**
     * The storefront's build in the checkpoint (stack/images.ts: a docker Image named
     * `<home>-storefront-image`), with the outputs it has before the run; absent: no build.
     */
    storefrontBuild?: { repoDigest: string; imageName: string };
    /** What an update of the storefront build pushes (default: what it had), or the error text it fails with. */
    rebuildStorefront?: () => { repoDigest: string; imageName: string } | { error: string };
    /**
     * A stack that builds its storefront but has not yet: the preview plans the build and each
     * region's storefront Rollout, and the update that creates the build pushes this.
     */
    firstStorefrontBuild?: { repoDigest: string; imageName: string };
    /**
     * True when updating `region` to `release` has its API canary aborted by its analysis: the
     * Rollout's gate Job fails (components/kubernetes/rollout-gate.ts), and with it the update.
     */
    abortCanary?: (region: string, release: string) => boolean;
}

export type FakeCall =
    | { kind: "preview"; withPolicies: boolean; releases: Record<string, string> }
    | {
          kind: "up";
          withPolicies: boolean;
          releases: Record<string, string>;
          target?: string[];
          exclude?: string[];
          excludeDependents?: boolean;
      }
    | { kind: "setReleaseConfig"; config: ReleaseConfig }
    | { kind: "cancel" }
    | { kind: "restoreStackFile" };

const PROJECT = "saleor";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DOCKER_IMAGE = "docker:index/image:Image";
const ROLLOUT = "kubernetes:argoproj.io/v1alpha1:Rollout";

export class FakeStack implements DeployStack {
    readonly calls: FakeCall[] = [];
    /** Every release change an update applied, in order. */
    readonly releaseHistory: { region: string; release: string }[] = [];
    config: ReleaseConfig;
    /** The stack file's text, when the scenario gave one. */
    stackFile?: string;
    /** The checkpoint's pending operations. */
    pending: PendingOperation[] = [];
    private sequence = 0;
    private cancelled?: () => void;

    constructor(
        readonly name: string,
        readonly regions: FakeRegion[],
        private readonly scenario: FakeScenario = {},
        private readonly initialConfig: ReleaseConfig = { release: regions[0]?.release },
    ) {
        this.config = initialConfig;
        this.stackFile = scenario.stackFile;
        this.originalFile = scenario.stackFile;
    }

    private readonly originalFile?: string;

    async restoreStackFile(): Promise<void> {
        this.calls.push({ kind: "restoreStackFile" });
        this.stackFile = this.originalFile;
        this.config = structuredClone(this.initialConfig);
    }

    async outputs(): Promise<Record<string, unknown>> {
        const deployed = this.regions.filter((r) => r.deployed !== false);
        if (deployed.length === 0) {
            return {};
        }
        return {
            environment: this.name,
            primaryRegion: deployed.find((r) => r.role === "primary")?.name,
            regions: Object.fromEntries(
                deployed.map((r) => [
                    r.name,
                    {
                        role: r.role,
                        release: r.release,
                        ...(r.saleorVersion ? { saleorVersion: r.saleorVersion } : {}),
                        endpoints: r.endpoints,
                    },
                ]),
            ),
        };
    }

    async stackConfig(): Promise<ConfigSource> {
        const raw = Object.fromEntries(
            Object.entries(this.scenario.settings ?? {}).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
        );
        const secret = this.scenario.secretSettings ?? [];
        return { get: (k) => raw[k], isSecret: (k) => secret.includes(k), keys: () => Object.keys(raw) };
    }

    async getReleaseConfig(): Promise<ReleaseConfig> {
        return structuredClone(this.config);
    }

    async setReleaseConfig(config: ReleaseConfig): Promise<void> {
        this.calls.push({ kind: "setReleaseConfig", config: structuredClone(config) });
        this.config = structuredClone(config);
        if (this.stackFile !== undefined) {
            this.stackFile = renderReleaseConfig(this.stackFile, config);
        }
    }

    async preview({ onEvent, withPolicies }: OperationOptions): Promise<void> {
        const releases = this.effectiveReleases();
        this.calls.push({ kind: "preview", withPolicies, releases });
        this.refuseIfLocked("preview", releases);
        const steps = this.steps(releases);
        for (const step of steps) {
            onEvent(this.event({ resourcePreEvent: { metadata: this.metadata(step), planning: true } }));
            onEvent(this.event({ resOutputsEvent: { metadata: this.metadata(step), planning: true } }));
        }
        this.checkPolicies(releases, withPolicies, onEvent, steps, "preview");
        const failure = this.scenario.failPreview?.();
        if (failure) {
            onEvent(this.event({ diagnosticEvent: { message: failure, color: "never", severity: "error" } }));
            throw new Error("code: 255\n stdout: \n stderr: error: preview failed\n");
        }
        onEvent(this.summary(steps));
    }

    async cancel(): Promise<void> {
        this.calls.push({ kind: "cancel" });
        this.cancelled?.();
    }

    async pendingOperations(): Promise<PendingOperation[]> {
        return structuredClone(this.pending);
    }

    /** The storefront build's outputs in the checkpoint, as the last update left them. */
    storefrontBuild?: { repoDigest: string; imageName: string };

    async resources(): Promise<CheckpointResource[]> {
        const deployed = this.regions.filter((r) => r.deployed !== false);
        const build = this.storefrontBuild ?? this.scenario.storefrontBuild;
        return [
            ...deployed.map((r) => ({
                urn: this.urn({ op: "same", type: DEPLOYMENT, name: deploymentName(r.name) }),
                type: DEPLOYMENT,
                outputs: {},
            })),
            ...(build && deployed.length > 0 ? [{ urn: this.storefrontUrn(), type: DOCKER_IMAGE, outputs: { ...build } }] : []),
        ];
    }

    /** Whether the storefront's workloads exist (a first deployment creates them last). */
    storefrontServing = false;

    /** The storefront's Rollout in each region. */
    storefrontWorkloadUrns(): string[] {
        return this.regions.map((r) => this.urn({ op: "create", type: ROLLOUT, name: `${r.name}-storefront` }));
    }

    /** The URN the program gives the storefront's build: the docker Image child of the home region's ContainerImage. */
    storefrontUrn(): string {
        const home = this.regions[0].name;
        return `urn:pulumi:${this.name}::${PROJECT}::saleor:components:ContainerImage$${DOCKER_IMAGE}::${home}-storefront-image`;
    }

    async up(options: OperationOptions): Promise<void> {
        if (options.target) return this.targetedUp(options);
        const { onEvent, withPolicies, signal, exclude } = options;
        const releases = this.effectiveReleases();
        this.calls.push({
            kind: "up",
            withPolicies,
            releases,
            ...(exclude ? { exclude: [...exclude], excludeDependents: options.excludeDependents } : {}),
        });
        this.refuseIfLocked("up", releases);
        const steps = this.steps(releases).filter((step) => !exclude?.includes(this.urn(step)));
        this.checkPolicies(releases, withPolicies, onEvent, steps, "update");
        for (const step of steps) {
            onEvent(this.event({ resourcePreEvent: { metadata: this.metadata(step) } }));
            const region = this.regions.find((r) => step.name === deploymentName(r.name));
            if (region && step.op !== "same") {
                this.scenario.duringUpdate?.(region.name, releases[region.name]);
                if (signal?.aborted) {
                    this.pending.push({ type: "updating", urn: this.urn(step), resourceType: step.type });
                    if (this.scenario.ignoresInterrupt) {
                        await new Promise<void>((resolve) => (this.cancelled = resolve));
                    }
                    onEvent(this.summary(steps));
                    throw new Error("code: 255\n stdout: \n stderr: error: update canceled\n");
                }
            }
            if (region && step.op !== "same" && this.scenario.abortCanary?.(region.name, releases[region.name])) {
                const gate: FakeStep = { op: "create", type: "kubernetes:batch/v1:Job", name: `${region.name}-core-api-gate` };
                onEvent(this.event({ resOpFailedEvent: { metadata: this.metadata(gate), status: 1, steps: 1 } }));
                // What the Kubernetes provider reports for a Job that failed (its pod exited 1).
                const message = "1 error occurred:\n\t* Job has reached the specified backoff limit";
                onEvent(this.event({ diagnosticEvent: { urn: this.urn(gate), message, color: "never", severity: "error" } }));
                onEvent(this.summary(steps));
                throw new Error(`code: 255\n stdout: \n stderr: error: update failed\n`);
            }
            const failure = region && this.scenario.failUpdate?.(region.name, releases[region.name]);
            if (region && failure) {
                if (this.scenario.pendingOnFailure) {
                    this.pending.push({ type: "updating", urn: this.urn(step), resourceType: step.type });
                }
                onEvent(this.event({ resOpFailedEvent: { metadata: this.metadata(step), status: 1, steps: 1 } }));
                onEvent(this.event({ diagnosticEvent: { urn: this.urn(step), message: failure, color: "never", severity: "error" } }));
                onEvent(this.summary(steps));
                throw new Error(`code: 255\n stdout: \n stderr: error: update failed\n${failure}\n`);
            }
            onEvent(this.event({ resOutputsEvent: { metadata: this.metadata(step) } }));
            if (step.type === DOCKER_IMAGE && step.op === "create") this.storefrontBuild = this.scenario.firstStorefrontBuild;
            if (step.type === ROLLOUT && step.op === "create") this.storefrontServing = true;
            if (region && step.op !== "same") {
                region.release = releases[region.name];
                region.deployed = true;
                this.releaseHistory.push({ region: region.name, release: region.release });
                this.scenario.onRelease?.(region.name, region.release);
            }
        }
        onEvent(this.summary(steps));
    }

    /** `up --target`: only the storefront build is known to the fake; other targets change nothing. */
    private async targetedUp({ onEvent, withPolicies, target = [] }: OperationOptions): Promise<void> {
        const releases = this.effectiveReleases();
        this.calls.push({ kind: "up", withPolicies, releases, target: [...target] });
        this.refuseIfLocked("up", releases);
        const before = this.storefrontBuild ?? this.scenario.storefrontBuild;
        if (!before || !target.includes(this.storefrontUrn())) {
            onEvent(this.summary([]));
            return;
        }
        const after = this.scenario.rebuildStorefront?.() ?? before;
        const name = this.storefrontUrn().slice(this.storefrontUrn().lastIndexOf("::") + 2);
        const step: FakeStep = {
            op: "repoDigest" in after && after.repoDigest === before.repoDigest ? "same" : "update",
            type: DOCKER_IMAGE,
            name,
        };
        const metadata = { op: step.op, urn: this.storefrontUrn(), type: DOCKER_IMAGE, provider: "" };
        onEvent(this.event({ resourcePreEvent: { metadata } }));
        if ("error" in after) {
            onEvent(this.event({ resOpFailedEvent: { metadata, status: 1, steps: 1 } }));
            onEvent(
                this.event({ diagnosticEvent: { urn: this.storefrontUrn(), message: after.error, color: "never", severity: "error" } }),
            );
            onEvent(this.summary([step]));
            throw new Error(`code: 255\n stdout: \n stderr: error: update failed\n${after.error}\n`);
        }
        onEvent(this.event({ resOutputsEvent: { metadata } }));
        this.storefrontBuild = after;
        onEvent(this.summary([step]));
    }

    private refuseIfLocked(op: "preview" | "up", releases: Record<string, string>): void {
        if (this.scenario.locked?.(op, releases)) {
            throw lockConflict(this.name);
        }
    }

    private effectiveReleases(): Record<string, string> {
        return Object.fromEntries(
            this.regions.map((r) => [r.name, this.config.regionReleases?.[r.name] ?? this.config.release ?? r.release]),
        );
    }

    private steps(releases: Record<string, string>): FakeStep[] {
        const steps: FakeStep[] = [];
        for (const r of this.regions) {
            const isNew = r.deployed === false;
            const changed = isNew || releases[r.name] !== r.release;
            if (changed && r.role === "primary") {
                steps.push({ op: "create", type: "kubernetes:batch/v1:Job", name: `migrate-${releases[r.name]}` });
            }
            steps.push({
                op: isNew ? "create" : changed ? "update" : "same",
                type: "kubernetes:apps/v1:Deployment",
                name: deploymentName(r.name),
            });
            steps.push({ op: isNew ? "create" : "same", type: "aws:rds/instance:Instance", name: `db-${r.name}` });
        }
        const first = this.scenario.firstStorefrontBuild;
        if (first && !this.storefrontBuild)
            steps.push({ op: "create", type: DOCKER_IMAGE, name: `${this.regions[0].name}-storefront-image` });
        if (first && !this.storefrontServing) {
            for (const r of this.regions) steps.push({ op: "create", type: ROLLOUT, name: `${r.name}-storefront` });
        }
        return [...steps, ...(this.scenario.extraSteps?.(releases) ?? [])];
    }

    private checkPolicies(
        releases: Record<string, string>,
        withPolicies: boolean,
        onEvent: (e: EngineEvent) => void,
        steps: FakeStep[],
        what: string,
    ): void {
        if (!withPolicies) {
            return;
        }
        const findings = this.scenario.policies?.(releases) ?? [];
        for (const f of findings) {
            onEvent(
                this.event({
                    policyEvent: {
                        resourceUrn: f.resourceName ? `urn:pulumi:${this.name}::${PROJECT}::fake::${f.resourceName}` : undefined,
                        message: f.message,
                        color: "never",
                        policyName: f.policyName,
                        policyPackName: "saleor-guard",
                        policyPackVersion: "0.1.0",
                        policyPackVersionTag: "0.1.0",
                        enforcementLevel: f.enforcementLevel,
                    },
                }),
            );
        }
        if (findings.some((f) => f.enforcementLevel === "mandatory")) {
            onEvent(this.summary(steps));
            throw new Error(`code: 255\n stdout: \n stderr: error: ${what} failed: mandatory policy violations\n`);
        }
    }

    private urn(step: FakeStep): string {
        if (step.type === DOCKER_IMAGE) return this.storefrontUrn();
        return `urn:pulumi:${this.name}::${PROJECT}::${step.type}::${step.name}`;
    }

    private metadata(step: FakeStep) {
        return { op: step.op, urn: this.urn(step), type: step.type, provider: "" };
    }

    private summary(steps: FakeStep[]): EngineEvent {
        const resourceChanges: Partial<Record<OpType, number>> = {};
        for (const s of steps) {
            resourceChanges[s.op] = (resourceChanges[s.op] ?? 0) + 1;
        }
        return this.event({ summaryEvent: { maybeCorrupt: false, durationSeconds: 0, resourceChanges, policyPacks: {} } });
    }

    private event(fields: Omit<EngineEvent, "sequence" | "timestamp">): EngineEvent {
        return { sequence: this.sequence++, timestamp: Math.floor(Date.now() / 1000), ...fields };
    }
}

const RELEASE_KEYS = ["saleor:release", "saleor:regionReleases", "saleor:regionSaleorVersions", "saleor:previousRelease"];

/**
 * The stack file after pulumi-stack.ts's setConfig/removeConfig calls: the release keys' lines
 * (with a nested block) are dropped and written again at the end of `config:`, a structured value
 * as the JSON string that setConfig was given.
 */
function renderReleaseConfig(text: string, config: ReleaseConfig): string {
    const lines = text.split("\n");
    const kept: string[] = [];
    let skipping = false;
    for (const line of lines) {
        if (/^ {2}\S/.test(line)) skipping = RELEASE_KEYS.some((k) => line.startsWith(`  ${k}:`));
        else if (!/^ {4}/.test(line)) skipping = false;
        if (!skipping) kept.push(line);
    }
    while (kept.length > 0 && kept[kept.length - 1] === "") kept.pop();
    const quote = (v: string) => `'${v}'`;
    if (config.release !== undefined) kept.push(`  saleor:release: ${config.release}`);
    if (config.regionReleases !== undefined) kept.push(`  saleor:regionReleases: ${quote(JSON.stringify(config.regionReleases))}`);
    if (config.regionSaleorVersions !== undefined)
        kept.push(`  saleor:regionSaleorVersions: ${quote(JSON.stringify(config.regionSaleorVersions))}`);
    if (config.previousRelease !== undefined) kept.push(`  saleor:previousRelease: ${config.previousRelease}`);
    return `${kept.join("\n")}\n`;
}

/**
 * What the Automation API throws when the stack's lock is held: a CommandError subclass named
 * ConcurrentUpdateError whose message is the CLI's transcript (a self-managed backend's text here;
 * @pulumi/pulumi/automation/errors.js recognises it and Pulumi Cloud's "[409] Conflict").
 */
export function lockConflict(stack: string): Error {
    const error = new Error(
        `code: 255\n stdout: \n stderr: error: the stack is currently locked by 1 lock(s). Either wait for the other ` +
            `process(es) to end or delete the lock file with \`pulumi cancel\`.\n  s3://state/.pulumi/locks/organization/saleor/${stack}/1.json: ` +
            `created by ci@runner (pid 4242) at 2026-12-01T02:10:00Z\n`,
    );
    error.name = "ConcurrentUpdateError";
    return error;
}

export function deploymentName(region: string): string {
    return `saleor-api-${region}`;
}
