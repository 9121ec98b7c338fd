import { runUnderMocks } from "../../automation/plan/evaluate";
import { bootstrapAccount, type BootstrapOutputs } from "../../bootstrap/account";
import { validateBootstrapConfig, type BootstrapConfig, type ConfigSource } from "../../bootstrap/config";
import { Resources } from "../support/harness";

/** A ConfigSource over plain values, as the engine hands them over (structures as JSON text). */
export function source(values: Record<string, unknown>): ConfigSource {
    const raw: Record<string, string> = {};
    for (const [k, v] of Object.entries(values)) raw[k] = typeof v === "string" ? v : JSON.stringify(v);
    return { get: (k) => raw[k], keys: () => Object.keys(raw) };
}

/** The smallest valid config: only the repository. */
export const minimal = { githubRepository: "octo-org/saleor-pulumi" };

/** The problems `values` give, or [] when valid. */
export function problemsOf(values: Record<string, unknown>): string[] {
    const result = validateBootstrapConfig(source(values));
    return "problems" in result ? result.problems : [];
}

export function configOf(values: Record<string, unknown> = minimal): BootstrapConfig {
    const result = validateBootstrapConfig(source(values));
    if ("problems" in result) throw new Error(result.problems.join("\n"));
    return result.config;
}

/** The bootstrap of `values` under the mock runtime: its resources and its stack outputs, resolved. */
export async function bootstrapped(
    values: Record<string, unknown> = minimal,
): Promise<{ rs: Resources; outputs: Resolved<BootstrapOutputs> }> {
    const cfg = configOf(values);
    const { resources, result } = await runUnderMocks("saleor-bootstrap", "account", () => bootstrapAccount(cfg));
    return { rs: new Resources(resources), outputs: result as Resolved<BootstrapOutputs> };
}

/** Outputs as plain values. */
export type Resolved<T> = T extends { apply: unknown } ? any : T extends object ? { [K in keyof T]: Resolved<T[K]> } : T;
