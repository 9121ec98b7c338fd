import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** One CloudWatch metric as an alarm or a graph reads it. */
export interface MetricRef {
    /** Id within a metric-math query (lower-case first letter). */
    readonly id: string;
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Record<string, pulumi.Input<string>>;
    /** "Average", "Maximum", "Minimum", "Sum" or a percentile such as "p95". */
    readonly stat: string;
    readonly label?: string;
}

/** What an alarm watches and a dashboard graphs: a metric, or a metric-math expression over several. */
export type Signal =
    | { readonly kind: "metric"; readonly metric: MetricRef }
    | {
          readonly kind: "expression";
          /** Intermediate expressions, in order, each over metrics or earlier steps. */
          readonly steps: { readonly id: string; readonly expression: string }[];
          /** The final expression, the value that is compared with the threshold. */
          readonly expression: string;
          readonly label: string;
          readonly inputs: MetricRef[];
      };

/** The MetricAlarm inputs that say what is measured and how it is aggregated over `period` seconds. */
export function alarmMetricArgs(signal: Signal, period: number): Partial<aws.cloudwatch.MetricAlarmArgs> {
    if (signal.kind === "metric") {
        const m = signal.metric;
        const percentile = /^p\d+(\.\d+)?$/.test(m.stat);
        return {
            namespace: m.namespace,
            metricName: m.metricName,
            dimensions: m.dimensions,
            period,
            ...(percentile ? { extendedStatistic: m.stat } : { statistic: m.stat }),
        };
    }
    return {
        metricQueries: [
            { id: "result", expression: signal.expression, label: signal.label, returnData: true },
            ...signal.steps.map((s) => ({ id: s.id, expression: s.expression, returnData: false })),
            ...signal.inputs.map((m) => ({
                id: m.id,
                returnData: false,
                metric: { namespace: m.namespace, metricName: m.metricName, dimensions: m.dimensions, stat: m.stat, period },
            })),
        ],
    };
}

/** The `metrics` array of a dashboard metric widget showing the same signal. */
export function widgetMetrics(signal: Signal): unknown[] {
    const row = (m: MetricRef, extra: Record<string, unknown>) => [
        m.namespace,
        m.metricName,
        ...Object.entries(m.dimensions).flatMap(([k, v]) => [k, v]),
        { stat: m.stat, ...(m.label ? { label: m.label } : {}), ...extra },
    ];
    if (signal.kind === "metric") return [row(signal.metric, {})];
    return [
        [{ expression: signal.expression, label: signal.label, id: "result" }],
        ...signal.steps.map((s) => [{ expression: s.expression, id: s.id, visible: false }]),
        ...signal.inputs.map((m) => row(m, { id: m.id, visible: false })),
    ];
}
