import type { EngineEvent } from "@pulumi/pulumi/automation";
import type { ConfigSource } from "../../config/load";

// The driver's whole view of a Pulumi stack. It is this narrow so that the rollout
// logic can be exercised end to end without the Pulumi CLI (which cannot be installed
// on the machines that build this project): `pulumi-stack.ts` implements it with the
// Automation API, `fake-stack.ts` in memory for the tests.

export type { EngineEvent };

/** The config keys the program reads to pick the Saleor Core release (and the snapshots it keeps). */
export interface ReleaseConfig {
    /** `saleor:release`: default release for every region. */
    release?: string;
    /** `saleor:regionReleases`: per-region overrides of `release`. */
    regionReleases?: Record<string, string>;
    /**
     * `saleor:regionSaleorVersions`: the Saleor version a pinned region runs, so a region pinned to
     * a git-SHA release keeps its image when saleorVersion moves on. Absent when no region needs it.
     */
    regionSaleorVersions?: Record<string, string>;
    /**
     * `saleor:previousRelease`: the release the primary region ran before its current one, while it
     * runs a new one. The program keeps that release's pre-migration snapshot of the writer beside
     * the current release's (components/data/aws); without it only the current one is kept.
     */
    previousRelease?: string;
}

export interface OperationOptions {
    onEvent: (event: EngineEvent) => void;
    /** Aborting it cancels the operation (the SDK interrupts the CLI, which stops gracefully). */
    signal?: AbortSignal;
    /** Run the policy pack as part of the operation (mandatory violations fail it). */
    withPolicies: boolean;
    /** `--target`: only the resources with these URNs (the image scan's build of the storefront alone). Default: all. */
    target?: string[];
    /** `--exclude`: everything but the resources with these URNs (a first deployment's storefront workloads). Default: none. */
    exclude?: string[];
    /** `--exclude-dependents`: with `exclude`, also whatever depends on them. */
    excludeDependents?: boolean;
}

/** One resource of the checkpoint (`pulumi stack export`, apitype ResourceV3), the fields the driver reads. */
export interface CheckpointResource {
    urn: string;
    type: string;
    /** The provider's outputs (for a built image: repoDigest, imageName). */
    outputs: Record<string, unknown>;
}

export interface DeployStack {
    readonly name: string;
    /** Plain stack output values (the `secret` flag does not matter to the driver). */
    outputs(): Promise<Record<string, unknown>>;
    /** The stack's `saleor` config as the program would get it (the driver reads its own keys from it). */
    stackConfig(): Promise<ConfigSource>;
    getReleaseConfig(): Promise<ReleaseConfig>;
    setReleaseConfig(config: ReleaseConfig): Promise<void>;
    /**
     * Puts `Pulumi.<stack>.yaml` back byte for byte as it was when the stack was opened: setting the
     * release keys back through the CLI would rewrite the file (a structured value comes back as a
     * JSON string), and a run that changed nothing must leave nothing to commit.
     */
    restoreStackFile(): Promise<void>;
    /** Rejects when the engine fails the preview (a mandatory policy violation does). */
    preview(options: OperationOptions): Promise<void>;
    up(options: OperationOptions): Promise<void>;
    /** The checkpoint's resources (`pulumi stack export`). */
    resources(): Promise<CheckpointResource[]>;
    /** `pulumi cancel`: ends the stack's running update and releases its lock. */
    cancel(): Promise<void>;
    /**
     * Resource operations the engine started and never saw finish, from the checkpoint's
     * `deployment.pending_operations` (`pulumi stack export`).
     */
    pendingOperations(): Promise<PendingOperation[]>;
}

/** One entry of the checkpoint's `pending_operations` (Pulumi's apitype OperationV2). */
export interface PendingOperation {
    /** creating, updating, deleting, reading, importing. */
    type: string;
    urn: string;
    resourceType: string;
}
