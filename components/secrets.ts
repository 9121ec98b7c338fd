import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";

/** No inputs: the secrets are generated. */
export interface SaleorSecretsArgs {
    /** Length of Django's SECRET_KEY. Default: 64. */
    readonly secretKeyLength?: number;
    /** RSA key size for signing JWTs. Default: 3072. */
    readonly rsaBits?: number;
    /** Also generate the password of Saleor's own database role, saleor_app (AWS flavour). Default: false. */
    readonly databasePassword?: boolean;
}

/**
 * The secrets every region's Core must share: Django's SECRET_KEY and the RSA key that signs JWTs.
 * Generated once per stack, because both regions serve the same database: a token issued in one
 * region must verify in the other. The password of Saleor's database role (saleor_app) is one per
 * stack for the same reason, and so that it belongs to no region: the role lives in the database,
 * so a failover promotes a standby that already has it. The master password is RDS's own.
 * The storefront's revalidation route checks two more (saleor/storefront src/lib/api-auth.ts):
 * SALEOR_WEBHOOK_SECRET, the key of the HMAC Saleor signs a webhook's payload with when the
 * webhook has a secret key (saleor/webhook/transport, signature_for_payload), and
 * REVALIDATE_SECRET, the bearer token of a manual revalidation. One per stack, so one webhook
 * configuration serves the storefront in either region.
 */
export class SaleorSecrets extends pulumi.ComponentResource {
    /** SECRET_KEY, secret. */
    public readonly secretKey: pulumi.Output<string>;
    /** RSA_PRIVATE_KEY (PEM), secret. */
    public readonly rsaPrivateKey: pulumi.Output<string>;
    /** saleor_app's password (with `databasePassword`), secret. */
    public readonly databasePassword?: pulumi.Output<string>;
    /** The storefront's SALEOR_WEBHOOK_SECRET and REVALIDATE_SECRET, secret. */
    public readonly storefront: { readonly webhookSecret: pulumi.Output<string>; readonly revalidateSecret: pulumi.Output<string> };

    constructor(name: string, args: SaleorSecretsArgs = {}, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:SaleorSecrets", name, {}, opts);
        const secretKey = new random.RandomPassword(
            `${name}-secret-key`,
            {
                length: args.secretKeyLength ?? 64,
                // Django treats it as an opaque string; `$` and quotes only invite shell trouble.
                overrideSpecial: "!#%&()*+,-.:;<=>?@[]^_{|}~",
            },
            { parent: this },
        );
        const rsa = new tls.PrivateKey(`${name}-jwt-key`, { algorithm: "RSA", rsaBits: args.rsaBits ?? 3072 }, { parent: this });
        this.secretKey = pulumi.secret(secretKey.result);
        this.rsaPrivateKey = pulumi.secret(rsa.privateKeyPem);
        if (args.databasePassword) {
            // Letters and digits only: the password sits inside URLs, where `@`, `/` or `:` would break parsing.
            const password = new random.RandomPassword(`${name}-database-app-password`, { length: 40, special: false }, { parent: this });
            this.databasePassword = pulumi.secret(password.result);
        }
        // Letters and digits: pasted into the Dashboard's webhook form and sent in a header. The
        // storefront warns about a REVALIDATE_SECRET shorter than 32 characters.
        const storefrontSecret = (suffix: string) =>
            pulumi.secret(
                new random.RandomPassword(`${name}-storefront-${suffix}`, { length: 48, special: false }, { parent: this }).result,
            );
        this.storefront = { webhookSecret: storefrontSecret("webhook-secret"), revalidateSecret: storefrontSecret("revalidate-secret") };
        this.registerOutputs({
            secretKey: this.secretKey,
            rsaPrivateKey: this.rsaPrivateKey,
            databasePassword: this.databasePassword,
            storefront: this.storefront,
        });
    }
}
