import { strict as assert } from "node:assert";
import { Resources } from "../support/harness";
import { evaluated } from "../support/plans";

/**
 * The clusters' API endpoints are private. A deploy job runs on the bootstrap's runner in its own
 * VPC in the home region; the stack peers that VPC with every region's and admits its range to
 * each cluster's endpoint, so `pulumi up` reaches both clusters without a public endpoint.
 */
const runner = {
    vpcId: "vpc-0a1b2c3d4e5f67890",
    vpcCidr: "10.250.0.0/24",
    routeTableIds: ["rtb-0a1b2c3d4e5f67890", "rtb-0123456789abcdef0"],
};
const inputs = (r: { inputs: unknown }) => r.inputs as Record<string, any>;

describe("staging: the deploy runner reaches every cluster's private API endpoint", () => {
    let res: Resources;
    before(async () => {
        const clusterAws = {
            deployRoleArn: "arn:aws:iam::123456789012:role/saleor-deploy-staging",
            permissionsBoundaryArn: "arn:aws:iam::123456789012:policy/saleor-bootstrap/saleor-staging-workload-boundary",
            deployRunner: runner,
        };
        res = new Resources((await evaluated("staging", { "saleor:cluster": JSON.stringify({ aws: clusterAws }) })).resources);
    });

    it("keeps the endpoints private", () => {
        for (const cluster of res.ofType("aws:eks/cluster:Cluster")) assert.equal(inputs(cluster).vpcConfig.endpointPublicAccess, false);
    });

    it("peers the runner's VPC with each region's VPC, routes both ways", () => {
        const peerings = res
            .ofType("aws:ec2/vpcPeeringConnection:VpcPeeringConnection")
            .filter((p) => p.name.startsWith("deploy-runner-to-"));
        assert.deepEqual(peerings.map((p) => [p.name, inputs(p).vpcId, inputs(p).peerRegion]).sort(), [
            ["deploy-runner-to-eu-central-1", runner.vpcId, "eu-central-1"],
            ["deploy-runner-to-eu-west-1", runner.vpcId, "eu-west-1"],
        ]);
        const routes = res.ofType("aws:ec2/route:Route").filter((r) => r.name.startsWith("deploy-runner-to-eu-west-1-"));
        assert.deepEqual(
            routes
                .filter((r) => r.name.includes("-requester-"))
                .map((r) => [inputs(r).routeTableId, inputs(r).destinationCidrBlock])
                .sort(),
            runner.routeTableIds.map((id) => [id, "10.40.0.0/16"]).sort(),
        );
        assert.ok(routes.filter((r) => r.name.includes("-accepter-")).every((r) => inputs(r).destinationCidrBlock === runner.vpcCidr));
    });

    it("admits the runner's range on 443 to each cluster's endpoint", () => {
        const admitted = res
            .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
            .filter((r) => r.name.includes("-api-from-"));
        assert.deepEqual(admitted.map((r) => [r.name, inputs(r).cidrIpv4, inputs(r).fromPort]).sort(), [
            ["eu-central-1-api-from-10-250-0-0-24", runner.vpcCidr, 443],
            ["eu-west-1-api-from-10-250-0-0-24", runner.vpcCidr, 443],
        ]);
    });
});
