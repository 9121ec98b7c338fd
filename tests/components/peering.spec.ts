import * as assert from "assert";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RegionalCluster, type AwsClusterArgs, type NetworkFacts } from "../../components/cluster";
import { RegionPeering } from "../../components/cluster/peering";
import { registered, type RecordedResource, type Resources } from "../support/harness";
import { deployRoleArnOf, permissionsBoundaryArnOf } from "../../automation/plan/fake-cloud";
import { eksAddonVersions } from "../../catalog/eks-addons";

/** The role the mocks deploy the test stack as. */
const deployRoleArn = deployRoleArnOf("test");

/** Network facts as a region's cluster would hand them over. */
function facts(prefix: string, vpcCidr: string, tables = 3): NetworkFacts {
    return {
        vpcId: pulumi.output(`vpc-${prefix}`),
        vpcCidr,
        privateSubnetIds: pulumi.output([0, 1, 2].map((i) => `subnet-${prefix}${i}`)),
        nodeSecurityGroupId: pulumi.output(`sg-${prefix}`),
        privateRouteTableIds: pulumi.output([...Array(tables).keys()].map((i) => `rtb-${prefix}${i}`)),
        privateRouteTableCount: tables,
    };
}

interface Built {
    resources: Resources;
    /** Provider reference (`urn::id`) per region. */
    providerRef: Record<string, string>;
    componentUrn: string;
}

async function peer(requester: NetworkFacts, accepter: NetworkFacts): Promise<Built> {
    const resources = await registered(() => {
        const central = new aws.Provider("eu-central-1", { region: "eu-central-1" });
        const west = new aws.Provider("eu-west-1", { region: "eu-west-1" });
        new RegionPeering("primary-secondary", {
            requester: { region: "eu-central-1", network: requester, provider: central },
            accepter: { region: "eu-west-1", network: accepter, provider: west },
        });
        return {};
    });
    const providerRef = Object.fromEntries(resources.ofType("pulumi:providers:aws").map((p) => [p.name, `${p.urn}::${p.id}`]));
    return { resources, providerRef, componentUrn: resources.one("saleor:components:RegionPeering", "primary-secondary").urn };
}

const inputs = (r: RecordedResource) => r.inputs as Record<string, any>;

