import { CustomResource } from "@pulumi/kubernetes/apiextensions/customResource";
import * as pulumi from "@pulumi/pulumi";
import {
    appLabels,
    defaultCanarySteps,
    pauseSeconds,
    type CanaryDelivery,
    type CanaryRollout,
    type CanaryStep,
    type CanaryThresholds,
} from "./workload";

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
    return analysisTemplate(
        name,
        args,
        [
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
        opts,
    );
}

/** Where the web analysis calls a canary: its canary Service, on the Service's port, at the app's health path. */
export interface CanaryProbe {
    readonly canaryServiceName: pulumi.Input<string>;
    readonly port: number;
    /** An HTTP path the app answers with 2xx when it serves (the API's /health/, the Dashboard's /dashboard/). */
    readonly path: string;
}

/** Seconds between two measurements of the web analysis. */
const webIntervalSeconds = 30;

/**
 * An Argo Rollouts AnalysisTemplate that calls the canary Service's health path from the Rollout
 * controller's pod every 30 s, for as many measurements as the canary's pauses last (at least 3):
 * the `web` metric provider (argoproj/argo-rollouts v1.9.0 docs/analysis/web.md,
 * metricproviders/webmetric/webmetric.go). That provider hands the expression only the body, never
 * the status: a response outside 200-299 (or no answer within `timeoutSeconds`) is a measurement
 * Error ("received non 2xx response code"), and a body that is not JSON (our three health paths
 * answer empty text, the Dashboard's and the storefront's HTML) is a success without an expression.
 * So the HTTP status is judged by `consecutiveErrorLimit`: two errors in a row end the run in
 * Error (analysis/analysis.go: "consecutiveErrors > consecutiveErrorLimit"), which aborts the
 * canary as a failure does (rollout/analysis.go: AnalysisPhaseError and
 * AnalysisPhaseFailed both abort). `failureLimit: 1` keeps the same bound for a JSON body that
 * `successCondition` (a body at all) rejects. The call reaches the canary's pods alone, through
 * the canary Service, so the stable pods' health does not hide it. Go's HTTP client follows
 * redirects (the storefront's / answers 308 to its channel; followed inside the cluster, not
 * verified against a running storefront here).
 */
export function createWebCanaryAnalysis(
    name: string,
    args: Pick<CanaryAnalysisArgs, "namespace" | "component" | "instance"> & {
        readonly probe: CanaryProbe;
        readonly pausedSeconds: number;
    },
    opts: pulumi.CustomResourceOptions,
): CustomResource {
    const p = args.probe;
    return analysisTemplate(
        name,
        args,
        [
            {
                name: `${args.component}-http`,
                interval: `${webIntervalSeconds}s`,
                count: Math.max(3, Math.floor(args.pausedSeconds / webIntervalSeconds)),
                failureLimit: 1,
                consecutiveErrorLimit: 1,
                successCondition: "result != nil",
                provider: {
                    web: {
                        url: pulumi.interpolate`http://${p.canaryServiceName}.${args.namespace}.svc.cluster.local:${p.port}${p.path}`,
                        timeoutSeconds: 5,
                    },
                },
            },
        ],
        opts,
    );
}

/** An Argo Rollouts AnalysisTemplate of the app's `metrics`, in its namespace with its labels. */
function analysisTemplate(
    name: string,
    app: Pick<CanaryAnalysisArgs, "namespace" | "component" | "instance">,
    metrics: Record<string, unknown>[],
    opts: pulumi.CustomResourceOptions,
): CustomResource {
    return new CustomResource(
        name,
        {
            apiVersion: "argoproj.io/v1alpha1",
            kind: "AnalysisTemplate",
            metadata: { namespace: app.namespace, labels: appLabels(app.component, app.instance) },
            spec: { metrics },
        },
        opts,
    );
}

/**
 * The `analysis` of a workload's CanaryRollout: its AnalysisTemplate (created once the controller's
 * CRDs exist and, for CloudWatch, the Ingresses name the ALB), or none when the delivery asks for none.
 */
export function canaryAnalysisOf(
    name: string,
    delivery: CanaryDelivery,
    app: Pick<CanaryAnalysisArgs, "namespace" | "component" | "instance"> & { readonly probe: CanaryProbe },
    ingresses: pulumi.Resource[],
    opts: pulumi.CustomResourceOptions,
): CanaryRollout["analysis"] {
    const analysis = delivery.analysis;
    if (!analysis) return undefined;
    const template =
        analysis.kind === "cloudwatch"
            ? createCanaryAnalysis(
                  name,
                  { ...app, loadBalancerArnSuffix: analysis.loadBalancerArnSuffix(ingresses), thresholds: analysis.thresholds },
                  { ...opts, dependsOn: delivery.dependsOn },
              )
            : createWebCanaryAnalysis(
                  name,
                  { ...app, pausedSeconds: pausedSecondsOf(delivery.steps ?? defaultCanarySteps) },
                  { ...opts, dependsOn: delivery.dependsOn },
              );
    return { templateName: template.metadata.name };
}

function pausedSecondsOf(steps: readonly CanaryStep[]): number {
    return steps.reduce((sum, s) => sum + ("pause" in s ? pauseSeconds(s.pause.duration) : 0), 0);
}
