import { resourceRule } from "../../lib/define";
import { isKnown, known, knownList, whenKnown } from "../../lib/unknown";
import { aws } from "../types";

const label = (name: string) => `ElastiCache replication group "${name}"`;

export const elasticacheAtRestEncryption = resourceRule({
    name: "aws-elasticache-replication-group-at-rest-encryption-enabled",
    description: "ElastiCache replication groups must encrypt data at rest (cache contents, snapshots, swap).",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.elasticache.ReplicationGroup,
    validate: (group, { args, report }) => {
        whenKnown(
            () => group.atRestEncryptionEnabled,
            (enabled) => {
                if (enabled !== true) {
                    report(`${label(args.name)} does not encrypt data at rest; set atRestEncryptionEnabled: true.`);
                }
            },
        );
    },
});

export const elasticacheInTransitEncryption = resourceRule({
    name: "aws-elasticache-replication-group-in-transit-encryption-enabled",
    description: "ElastiCache replication groups must require TLS between clients and nodes.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.elasticache.ReplicationGroup,
    validate: (group, { args, report }) => {
        whenKnown(
            () => group.transitEncryptionEnabled,
            (enabled) => {
                if (enabled !== true) {
                    report(
                        `${label(args.name)} accepts plain-text connections; set transitEncryptionEnabled: true and use rediss:// URLs.`,
                    );
                }
            },
        );
    },
});

export const elasticacheAuthToken = resourceRule({
    name: "aws-elasticache-replication-group-auth-token-set",
    description: "ElastiCache replication groups must require authentication: an AUTH token, or RBAC user groups.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.elasticache.ReplicationGroup,
    validate: (group, { args, report }) => {
        const token = known(() => group.authToken);
        const userGroups = knownList(() => group.userGroupIds);
        // An unknown or secret token is set; only a known absence is a violation.
        if (!isKnown(token) || (typeof token === "string" && token !== "") || userGroups.items.length > 0 || userGroups.hasUnknown) {
            return;
        }
        report(`${label(args.name)} accepts unauthenticated clients; set authToken from a secret (or userGroupIds for RBAC).`);
    },
});

export const elasticacheMultiAzFailover = resourceRule({
    name: "aws-elasticache-replication-group-multi-az-failover-enabled",
    description: "ElastiCache replication groups must spread replicas over Availability Zones and fail over automatically.",
    enforcementLevel: "mandatory",
    category: "reliability",
    type: aws.elasticache.ReplicationGroup,
    validate: (group, { args, report }) => {
        const missing: string[] = [];
        whenKnown(
            () => group.multiAzEnabled,
            (enabled) => enabled !== true && missing.push("multiAzEnabled: true"),
        );
        whenKnown(
            () => group.automaticFailoverEnabled,
            (enabled) => enabled !== true && missing.push("automaticFailoverEnabled: true"),
        );
        if (missing.length > 0) {
            report(
                `${label(args.name)} cannot fail over to another Availability Zone; set ${missing.join(" and ")} (with at least two cache clusters).`,
            );
        }
    },
});