describe("RegionPeering", () => {
    let built: Built;
    before(async () => {
        built = await peer(facts("central", "10.10.0.0/16"), facts("west", "10.20.0.0/16"));
    });
    const routes = (b: Built, region: string) =>
        b.resources.ofType("aws:ec2/route:Route").filter((r) => r.provider === b.providerRef[region]);

    it("requests the connection from the requester region and accepts it in the accepter region", () => {
        const [connection] = built.resources.ofType("aws:ec2/vpcPeeringConnection:VpcPeeringConnection");
        assert.strictEqual(connection.provider, built.providerRef["eu-central-1"]);
        assert.strictEqual(inputs(connection).vpcId, "vpc-central");
        assert.strictEqual(inputs(connection).peerVpcId, "vpc-west");
        assert.strictEqual(inputs(connection).peerRegion, "eu-west-1");
        assert.strictEqual(inputs(connection).autoAccept, false);

        const [accepter] = built.resources.ofType("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter");
        assert.strictEqual(accepter.provider, built.providerRef["eu-west-1"]);
        assert.strictEqual(inputs(accepter).vpcPeeringConnectionId, connection.id);
        assert.strictEqual(inputs(accepter).autoAccept, true);
    });

    it("resolves private DNS names across the peering, each side set from its own region", () => {
        const options = built.resources.ofType("aws:ec2/peeringConnectionOptions:PeeringConnectionOptions");
        const requesterSide = options.find((o) => inputs(o).requester)!;
        const accepterSide = options.find((o) => inputs(o).accepter)!;
        assert.deepStrictEqual(inputs(requesterSide).requester, { allowRemoteVpcDnsResolution: true });
        assert.strictEqual(requesterSide.provider, built.providerRef["eu-central-1"]);
        assert.deepStrictEqual(inputs(accepterSide).accepter, { allowRemoteVpcDnsResolution: true });
        assert.strictEqual(accepterSide.provider, built.providerRef["eu-west-1"]);
    });

    it("routes every private route table on each side to the other side's range through the peering", () => {
        const [connection] = built.resources.ofType("aws:ec2/vpcPeeringConnection:VpcPeeringConnection");
        const [accepter] = built.resources.ofType("aws:ec2/vpcPeeringConnectionAccepter:VpcPeeringConnectionAccepter");
        for (const [region, own, otherCidr] of [
            ["eu-central-1", "central", "10.20.0.0/16"],
            ["eu-west-1", "west", "10.10.0.0/16"],
        ]) {
            const rs = routes(built, region);
            assert.deepStrictEqual(
                rs.map((r) => inputs(r).routeTableId).sort(),
                [0, 1, 2].map((i) => `rtb-${own}${i}`),
                region,
            );
            for (const r of rs) {
                assert.strictEqual(inputs(r).destinationCidrBlock, otherCidr);
                assert.strictEqual(inputs(r).vpcPeeringConnectionId, connection.id);
                // Routes wait for the acceptance: a route to a pending connection is a black hole.
                assert.ok(r.dependencies.includes(accepter.urn), `${r.name} waits for the acceptance`);
            }
        }
        assert.strictEqual(built.resources.ofType("aws:ec2/route:Route").length, 6, "no route outside the two regions' providers");
    });

    it("parents everything to the peering component", () => {
        const children = built.resources.all.filter((r) => r.type.startsWith("aws:"));
        for (const r of children) assert.strictEqual(r.parent, built.componentUrn, `${r.type} ${r.name}`);
    });

    it("adds as many routes as each side has private route tables", async () => {
        const uneven = await peer(facts("central", "10.10.0.0/16", 1), facts("west", "10.20.0.0/16", 3));
        assert.strictEqual(routes(uneven, "eu-central-1").length, 1);
        assert.strictEqual(routes(uneven, "eu-west-1").length, 3);
    });

    it("refuses overlapping ranges", async () => {
        await assert.rejects(peer(facts("central", "10.10.0.0/16"), facts("west", "10.10.128.0/17")), /overlaps/);
    });

    it("refuses networks that do not say how many private route tables they have", async () => {
        const { privateRouteTableCount: _dropped, ...withoutCount } = facts("west", "10.20.0.0/16");
        await assert.rejects(peer(facts("central", "10.10.0.0/16"), withoutCount), /privateRouteTableCount/);
    });

    it("peers the networks two regional clusters hand over", async () => {
        const base: Omit<AwsClusterArgs, "region" | "vpcCidr"> = {
            kubernetesVersion: "1.34",
            natGateways: "single",
            deployRoleArn,
            permissionsBoundaryArn: permissionsBoundaryArnOf("test"),
            addonVersions: eksAddonVersions["1.34"],
            nodeGroups: [{ name: "general", instanceTypes: ["m7i.xlarge"], minSize: 1, desiredSize: 2, maxSize: 3, diskSizeGiB: 50 }],
        };
        const resources = await registered(() => {
            const central = new aws.Provider("eu-central-1", { region: "eu-central-1" });
            const west = new aws.Provider("eu-west-1", { region: "eu-west-1" });
            const primary = new RegionalCluster(
                "eu-central-1",
                { namespace: "saleor", aws: { ...base, region: "eu-central-1", vpcCidr: "10.10.0.0/16" } },
                { providers: [central] },
            );
            const secondary = new RegionalCluster(
                "eu-west-1",
                { namespace: "saleor", aws: { ...base, region: "eu-west-1", vpcCidr: "10.20.0.0/16" } },
                { providers: [west] },
            );
            new RegionPeering("primary-secondary", {
                requester: { region: "eu-central-1", network: primary.network!, provider: central },
                accepter: { region: "eu-west-1", network: secondary.network!, provider: west },
            });
            return {};
        });
        const peeringRoutes = resources.ofType("aws:ec2/route:Route").filter((r) => inputs(r).vpcPeeringConnectionId);
        const privateTables = (region: string) =>
            resources.ofType("aws:ec2/routeTable:RouteTable").filter((t) => t.name.startsWith(`${region}-private-`));
        for (const [region, otherCidr] of [
            ["eu-central-1", "10.20.0.0/16"],
            ["eu-west-1", "10.10.0.0/16"],
        ]) {
            const tables = privateTables(region)
                .map((t) => t.id)
                .sort();
            assert.strictEqual(tables.length, 3);
            const routed = peeringRoutes
                .filter((r) => inputs(r).destinationCidrBlock === otherCidr)
                .map((r) => inputs(r).routeTableId)
                .sort();
            assert.deepStrictEqual(routed, tables, `${region} private tables route to ${otherCidr}`);
        }
    });
});
