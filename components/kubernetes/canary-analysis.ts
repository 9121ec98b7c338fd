import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import type * as pulumi from "@pulumi/pulumi";
import { appLabels, type CanaryDelivery, type CanaryRollout, type CanaryThresholds } from "./workload";

export interface CanaryAnalysisArgs {
    readonly namespace: pulumi.Input<string>;
    readonly component: string;
    readonly instance: string;
    /** The ALB's ARN suffix (`app/<name>/<id>`), CloudWatch's `LoadBalancer` dimension. */
    readonly loadBalancerArnSuffix: pulumi.Input<string>;
    readonly thresholds: CanaryThresholds;
}

/** The window of one CloudWatch datapoint, seconds: the alarms' period (components/observability/regional-alarms.ts). */
const periodSeconds = 300;

/**
 * An Argo Rollouts AnalysisTemplate that fails on the signals the region's alarms watch on the load
 * balancer (components/observability/regional-alarms.ts: the 5xx share of requests, with the ALB's
 * own 5xx added back and windows below `minimumRequests` not judged; and the p95 of
 * TargetResponseTime), through Argo's CloudWatch provider: `metricDataQueries` are GetMetricData's
 * MetricDataQuery, `interval` how far back each measurement reads, and `result[0].Values` the first
 * returned series (argoproj/argo-rollouts v1.9.0 docs/analysis/cloudwatch.md;
 * pkg/apis/rollouts/v1alpha1/analysis_types.go CloudWatchMetricDataQuery). Every minute a
 * measurement reads the last 10 minutes (two 5-minute windows); two failed measurements fail the
 * run (`failureLimit: 1`: more than one), which aborts the canary. No datapoint (no traffic) is no
 * failure: `all([])` is true.
 *
 * The signals are the whole load balancer's, as the alarms' are: a canary at 10% that fails every
 * request moves the share by 10 points, far past the 1% threshold; one that fails a few percent of
 * its requests may stay under it.
 */
export function createCanaryAnalysis(name: string, args: CanaryAnalysisArgs, opts: pulumi.CustomResourceOptions): CustomResource {
    const t = args.thresholds;
    const lb = [{ name: "LoadBalancer", value: args.loadBalancerArnSuffix }];
    const alb = (id: string, metricName: string, stat: string) => ({
        id,
        metricStat: { metric: { namespace: "AWS/ApplicationELB", metricName, dimensions: lb }, period: periodSeconds, stat },
        returnData: false,
    });
    const measured = { interval: "1m", failureLimit: 1 };
    return new CustomResource(
        name,
        {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AnalysisTemplate",
            metadata: { namespace: args.namespace, labels: appLabels(args.component, args.instance) },
            spec: {
                metrics: [
                    {
                        name: "alb-5xx-share",
                        ...measured,
                        successCondition: `all(result[0].Values, {# <= ${t.errorRatePercent}})`,
                        provider: {
                            cloudWatch: {
                                interval: "10m",
                                metricDataQueries: [
                                    {
                                        id: "share",
                                        expression: `IF(total >= ${t.minimumRequests}, 100 * errors / total, 0)`,
                                        label: "5xx share of requests (%)",
                                        returnData: true,
                                    },
                                    { id: "total", expression: "FILL(requests, 0) + FILL(elb5xx, 0)", returnData: false },
                                    { id: "errors", expression: "FILL(target5xx, 0) + FILL(elb5xx, 0)", returnData: false },
                                    alb("requests", "RequestCount", "Sum"),
                                    alb("target5xx", "HTTPCode_Target_5XX_Count", "Sum"),
                                    alb("elb5xx", "HTTPCode_ELB_5XX_Count", "Sum"),
                                ],
                            },
                        },
                    },
                    {
                        name: "alb-p95-latency",
                        ...measured,
                        successCondition: `all(result[0].Values, {# <= ${t.p95ResponseTimeSeconds}})`,
                        provider: {
                            cloudWatch: {
                                interval: "10m",
                                metricDataQueries: [{ ...alb("p95", "TargetResponseTime", "p95"), returnData: true }],
                            },
                        },
                    },
                ],
            },
        },
        opts,
    );
}

/**
 * The `analysis` of a workload's CanaryRollout: its AnalysisTemplate (created once the controller's
 * CRDs exist and the Ingresses name the ALB), or none when the delivery asks for none.
 */
export function canaryAnalysisOf(
    name: string,
    delivery: CanaryDelivery,
    app: Pick<CanaryAnalysisArgs, "namespace" | "component" | "instance">,
    ingresses: pulumi.Resource[],
    opts: pulumi.CustomResourceOptions,
): CanaryRollout["analysis"] {
    if (!delivery.analysis) return undefined;
    const template = createCanaryAnalysis(
        name,
        { ...app, loadBalancerArnSuffix: delivery.analysis.loadBalancerArnSuffix(ingresses), thresholds: delivery.analysis.thresholds },
        { ...opts, dependsOn: delivery.dependsOn },
    );
    return { templateName: template.metadata.name };
}
