import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { namespace, type ConfigSource } from "../../config/load";
import { automationOptions, outputValuesOf, pendingOperationsOf, stackConfigOf } from "./pulumi-reads";
import type { FailoverState, StateStore } from "./failover";
import { probeAwsRegion } from "./failover-probe";
import type { FailoverStack, RegionProbe, Role, StateResource, TargetedOperationOptions } from "./failover-stack";
import type { PendingOperation } from "./stack";

// The real FailoverStack: the Automation API for config, state export and targeted updates, the
// CLI for `pulumi state unprotect` (the Automation API has no call for it). Like pulumi-stack.ts it
// cannot run where the CLI cannot be installed, so it stays a thin translation; every decision is
// in failover.ts.

const run = promisify(execFile);

export interface FailoverStackOptions {
    stackName: string;
    workDir: string;
    policyPack: string;
    policyPackConfig: string;
}

class PulumiFailoverStack implements FailoverStack {
    constructor(
        private readonly stack: Stack,
        private readonly command: PulumiCommand,
        private readonly options: FailoverStackOptions,
    ) {}

    get name(): string {
        return this.stack.name;
    }

    async stackConfig(): Promise<ConfigSource> {
        return stackConfigOf(this.stack);
    }

    async outputs(): Promise<Record<string, unknown>> {
        return outputValuesOf(this.stack);
    }

    async resources(): Promise<StateResource[]> {
        // apitype DeploymentV3: resources[] with urn, type, protect, retainOnDelete, outputs.
        const exported = await this.stack.exportStack();
        const resources = (exported.deployment as { resources?: unknown } | undefined)?.resources;
        if (!Array.isArray(resources)) return [];
        return resources.map((r: { urn?: unknown; type?: unknown; protect?: unknown; retainOnDelete?: unknown; outputs?: unknown }) => ({
            urn: String(r.urn ?? ""),
            type: String(r.type ?? ""),
            protect: r.protect === true,
            retainOnDelete: r.retainOnDelete === true,
            outputs: (r.outputs ?? {}) as Record<string, unknown>,
        }));
    }

    async pendingOperations(): Promise<PendingOperation[]> {
        return pendingOperationsOf(this.stack);
    }

    async setRegionRoles(roles: Record<string, Role>): Promise<void> {
        const raw = (await this.stack.getAllConfig())[`${namespace}:regions`]?.value;
        const regions = JSON.parse(raw ?? "[]") as { name: string }[];
        for (const [i, r] of regions.entries()) {
            const role = roles[r.name];
            // `pulumi config set --path 'saleor:regions[i].role' primary`: only that key of the
            // list changes, the rest of the stack file stays as written.
            if (role) await this.stack.setConfig(`${namespace}:regions[${i}].role`, { value: role }, true);
        }
    }

    async setConfigPath(key: string, value: boolean | undefined): Promise<void> {
        const full = `${namespace}:${key}`;
        if (value === undefined) {
            await this.stack.removeConfig(full, true);
        } else {
            // With --path, `pulumi config set` stores "true"/"false" as a YAML boolean.
            await this.stack.setConfig(full, { value: String(value) }, true);
        }
    }

    async unprotect(urn: string): Promise<void> {
        await run(this.command.command, ["state", "unprotect", urn, "--stack", this.name, "--yes", "--non-interactive"], {
            cwd: this.options.workDir,
        });
    }

    async forget(urn: string): Promise<void> {
        // `--force`: the leaving instances are protected (Pulumi CLI docs, "pulumi state delete").
        await run(this.command.command, ["state", "delete", urn, "--force", "--stack", this.name, "--yes", "--non-interactive"], {
            cwd: this.options.workDir,
        });
    }

    async probeRegion(region: string): Promise<RegionProbe> {
        return probeAwsRegion(region, (url, init) => fetch(url, init));
    }

    async preview(options: TargetedOperationOptions): Promise<void> {
        await this.stack.preview(this.operationOptions(options));
    }

    async up(options: TargetedOperationOptions): Promise<void> {
        await this.stack.up(this.operationOptions(options));
    }

    private operationOptions(options: TargetedOperationOptions) {
        return automationOptions(options, this.options);
    }
}

export async function openPulumiFailoverStack(options: FailoverStackOptions): Promise<FailoverStack> {
    const pulumiCommand = await PulumiCommand.get();
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: options.stackName, workDir: options.workDir }, { pulumiCommand });
    return new PulumiFailoverStack(stack, pulumiCommand, options);
}

/** `.failover/<stack>.json` under `dir`, written whole (a temporary file renamed over it). */
export function fileStateStore(dir: string, stack: string): StateStore {
    const file = path.join(dir, ".failover", `${stack}.json`);
    return {
        async load() {
            return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as FailoverState) : undefined;
        },
        async save(state) {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            const tmp = `${file}.${process.pid}.tmp`;
            fs.writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
            fs.renameSync(tmp, file);
        },
    };
}
