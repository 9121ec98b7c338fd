import * as pulumi from "@pulumi/pulumi";
import type { ConnectionFacts } from "../data/types";

/** Public addresses the Core serves and the clients that call it. */
export interface PublicHosts {
    readonly scheme: "http" | "https";
    /** The public API host: PUBLIC_URL, the Dashboard's API_URL. One for every region of a stack. */
    readonly api: string;
    /**
     * This region's own API host besides `api`, for operators and the region's health check: its
     * Ingress and ALLOWED_HOSTS accept it too. Default: none.
     */
    readonly regionalApi?: string;
    readonly dashboard: string;
    readonly storefronts: string[];
    /**
     * Other Dashboards that call `api`: those of the stack's other regions, which Route 53 may send to
     * this region. Admitted like this region's own (CORS, redirect hosts). Default: none.
     */
    readonly otherDashboards?: string[];
}

/** Settings of Saleor Core that are not secret. */
export interface CoreSettings {
    /** Django DEBUG. Default: false. */
    readonly debug?: boolean;
    /** PLAYGROUND_ENABLED. Default: false. */
    readonly playground?: boolean;
    /** SEND_USAGE_TELEMETRY. Default: false. */
    readonly telemetry?: boolean;
    /** DEFAULT_FROM_EMAIL. */
    readonly defaultFromEmail: string;
    /**
     * Origins allowed to call the GraphQL API from a browser beyond our own Dashboard and
     * storefronts (the UIs of Saleor apps, which the Dashboard shows in iframes), or "*".
     * Default: our own origins only.
     */
    readonly allowedGraphqlOrigins?: "*" | readonly string[];
}

/** Secret inputs of Saleor Core. */
export interface CoreSecrets {
    readonly secretKey: pulumi.Input<string>;
    readonly rsaPrivateKey: pulumi.Input<string>;
    /** EMAIL_URL with credentials; the data tier's mail catcher when unset. */
    readonly emailUrl?: pulumi.Input<string>;
    readonly sentryDsn?: pulumi.Input<string>;
}

const bool = (b: boolean | undefined) => (b ? "True" : "False");
const origin = (scheme: string, host: string) => `${scheme}://${host}`;

/**
 * Plain settings for Core's ConfigMap. Only variables Saleor reads (saleor/settings.py): a variable
 * it ignores would only mislead whoever reads the manifest.
 */
export function coreConfigData(args: {
    readonly hosts: PublicHosts;
    readonly settings: CoreSettings;
    readonly media: ConnectionFacts["media"];
    /** The in-cluster host of the API Service, for calls that never leave the cluster. */
    readonly internalApiHost: pulumi.Input<string>;
}): pulumi.Output<Record<string, string>> {
    const { hosts, settings } = args;
    const clients = [hosts.dashboard, ...(hosts.otherDashboards ?? []), ...hosts.storefronts];
    const base: Record<string, pulumi.Input<string>> = {
        DEBUG: bool(settings.debug),
        // Host headers Django accepts: the public API host and the in-cluster Service name.
        ALLOWED_HOSTS: pulumi.interpolate`${[hosts.api, ...(hosts.regionalApi ? [hosts.regionalApi] : [])].join(",")},${args.internalApiHost}`,
        // Required with DEBUG off: hosts allowed in redirect URLs (password reset, checkout).
        ALLOWED_CLIENT_HOSTS: clients.join(","),
        // CORS for the GraphQL endpoint (saleor/asgi/cors_handler.py answers a preflight from any
        // other origin with 400): our own origins, plus the apps' where config names them.
        ALLOWED_GRAPHQL_ORIGINS: graphqlOrigins(
            clients.map((h) => origin(hosts.scheme, h)),
            settings.allowedGraphqlOrigins,
        ),
        // Its scheme switches SSL handling on; behind an https ingress X-Forwarded-Proto keeps requests from redirect loops.
        // The public API host, never the regional one: absolute URLs and every webhook's Saleor-Api-Url come
        // from it, and apps key their credentials by it (saleor/core/utils/__init__.py, saleor/webhook/transport/utils.py).
        PUBLIC_URL: `${origin(hosts.scheme, hosts.api)}/`,
        DEFAULT_FROM_EMAIL: settings.defaultFromEmail,
        PLAYGROUND_ENABLED: bool(settings.playground),
        SEND_USAGE_TELEMETRY: bool(settings.telemetry),
    };
    if (args.media.kind === "s3") {
        base.AWS_MEDIA_BUCKET_NAME = args.media.bucket;
        base.AWS_S3_REGION_NAME = args.media.region;
        // Saleor's private storage (webhook payloads the API writes and the worker reads): without
        // it, a FileSystemStorage under MEDIA_ROOT that no other pod sees (settings.py 3.23.5, 582-584).
        base.AWS_MEDIA_PRIVATE_BUCKET_NAME = args.media.privateBucket;
        // Static files (placeholder images, e-mail logos) go to the media bucket too, copied by the
        // collectstatic Job: AWS_STORAGE_BUCKET_NAME makes S3Boto3Storage the staticfiles storage
        // (settings.py 3.23.5, 530 and 570-571). They sit at the bucket's root (AWS_LOCATION is shared
        // with media), under images/, placeholders/ and populatedb_data.json, none of which is a
        // media upload_to prefix (products, thumbnails, category-backgrounds, ...).
        base.AWS_STORAGE_BUCKET_NAME = args.media.bucket;
        if (args.media.customDomain) {
            base.AWS_MEDIA_CUSTOM_DOMAIN = args.media.customDomain;
            // The media CDN serves the whole bucket, static files included: AWS_STATIC_CUSTOM_DOMAIN
            // becomes S3Boto3Storage's custom domain (settings.py 525). STATIC_URL only says the same
            // to anything that reads it (S3Boto3Storage builds URLs from the domain).
            base.AWS_STATIC_CUSTOM_DOMAIN = args.media.customDomain;
            base.STATIC_URL = pulumi.interpolate`https://${args.media.customDomain}/`;
        } else {
            // The bucket admits no anonymous reads, so without a CDN domain media and static links
            // must be signed (AWS_QUERYSTRING_AUTH, read by every S3Boto3Storage: settings.py 523).
            base.AWS_QUERYSTRING_AUTH = "True";
        }
    }
    return pulumi.output(base) as pulumi.Output<Record<string, string>>;
}

