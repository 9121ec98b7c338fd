import { securityGroupNoPublicIngress } from "../../../policy/aws/ec2";
import { eksControlPlaneLogging, eksPublicEndpointRestricted, eksSecretsEncrypted } from "../../../policy/aws/eks";
import { iamNoFullAdmin } from "../../../policy/aws/iam";
import { eksCluster, iamPolicy, securityGroup, securityGroupRule, vpcIngressRule } from "../fixtures/aws";
import { assertPasses, assertViolates, resourceViolations, UNKNOWN_VALUE } from "../harness";
import * as assert from "assert";

describe("security group rules", () => {
    const world = { cidrBlocks: ["0.0.0.0/0"] };
    describe("aws-security-group-no-public-ingress", () => {
        it("SSH open to the world in an inline rule is a violation naming port and source", () =>
            assertViolates(
                securityGroupNoPublicIngress,
                securityGroup([{ protocol: "tcp", fromPort: 22, toPort: 22, ...world }]),
                /ingress rule #0 opens tcp port 22 to 0.0.0.0\/0; restrict the source CIDRs or open only ports 80\/443/,
            ));
        it("HTTPS and HTTP open to the world pass", () =>
            assertPasses(
                securityGroupNoPublicIngress,
                securityGroup([
                    { protocol: "tcp", fromPort: 443, toPort: 443, ...world },
                    { protocol: "tcp", fromPort: 80, toPort: 80, ...world },
                ]),
            ));
        it("all protocols from ::/0 is a violation", () =>
            assertViolates(
                securityGroupNoPublicIngress,
                securityGroup([{ protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }]),
                /opens all ports to ::\/0/,
            ));
        it("a port range spanning 80-443 is a violation", () =>
            assertViolates(
                securityGroupNoPublicIngress,
                securityGroup([{ protocol: "tcp", fromPort: 80, toPort: 443, ...world }]),
                /tcp ports 80-443/,
            ));
        it("a private CIDR on any port passes", () =>
            assertPasses(
                securityGroupNoPublicIngress,
                securityGroup([{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["10.0.0.0/16"] }]),
            ));
        it("an ingress SecurityGroupRule from the world on 5432 is a violation", () =>
            assertViolates(
                securityGroupNoPublicIngress,
                securityGroupRule({ fromPort: 5432, toPort: 5432, ...world }),
                /ingress rule opens tcp port 5432/,
            ));
        it("an egress SecurityGroupRule to the world passes", () =>
            assertPasses(securityGroupNoPublicIngress, securityGroupRule({ type: "egress", fromPort: 0, toPort: 65535, ...world })));
        it("a vpc SecurityGroupIngressRule from 0.0.0.0/0 on 6379 is a violation", () =>
            assertViolates(
                securityGroupNoPublicIngress,
                vpcIngressRule({ fromPort: 6379, toPort: 6379, cidrIpv4: "0.0.0.0/0" }),
                /tcp port 6379 to 0.0.0.0\/0/,
            ));
        it("a vpc SecurityGroupIngressRule for HTTPS from the world passes", () =>
            assertPasses(securityGroupNoPublicIngress, vpcIngressRule({ fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" })));
        it("ports unknown during preview are not a violation", () =>
            assertPasses(
                securityGroupNoPublicIngress,
                securityGroup([{ protocol: "tcp", fromPort: UNKNOWN_VALUE, toPort: UNKNOWN_VALUE, ...world }]),
            ));
        it("a source CIDR unknown during preview is not a violation", () =>
            assertPasses(
                securityGroupNoPublicIngress,
                securityGroup([{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [UNKNOWN_VALUE] }]),
            ));
        it("the allowed ports come from the stack's config", () =>
            assertPasses(securityGroupNoPublicIngress, securityGroup([{ protocol: "tcp", fromPort: 8443, toPort: 8443, ...world }]), {
                allowedPublicPorts: [8443],
            }));
    });
});

describe("EKS cluster rules", () => {
    describe("aws-eks-cluster-public-endpoint-restricted", () => {
        const vpc = (vpcConfig: object) => eksCluster({ vpcConfig: { subnetIds: ["subnet-1"], ...vpcConfig } });
        it("a public endpoint open to 0.0.0.0/0 is a violation", () =>
            assertViolates(
                eksPublicEndpointRestricted,
                vpc({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }),
                /exposes its API endpoint to 0.0.0.0\/0; set vpcConfig.endpointPublicAccess: false, or list trusted CIDRs/,
            ));
        it("a public endpoint without publicAccessCidrs is open to the internet", () =>
            assertViolates(eksPublicEndpointRestricted, vpc({ endpointPublicAccess: true }), /whole internet \(no publicAccessCidrs\)/));
        it("EKS's default (public) endpoint counts as public", () =>
            assertViolates(eksPublicEndpointRestricted, vpc({}), /whole internet/));
        it("a public endpoint limited to office CIDRs passes", () => assertPasses(eksPublicEndpointRestricted, eksCluster()));
        it("a private endpoint passes", () =>
            assertPasses(eksPublicEndpointRestricted, vpc({ endpointPublicAccess: false, endpointPrivateAccess: true })));
        it("unknown CIDRs are not a violation", () =>
            assertPasses(eksPublicEndpointRestricted, vpc({ endpointPublicAccess: true, publicAccessCidrs: UNKNOWN_VALUE })));
    });

    describe("aws-eks-cluster-control-plane-logging-enabled", () => {
        it("missing log types are listed", () =>
            assertViolates(
                eksControlPlaneLogging,
                eksCluster({ enabledClusterLogTypes: ["api", "audit"] }),
                /does not log authenticator, controllerManager, scheduler; set enabledClusterLogTypes/,
            ));
        it("all five log types pass", () => assertPasses(eksControlPlaneLogging, eksCluster()));
        it("unknown log types are not a violation", () =>
            assertPasses(eksControlPlaneLogging, eksCluster({ enabledClusterLogTypes: ["api", UNKNOWN_VALUE] })));
    });

    describe("aws-eks-cluster-secrets-encrypted", () => {
        it("a cluster without encryptionConfig is a violation", () =>
            assertViolates(
                eksSecretsEncrypted,
                eksCluster({ encryptionConfig: undefined }),
                /stores Secrets without KMS envelope encryption; set encryptionConfig/,
            ));
        it("an encryptionConfig without the secrets resource is a violation", () =>
            assertViolates(
                eksSecretsEncrypted,
                eksCluster({ encryptionConfig: { resources: [], provider: { keyArn: "arn" } } }),
                /without KMS envelope encryption/,
            ));
        it("secrets encrypted with a KMS key pass", () => assertPasses(eksSecretsEncrypted, eksCluster()));
        it("a key ARN unknown during preview is not a violation", () =>
            assertPasses(
                eksSecretsEncrypted,
                eksCluster({ encryptionConfig: { resources: ["secrets"], provider: { keyArn: UNKNOWN_VALUE } } }),
            ));
    });
});

describe("IAM policy rules", () => {
    describe("aws-iam-policy-no-full-admin", () => {
        it("Allow * on * is a violation naming the statement", () =>
            assertViolates(
                iamNoFullAdmin,
                iamPolicy([{ Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }]),
                /statement "Everything" allows every action on every resource; list the actions/,
            ));
        it('a role policy with Action ["*"] on ["*"] is a violation', () =>
            assertViolates(
                iamNoFullAdmin,
                iamPolicy([{ Effect: "Allow", Action: ["s3:GetObject", "*"], Resource: ["*"] }], "RolePolicy"),
                /statement #0 allows every action/,
            ));
        it("a single statement object (not a list) is read too", async () => {
            const fixture = iamPolicy(
                JSON.stringify({ Version: "2012-10-17", Statement: { Effect: "Allow", Action: "*", Resource: "*" } }),
            );
            assert.strictEqual((await resourceViolations(iamNoFullAdmin, fixture)).length, 1);
        });
        it("scoped actions on * pass", () =>
            assertPasses(iamNoFullAdmin, iamPolicy([{ Effect: "Allow", Action: ["ecr:GetAuthorizationToken"], Resource: "*" }])));
        it("Deny * on * passes", () => assertPasses(iamNoFullAdmin, iamPolicy([{ Effect: "Deny", Action: "*", Resource: "*" }])));
        it("a policy document unknown during preview is not a violation", () =>
            assertPasses(iamNoFullAdmin, { ...iamPolicy([]), props: { policy: UNKNOWN_VALUE } }));
    });
});
