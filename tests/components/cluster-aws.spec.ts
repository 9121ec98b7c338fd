import * as assert from "assert";
import * as aws from "@pulumi/aws";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { deployRoleArnOf, permissionsBoundaryArnOf } from "../../automation/plan/fake-cloud";

/** The role the mocks deploy the test stack as. */
const deployRoleArn = deployRoleArnOf("test");
const permissionsBoundaryArn = permissionsBoundaryArnOf("test");
import { PlanMocks } from "../../automation/plan/mocks";
import { createPodIdentityRole } from "../../components/aws/pod-identity";
import { RegionalCluster, type AwsClusterArgs } from "../../components/cluster";
import { cidrsOverlap, parseCidr, planSubnets } from "../../catalog/ipv4";
import { createClusterAutoscaler } from "../../components/cluster/aws/autoscaler";
import { amiTypeFor } from "../../components/cluster/aws/nodes";
import { registered, reveal, type RecordedResource, type Resources } from "../support/harness";
import { eksAddonVersions } from "../../catalog/eks-addons";

const baseArgs: AwsClusterArgs = {
    region: "eu-central-1",
    kubernetesVersion: "1.34",
    vpcCidr: "10.10.0.0/16",
    natGateways: "perAz",
    nodeGroups: [{ name: "general", instanceTypes: ["m7i.xlarge"], minSize: 2, desiredSize: 3, maxSize: 6, diskSizeGiB: 80 }],
    adminRoleArns: ["arn:aws:iam::123456789012:role/platform-admins"],
    deployRoleArn,
    permissionsBoundaryArn,
    addonVersions: eksAddonVersions["1.34"],
};

/** An invoke as the mocks received it: which function, with what, through which provider. */
interface RecordedCall {
    token: string;
    inputs: Record<string, any>;
    provider?: string;
}

interface Built {
    resources: Resources;
    component: RegionalCluster;
    calls: RecordedCall[];
    /** The AWS provider handed to the component. */
    awsProvider: RecordedResource;
    componentUrn: string;
}

/** Builds one RegionalCluster (aws flavour) through its region's provider, as index.ts does. */
async function build(overrides: Partial<AwsClusterArgs> = {}): Promise<Built> {
    const args = { ...baseArgs, ...overrides };
    const calls: RecordedCall[] = [];
    const originalCall = PlanMocks.prototype.call;
    PlanMocks.prototype.call = function (this: PlanMocks, a) {
        calls.push({ token: a.token, inputs: a.inputs, provider: a.provider });
        return originalCall.call(this, a);
    };
    let component!: RegionalCluster;
    try {
        const resources = await registered(() => {
            const provider = new aws.Provider(args.region, { region: args.region });
            component = new RegionalCluster(args.region, { namespace: "saleor", aws: args }, { providers: [provider] });
            return {};
        });
        const awsProvider = resources.one("pulumi:providers:aws", args.region);
        const componentUrn = resources.one("saleor:components:RegionalCluster", args.region).urn;
        return { resources, component, calls, awsProvider, componentUrn };
    } finally {
        PlanMocks.prototype.call = originalCall;
    }
}

/** Reads an Output's value. */
function value<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) =>
        o.apply((v) => {
            resolve(v);
            return v;
        }),
    );
}

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;
const byId = (rs: RecordedResource[], id: unknown) => rs.find((r) => r.id === id);
/** The one Helm release of `chart` (throws if there is not exactly one). */
const releaseOf = (b: Built, chart: string) => {
    const found = b.resources.ofType("kubernetes:helm.sh/v3:Release").filter((r) => inputs(r).chart === chart);
    assert.strictEqual(found.length, 1, `releases of ${chart}`);
    return found[0];
};

describe("subnet plan (CIDR splitting)", () => {
    it("carves private /18s and public /20s out of a /16 for three zones, none overlapping", () => {
        const plan = planSubnets("10.10.0.0/16", 3);
        assert.deepStrictEqual(plan.private, ["10.10.0.0/18", "10.10.64.0/18", "10.10.128.0/18"]);
        assert.deepStrictEqual(plan.public, ["10.10.192.0/20", "10.10.208.0/20", "10.10.224.0/20"]);
        const all = [...plan.private, ...plan.public];
        all.forEach((a, i) => all.slice(i + 1).forEach((b) => assert.ok(!cidrsOverlap(a, b), `${a} overlaps ${b}`)));
    });

    it("keeps every subnet inside the VPC range for other sizes and zone counts", () => {
        for (const [vpc, zones] of [
            ["10.0.0.0/16", 2],
            ["172.16.0.0/20", 4],
            ["10.20.0.0/24", 3],
        ] as const) {
            const plan = planSubnets(vpc, zones);
            const all = [...plan.private, ...plan.public];
            assert.strictEqual(all.length, zones * 2);
            all.forEach((s) => {
                assert.ok(cidrsOverlap(s, vpc) && parseCidr(s).prefix > parseCidr(vpc).prefix, `${s} outside ${vpc}`);
            });
            all.forEach((a, i) => all.slice(i + 1).forEach((b) => assert.ok(!cidrsOverlap(a, b), `${a} overlaps ${b} in ${vpc}`)));
        }
    });

    it("rejects ranges with host bits set, outside AWS's VPC sizes, or too small for the zones", () => {
        assert.throws(() => planSubnets("10.10.1.0/16", 3), /host bits.*10\.10\.0\.0\/16/);
        assert.throws(() => planSubnets("10.0.0.0/8", 3), /between \/16 and \/28/);
        assert.throws(() => planSubnets("10.0.0.0/27", 3), /too small/);
        assert.throws(() => planSubnets("10.0.0.300/16", 3), /not an IPv4 CIDR/);
    });
});

