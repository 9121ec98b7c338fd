import { ResourceValidationArgs } from "@pulumi/policy";
import { resourcesRule } from "../../lib/define";
import { setting } from "../../lib/settings";
import { isKnown, known, knownList, Maybe, UNKNOWN } from "../../lib/unknown";
import { aws, SecurityGroupIngressProps, VpcSecurityGroupIngressRuleProps, WORLD_CIDRS } from "../types";

/** One ingress permission, whichever of the three resource shapes it came from. */
interface Ingress {
    /** "ingress rule #1", "ingress rule", for messages. */
    readonly label: string;
    readonly fromPort: Maybe<number | undefined>;
    readonly toPort: Maybe<number | undefined>;
    readonly protocol: Maybe<string | undefined>;
    /** The known world CIDRs among the sources. */
    readonly worldSources: string[];
}

function fromEc2Shape(label: string, rule: SecurityGroupIngressProps): Ingress {
    const sources = [...knownList(() => rule.cidrBlocks).items, ...knownList(() => rule.ipv6CidrBlocks).items];
    return {
        label,
        fromPort: known(() => rule.fromPort),
        toPort: known(() => rule.toPort),
        protocol: known(() => rule.protocol),
        worldSources: sources.filter((cidr) => WORLD_CIDRS.includes(cidr)),
    };
}

function fromVpcShape(rule: VpcSecurityGroupIngressRuleProps): Ingress {
    const sources = [known(() => rule.cidrIpv4), known(() => rule.cidrIpv6)].filter((cidr): cidr is string => typeof cidr === "string");
    return {
        label: "ingress rule",
        fromPort: known(() => rule.fromPort),
        toPort: known(() => rule.toPort),
        protocol: known(() => rule.ipProtocol),
        worldSources: sources.filter((cidr) => WORLD_CIDRS.includes(cidr)),
    };
}

const ingressReaders: Record<string, (props: any) => Ingress[]> = {
    [aws.ec2.SecurityGroup.__pulumiType]: (props) =>
        knownList(() => props.ingress as SecurityGroupIngressProps[]).items.map((rule, i) => fromEc2Shape(`ingress rule #${i}`, rule)),
    [aws.ec2.SecurityGroupRule.__pulumiType]: (props) =>
        known(() => props.type) === "ingress" ? [fromEc2Shape("ingress rule", props)] : [],
    [aws.vpc.SecurityGroupIngressRule.__pulumiType]: (props) => [fromVpcShape(props)],
};

/** Protocol "-1" (or "all") means every protocol and port. */
function allProtocols(protocol: string): boolean {
    return protocol === "-1" || protocol.toLowerCase() === "all";
}

function describePorts(ingress: Ingress): string {
    const protocol = isKnown(ingress.protocol) && ingress.protocol ? ingress.protocol : "?";
    if (allProtocols(protocol)) {
        return "all ports";
    }
    const { fromPort, toPort } = ingress;
    return fromPort === toPort ? `${protocol} port ${String(fromPort)}` : `${protocol} ports ${String(fromPort)}-${String(toPort)}`;
}

/** True when the rule opens only one allowed TCP port; UNKNOWN when ports or protocol are not known. */
function onlyAllowedPort(ingress: Ingress, allowedPorts: readonly number[]): Maybe<boolean> {
    const { fromPort, toPort, protocol } = ingress;
    if (!isKnown(fromPort) || !isKnown(toPort) || !isKnown(protocol)) {
        return UNKNOWN;
    }
    if (protocol === undefined || allProtocols(protocol)) {
        return false;
    }
    const tcp = protocol.toLowerCase() === "tcp" || protocol === "6";
    return tcp && fromPort === toPort && fromPort !== undefined && allowedPorts.includes(fromPort);
}

export const securityGroupNoPublicIngress = resourcesRule({
    name: "aws-security-group-no-public-ingress",
    description:
        "Security groups must not accept traffic from 0.0.0.0/0 or ::/0 except on the allowed public ports (HTTP 80 and HTTPS 443).",
    enforcementLevel: "mandatory",
    category: "security",
    types: Object.keys(ingressReaders),
    settings: {
        allowedPublicPorts: setting.integers([80, 443], "TCP ports that may be open to the whole internet."),
    },
    validate: (args: ResourceValidationArgs, { config, report }) => {
        for (const ingress of ingressReaders[args.type](args.props)) {
            if (ingress.worldSources.length === 0 || onlyAllowedPort(ingress, config.allowedPublicPorts) !== false) {
                continue;
            }
            report(
                `Security group "${args.name}": ${ingress.label} opens ${describePorts(ingress)} to ${ingress.worldSources.join(" and ")}; restrict the source CIDRs or open only ports ${config.allowedPublicPorts.join("/")}.`,
            );
        }
    },
});
