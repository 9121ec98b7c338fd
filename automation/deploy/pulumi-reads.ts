import type { ConfigMap, Stack } from "@pulumi/pulumi/automation";
import { namespace, type ConfigSource } from "../../config/load";
import type { CheckpointResource, PendingOperation } from "./stack";

// What the driver's two Automation API stacks (pulumi-stack.ts, failover-pulumi.ts) read from a
// stack in the same way: its `saleor` config, its outputs, its pending operations, its resources.

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
