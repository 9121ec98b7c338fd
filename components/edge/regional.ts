import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createValidatedCertificate, hostsOutsideZone, lookupZone } from "./certificate";
import { createWebAcl, rateLimitProblems } from "./waf";

export interface RegionalEdgeArgs {
    /** The region this edge serves; must match the AWS provider given in `opts.providers`. */
    readonly region: string;
    /** Public Route 53 hosted zone every host lives in, e.g. "example.com". */
    readonly zoneName: string;
    /**
     * Hosts only this region serves (its own API host, its Dashboard): on the certificate, each with a
     * plain alias record to the region's ALB.
     */
    readonly hosts: string[];
    /** The region's own API host, one of `hosts`: the health check calls it, so it judges this region alone. */
    readonly apiHost: string;
    /**
     * Hosts every region serves, answered with the region nearest to the client whose health check passes:
     * a latency record per region (Route 53 Developer Guide, "Latency-based routing"), e.g. the stack's one
     * API host. On the certificate. Default: none.
     */
    readonly latencyHosts?: string[];
    /**
     * Hosts with a home region that fail over to another (the markets' storefronts), by host: "PRIMARY"
     * where this region is the host's home, "SECONDARY" elsewhere. Route 53 answers with the PRIMARY while
     * its health check passes, else the SECONDARY (Route 53 Developer Guide, "Active-passive failover").
     * On the certificate. Default: none.
     */
    readonly failoverHosts?: Record<string, "PRIMARY" | "SECONDARY">;
    /**
     * An alarm on the health check's HealthCheckStatus. Route 53 publishes health check metrics in
     * us-east-1 only (Route 53 Developer Guide, "Monitoring health checks using CloudWatch"), and an
     * alarm notifies SNS topics of its own region only, so both live there: `provider` is a us-east-1
     * provider and `topicArn` a topic in us-east-1. Default: no alarm (then the health check still routes).
     */
    readonly healthAlarm?: {
        readonly provider: pulumi.ProviderResource;
        readonly topicArn: pulumi.Input<string>;
        readonly alarmName: string;
    };
    /** Requests one client IP may make in 5 minutes before the WAF blocks it. Default: 2000. */
    readonly rateLimitPer5Min?: number;
    /**
     * Public IPv4 addresses of our own servers in the region (the cluster's NAT gateways), allowed
     * ahead of the rate rule: the storefront renders pages server-side through the public API host,
     * so its requests, every shopper's, arrive from these few addresses. Default: none.
     */
    readonly ownEgressIps?: pulumi.Input<string[]>;
    /** Path on the API host the Route 53 health check requests over HTTPS. Default: "/health/". */
    readonly healthCheckPath?: string;
    /**
     * Rules of AWSManagedRulesCommonRuleSet that count instead of block. Default: ["SizeRestrictions_BODY"]:
     * that rule blocks request bodies over 8 KB, and Saleor's GraphQL multipart uploads (product
     * images from the Dashboard) and large mutations are bigger than that.
     */
    readonly commonRulesCountOnly?: string[];
    /**
     * DNS name of the region's ALB (the API Ingress's `status.loadBalancer.ingress[0].hostname`).
     * Usually unknown here, because the Ingresses need this component's annotations first: then
     * leave it out and call `routeHosts` once they exist. Default: no records until `routeHosts`.
     */
    readonly loadBalancerHostname?: pulumi.Input<string>;
    /** ARN of the region's `aws-waf-logs-*` bucket the web ACL logs every request to. Default: no WAF logs. */
    readonly wafLogDestinationArn?: pulumi.Input<string>;
    readonly tags?: Record<string, string>;
}

/**
 * The public edge of one region in front of the ALB the AWS Load Balancer Controller builds from
 * the Ingresses: an ACM certificate for every host (DNS-validated in the zone), a regional WAF web
 * ACL the controller attaches to the ALB, Route 53 alias records for every host, and a health check
 * on the region's own API host that the latency and failover records carry (and an alarm reads).
 * The ALB itself belongs to the controller; this only hands it annotations.
 *
 * Options: `providers` with the region's AWS provider (certificate, WAF, records and health check).
 */
