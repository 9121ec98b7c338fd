import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ServiceSecurityGroupArgs {
    readonly vpcId: pulumi.Input<string>;
    readonly description: string;
    /** The one TCP port the service listens on. */
    readonly port: number;
    /** Security group of the worker nodes: the service's only in-VPC clients. */
    readonly nodeSecurityGroupId: pulumi.Input<string>;
    /** Other networks (peered regions' nodes) also admitted. Default: none. */
    readonly peerCidrs?: string[];
    readonly tags?: Record<string, string>;
}

/**
 * A security group for a managed service that admits its port from the nodes (and the given peer
 * networks) and nothing else. It has no egress rule: the services only answer connections, and
 * security groups let replies out without one.
 */
export function createServiceSecurityGroup(name: string, args: ServiceSecurityGroupArgs, parent: pulumi.Resource): aws.ec2.SecurityGroup {
    const opts: pulumi.CustomResourceOptions = { parent };
    const group = new aws.ec2.SecurityGroup(name, { vpcId: args.vpcId, description: args.description, tags: args.tags }, opts);
    const admit = (suffix: string, description: string, source: { referencedSecurityGroupId?: pulumi.Input<string>; cidrIpv4?: string }) =>
        new aws.vpc.SecurityGroupIngressRule(
            `${name}-${suffix}`,
            {
                securityGroupId: group.id,
                ipProtocol: "tcp",
                fromPort: args.port,
                toPort: args.port,
                description,
                ...source,
                tags: args.tags,
            },
            opts,
        );
    admit("from-nodes", "worker nodes", { referencedSecurityGroupId: args.nodeSecurityGroupId });
    // Named by CIDR, not position: reordering the list must not replace rules.
    for (const cidr of args.peerCidrs ?? []) {
        admit(`from-${cidr.replace(/[./]/g, "-")}`, `peer network ${cidr}`, { cidrIpv4: cidr });
    }
    return group;
}
