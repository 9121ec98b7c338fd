import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A public Route 53 hosted zone, looked up by name through the caller's provider. */
export function lookupZone(
    zoneName: string,
    parent: pulumi.Resource,
    provider?: pulumi.ProviderResource,
): pulumi.Output<aws.route53.GetZoneResult> {
    return aws.route53.getZoneOutput({ name: zoneName, privateZone: false }, { parent, ...(provider ? { provider } : {}) });
}

/** Every host not inside `zoneName` (its records could not be written there). */
export function hostsOutsideZone(hosts: string[], zoneName: string): string[] {
    const zone = zoneName.toLowerCase().replace(/\.$/, "");
    return hosts.filter((h) => {
        const host = h.toLowerCase().replace(/\.$/, "");
        return host !== zone && !host.endsWith(`.${zone}`);
    });
}

export interface ValidatedCertificateArgs {
    /** Names on the certificate: the first is its subject, the rest alternative names. */
    readonly hosts: string[];
    /** Hosted zone the DNS validation records go to. */
    readonly zoneId: pulumi.Input<string>;
    /**
     * Provider of the region the certificate must live in: us-east-1 for CloudFront. The validation
     * records (Route 53 is global) go through it too. Default: the parent's.
     */
    readonly provider?: aws.Provider;
    readonly tags?: Record<string, string>;
}

export interface ValidatedCertificate {
    readonly certificate: aws.acm.Certificate;
    /** Completes once ACM has issued the certificate: use its `certificateArn`, never the certificate's own. */
    readonly validation: aws.acm.CertificateValidation;
    /** One validation record per host. */
    readonly validationRecords: aws.route53.Record[];
}

/**
 * One ACM certificate for all `hosts`, DNS-validated through Route 53 records in the zone, and the
 * CertificateValidation that waits until it is issued, so nothing uses a certificate ACM has not issued.
 */
export function createValidatedCertificate(name: string, args: ValidatedCertificateArgs, parent: pulumi.Resource): ValidatedCertificate {
    const certOpts: pulumi.CustomResourceOptions = { parent, ...(args.provider ? { provider: args.provider } : {}) };
    const [subject, ...alternatives] = args.hosts;
    const certificate = new aws.acm.Certificate(
        name,
        {
            domainName: subject,
            subjectAlternativeNames: alternatives.length > 0 ? alternatives : undefined,
            validationMethod: "DNS",
            tags: args.tags,
        },
        certOpts,
    );

    const validationRecords = args.hosts.map((host) => {
        const option = certificate.domainValidationOptions.apply((options) => {
            const found = options.find((o) => o.domainName === host);
            if (!found) throw new Error(`certificate ${name}: ACM returned no validation record for ${host}`);
            return found;
        });
        return new aws.route53.Record(
            `${name}-validation-${host}`,
            {
                zoneId: args.zoneId,
                name: option.resourceRecordName,
                type: option.resourceRecordType,
                records: [option.resourceRecordValue],
                ttl: 300,
            },
            certOpts,
        );
    });
    const validation = new aws.acm.CertificateValidation(
        name,
        {
            certificateArn: certificate.arn,
            validationRecordFqdns: validationRecords.map((r) => r.fqdn),
        },
        certOpts,
    );
    return { certificate, validation, validationRecords };
}
