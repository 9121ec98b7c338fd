import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { policyDocument } from "../aws/iam";
import { lookupZone } from "../edge/certificate";

export interface SesMailArgs {
    /** The sending domain: the domain of DEFAULT_FROM_EMAIL. Must lie in `zoneName`. */
    readonly domain: string;
    /** Public Route 53 hosted zone the DKIM records are written to. */
    readonly zoneName: string;
    /** SES region: the region of the AWS provider passed in options, and of the SMTP endpoint. */
    readonly region: string;
    /** Name of the IAM user whose SMTP credentials Saleor sends with; unique per account, so it carries the stack. */
    readonly userName: string;
    readonly tags?: Record<string, string>;
    /**
     * The SMTP user's permissions boundary: the bootstrap's workload boundary of the stack's
     * environment, without which the deploy role may not create the user.
     */
    readonly permissionsBoundaryArn: string;
}

/**
 * Amazon SES in one region as Saleor's mail server: the sending domain as an identity verified by
 * Easy DKIM (three CNAME records `<token>._domainkey.<domain>` → `<token>.dkim.amazonses.com` in
 * the stack's zone: SES Developer Guide, "Easy DKIM"), and SMTP credentials for the app: an IAM
 * user that may only send as that identity, its access key, and the key's secret converted into an
 * SES SMTP password (the provider's `sesSmtpPasswordV4`, AWS's documented SigV4 conversion for this
 * region). `emailUrl` is EMAIL_URL for Saleor, a Pulumi secret.
 *
 * A new account's SES is in the sandbox: it sends only to verified addresses, 200 messages a day,
 * until production access is requested (a manual AWS request per region, see docs/operations.md).
 */
export class SesMail extends pulumi.ComponentResource {
    /** `smtp://<key id>:<SMTP password>@email-smtp.<region>.amazonaws.com:587/?tls=True`, secret. */
    public readonly emailUrl: pulumi.Output<string>;
    public readonly identityArn: pulumi.Output<string>;

    constructor(name: string, args: SesMailArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:SesMail", name, {}, opts);
        const zone = args.zoneName.replace(/\.$/, "");
        const domain = args.domain.toLowerCase();
        if (domain !== zone && !domain.endsWith(`.${zone}`)) {
            throw new Error(`SesMail ${name}: domain ${domain} is not in the zone ${zone}, where its DKIM records must go`);
        }
        const child = { parent: this };
        const identity = new aws.ses.DomainIdentity(name, { domain }, child);
        const dkim = new aws.ses.DomainDkim(name, { domain: identity.domain }, child);
        const zoneId = lookupZone(zone, this).zoneId;
        // Easy DKIM hands out exactly three tokens; records are named by position so they are known before the tokens.
        for (let i = 0; i < 3; i++) {
            const token = dkim.dkimTokens.apply((t) => t[i]);
            new aws.route53.Record(
                `${name}-dkim-${i}`,
                {
                    zoneId,
                    name: pulumi.interpolate`${token}._domainkey.${domain}`,
                    type: "CNAME",
                    ttl: 1800,
                    records: [pulumi.interpolate`${token}.dkim.amazonses.com`],
                },
                child,
            );
        }

        // Set in place on an existing user: permissions_boundary is not ForceNew and an update calls
        // PutUserPermissionsBoundary (terraform-provider-aws internal/service/iam/user.go, resourceUserUpdate).
        const user = new aws.iam.User(
            name,
            { name: args.userName, permissionsBoundary: args.permissionsBoundaryArn, tags: args.tags },
            child,
        );
        new aws.iam.UserPolicy(
            `${name}-send`,
            {
                user: user.name,
                policy: policyDocument([
                    // The SMTP interface authorizes ses:SendRawEmail (SES Developer Guide, "Obtaining SMTP credentials").
                    { Sid: "SendAsTheShop", Effect: "Allow", Action: "ses:SendRawEmail", Resource: identity.arn },
                ]),
            },
            child,
        );
        const key = new aws.iam.AccessKey(
            name,
            { user: user.name },
            { ...child, additionalSecretOutputs: ["secret", "sesSmtpPasswordV4"] },
        );

        // dj-email-url unquotes user and password (Saleor parses EMAIL_URL with it, settings.py
        // 3.23.5 line 175); the SMTP password is base64 and may hold "/" and "+", so both are quoted.
        this.emailUrl = pulumi.secret(
            pulumi
                .all([key.id, key.sesSmtpPasswordV4])
                .apply(
                    ([user, password]) =>
                        `smtp://${encodeURIComponent(user)}:${encodeURIComponent(password)}@email-smtp.${args.region}.amazonaws.com:587/?tls=True`,
                ),
        );
        this.identityArn = identity.arn;
        this.registerOutputs({ identityArn: this.identityArn });
    }
}
