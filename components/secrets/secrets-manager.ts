import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "crypto";

/** One secret: the environment variables it holds, by name, and the key that encrypts it. */
export interface ManagedSecretSpec {
    /** Environment variable → value (secret or not; the whole secret is stored as a Pulumi secret). */
    readonly values: Record<string, pulumi.Input<string>>;
}

export interface SecretsManagerSecretsArgs {
    /** The stack's name: every secret is named `saleor/<stack>/<concern>`. */
    readonly stack: string;
    /** Concern (a path, e.g. `secret-key` or `eu-central-1/database`) → its values. */
    readonly secrets: Record<string, ManagedSecretSpec>;
    /** The customer-managed KMS key (ARN) of the region the provider places the secrets in. */
    readonly kmsKeyArn: pulumi.Input<string>;
    /** Other regions holding a read-only replica of every secret, each under its own region's key. Default: none. */
    readonly replicas?: { readonly region: pulumi.Input<string>; readonly kmsKeyArn: pulumi.Input<string> }[];
    /**
     * Roles that read these secrets (External Secrets Operator's), by a name for their grant: each
     * gets kms:Decrypt on `kmsKeyArn`, only through Secrets Manager in the key's region. Default: none.
     */
    readonly readers?: Record<string, aws.iam.Role>;
    /** The region of `kmsKeyArn` (and of the provider): the kms:ViaService condition names it. Required with `readers`. */
    readonly region?: string;
    /** Protect the secrets and their values from deletion (production). Default: false. */
    readonly protect?: boolean;
    readonly tags?: Record<string, string>;
}

/**
 * Saleor's secrets in AWS Secrets Manager, one secret per concern, each value a JSON object of the
 * environment variables Core reads (External Secrets Operator's `dataFrom.extract` turns its keys
 * into the Kubernetes Secret's keys). Pulumi owns every value: it comes from the stack (generated
 * keys, config, the data tier), so a value written by hand is set back by the next `pulumi up`.
 *
 * Encryption: `kmsKeyId` and each `replica.kmsKeyId` (Terraform aws_secretsmanager_secret,
 * website/docs/r/secretsmanager_secret.html.markdown: without one, Secrets Manager uses the account's
 * AWS managed `aws/secretsmanager` key of that region, whose policy cannot be narrowed).
 */
export class SecretsManagerSecrets extends pulumi.ComponentResource {
    /** Concern → the secret's name (`saleor/<stack>/<concern>`). */
    public readonly names: Record<string, string>;
    /** Concern → the secret's ARN. */
    public readonly arns: Record<string, pulumi.Output<string>>;
    /**
     * Concern → a digest of the secret's value: it changes whenever Pulumi writes a new value, and
     * reveals nothing. For annotations that must change with the value.
     */
    public readonly versions: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: SecretsManagerSecretsArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:SecretsManagerSecrets", name, {}, opts);
        const childOpts: pulumi.CustomResourceOptions = { parent: this, protect: args.protect ?? false };
        this.names = {};
        this.arns = {};
        this.versions = {};
        for (const [concern, spec] of Object.entries(args.secrets)) {
            const secretName = `saleor/${args.stack}/${concern}`;
            const logical = `${name}-${concern.replace(/\//g, "-")}`;
            const secret = new aws.secretsmanager.Secret(
                logical,
                {
                    name: secretName,
                    description: `Saleor ${concern} (${Object.keys(spec.values).join(", ")}), written by Pulumi`,
                    kmsKeyId: args.kmsKeyArn,
                    replicas: (args.replicas ?? []).map((r) => ({ region: r.region, kmsKeyId: r.kmsKeyArn })),
                    // Production keeps the longest window AWS allows to restore a deleted secret.
                    recoveryWindowInDays: args.protect ? 30 : 7,
                    tags: args.tags,
                },
                childOpts,
            );
            new aws.secretsmanager.SecretVersion(
                logical,
                {
                    secretId: secret.id,
                    secretString: pulumi.secret(pulumi.jsonStringify(spec.values)),
                },
                childOpts,
            );
            this.names[concern] = secretName;
            this.arns[concern] = secret.arn;
            // A digest of the values rather than the new version's id: it is known whenever the values
            // are (a preview knows an unchanged value, never a new version's id), and reveals nothing.
            this.versions[concern] = pulumi.unsecret(
                pulumi.output(spec.values).apply((v) => createHash("sha256").update(JSON.stringify(v)).digest("hex").slice(0, 10)),
            );
        }
        for (const [grant, role] of Object.entries(args.readers ?? {})) {
            if (!args.region) throw new Error(`SecretsManagerSecrets ${name}: readers need the key's region`);
            // Decrypt with the key only when Secrets Manager asks on the reader's behalf (AWS KMS
            // Developer Guide, "kms:ViaService"; Secrets Manager's docs, "Secret encryption and
            // decryption", grant readers of a secret under a customer-managed key kms:Decrypt this way).
            new aws.iam.RolePolicy(
                `${grant}-decrypt`,
                {
                    role: role.id,
                    policy: pulumi.jsonStringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "DecryptSecretsThroughSecretsManager",
                                Effect: "Allow",
                                Action: "kms:Decrypt",
                                Resource: args.kmsKeyArn,
                                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${args.region}.amazonaws.com` } },
                            },
                        ],
                    }),
                },
                { parent: this },
            );
        }
        this.registerOutputs({ names: this.names, arns: this.arns, versions: this.versions });
    }
}
