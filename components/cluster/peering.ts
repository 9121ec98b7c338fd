import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cidrsOverlap } from "../../catalog/ipv4";
import type { NetworkFacts } from "./types";

/** One VPC of a peering, with the AWS provider of its region. */
export interface PeeringSide {
    readonly region: string;
    /** The VPC, its range and the route tables that get a route to the other side. */
    readonly network: Pick<NetworkFacts, "vpcId" | "vpcCidr" | "privateRouteTableIds" | "privateRouteTableCount">;
    /**
     * Provider for this side's region. Taken here rather than from `opts.providers`: that map is
     * keyed by package, so a component can hand only one AWS provider down to its children, and a
     * peering needs two.
     */
    readonly provider: aws.Provider;
}

export interface RegionPeeringArgs {
    /** Side that requests the connection. */
    readonly requester: PeeringSide;
    /** Side that accepts it (the other region). */
    readonly accepter: PeeringSide;
    /** Tags on the connection. Default: none. */
    readonly tags?: Record<string, string>;
}

/**
 * Peers two regions' VPCs so workloads in one reach private services (the primary database) in the
 * other: requested from one region, accepted in the other, private DNS names resolving to private
 * addresses across it, and a route to the other side's range in every private route table of both.
 */
export class RegionPeering extends pulumi.ComponentResource {
    public readonly connectionId: pulumi.Output<string>;

    constructor(name: string, args: RegionPeeringArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:RegionPeering", name, {}, opts);
        const { requester, accepter } = args;
        if (cidrsOverlap(requester.network.vpcCidr, accepter.network.vpcCidr)) {
            throw new Error(
                `RegionPeering ${name}: ${requester.network.vpcCidr} (${requester.region}) overlaps ${accepter.network.vpcCidr} (${accepter.region}); peered VPCs need disjoint ranges`,
            );
        }
        const tags = { ...args.tags, Name: name };

        const connection = new aws.ec2.VpcPeeringConnection(
            name,
            {
                vpcId: requester.network.vpcId,
                peerVpcId: accepter.network.vpcId,
                peerRegion: accepter.region,
                // Cross-region requests cannot be auto-accepted; the accepter region accepts below.
                autoAccept: false,
                tags,
            },
            { parent: this, provider: requester.provider },
        );

        const accepted = new aws.ec2.VpcPeeringConnectionAccepter(
            `${name}-accept`,
            {
                vpcPeeringConnectionId: connection.id,
                autoAccept: true,
                tags,
            },
            { parent: this, provider: accepter.provider },
        );
        // The accepted connection's id: what waits on it waits for the connection to be active.
        this.connectionId = accepted.id;

        // Across regions each side may set only its own options, from its own region, once active.
        const sides = [
            { label: "requester", side: requester, peer: accepter },
            { label: "accepter", side: accepter, peer: requester },
        ] as const;
        for (const { label, side, peer } of sides) {
            new aws.ec2.PeeringConnectionOptions(
                `${name}-${label}-dns`,
                {
                    vpcPeeringConnectionId: this.connectionId,
                    [label]: { allowRemoteVpcDnsResolution: true },
                },
                { parent: this, provider: side.provider },
            );

            const count = side.network.privateRouteTableCount;
            if (count === undefined) {
                throw new Error(
                    `RegionPeering ${name}: the ${label} network (${side.region}) does not say how many private route tables it has (NetworkFacts.privateRouteTableCount)`,
                );
            }
            for (let i = 0; i < count; i++) {
                new aws.ec2.Route(
                    `${name}-${label}-${i}`,
                    {
                        routeTableId: side.network.privateRouteTableIds.apply((ids) => ids[i]),
                        destinationCidrBlock: peer.network.vpcCidr,
                        vpcPeeringConnectionId: this.connectionId,
                    },
                    { parent: this, provider: side.provider },
                );
            }
        }

        this.registerOutputs({ connectionId: this.connectionId });
    }
}
