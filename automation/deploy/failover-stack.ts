import type { ConfigSource } from "../../config/load";
import type { OperationOptions, PendingOperation } from "./stack";

// The failover's whole view of a Pulumi stack: what rollout.ts's DeployStack offers for config and
// updates, plus the state operations a regional failover needs (the checkpoint's resources,
// `pulumi state unprotect`) and targeted updates. `failover-pulumi.ts` implements it with the
// Automation API and the CLI, `fakes/failover-stack.ts` in memory for the tests.

export type Role = "primary" | "secondary";

/** One resource of the checkpoint (`pulumi stack export`, apitype ResourceV3), the fields the failover reads. */
export interface StateResource {
    urn: string;
    type: string;
    /** Pulumi's `protect`: the engine refuses to delete it until `pulumi state unprotect`. */
    protect: boolean;
    /** Pulumi's `retainOnDelete`: leaving the program forgets it in state and calls no delete in the cloud. */
    retainOnDelete: boolean;
    /** The provider's outputs (for an RDS instance: deletionProtection, replicateSourceDb, identifier). */
    outputs: Record<string, unknown>;
}

/** An operation of the failover: `target`, `exclude` and `excludeDependents` are OperationOptions' own. */
export type TargetedOperationOptions = OperationOptions;

export interface RegionProbe {
    reachable: boolean;
    /** What was asked and what answered, for the log and the refusal. */
    detail: string;
}

export interface FailoverStack {
    readonly name: string;
    /** The stack's `saleor` config as the program would get it. */
    stackConfig(): Promise<ConfigSource>;
    outputs(): Promise<Record<string, unknown>>;
    resources(): Promise<StateResource[]>;
    pendingOperations(): Promise<PendingOperation[]>;
    /** Writes each region's `role` into `saleor:regions` in Pulumi.<stack>.yaml, the list's order kept. */
    setRegionRoles(roles: Record<string, Role>): Promise<void>;
    /**
     * `pulumi config set --path saleor:<path> <value>` (undefined: `pulumi config rm --path`): a
     * boolean or number is written as such.
     */
    setConfigPath(path: string, value: boolean | undefined): Promise<void>;
    /** `pulumi state unprotect <urn>`. */
    unprotect(urn: string): Promise<void>;
    /**
     * `pulumi state delete --force <urn>`: Pulumi forgets the resource, which stays in the cloud
     * (refused while another resource of the state depends on it).
     */
    forget(urn: string): Promise<void>;
    /** Whether the region's AWS endpoints answer (the preflight of `--primary-down`, and its reconcile). */
    probeRegion(region: string): Promise<RegionProbe>;
    preview(options: TargetedOperationOptions): Promise<void>;
    up(options: TargetedOperationOptions): Promise<void>;
}
