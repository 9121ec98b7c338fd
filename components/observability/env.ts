import * as pulumi from "@pulumi/pulumi";

export interface ObservabilityEnvArgs {
    /** Sentry DSN for Core's error tracking (SENTRY_DSN). Default: none, no error reporting. */
    readonly sentryDsn?: pulumi.Input<string>;
    /**
     * OTLP endpoint of an OpenTelemetry collector, e.g. "http://otel-collector.observability:4317"
     * (OTEL_EXPORTER_OTLP_ENDPOINT). Default: none, no traces exported.
     */
    readonly otlpEndpoint?: string;
    /** Name the traces carry (OTEL_SERVICE_NAME), e.g. "saleor-api" or "saleor-worker". */
    readonly serviceName: string;
}

export interface ObservabilityEnv {
    /** Plain variables, for a ConfigMap. */
    readonly config: Record<string, string>;
    /** Secret variables, for a Secret; each value is a Pulumi secret. */
    readonly secret: Record<string, pulumi.Input<string>>;
}

/**
 * Core's error-tracking and tracing variables, with the names saleor/settings.py reads: SENTRY_DSN,
 * and OTEL_SERVICE_NAME / OTEL_TRACES_EXPORTER / OTEL_EXPORTER_OTLP_ENDPOINT (Saleor 3.21+, nothing
 * exported unless set). Tracing variables are set only with an endpoint: an OTLP exporter without
 * one sends to localhost and fills the logs with export errors. Nothing here depends on the release.
 */
export function observabilityEnv(args: ObservabilityEnvArgs): ObservabilityEnv {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(args.serviceName)) {
        throw new Error(`observabilityEnv: serviceName "${args.serviceName}" must be letters, digits, '.', '_' or '-'`);
    }
    if (args.otlpEndpoint !== undefined && !/^https?:\/\/[^\s/]+/.test(args.otlpEndpoint)) {
        throw new Error(`observabilityEnv: otlpEndpoint "${args.otlpEndpoint}" must be an http:// or https:// URL`);
    }
    const config: Record<string, string> = args.otlpEndpoint
        ? { OTEL_SERVICE_NAME: args.serviceName, OTEL_TRACES_EXPORTER: "otlp", OTEL_EXPORTER_OTLP_ENDPOINT: args.otlpEndpoint }
        : {};
    const secret: Record<string, pulumi.Input<string>> = args.sentryDsn !== undefined ? { SENTRY_DSN: pulumi.secret(args.sentryDsn) } : {};
    return { config, secret };
}