export class RegionalEdge extends pulumi.ComponentResource {
    /** Annotations for every ALB Ingress of the region: the validated certificate and the web ACL. */
    public readonly ingressAnnotations: pulumi.Output<Record<string, string>>;
    /** ARN of the issued certificate (waits for validation). */
    public readonly certificateArn: pulumi.Output<string>;
    /** Completes once ACM has issued the certificate: what must wait for HTTPS on these hosts to work. */
    public readonly certificateValidation: aws.acm.CertificateValidation;
    /** ARN of the REGIONAL web ACL. */
    public readonly webAclArn: pulumi.Output<string>;
    /** The Route 53 health check of the region's API host: routes the latency and failover records. */
    public readonly healthCheckId: pulumi.Output<string>;
    public readonly zoneId: pulumi.Output<string>;
    /** One alias record per host, once routed. */
    public readonly records: aws.route53.Record[] = [];

    /**
     * What a client of the API's hosts waits for on a first deployment: the issued certificate and,
     * once routed, the records of the region's API host and of every latency host (the AWS provider
     * waits for Route 53 to report each INSYNC).
     */
    public get apiServing(): pulumi.Resource[] {
        const api = [this.apiHost, ...this.latencyHosts];
        return [this.certificateValidation, ...this.records.filter((_, i) => api.includes(this.routedHosts[i]))];
    }

    private readonly componentName: string;
    private readonly apiHost: string;
    private readonly hosts: string[];
    private readonly latencyHosts: string[];
    private readonly failoverHosts: Record<string, "PRIMARY" | "SECONDARY">;
    /** The host of each entry of `records`. */
    private readonly routedHosts: string[] = [];
    private readonly region: string;
    private readonly albZoneId: pulumi.Output<string>;

    constructor(name: string, args: RegionalEdgeArgs, opts: pulumi.ComponentResourceOptions = {}) {
        super("saleor:components:RegionalEdge", name, {}, opts);
        const hosts = [...new Set(args.hosts)];
        const latencyHosts = [...new Set(args.latencyHosts ?? [])];
        const failoverHosts = args.failoverHosts ?? {};
        const allHosts = [...hosts, ...latencyHosts, ...Object.keys(failoverHosts)];
        const rateLimit = args.rateLimitPer5Min ?? 2000;
        const healthCheckPath = args.healthCheckPath ?? "/health/";
        const problems = [
            ...(hosts.length === 0 ? ["hosts: give at least one public host"] : []),
            ...(hosts.includes(args.apiHost) ? [] : [`apiHost: ${args.apiHost} is not one of hosts (${hosts.join(", ")})`]),
            ...hostsOutsideZone(allHosts, args.zoneName).map((h) => `hosts: ${h} is not in the zone ${args.zoneName}`),
            ...allHosts
                .filter((h, i) => allHosts.indexOf(h) !== i)
                .map((h) => `hosts: ${h} is listed twice among hosts, latencyHosts and failoverHosts; a name has one kind of record`),
            ...rateLimitProblems(rateLimit),
            ...(healthCheckPath.startsWith("/") ? [] : [`healthCheckPath: "${healthCheckPath}" must start with /`]),
        ];
        if (problems.length > 0) throw new Error(`RegionalEdge ${name}: ${problems.join("; ")}`);
        this.componentName = name;
        this.hosts = hosts;
        this.latencyHosts = latencyHosts;
        this.failoverHosts = failoverHosts;
        this.apiHost = args.apiHost;
        this.region = args.region;

        const zone = lookupZone(args.zoneName, this);
        this.zoneId = zone.zoneId;

        // The API's name first: it is the certificate's subject, the others its alternative names.
        const { validation } = createValidatedCertificate(
            `${name}-certificate`,
            {
                hosts: [args.apiHost, ...allHosts.filter((h) => h !== args.apiHost)],
                zoneId: this.zoneId,
                tags: args.tags,
            },
            this,
        );
        this.certificateArn = validation.certificateArn;
        this.certificateValidation = validation;

        const ownServers =
            args.ownEgressIps === undefined
                ? undefined
                : new aws.wafv2.IpSet(
                      `${name}-own-servers`,
                      {
                          scope: "REGIONAL",
                          ipAddressVersion: "IPV4",
                          description: `Our own servers in ${args.region}: the cluster's NAT addresses`,
                          addresses: pulumi.output(args.ownEgressIps).apply((ips) => ips.map((ip) => `${ip}/32`)),
                          tags: args.tags,
                      },
                      { parent: this },
                  );
        const acl = createWebAcl(
            `${name}-waf`,
            {
                scope: "REGIONAL",
                rateLimitPer5Min: rateLimit,
                allowedSourcesIpSetArn: ownServers?.arn,
                commonRulesCountOnly: args.commonRulesCountOnly ?? ["SizeRestrictions_BODY"],
                description: `Saleor public endpoints in ${args.region}`,
                logDestinationArn: args.wafLogDestinationArn,
                tags: args.tags,
            },
            { parent: this },
        );
        this.webAclArn = acl.arn;

        // Every Ingress of the shared ALB group carries both; the controller attaches the ACL itself.
        this.ingressAnnotations = pulumi
            .all([this.certificateArn, this.webAclArn])
            .apply(([certificateArn, webAclArn]): Record<string, string> => ({
                "alb.ingress.kubernetes.io/certificate-arn": certificateArn,
                "alb.ingress.kubernetes.io/wafv2-acl-arn": webAclArn,
            }));

        const healthCheck = new aws.route53.HealthCheck(
            `${name}-api-health`,
            {
                type: "HTTPS",
                fqdn: args.apiHost,
                port: 443,
                resourcePath: healthCheckPath,
                // The ALB routes by host name, so the TLS handshake must name the API host.
                enableSni: true,
                requestInterval: 30,
                failureThreshold: 3,
                measureLatency: true,
                tags: { ...args.tags, Name: `${args.apiHost}${healthCheckPath}` },
            },
            { parent: this },
        );
        this.healthCheckId = healthCheck.id;

        if (args.healthAlarm) {
            // Unhealthy when fewer than all of Route 53's checkers report healthy in a minute, for 3 minutes
            // (a status of 1 is healthy, 0 unhealthy: the guide's "Monitoring health checks using CloudWatch").
            new aws.cloudwatch.MetricAlarm(
                `${name}-api-health`,
                {
                    name: args.healthAlarm.alarmName,
                    alarmDescription: `Route 53 finds https://${args.apiHost}${healthCheckPath} failing: ${args.region} is taken out of the API's latency records and its markets fail over`,
                    namespace: "AWS/Route53",
                    metricName: "HealthCheckStatus",
                    dimensions: { HealthCheckId: healthCheck.id },
                    statistic: "Minimum",
                    period: 60,
                    evaluationPeriods: 3,
                    threshold: 1,
                    comparisonOperator: "LessThanThreshold",
                    // No data means Route 53 stopped reporting on the check: as bad as failing.
                    treatMissingData: "breaching",
                    alarmActions: [args.healthAlarm.topicArn],
                    okActions: [args.healthAlarm.topicArn],
                    tags: args.tags,
                },
                { parent: this, provider: args.healthAlarm.provider },
            );
        }

        // ALBs answer alias queries from a fixed hosted zone per region; the provider keeps that table.
        this.albZoneId = aws.lb.getHostedZoneIdOutput({ loadBalancerType: "application", region: args.region }, { parent: this }).id;

        if (args.loadBalancerHostname !== undefined) this.routeHosts(args.loadBalancerHostname);

        this.registerOutputs({
            ingressAnnotations: this.ingressAnnotations,
            certificateArn: this.certificateArn,
            webAclArn: this.webAclArn,
            healthCheckId: this.healthCheckId,
            zoneId: this.zoneId,
        });
    }

