import type * as aws from "@pulumi/aws";
import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { externalSecretsChart } from "../../../catalog/charts";
import { partitionOf } from "../../aws/arn";
import { accountOf, policyDocument } from "../../aws/iam";
import { createControllerRelease } from "./controller-chart";
import { ExternalSecretsNetworkPolicies } from "../../network-policies";

export interface ExternalSecretsSettings {
    readonly clusterName: pulumi.Input<string>;
    readonly region: string;
    /** Secrets Manager names the controller may read, e.g. `saleor/<stack>/`: its policy grants `<prefix>*`. */
    readonly secretNamePrefix: string;
    /** The namespaces whose ExternalSecrets may use the store. */
    readonly namespaces: string[];
    /** The API server's addresses (the cluster's private subnets), and the VPCs the controller must not reach on 443. */
    readonly network: { readonly kubernetesApiCidrs: string[]; readonly privateCidrs: string[] };
    readonly provider: k8s.Provider;
    /** What must run before the controller (its pods need nodes and the Pod Identity agent). */
    readonly dependsOn: pulumi.Resource[];
    readonly tags: Record<string, string>;
    /** The controller role's permissions boundary. */
    readonly permissionsBoundary: string;
}

export interface ExternalSecrets {
    readonly release: k8s.helm.v3.Release;
    /** The controller's role: whoever creates the KMS key its secrets use grants it kms:Decrypt (`grantDecrypt`). */
    readonly role: aws.iam.Role;
    /** The ClusterSecretStore's name, for ExternalSecrets' `secretStoreRef`. */
    readonly storeName: string;
    /** The ClusterSecretStore, which ExternalSecrets wait for. */
    readonly store: pulumi.Resource;
}

/** The actions ESO's AWS Secrets Manager docs grant on the secrets it reads (docs/provider/aws-secrets-manager.md, "IAM Policy"). */
const readSecretActions = [
    "secretsmanager:DescribeSecret",
    "secretsmanager:GetResourcePolicy",
    "secretsmanager:GetSecretValue",
    "secretsmanager:ListSecretVersionIds",
];

/**
 * External Secrets Operator in its own namespace, with a Pod Identity role that reads exactly the
 * secrets under `secretNamePrefix` in this region, and a ClusterSecretStore for AWS Secrets Manager
 * that authenticates with the controller's own credentials: a store without `auth` "inherits the
 * credentials from the runtime environment using the aws sdk default credential chain"
 * (external-secrets docs/provider/aws-access.md, "Controller's Pod Identity"), which Pod Identity
 * fills. Its `conditions` admit only the given namespaces (ClusterSecretStore spec.conditions).
 *
 * The chart's webhook and cert controller run in that namespace too; the app namespace's
 * NetworkPolicies do not apply to them. The controller needs the Kubernetes API, the Pod Identity
 * agent (169.254.170.23) and Secrets Manager's regional endpoint on 443.
 */
export function createExternalSecrets(name: string, s: ExternalSecretsSettings, parent: pulumi.Resource): ExternalSecrets {
    const c = externalSecretsChart;
    const partition = partitionOf(s.region);
    const { release, role } = createControllerRelease(
        `${name}-external-secrets`,
        c,
        {
            clusterName: s.clusterName,
            policyJson: policyDocument([
                {
                    Sid: "ReadThisStacksSecrets",
                    Effect: "Allow",
                    Action: readSecretActions,
                    Resource: pulumi.interpolate`arn:${partition}:secretsmanager:${s.region}:${accountOf(parent)}:secret:${s.secretNamePrefix}*`,
                },
            ]),
            values: {
                // The CRDs (ExternalSecret, ClusterSecretStore) come with the chart (values.yaml installCRDs).
                installCRDs: true,
                serviceAccount: { create: true, name: c.serviceAccountName },
            },
            createNamespace: true,
            provider: s.provider,
            dependsOn: s.dependsOn,
            tags: s.tags,
            permissionsBoundary: s.permissionsBoundary,
        },
        parent,
    );
    new ExternalSecretsNetworkPolicies(
        `${name}-external-secrets`,
        {
            namespace: c.namespace,
            chartName: c.chart,
            kubernetesApiCidrs: s.network.kubernetesApiCidrs,
            privateCidrs: s.network.privateCidrs,
            dependsOn: [release],
        },
        { parent, provider: s.provider },
    );
    const storeName = "aws-secrets-manager";
    // A CRD kind: the plan's Kubernetes validation has no schema for it and skips it.
    const store = new CustomResource(
        `${name}-secrets-manager`,
        {
            apiVersion: "external-secrets.io/v1",
            kind: "ClusterSecretStore",
            metadata: { name: storeName },
            spec: {
                provider: { aws: { service: "SecretsManager", region: s.region } },
                conditions: [{ namespaces: s.namespaces }],
            },
        },
        { parent, provider: s.provider, dependsOn: [release] },
    );
    return { release, role, storeName, store };
}
