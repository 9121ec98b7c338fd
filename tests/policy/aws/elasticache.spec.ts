import {
    elasticacheAtRestEncryption,
    elasticacheAuthToken,
    elasticacheInTransitEncryption,
    elasticacheMultiAzFailover,
} from "../../../policy/aws/elasticache";
import { replicationGroup } from "../fixtures/aws";
import { assertPasses, assertViolates, UNKNOWN_VALUE } from "../harness";

describe("ElastiCache replication group rules", () => {
    describe("aws-elasticache-replication-group-at-rest-encryption-enabled", () => {
        it("a cache without at-rest encryption is a violation", () =>
            assertViolates(
                elasticacheAtRestEncryption,
                replicationGroup({ atRestEncryptionEnabled: false }),
                /does not encrypt data at rest; set atRestEncryptionEnabled: true/,
            ));
        it("an encrypted cache passes", () => assertPasses(elasticacheAtRestEncryption, replicationGroup()));
        it("an unknown flag is not a violation", () =>
            assertPasses(elasticacheAtRestEncryption, replicationGroup({ atRestEncryptionEnabled: UNKNOWN_VALUE })));
    });

    describe("aws-elasticache-replication-group-in-transit-encryption-enabled", () => {
        it("a cache that accepts plain-text connections is a violation", () =>
            assertViolates(
                elasticacheInTransitEncryption,
                replicationGroup({ transitEncryptionEnabled: undefined }),
                /accepts plain-text connections; set transitEncryptionEnabled: true/,
            ));
        it("a TLS-only cache passes", () => assertPasses(elasticacheInTransitEncryption, replicationGroup()));
        it("an unknown flag is not a violation", () =>
            assertPasses(elasticacheInTransitEncryption, replicationGroup({ transitEncryptionEnabled: UNKNOWN_VALUE })));
    });

    describe("aws-elasticache-replication-group-auth-token-set", () => {
        it("a cache without an AUTH token or user groups is a violation", () =>
            assertViolates(
                elasticacheAuthToken,
                replicationGroup({ authToken: undefined }),
                /accepts unauthenticated clients; set authToken/,
            ));
        it("a cache with RBAC user groups passes", () =>
            assertPasses(elasticacheAuthToken, replicationGroup({ authToken: undefined, userGroupIds: ["saleor"] })));
        it("a token that is secret or unknown during preview counts as set", () =>
            assertPasses(elasticacheAuthToken, replicationGroup({ authToken: UNKNOWN_VALUE })));
    });

    describe("aws-elasticache-replication-group-multi-az-failover-enabled", () => {
        it("a production cache without Multi-AZ or failover names both settings", () =>
            assertViolates(
                elasticacheMultiAzFailover,
                replicationGroup({ multiAzEnabled: false, automaticFailoverEnabled: false }),
                /cannot fail over to another Availability Zone; set multiAzEnabled: true and automaticFailoverEnabled: true/,
            ));
        it("a cache with Multi-AZ but no automatic failover is a violation", () =>
            assertViolates(
                elasticacheMultiAzFailover,
                replicationGroup({ automaticFailoverEnabled: false }),
                /set automaticFailoverEnabled: true \(/,
            ));
        it("a Multi-AZ cache with failover passes", () => assertPasses(elasticacheMultiAzFailover, replicationGroup()));
        it("unknown flags are not a violation", () =>
            assertPasses(
                elasticacheMultiAzFailover,
                replicationGroup({ multiAzEnabled: UNKNOWN_VALUE, automaticFailoverEnabled: UNKNOWN_VALUE }),
            ));
    });
});
