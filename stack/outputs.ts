/**
 * The stack outputs' contract: what the program exports and what the deploy driver
 * (automation/deploy/outputs.ts) reads back. Declared once, for both: `S` is a computed string
 * (`pulumi.Output<string>` in the program, `string` once deployed) and `L` a computed list of them.
 * Plain types only, so the driver can import it without loading the SDK.
 */

/** The public URLs of one region. */
export interface RegionEndpoints<S = string, L = string[]> {
    readonly api: S;
    readonly graphql: S;
    /** Saleor's `/health/` under the API URL. */
    readonly health: S;
    readonly dashboard: S;
    /** One URL per market. */
    readonly storefronts: L;
}

/** What the stack exports per region; the deploy driver reads `role`, `release` and `endpoints`. */
export interface RegionOutputs<S = string, L = string[]> {
    readonly role: "primary" | "secondary";
    /** The release the region runs (a Saleor version or a git SHA). */
    readonly release: string;
    /** The Saleor version the region runs; the deploy driver pins it with the release. Absent in older stacks' outputs. */
    readonly saleorVersion?: string;
    readonly endpoints: RegionEndpoints<S, L>;
    readonly namespace: S;
    readonly clusterFlavour: "existing" | "aws";
    readonly dataFlavour: "in-cluster" | "aws";
    /** The EKS cluster (aws flavour). */
    readonly clusterName?: S;
}

/** Every stack output. Region keys are in rollout order: primary first. */
export interface StackOutputs<S = string, L = string[]> {
    readonly environment: string;
    readonly primaryRegion: string;
    readonly saleorVersion: string;
    /** The stack's one public API (operations.apiHost), which every region serves; absent with one region. */
    readonly publicApi?: { readonly api: string; readonly graphql: string };
    readonly regions: Record<string, RegionOutputs<S, L>>;
}
