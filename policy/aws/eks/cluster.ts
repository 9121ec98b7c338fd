import { resourceRule } from "../../lib/define";
import { isKnown, known, knownList } from "../../lib/unknown";
import { aws, WORLD_CIDRS } from "../types";

const label = (name: string) => `EKS cluster "${name}"`;

export const eksPublicEndpointRestricted = resourceRule({
    name: "aws-eks-cluster-public-endpoint-restricted",
    description: "An EKS API endpoint that is public must list trusted CIDRs in publicAccessCidrs, never 0.0.0.0/0.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.eks.Cluster,
    validate: (cluster, { args, report }) => {
        // EKS makes the endpoint public, open to 0.0.0.0/0, unless told otherwise.
        const isPublic = known(() => cluster.vpcConfig?.endpointPublicAccess ?? true);
        if (isPublic !== true) {
            return;
        }
        const cidrs = knownList(() => cluster.vpcConfig?.publicAccessCidrs);
        const world = cidrs.items.filter((cidr) => WORLD_CIDRS.includes(cidr));
        const fix = "set vpcConfig.endpointPublicAccess: false, or list trusted CIDRs in vpcConfig.publicAccessCidrs";
        if (world.length > 0) {
            report(`${label(args.name)} exposes its API endpoint to ${world.join(" and ")}; ${fix}.`);
        } else if (cidrs.items.length === 0 && !cidrs.hasUnknown) {
            report(`${label(args.name)} exposes its API endpoint to the whole internet (no publicAccessCidrs); ${fix}.`);
        }
    },
});

export const CONTROL_PLANE_LOG_TYPES: readonly string[] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

export const eksControlPlaneLogging = resourceRule({
    name: "aws-eks-cluster-control-plane-logging-enabled",
    description:
        "EKS clusters must send all five control-plane log types (api, audit, authenticator, controllerManager, scheduler) to CloudWatch.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.eks.Cluster,
    validate: (cluster, { args, report }) => {
        const enabled = knownList(() => cluster.enabledClusterLogTypes);
        if (enabled.hasUnknown) {
            return;
        }
        const missing = CONTROL_PLANE_LOG_TYPES.filter((type) => !enabled.items.includes(type));
        if (missing.length > 0) {
            report(
                `${label(args.name)} does not log ${missing.join(", ")}; set enabledClusterLogTypes to ${JSON.stringify(CONTROL_PLANE_LOG_TYPES)}.`,
            );
        }
    },
});

export const eksSecretsEncrypted = resourceRule({
    name: "aws-eks-cluster-secrets-encrypted",
    description: "EKS clusters must envelope-encrypt Kubernetes Secrets with a KMS key (encryptionConfig for the secrets resource).",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.eks.Cluster,
    validate: (cluster, { args, report }) => {
        type EncryptionConfig = NonNullable<typeof cluster.encryptionConfig>;
        // AWS provider 7 takes a single object; older programs passed a list of one.
        const configs = knownList<EncryptionConfig>(() => {
            const config: unknown = cluster.encryptionConfig;
            return config === undefined || config === null ? [] : Array.isArray(config) ? config : [config as EncryptionConfig];
        });
        if (configs.hasUnknown) {
            return;
        }
        const coversSecrets = configs.items.some((entry) => {
            const resources = knownList(() => entry.resources);
            const keyArn = known(() => entry.provider?.keyArn);
            return (
                (resources.hasUnknown || resources.items.includes("secrets")) &&
                (!isKnown(keyArn) || (typeof keyArn === "string" && keyArn !== ""))
            );
        });
        if (!coversSecrets) {
            report(
                `${label(args.name)} stores Secrets without KMS envelope encryption; set encryptionConfig: { resources: ["secrets"], provider: { keyArn: <KMS key ARN> } }.`,
            );
        }
    },
});