    /**
     * Points every host at the region's ALB with alias A records (alias, not CNAME, so a storefront may
     * sit at the zone apex, and alias queries to AWS targets are free), each evaluating the ALB's target
     * health: a plain record per region-only host; a latency record per latency host and a failover
     * record per failover host, both carrying the region's health check (a health check on a plain
     * record would decide nothing: Route 53 has no other answer to give). Call once, with the hostname
     * from the API Ingress's status (every Ingress of the region shares one ALB through its group).
     */
    public routeHosts(loadBalancerHostname: pulumi.Input<string>): aws.route53.Record[] {
        if (this.records.length > 0) throw new Error(`RegionalEdge: routeHosts was already called`);
        const alias = { name: loadBalancerHostname, zoneId: this.albZoneId, evaluateTargetHealth: true };
        const route = (host: string, policy: Partial<aws.route53.RecordArgs>) => {
            this.routedHosts.push(host);
            this.records.push(
                new aws.route53.Record(
                    `${this.componentName}-${host}`,
                    { zoneId: this.zoneId, name: host, type: "A", aliases: [alias], ...policy },
                    { parent: this },
                ),
            );
        };
        for (const host of this.hosts) route(host, {});
        // One record per region under the same name, told apart by setIdentifier: the region's name.
        const routed = { setIdentifier: this.region, healthCheckId: this.healthCheckId };
        for (const host of this.latencyHosts) route(host, { ...routed, latencyRoutingPolicies: [{ region: this.region }] });
        for (const [host, type] of Object.entries(this.failoverHosts)) route(host, { ...routed, failoverRoutingPolicies: [{ type }] });
        return this.records;
    }
}
