import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "../../../catalog/ipv4";

export interface NetworkSettings {
    readonly vpcCidr: string;
    readonly zoneCount: number;
    readonly natGateways: "single" | "perAz";
    /** Subnets are tagged for this EKS cluster so load balancers find them. */
    readonly clusterName: string;
    /** S3 ARN (with a key prefix) the VPC's flow logs go to. Default: no flow log. */
    readonly flowLogDestinationArn?: pulumi.Input<string>;
    readonly tags: Record<string, string>;
}

export interface VpcNetwork {
    readonly vpc: aws.ec2.Vpc;
    /** Index i lies in availability zone i. */
    readonly publicSubnets: aws.ec2.Subnet[];
    readonly privateSubnets: aws.ec2.Subnet[];
    /** One per zone, whatever the NAT mode, so switching modes changes routes but never associations. */
    readonly privateRouteTables: aws.ec2.RouteTable[];
    readonly natGateways: aws.ec2.NatGateway[];
    /** Default routes out of the VPC: whatever needs the internet waits for these. */
    readonly egressRoutes: aws.ec2.Route[];
}

type RouteTarget = { readonly gatewayId: pulumi.Input<string> } | { readonly natGatewayId: pulumi.Input<string> };

/**
 * A VPC over `zoneCount` zones: public subnets with an internet gateway for NAT and internet-facing
 * load balancers; private subnets for nodes, pods and the API endpoint, leaving through NAT.
 */
export function createNetwork(name: string, s: NetworkSettings, parent: pulumi.Resource): VpcNetwork {
    const plan = planSubnets(s.vpcCidr, s.zoneCount);
    const tags = (resourceName: string, extra: Record<string, string> = {}) => ({ ...s.tags, Name: resourceName, ...extra });

    // Local and wavelength zones need opting in and lack most instance types: standard zones only.
    const zones = aws.getAvailabilityZonesOutput(
        {
            state: "available",
            filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
        },
        { parent },
    );
    const zoneName = (i: number) =>
        zones.names.apply((names) => {
            if (names.length <= i)
                throw new Error(
                    `${name}: ${s.zoneCount} availability zones requested, the region offers ${names.length} (${names.join(", ")})`,
                );
            return names[i];
        });

    const vpc = new aws.ec2.Vpc(
        `${name}-vpc`,
        {
            cidrBlock: s.vpcCidr,
            // EKS private endpoint access and in-VPC service discovery need both.
            enableDnsSupport: true,
            enableDnsHostnames: true,
            tags: tags(`${name}-vpc`),
        },
        { parent },
    );

    // Adopting the VPC's default security group removes every rule from it, and declaring none keeps
    // it empty (terraform-provider-aws website/docs/r/default_security_group.html.markdown: "When
    // Terraform first adopts the default security group, it immediately removes all ingress and
    // egress rules"). Nothing here uses it; a resource launched into it by mistake reaches nothing.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: tags(`${name}-default-sg`) }, { parent });

    if (s.flowLogDestinationArn !== undefined) {
        // Accepted and rejected traffic of every interface in the VPC, as Parquet in hourly
        // partitions (cheaper to store and to query with Athena than text), aggregated over 10 minutes.
        new aws.ec2.FlowLog(
            `${name}-flow-log`,
            {
                vpcId: vpc.id,
                trafficType: "ALL",
                logDestinationType: "s3",
                logDestination: s.flowLogDestinationArn,
                maxAggregationInterval: 600,
                destinationOptions: { fileFormat: "parquet", hiveCompatiblePartitions: true, perHourPartition: true },
                tags: tags(`${name}-flow-log`),
            },
            { parent },
        );
    }

    const clusterTag = { [`kubernetes.io/cluster/${s.clusterName}`]: "shared" };
    const subnet = (tier: "public" | "private", i: number, cidrBlock: string) =>
        new aws.ec2.Subnet(
            `${name}-${tier}-${i}`,
            {
                vpcId: vpc.id,
                cidrBlock,
                availabilityZone: zoneName(i),
                // Nothing launched here needs a public address of its own; NAT and load balancers bring theirs.
                mapPublicIpOnLaunch: false,
                tags: tags(`${name}-${tier}-${i}`, {
                    ...clusterTag,
                    // Where the AWS Load Balancer Controller places internet-facing and internal load balancers.
                    [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
                }),
            },
            { parent },
        );
    const publicSubnets = plan.public.map((cidr, i) => subnet("public", i, cidr));
    const privateSubnets = plan.private.map((cidr, i) => subnet("private", i, cidr));

    const egressRoutes: aws.ec2.Route[] = [];
    // Default routes are separate Route resources (never inline), so peering can add its own routes beside them.
    const routeTable = (tableName: string, target: RouteTarget, subnets: aws.ec2.Subnet[]) => {
        const table = new aws.ec2.RouteTable(tableName, { vpcId: vpc.id, tags: tags(tableName) }, { parent });
        egressRoutes.push(
            new aws.ec2.Route(`${tableName}-default`, { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", ...target }, { parent }),
        );
        subnets.forEach(
            (sn, i) =>
                new aws.ec2.RouteTableAssociation(`${tableName}-assoc-${i}`, { routeTableId: table.id, subnetId: sn.id }, { parent }),
        );
        return table;
    };

    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: tags(`${name}-igw`) }, { parent });
    routeTable(`${name}-public`, { gatewayId: igw.id }, publicSubnets);

    // "single" trades zone-failure tolerance for one NAT's cost; "perAz" keeps each zone's egress inside it.
    const natZones = s.natGateways === "perAz" ? publicSubnets.length : 1;
    const natGateways = publicSubnets.slice(0, natZones).map((sn, i) => {
        const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: tags(`${name}-nat-${i}`) }, { parent });
        return new aws.ec2.NatGateway(
            `${name}-nat-${i}`,
            {
                allocationId: eip.allocationId,
                subnetId: sn.id,
                tags: tags(`${name}-nat-${i}`),
            },
            { parent, dependsOn: [igw] },
        );
    });
    const privateRouteTables = privateSubnets.map((sn, i) =>
        routeTable(`${name}-private-${i}`, { natGatewayId: natGateways[i % natGateways.length].id }, [sn]),
    );

    return { vpc, publicSubnets, privateSubnets, privateRouteTables, natGateways, egressRoutes };
}
