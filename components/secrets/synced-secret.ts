import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

export interface SyncedSecretArgs {
    readonly namespace: pulumi.Input<string>;
    /** The Kubernetes Secret External Secrets Operator writes and the workloads read. */
    readonly secretName: string;
    /** The ClusterSecretStore to read through. */
    readonly storeName: pulumi.Input<string>;
    /** Secrets Manager secrets whose JSON keys become the Secret's keys (later names win on a clash). */
    readonly remoteSecrets: pulumi.Input<string>[];
    /** Something that changes whenever any of the remote values does (digests of them), to refresh at once. */
    readonly versions: pulumi.Input<string>[];
    /** How often ESO re-reads the remote secrets besides. Default: "1h". */
    readonly refreshInterval?: string;
    readonly labels?: Record<string, string>;
}

/**
 * A Kubernetes Secret kept by External Secrets Operator from Secrets Manager: an ExternalSecret
 * (external-secrets.io/v1) whose `dataFrom[].extract` turns each remote JSON secret's keys into the
 * Secret's keys (external-secrets docs/guides/all-keys-one-secret.md).
 *
 * Every value is written by Pulumi, so a change reaches Secrets Manager in the same `pulumi up`.
 * The ExternalSecret then carries the new digest in its `force-sync` annotation: a changed
 * annotation makes ESO refresh at once instead of at the next `refreshInterval` (docs/api/
 * externalsecret.md, "Manual Refresh"; Periodic refreshes on spec or metadata changes), and
 * `version` changes with it, for the workloads' pod template annotation: they roll, and read the new
 * Secret. The roll is ordered after the ExternalSecret reports Ready (`pulumi.com/waitFor`, a
 * pulumi-kubernetes annotation): ESO sets Ready once it has written the Secret. ESO itself restarts
 * no pod; a value written to Secrets Manager by hand reaches the Secret within `refreshInterval` but
 * the pods only at their next restart, and the next `pulumi up` sets it back.
 */
export class SyncedSecret extends pulumi.ComponentResource {
    /**
     * The Secret's name. Known at once: a Job reading it may start before ESO has written the Secret,
     * and the kubelet retries its pod until the Secret exists.
     */
    public readonly secretName: pulumi.Output<string>;
    /** A digest of `versions`, known once the ExternalSecret is Ready: for a pod template annotation. Reveals nothing. */
    public readonly version: pulumi.Output<string>;

    constructor(name: string, args: SyncedSecretArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:SyncedSecret", name, {}, opts);
        const digest = pulumi.all(args.versions).apply((vs) => createHash("sha256").update(vs.join("\u0000")).digest("hex").slice(0, 10));
        const externalSecret = new CustomResource(
            name,
            {
                apiVersion: "external-secrets.io/v1",
                kind: "ExternalSecret",
                metadata: {
                    namespace: args.namespace,
                    labels: args.labels,
                    annotations: { "force-sync": digest, "pulumi.com/waitFor": "condition=Ready" },
                },
                spec: {
                    refreshInterval: args.refreshInterval ?? "1h",
                    secretStoreRef: { kind: "ClusterSecretStore", name: args.storeName },
                    target: { name: args.secretName, creationPolicy: "Owner" },
                    dataFrom: args.remoteSecrets.map((key) => ({ extract: { key } })),
                },
            },
            { parent: this },
        );
        this.secretName = pulumi.output(args.secretName);
        // Known once the ExternalSecret is Ready with the new digest: pods annotated with it roll only
        // after ESO has written the new values.
        this.version = pulumi.all([externalSecret.urn, digest]).apply(([, d]) => d);
        this.registerOutputs({ secretName: this.secretName, version: this.version });
    }
}