/**
 * Environment of the Celery worker alone: its database connections live 60 s across tasks
 * (DB_CONN_MAX_AGE, read by saleor/settings.py into both connections' conn_max_age). Celery's Django
 * fixup calls django.db.close_old_connections before and after every task (celery/fixups/django.py,
 * on_task_prerun/on_task_postrun), which keeps a connection younger than that and drops one that
 * failed, so a worker in the secondary region stops opening a cross-region TLS connection per task.
 * Not for the API: it runs under ASGI (uvicorn), where Django says persistent connections should be
 * disabled (docs.djangoproject.com/en/5.2/ref/databases/, "Persistent connections"): each request's
 * sync code runs in a thread of its own, so kept connections are never reused and pile up.
 * Saleor reads no variable for Django's CONN_HEALTH_CHECKS (settings.py passes only conn_max_age to
 * dj_database_url.config), so none is set.
 */
export const workerDatabaseEnv: readonly { readonly name: string; readonly value: string }[] = [{ name: "DB_CONN_MAX_AGE", value: "60" }];

/** Our own origins and the extra ones, without duplicates; "*" stays "*" (Saleor's own default). */
function graphqlOrigins(own: string[], extra: CoreSettings["allowedGraphqlOrigins"]): string {
    if (extra === "*") return "*";
    return [...new Set([...own, ...(extra ?? [])])].join(",");
}

/** Secret settings for Core's Secret: every value that is or contains a credential. */
export function coreSecretData(connection: ConnectionFacts, secrets: CoreSecrets): pulumi.Output<Record<string, string>> {
    const data: Record<string, pulumi.Input<string>> = {
        SECRET_KEY: secrets.secretKey,
        RSA_PRIVATE_KEY: secrets.rsaPrivateKey,
        DATABASE_URL: connection.databaseUrl,
        DATABASE_URL_REPLICA: connection.databaseReplicaUrl,
        CACHE_URL: connection.cacheUrl,
        // Without it Celery runs tasks eagerly inside the API process and no worker is used.
        CELERY_BROKER_URL: connection.brokerUrl,
    };
    const emailUrl = secrets.emailUrl ?? connection.smtpUrl;
    if (emailUrl) data.EMAIL_URL = emailUrl;
    if (secrets.sentryDsn) data.SENTRY_DSN = secrets.sentryDsn;
    return pulumi.secret(pulumi.output(data) as pulumi.Output<Record<string, string>>);
}
