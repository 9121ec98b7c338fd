import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { namespace, type ConfigSource } from "../../config/load";
import type { CheckpointResource, OperationOptions, PendingOperation } from "./stack";

// What the driver's two Automation API stacks (pulumi-stack.ts, failover-pulumi.ts) do the same way:
// read a stack's `saleor` config, outputs, pending operations and resources, and turn an operation's
// options into the Automation API's.

/**
 * `pulumi config --json --show-secrets`: every value of the project's namespace as the program gets
 * it (an object as its JSON text), with its secret flag.
 */
export async function stackConfigOf(stack: Stack): Promise<ConfigSource> {
    const config: ConfigMap = await stack.getAllConfig();
    const prefix = `${namespace}:`;
    const own = (key: string) => config[`${prefix}${key}`];
    return {
        get: (key) => own(key)?.value,
        isSecret: (key) => own(key)?.secret === true,
        keys: () => Object.keys(config).flatMap((k) => (k.startsWith(prefix) ? [k.slice(prefix.length)] : [])),
    };
}

/** Plain stack output values (the `secret` flag does not matter to the driver). */
export async function outputValuesOf(stack: Stack): Promise<Record<string, unknown>> {
    const outputs = await stack.outputs();
    return Object.fromEntries(Object.entries(outputs).map(([key, output]) => [key, output.value]));
}

/**
 * The checkpoint's pending operations. Its deployment (apitype DeploymentV3) has
 * `pending_operations`, a list of { resource: { urn, type, ... }, type: "creating" | "updating" | "deleting" | ... }.
 */
export async function pendingOperationsOf(stack: Stack): Promise<PendingOperation[]> {
    const exported = await stack.exportStack();
    const pending = (exported.deployment as { pending_operations?: unknown } | undefined)?.pending_operations;
    if (!Array.isArray(pending)) return [];
    return pending.map((op: { type?: unknown; resource?: { urn?: unknown; type?: unknown } }) => ({
        type: String(op.type ?? "unknown"),
        urn: String(op.resource?.urn ?? ""),
        resourceType: String(op.resource?.type ?? ""),
    }));
}

/** The checkpoint's resources: its deployment's `resources`, each with urn, type and outputs. */
export async function checkpointResourcesOf(stack: Stack): Promise<CheckpointResource[]> {
    const exported = await stack.exportStack();
    const resources = (exported.deployment as { resources?: unknown } | undefined)?.resources;
    if (!Array.isArray(resources)) return [];
    return resources.map((r: { urn?: unknown; type?: unknown; outputs?: unknown }) => ({
        urn: String(r.urn ?? ""),
        type: String(r.type ?? ""),
        outputs: (r.outputs ?? {}) as Record<string, unknown>,
    }));
}

/** The policy pack every forward operation runs with, and its config. */
export interface PolicyPackOptions {
    readonly policyPack: string;
    readonly policyPackConfig: string;
}

/** An operation's options as the Automation API's preview and up take them. */
export function automationOptions(
    { onEvent, withPolicies, signal, target, exclude, excludeDependents }: OperationOptions,
    pack: PolicyPackOptions,
) {
    return {
        onEvent,
        // The SDK sends the CLI SIGINT when this aborts; the CLI then stops scheduling steps,
        // waits for the running ones and records the update as cancelled.
        signal,
        // Progress comes from the events; the CLI's own rendering would be a second,
        // much longer copy of it.
        color: "never" as const,
        suppressProgress: true,
        ...(target ? { target } : {}),
        // UpOptions.exclude / excludeDependents (@pulumi/pulumi automation/stack.d.ts): `pulumi up --exclude --exclude-dependents`.
        ...(exclude ? { exclude } : {}),
        ...(excludeDependents ? { excludeDependents } : {}),
        ...(withPolicies ? { policyPacks: [pack.policyPack], policyPackConfigs: [pack.policyPackConfig] } : {}),
    };
}