describe("RegionalCluster on AWS", () => {
    let perAz: Built;
    before(async () => {
        perAz = await build();
    });

    const subnets = (b: Built, tier: "public" | "private") =>
        b.resources.ofType("aws:ec2/subnet:Subnet").filter((s) => s.name.includes(`-${tier}-`));
    /** The default route of the route table associated with `subnet`. */
    const defaultRouteOf = (b: Built, subnet: RecordedResource) => {
        const assoc = b.resources
            .ofType("aws:ec2/routeTableAssociation:RouteTableAssociation")
            .find((a) => inputs(a).subnetId === subnet.id)!;
        return b.resources
            .ofType("aws:ec2/route:Route")
            .find((r) => inputs(r).routeTableId === inputs(assoc).routeTableId && inputs(r).destinationCidrBlock === "0.0.0.0/0")!;
    };

    describe("network", () => {
        it("spreads public and private subnets over three availability zones without overlap", () => {
            for (const tier of ["public", "private"] as const) {
                const zones = subnets(perAz, tier).map((s) => inputs(s).availabilityZone);
                assert.deepStrictEqual([...zones].sort(), ["eu-central-1a", "eu-central-1b", "eu-central-1c"], tier);
            }
            const cidrs = perAz.resources.ofType("aws:ec2/subnet:Subnet").map((s) => inputs(s).cidrBlock as string);
            assert.strictEqual(cidrs.length, 6);
            cidrs.forEach((a, i) => cidrs.slice(i + 1).forEach((b) => assert.ok(!cidrsOverlap(a, b), `${a} overlaps ${b}`)));
            cidrs.forEach((c) => assert.ok(cidrsOverlap(c, baseArgs.vpcCidr), `${c} outside the VPC`));
        });

        it("turns on DNS support and hostnames in the VPC", () => {
            const [vpc] = perAz.resources.ofType("aws:ec2/vpc:Vpc");
            assert.strictEqual(inputs(vpc).cidrBlock, "10.10.0.0/16");
            assert.strictEqual(inputs(vpc).enableDnsSupport, true);
            assert.strictEqual(inputs(vpc).enableDnsHostnames, true);
        });

        it("tags subnets so the load balancer controller places public and internal load balancers", () => {
            const clusterTag = "kubernetes.io/cluster/saleor-test-eu-central-1";
            for (const s of subnets(perAz, "public")) {
                assert.strictEqual(inputs(s).tags["kubernetes.io/role/elb"], "1");
                assert.strictEqual(inputs(s).tags[clusterTag], "shared");
            }
            for (const s of subnets(perAz, "private")) {
                assert.strictEqual(inputs(s).tags["kubernetes.io/role/internal-elb"], "1");
                assert.strictEqual(inputs(s).tags[clusterTag], "shared");
            }
        });

        it("sends public subnets to the internet gateway", () => {
            const [igw] = perAz.resources.ofType("aws:ec2/internetGateway:InternetGateway");
            for (const s of subnets(perAz, "public")) assert.strictEqual(inputs(defaultRouteOf(perAz, s)).gatewayId, igw.id);
        });

        it("routes each private subnet through the NAT gateway in its own zone (perAz)", () => {
            const nats = perAz.resources.ofType("aws:ec2/natGateway:NatGateway");
            assert.strictEqual(nats.length, 3);
            assert.strictEqual(perAz.resources.ofType("aws:ec2/eip:Eip").length, 3);
            const publicSubnets = subnets(perAz, "public");
            const used = new Set<string>();
            for (const s of subnets(perAz, "private")) {
                const nat = byId(nats, inputs(defaultRouteOf(perAz, s)).natGatewayId)!;
                assert.ok(nat, `private subnet ${s.name} has no NAT route`);
                const natZone = inputs(byId(publicSubnets, inputs(nat).subnetId)!).availabilityZone;
                assert.strictEqual(natZone, inputs(s).availabilityZone, `${s.name} leaves through another zone's NAT`);
                used.add(nat.id);
            }
            assert.strictEqual(used.size, 3);
        });

        it("routes every private subnet through the one NAT gateway (single)", async () => {
            const single = await build({ natGateways: "single" });
            const nats = single.resources.ofType("aws:ec2/natGateway:NatGateway");
            assert.strictEqual(nats.length, 1);
            assert.ok(
                subnets(single, "public").some((s) => s.id === inputs(nats[0]).subnetId),
                "the NAT sits in a public subnet",
            );
            for (const s of subnets(single, "private")) assert.strictEqual(inputs(defaultRouteOf(single, s)).natGatewayId, nats[0].id);
        });

        it("spans as many zones as asked", async () => {
            const two = await build({ availabilityZoneCount: 2, natGateways: "perAz" });
            assert.strictEqual(subnets(two, "private").length, 2);
            assert.strictEqual(two.resources.ofType("aws:ec2/natGateway:NatGateway").length, 2);
        });
    });

    describe("control plane", () => {
        const eks = (b: Built) => inputs(b.resources.ofType("aws:eks/cluster:Cluster")[0]);

        it("runs the requested Kubernetes version in the private subnets", () => {
            assert.strictEqual(eks(perAz).version, "1.34");
            const privateIds = subnets(perAz, "private")
                .map((s) => s.id)
                .sort();
            assert.deepStrictEqual([...eks(perAz).vpcConfig.subnetIds].sort(), privateIds);
        });

        it("keeps the API endpoint private when no CIDRs are given", () => {
            const vpcConfig = eks(perAz).vpcConfig;
            assert.strictEqual(vpcConfig.endpointPrivateAccess, true);
            assert.strictEqual(vpcConfig.endpointPublicAccess, false);
            assert.strictEqual(vpcConfig.publicAccessCidrs, undefined);
        });

        it("opens the API endpoint to exactly the given CIDRs", async () => {
            const cidrs = ["203.0.113.0/24", "198.51.100.7/32"];
            const open = await build({ endpointPublicAccessCidrs: cidrs });
            const vpcConfig = eks(open).vpcConfig;
            assert.strictEqual(vpcConfig.endpointPublicAccess, true);
            assert.strictEqual(vpcConfig.endpointPrivateAccess, true);
            assert.deepStrictEqual(vpcConfig.publicAccessCidrs, cidrs);
        });

        it("admits HTTPS to the private API endpoint from the given networks (the deploy runner's), and nothing else", async () => {
            const rule = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule";
            assert.deepStrictEqual(
                perAz.resources.ofType(rule).filter((r) => r.name.includes("-api-from-")),
                [],
            );
            const reached = await build({ privateApiAccessCidrs: ["10.250.0.0/24"] });
            const [admit] = reached.resources.ofType(rule).filter((r) => r.name.includes("-api-from-"));
            const cluster = reached.resources.ofType("aws:eks/cluster:Cluster")[0];
            assert.deepStrictEqual(
                [inputs(admit).ipProtocol, inputs(admit).fromPort, inputs(admit).toPort, inputs(admit).cidrIpv4],
                ["tcp", 443, 443, "10.250.0.0/24"],
            );
            // EKS's own cluster security group guards the endpoint's network interfaces.
            assert.ok(admit.dependencies.includes(cluster.urn));
        });

        it("ships all five control-plane log types to a log group with a retention", () => {
            assert.deepStrictEqual([...eks(perAz).enabledClusterLogTypes].sort(), [
                "api",
                "audit",
                "authenticator",
                "controllerManager",
                "scheduler",
            ]);
            const [logs] = perAz.resources.ofType("aws:cloudwatch/logGroup:LogGroup");
            assert.strictEqual(inputs(logs).name, "/aws/eks/saleor-test-eu-central-1/cluster");
            assert.strictEqual(inputs(logs).retentionInDays, 90);
        });

        it("encrypts Kubernetes Secrets with a rotating KMS key", () => {
            const [key] = perAz.resources.ofType("aws:kms/key:Key");
            assert.strictEqual(inputs(key).enableKeyRotation, true);
            const encryption = eks(perAz).encryptionConfig;
            assert.deepStrictEqual(encryption.resources, ["secrets"]);
            assert.ok(String(encryption.provider.keyArn).endsWith(`:key/${key.id}`), encryption.provider.keyArn);
        });

        it("authenticates through access entries: the deploying role and the admin roles, each once, as cluster admins", () => {
            // No bootstrap entry for the creator: EKS would hold it outside Pulumi, and an entry of
            // ours for the same role would fail with 409 ResourceInUseException.
            assert.deepStrictEqual(eks(perAz).accessConfig, { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
            const entries = perAz.resources
                .ofType("aws:eks/accessEntry:AccessEntry")
                .map((e) => inputs(e).principalArn)
                .sort();
            assert.deepStrictEqual(entries, ["arn:aws:iam::123456789012:role/platform-admins", deployRoleArn]);
            const associations = perAz.resources.ofType("aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
            assert.deepStrictEqual(associations.map((a) => inputs(a).principalArn).sort(), entries);
            for (const association of associations) {
                assert.strictEqual(inputs(association).policyArn, "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
                assert.deepStrictEqual(inputs(association).accessScope, { type: "cluster" });
            }
        });

        it("refuses the deploying role in adminRoleArns, which would be a second access entry for one principal", async () => {
            await assert.rejects(build({ adminRoleArns: [deployRoleArn] }), (e: Error) =>
                e.message.includes(
                    `${deployRoleArn} would get a second access entry; EKS refuses one principal twice (409 ResourceInUseException)`,
                ),
            );
        });

        it("lets EKS assume its role with the cluster policy", () => {
            const role = perAz.resources.one("aws:iam/role:Role", "eu-central-1-eks-cluster");
            assert.strictEqual(JSON.parse(inputs(role).assumeRolePolicy).Statement[0].Principal.Service, "eks.amazonaws.com");
            const attached = perAz.resources
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => inputs(a).role === role.id);
            assert.deepStrictEqual(
                attached.map((a) => inputs(a).policyArn),
                ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"],
            );
        });
    });

    describe("nodes", () => {
        it("runs node groups in the private subnets with the two worker policies (not the CNI's) and the configured sizes", () => {
            const [group] = perAz.resources.ofType("aws:eks/nodeGroup:NodeGroup");
            const privateIds = subnets(perAz, "private")
                .map((s) => s.id)
                .sort();
            assert.deepStrictEqual([...inputs(group).subnetIds].sort(), privateIds);
            assert.deepStrictEqual(inputs(group).scalingConfig, { minSize: 2, desiredSize: 3, maxSize: 6 });
            assert.deepStrictEqual(inputs(group).instanceTypes, ["m7i.xlarge"]);
            assert.deepStrictEqual(inputs(group).updateConfig, { maxUnavailable: 1 });

            const role = perAz.resources.ofType("aws:iam/role:Role").find((r) => inputs(group).nodeRoleArn.endsWith(`/${r.id}`))!;
            assert.strictEqual(JSON.parse(inputs(role).assumeRolePolicy).Statement[0].Principal.Service, "ec2.amazonaws.com");
            const policies = perAz.resources
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => inputs(a).role === role.id)
                .map((a) => inputs(a).policyArn)
                .sort();
            assert.deepStrictEqual(policies, [
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
                "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
            ]);
        });

        it("leaves the desired size to the autoscaler", () => {
            const [group] = perAz.resources.ofType("aws:eks/nodeGroup:NodeGroup");
            assert.deepStrictEqual(group.ignoreChanges, ["scalingConfig.desiredSize"]);
        });

        it("boots nodes from a launch template with IMDSv2 only and an encrypted gp3 root volume of the configured size", () => {
            const [group] = perAz.resources.ofType("aws:eks/nodeGroup:NodeGroup");
            const template = byId(perAz.resources.ofType("aws:ec2/launchTemplate:LaunchTemplate"), inputs(group).launchTemplate.id)!;
            assert.strictEqual(inputs(group).launchTemplate.version, "1");
            assert.strictEqual(inputs(group).diskSize, undefined, "disk size lives in the template");
            assert.strictEqual(inputs(template).metadataOptions.httpTokens, "required");
            assert.ok([1, 2].includes(inputs(template).metadataOptions.httpPutResponseHopLimit));
            const [root] = inputs(template).blockDeviceMappings;
            assert.strictEqual(root.deviceName, "/dev/xvda");
            assert.strictEqual(root.ebs.volumeSize, 80);
            assert.strictEqual(root.ebs.volumeType, "gp3");
            assert.strictEqual(root.ebs.encrypted, "true");
        });

        it("picks the ARM image for Graviton instance types and refuses mixing architectures", () => {
            assert.strictEqual(amiTypeFor(["m7i.xlarge", "m6i.xlarge"]), "AL2023_x86_64_STANDARD");
            assert.strictEqual(amiTypeFor(["m7g.xlarge", "c6gn.large"]), "AL2023_ARM_64_STANDARD");
            assert.throws(() => amiTypeFor(["m7g.xlarge", "m7i.xlarge"]), /mixes ARM and x86/);
        });
    });

    describe("add-ons", () => {
        const addons = (b: Built) => b.resources.ofType("aws:eks/addon:Addon");
        const addon = (b: Built, addonName: string) => addons(b).find((a) => inputs(a).addonName === addonName)!;

        it("installs the five managed add-ons at their pinned versions, and never asks EKS for the newest", () => {
            const names = addons(perAz)
                .map((a) => inputs(a).addonName)
                .sort();
            assert.deepStrictEqual(names, ["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
            for (const name of names) {
                assert.strictEqual(
                    inputs(addon(perAz, name)).addonVersion,
                    eksAddonVersions["1.34"][name as keyof (typeof eksAddonVersions)["1.34"]],
                    name,
                );
            }
            assert.deepStrictEqual(
                perAz.calls.filter((c) => c.token === "aws:eks/getAddonVersion:getAddonVersion"),
                [],
            );
        });

        it("installs the version it is given for an add-on", async () => {
            const moved = await build({ addonVersions: { ...eksAddonVersions["1.34"], coredns: "v1.12.4-eksbuild.9" } });
            assert.strictEqual(inputs(addon(moved, "coredns")).addonVersion, "v1.12.4-eksbuild.9");
        });

        it("installs the CNI before the nodes, and CoreDNS and the EBS CSI driver after them", () => {
            const [group] = perAz.resources.ofType("aws:eks/nodeGroup:NodeGroup");
            for (const early of ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"]) {
                assert.ok(group.dependencies.includes(addon(perAz, early).urn), `node group waits for ${early}`);
            }
            for (const late of ["coredns", "aws-ebs-csi-driver"]) {
                assert.ok(addon(perAz, late).dependencies.includes(group.urn), `${late} waits for the nodes`);
            }
        });

        it("binds the EBS CSI driver's volume permissions through Pod Identity", () => {
            const association = perAz.resources
                .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .find((a) => inputs(a).serviceAccount === "ebs-csi-controller-sa")!;
            assert.strictEqual(inputs(association).namespace, "kube-system");
            assert.strictEqual(inputs(association).clusterName, "saleor-test-eu-central-1");
            assert.ok(
                addon(perAz, "aws-ebs-csi-driver").dependencies.includes(association.urn),
                "the driver starts with its credentials bound",
            );
            const role = perAz.resources.ofType("aws:iam/role:Role").find((r) => inputs(association).roleArn.endsWith(`/${r.id}`))!;
            assertPodIdentityTrust(role);
            const policies = perAz.resources
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => inputs(a).role === role.id)
                .map((a) => inputs(a).policyArn);
            assert.deepStrictEqual(policies, ["arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"]);
        });
    });

    describe("inside the cluster", () => {
        const k8sProvider = (b: Built) => b.resources.ofType("pulumi:providers:kubernetes")[0];
        const kubeconfig = (b: Built) => JSON.parse(reveal<string>(inputs(k8sProvider(b)).kubeconfig));

        it("authenticates kubectl with aws eks get-token against the cluster's own region", async () => {
            for (const b of [perAz, await build({ region: "eu-west-1" })]) {
                const region = (b.awsProvider.inputs as Record<string, string>).region;
                const config = kubeconfig(b);
                const user = config.users[0].user.exec;
                assert.strictEqual(user.apiVersion, "client.authentication.k8s.io/v1beta1");
                assert.strictEqual(user.command, "aws");
                assert.deepStrictEqual(user.args.slice(0, 6), [
                    "eks",
                    "get-token",
                    "--cluster-name",
                    `saleor-test-${region}`,
                    "--region",
                    region,
                ]);
                const cluster = b.resources.ofType("aws:eks/cluster:Cluster")[0];
                assert.strictEqual(config.clusters[0].cluster.server, await value(b.component.endpoint!));
                assert.ok(config.clusters[0].cluster.server.includes(`.${region}.eks.amazonaws.com`));
                assert.ok(config.clusters[0].cluster["certificate-authority-data"]);
                assert.strictEqual(inputs(cluster).name, `saleor-test-${region}`);
            }
        });

        it("applies server-side and only once the nodes and add-ons are up", () => {
            const provider = k8sProvider(perAz);
            assert.strictEqual(String(inputs(provider).enableServerSideApply), "true");
            const waitsFor = [...perAz.resources.ofType("aws:eks/nodeGroup:NodeGroup"), ...perAz.resources.ofType("aws:eks/addon:Addon")];
            for (const r of waitsFor) assert.ok(provider.dependencies.includes(r.urn), `provider waits for ${r.name}`);
        });

        it("makes encrypted gp3 the default StorageClass, bound where the pod lands", () => {
            const [sc] = perAz.resources.ofType("kubernetes:storage.k8s.io/v1:StorageClass");
            assert.strictEqual(inputs(sc).metadata.annotations["storageclass.kubernetes.io/is-default-class"], "true");
            assert.strictEqual(inputs(sc).provisioner, "ebs.csi.aws.com");
            assert.deepStrictEqual(inputs(sc).parameters, { type: "gp3", encrypted: "true" });
            assert.strictEqual(inputs(sc).volumeBindingMode, "WaitForFirstConsumer");
            assert.strictEqual(inputs(sc).allowVolumeExpansion, true);
        });

        it("installs a pinned AWS Load Balancer Controller told its cluster, region and VPC", async () => {
            const release = releaseOf(perAz, "aws-load-balancer-controller");
            assert.strictEqual(inputs(release).chart, "aws-load-balancer-controller");
            assert.strictEqual(inputs(release).repositoryOpts.repo, "https://aws.github.io/eks-charts");
            assert.match(inputs(release).version, /^\d+\.\d+\.\d+$/);
            assert.strictEqual(inputs(release).namespace, "kube-system");
            const values = inputs(release).values;
            assert.strictEqual(values.clusterName, "saleor-test-eu-central-1");
            assert.strictEqual(values.region, "eu-central-1");
            assert.strictEqual(values.vpcId, await value(perAz.component.network!.vpcId));
            assert.strictEqual(values.serviceAccount.name, "aws-load-balancer-controller");
        });

        it("creates the application namespace only once the load balancer controller's webhooks can answer", () => {
            const release = releaseOf(perAz, "aws-load-balancer-controller");
            const namespace = perAz.resources.ofType("kubernetes:core/v1:Namespace")[0];
            assert.ok(namespace.dependencies.includes(release.urn));
        });

        it("binds the load balancer controller's role through Pod Identity, without any action on everything", () => {
            const release = releaseOf(perAz, "aws-load-balancer-controller");
            const association = perAz.resources
                .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .find((a) => inputs(a).serviceAccount === "aws-load-balancer-controller")!;
            assert.strictEqual(inputs(association).namespace, "kube-system");
            assert.ok(release.dependencies.includes(association.urn), "the controller starts with its credentials bound");
            const role = perAz.resources.ofType("aws:iam/role:Role").find((r) => inputs(association).roleArn.endsWith(`/${r.id}`))!;
            assertPodIdentityTrust(role);
            const inline = perAz.resources.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => inputs(p).role === role.id)!;
            const statements: { Action: string | string[]; Resource: string | string[] }[] = JSON.parse(inputs(inline).policy).Statement;
            assert.ok(statements.some((s) => [s.Action].flat().includes("elasticloadbalancing:CreateLoadBalancer")));
            for (const s of statements) {
                const actions = [s.Action].flat();
                assert.ok(!actions.some((a) => a === "*" || a.endsWith(":*")), `wildcard action in ${JSON.stringify(s)}`);
            }
        });
    });

    describe("node autoscaling", () => {
        const autoscaler = (b: Built) => releaseOf(b, "cluster-autoscaler");
        const association = (b: Built) =>
            b.resources
                .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .filter((a) => inputs(a).serviceAccount === "cluster-autoscaler");
        const statementsOf = (b: Built) => {
            const [a] = association(b);
            const role = b.resources.ofType("aws:iam/role:Role").find((r) => inputs(a).roleArn.endsWith(`/${r.id}`))!;
            const inline = b.resources.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => inputs(p).role === role.id)!;
            return JSON.parse(inputs(inline).policy).Statement as {
                Effect: string;
                Action: string | string[];
                Resource: string | string[];
                Condition?: Record<string, Record<string, string>>;
            }[];
        };
        const writeActions = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"];

        it("installs a pinned Cluster Autoscaler chart whose image is built for the cluster's Kubernetes minor", () => {
            const release = autoscaler(perAz);
            assert.strictEqual(inputs(release).repositoryOpts.repo, "https://kubernetes.github.io/autoscaler");
            assert.match(inputs(release).version, /^\d+\.\d+\.\d+$/);
            assert.strictEqual(inputs(release).namespace, "kube-system");
            const image = inputs(release).values.image;
            assert.strictEqual(image.repository, "registry.k8s.io/autoscaling/cluster-autoscaler");
            assert.match(image.tag, /^v1\.34\.\d+$/, "the autoscaler's minor is the control plane's");
        });

        it("discovers this cluster's node groups and is told its region", async () => {
            for (const b of [perAz, await build({ region: "eu-west-1", vpcCidr: "10.20.0.0/16" })]) {
                const region = (b.awsProvider.inputs as Record<string, string>).region;
                const values = inputs(autoscaler(b)).values;
                assert.strictEqual(values.cloudProvider, "aws");
                assert.strictEqual(values.autoDiscovery.clusterName, `saleor-test-${region}`);
                assert.strictEqual(values.awsRegion, region);
            }
        });

        it("binds the autoscaler's role to its service account in kube-system through Pod Identity, and starts it with the credentials bound", () => {
            const associations = association(perAz);
            assert.strictEqual(associations.length, 1);
            const [a] = associations;
            assert.strictEqual(inputs(a).namespace, "kube-system");
            assert.strictEqual(inputs(a).clusterName, "saleor-test-eu-central-1");
            const values = inputs(autoscaler(perAz)).values;
            assert.deepStrictEqual(values.rbac.serviceAccount, { create: true, name: "cluster-autoscaler" });
            assert.ok(autoscaler(perAz).dependencies.includes(a.urn), "the autoscaler starts with its credentials bound");
            const role = perAz.resources.ofType("aws:iam/role:Role").find((r) => inputs(a).roleArn.endsWith(`/${r.id}`))!;
            assertPodIdentityTrust(role);
        });

        it("lets the autoscaler resize and shrink only Auto Scaling groups tagged as owned by this cluster", () => {
            const statements = statementsOf(perAz);
            const writing = statements.filter((st) => [st.Action].flat().some((a) => writeActions.includes(a)));
            assert.ok(writing.length > 0);
            for (const st of writing) {
                assert.deepStrictEqual(st.Condition, {
                    StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/saleor-test-eu-central-1": "owned" },
                });
                for (const r of [st.Resource].flat()) assert.match(r, /^arn:aws:autoscaling:eu-central-1:\*:autoScalingGroup:/);
            }
            assert.deepStrictEqual(writing.flatMap((st) => [st.Action].flat()).sort(), writeActions);
            for (const st of statements) {
                assert.strictEqual(st.Effect, "Allow");
                const actions = [st.Action].flat();
                assert.ok(!actions.some((a) => a.includes("*")), `wildcard action in ${JSON.stringify(st)}`);
                // Everything that is not one of the two writes only reads.
                for (const a of actions.filter((x) => !writeActions.includes(x))) assert.match(a, /^(autoscaling|ec2|eks):(Describe|Get)/);
            }
            const all = statements.flatMap((st) => [st.Action].flat());
            for (const a of [
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeTags",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:DescribeInstanceTypes",
                "eks:DescribeNodegroup",
            ]) {
                assert.ok(all.includes(a), `${a} (auto-discovery of launch-template node groups needs it)`);
            }
        });

        it("starts the autoscaler only once the node groups it scales exist", () => {
            const release = autoscaler(perAz);
            const groups = perAz.resources.ofType("aws:eks/nodeGroup:NodeGroup");
            assert.ok(groups.length > 0);
            for (const g of groups) assert.ok(release.dependencies.includes(g.urn), `autoscaler waits for ${g.name}`);
        });

        it("scales down nodes running pods with emptyDir volumes, balances similar groups and grows the least wasteful one", () => {
            const args = inputs(autoscaler(perAz)).values.extraArgs;
            assert.strictEqual(args["skip-nodes-with-local-storage"], false);
            assert.strictEqual(args["balance-similar-node-groups"], true);
            assert.strictEqual(args.expander, "least-waste");
        });

        it("runs the autoscaler as a non-root user, without privilege escalation, with resource requests and limits", () => {
            const values = inputs(autoscaler(perAz)).values;
            assert.strictEqual(values.securityContext.runAsNonRoot, true);
            assert.ok(values.securityContext.runAsUser > 0);
            assert.strictEqual(values.containerSecurityContext.allowPrivilegeEscalation, false);
            assert.deepStrictEqual(values.containerSecurityContext.capabilities, { drop: ["ALL"] });
            for (const kind of ["requests", "limits"]) {
                assert.ok(values.resources[kind].cpu && values.resources[kind].memory, `resources.${kind}`);
            }
        });
    });

    describe("progressive delivery (Argo Rollouts)", () => {
        const rollouts = (b: Built) => releaseOf(b, "argo-rollouts");
        const associations = (b: Built) =>
            b.resources
                .ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation")
                .filter((a) => inputs(a).serviceAccount === "argo-rollouts");

        it("installs the pinned argo-rollouts chart in its own namespace, with the CRDs Rollouts need", () => {
            const release = rollouts(perAz);
            assert.strictEqual(inputs(release).repositoryOpts.repo, "https://argoproj.github.io/argo-helm");
            assert.strictEqual(inputs(release).version, "2.41.0");
            assert.strictEqual(inputs(release).namespace, "argo-rollouts");
            assert.strictEqual(inputs(release).createNamespace, true);
            assert.strictEqual(inputs(release).values.installCRDs, true);
        });

        it("tells the controller its region, which the CloudWatch analysis provider needs", async () => {
            for (const b of [perAz, await build({ region: "eu-west-1", vpcCidr: "10.20.0.0/16" })]) {
                const region = (b.awsProvider.inputs as Record<string, string>).region;
                assert.deepStrictEqual(inputs(rollouts(b)).values.controller.extraEnv, [{ name: "AWS_REGION", value: region }]);
            }
        });

        it("binds a role that can only read CloudWatch metrics to the controller's service account, before the controller starts", () => {
            const [a, ...more] = associations(perAz);
            assert.strictEqual(more.length, 0);
            assert.strictEqual(inputs(a).namespace, "argo-rollouts");
            assert.strictEqual(inputs(a).clusterName, "saleor-test-eu-central-1");
            assert.deepStrictEqual(inputs(rollouts(perAz)).values.serviceAccount, { create: true, name: "argo-rollouts" });
            assert.ok(rollouts(perAz).dependencies.includes(a.urn), "the controller starts with its credentials bound");
            const role = perAz.resources.ofType("aws:iam/role:Role").find((r) => inputs(a).roleArn.endsWith(`/${r.id}`))!;
            assertPodIdentityTrust(role);
            const [statement] = JSON.parse(inputs(role).assumeRolePolicy).Statement;
            assert.strictEqual(statement.Condition.StringEquals["aws:RequestTag/kubernetes-namespace"], "argo-rollouts");
            assert.strictEqual(statement.Condition.StringEquals["aws:RequestTag/kubernetes-service-account"], "argo-rollouts");
            const inline = perAz.resources.ofType("aws:iam/rolePolicy:RolePolicy").filter((p) => inputs(p).role === role.id);
            const actions = inline.flatMap((p) =>
                JSON.parse(inputs(p).policy).Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat()),
            );
            assert.deepStrictEqual(actions, ["cloudwatch:GetMetricData"]);
            const attached = perAz.resources
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((p) => inputs(p).role === role.id);
            assert.deepStrictEqual(attached, [], "no managed policy widens it");
        });

        it("starts the controller once the nodes and the Pod Identity agent are up", () => {
            const release = rollouts(perAz);
            for (const g of perAz.resources.ofType("aws:eks/nodeGroup:NodeGroup")) assert.ok(release.dependencies.includes(g.urn));
            const agent = perAz.resources.ofType("aws:eks/addon:Addon").find((x) => inputs(x).addonName === "eks-pod-identity-agent")!;
            assert.ok(release.dependencies.includes(agent.urn));
        });
    });

    describe("wiring", () => {
        it("sends every AWS resource and lookup through the provider given to the component", () => {
            const ref = `${perAz.awsProvider.urn}::${perAz.awsProvider.id}`;
            const awsResources = perAz.resources.all.filter((r) => r.type.startsWith("aws:"));
            assert.ok(awsResources.length > 40);
            for (const r of awsResources) assert.strictEqual(r.provider, ref, `${r.type} ${r.name}`);
            assert.ok(perAz.calls.length > 0);
            for (const c of perAz.calls) assert.strictEqual(c.provider, ref, c.token);
        });

        it("parents every resource it creates to the component", () => {
            const children = perAz.resources.all.filter((r) => r.urn !== perAz.componentUrn && r.urn !== perAz.awsProvider.urn);
            for (const r of children) assert.strictEqual(r.parent, perAz.componentUrn, `${r.type} ${r.name}`);
        });

        it("puts Kubernetes objects into the new cluster through its own provider", () => {
            const provider = perAz.resources.ofType("pulumi:providers:kubernetes")[0];
            for (const r of perAz.resources.all.filter((x) => x.type.startsWith("kubernetes:"))) {
                assert.strictEqual(r.provider, `${provider.urn}::${provider.id}`, `${r.type} ${r.name}`);
            }
        });

        it("hands the data tier the VPC, private subnets, cluster security group and private route tables", async () => {
            const network = perAz.component.network!;
            const [vpc] = perAz.resources.ofType("aws:ec2/vpc:Vpc");
            assert.strictEqual(await value(network.vpcId), vpc.id);
            assert.strictEqual(network.vpcCidr, "10.10.0.0/16");
            assert.deepStrictEqual(
                [...(await value(network.privateSubnetIds))].sort(),
                subnets(perAz, "private")
                    .map((s) => s.id)
                    .sort(),
            );
            assert.match(await value(network.nodeSecurityGroupId), /^sg-/);
            const privateTables = perAz.resources
                .ofType("aws:ec2/routeTable:RouteTable")
                .filter((t) => t.name.includes("-private-"))
                .map((t) => t.id);
            assert.deepStrictEqual([...(await value(network.privateRouteTableIds))].sort(), privateTables.sort());
            assert.strictEqual(network.privateRouteTableCount, 3);
            assert.strictEqual(await value(perAz.component.clusterName!), "saleor-test-eu-central-1");
        });

        it("uses the region it is given, never a literal one", async () => {
            const west = await build({ region: "eu-west-1", vpcCidr: "10.20.0.0/16" });
            for (const s of west.resources.ofType("aws:ec2/subnet:Subnet")) assert.match(inputs(s).availabilityZone, /^eu-west-1[abc]$/);
            const release = releaseOf(west, "aws-load-balancer-controller");
            assert.strictEqual(inputs(release).values.region, "eu-west-1");
            assert.strictEqual(inputs(releaseOf(west, "cluster-autoscaler")).values.awsRegion, "eu-west-1");
            const text = JSON.stringify(west.resources.all.map((r) => r.inputs));
            assert.ok(!text.includes("eu-central-1"), "an eu-west-1 cluster mentions eu-central-1");
        });
    });
});

