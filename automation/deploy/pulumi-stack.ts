import * as fs from "node:fs";
import * as path from "node:path";
import { LocalWorkspace, PulumiCommand, type ConfigMap, type Stack } from "@pulumi/pulumi/automation";
import type { ConfigSource } from "../../config/load";
import { automationOptions, checkpointResourcesOf, outputValuesOf, pendingOperationsOf, stackConfigOf } from "./pulumi-reads";
import type { CheckpointResource, DeployStack, OperationOptions, PendingOperation, ReleaseConfig } from "./stack";

// The real DeployStack: a local-program stack driven through the Pulumi CLI. It cannot
// run where the CLI cannot be installed, so it stays a thin translation (type-checked
// against @pulumi/pulumi/automation) and every decision lives in rollout.ts.

const RELEASE_KEY = "saleor:release";
const REGION_RELEASES_KEY = "saleor:regionReleases";
const REGION_SALEOR_VERSIONS_KEY = "saleor:regionSaleorVersions";
const PREVIOUS_RELEASE_KEY = "saleor:previousRelease";

export interface PulumiStackOptions {
    stackName: string;
    /** The directory holding Pulumi.yaml. */
    workDir: string;
    /** Absolute path of the policy pack folder. */
    policyPack: string;
    /** Absolute path of the pack's config for this stack. */
    policyPackConfig: string;
}

class PulumiStack implements DeployStack {
    /** The stack file's bytes when the stack was opened (undefined: there was none). */
    private readonly originalFile: Buffer | undefined;

    constructor(
        private readonly stack: Stack,
        private readonly options: PulumiStackOptions,
    ) {
        this.originalFile = fs.existsSync(this.stackFile) ? fs.readFileSync(this.stackFile) : undefined;
    }

    /** LocalWorkspace keeps a stack's settings in Pulumi.<stack>.yaml beside Pulumi.yaml. */
    private get stackFile(): string {
        return path.join(this.options.workDir, `Pulumi.${this.options.stackName}.yaml`);
    }

    async restoreStackFile(): Promise<void> {
        if (this.originalFile === undefined) {
            fs.rmSync(this.stackFile, { force: true });
        } else {
            fs.writeFileSync(this.stackFile, this.originalFile);
        }
    }

    get name(): string {
        return this.stack.name;
    }

    async outputs(): Promise<Record<string, unknown>> {
        return outputValuesOf(this.stack);
    }

    async stackConfig(): Promise<ConfigSource> {
        return stackConfigOf(this.stack);
    }

    async getReleaseConfig(): Promise<ReleaseConfig> {
        // getAllConfig instead of getConfig: a missing key is normal here, and getConfig
        // reports it as a failed command.
        const config: ConfigMap = await this.stack.getAllConfig();
        const release = config[RELEASE_KEY]?.value;
        const raw = config[REGION_RELEASES_KEY]?.value;
        let regionReleases: Record<string, string> | undefined;
        if (raw !== undefined) {
            const parsed: unknown = JSON.parse(raw);
            if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
                throw new Error(`${REGION_RELEASES_KEY} in Pulumi.${this.name}.yaml must be an object of region name to release`);
            }
            regionReleases = parsed as Record<string, string>;
        }
        const versions = config[REGION_SALEOR_VERSIONS_KEY]?.value;
        const regionSaleorVersions = versions === undefined ? undefined : (JSON.parse(versions) as Record<string, string>);
        const previousRelease = config[PREVIOUS_RELEASE_KEY]?.value;
        return {
            release,
            regionReleases,
            ...(regionSaleorVersions ? { regionSaleorVersions } : {}),
            ...(previousRelease !== undefined ? { previousRelease } : {}),
        };
    }

    async setReleaseConfig(config: ReleaseConfig): Promise<void> {
        if (config.release === undefined) {
            await this.removeIfPresent(RELEASE_KEY);
        } else {
            await this.stack.setConfig(RELEASE_KEY, { value: config.release });
        }
        if (config.regionReleases === undefined) {
            await this.removeIfPresent(REGION_RELEASES_KEY);
        } else {
            // The program reads it with getObject, which parses a JSON string.
            await this.stack.setConfig(REGION_RELEASES_KEY, { value: JSON.stringify(config.regionReleases) });
        }
        if (config.regionSaleorVersions === undefined) {
            await this.removeIfPresent(REGION_SALEOR_VERSIONS_KEY);
        } else {
            await this.stack.setConfig(REGION_SALEOR_VERSIONS_KEY, { value: JSON.stringify(config.regionSaleorVersions) });
        }
        if (config.previousRelease === undefined) {
            await this.removeIfPresent(PREVIOUS_RELEASE_KEY);
        } else {
            await this.stack.setConfig(PREVIOUS_RELEASE_KEY, { value: config.previousRelease });
        }
    }

    async preview(options: OperationOptions): Promise<void> {
        await this.stack.preview(this.operationOptions(options));
    }

    async up(options: OperationOptions): Promise<void> {
        await this.stack.up(this.operationOptions(options));
    }

    async cancel(): Promise<void> {
        await this.stack.cancel();
    }

    async pendingOperations(): Promise<PendingOperation[]> {
        return pendingOperationsOf(this.stack);
    }

    async resources(): Promise<CheckpointResource[]> {
        return checkpointResourcesOf(this.stack);
    }

    private operationOptions(options: OperationOptions) {
        return automationOptions(options, this.options);
    }

    private async removeIfPresent(key: string): Promise<void> {
        const config = await this.stack.getAllConfig();
        if (key in config) {
            await this.stack.removeConfig(key);
        }
    }
}

export async function openPulumiStack(options: PulumiStackOptions): Promise<DeployStack> {
    // Looking the CLI up first makes a missing CLI fail here, with execa's ENOENT text
    // that errors.ts recognises, rather than somewhere inside the workspace setup.
    const pulumiCommand = await PulumiCommand.get();
    const stack = await LocalWorkspace.createOrSelectStack({ stackName: options.stackName, workDir: options.workDir }, { pulumiCommand });
    return new PulumiStack(stack, options);
}