describe("createClusterAutoscaler", () => {
    it("refuses a cluster whose Kubernetes minor the pinned autoscaler is not built for", async () => {
        await assert.rejects(
            registered(() => {
                const parent = new pulumi.ComponentResource("test:index:Parent", "p");
                return createClusterAutoscaler(
                    "c",
                    {
                        clusterName: "c",
                        region: "eu-central-1",
                        kubernetesVersion: "1.35",
                        provider: undefined as unknown as k8s.Provider,
                        nodeGroups: [],
                        tags: {},
                        permissionsBoundary: permissionsBoundaryArn,
                    },
                    parent,
                );
            }),
            /built for Kubernetes 1\.34, the cluster runs 1\.35/,
        );
    });
});

describe("createPodIdentityRole", () => {
    it("refuses a role without permissions", async () => {
        await assert.rejects(
            registered(() => {
                const parent = new pulumi.ComponentResource("test:index:Parent", "p");
                return createPodIdentityRole(
                    "empty",
                    { clusterName: "c", namespace: "ns", serviceAccountName: "sa", permissionsBoundary: permissionsBoundaryArn },
                    parent,
                );
            }),
            /give policyJson or managedPolicyArns/,
        );
    });
});

/** Only EKS Pod Identity may assume the role, and it must be allowed to tag the session. */
function assertPodIdentityTrust(role: RecordedResource) {
    const [statement] = JSON.parse(inputs(role).assumeRolePolicy).Statement;
    assert.deepStrictEqual(statement.Principal, { Service: "pods.eks.amazonaws.com" });
    assert.deepStrictEqual([...statement.Action].sort(), ["sts:AssumeRole", "sts:TagSession"]);
}
