import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { vaultLock } from "../catalog/backup";
import { clusterAutoscalerChart } from "../catalog/charts";
import { defaultAvailabilityZoneCount, isArmInstanceType } from "../catalog/ec2";
import { eksAddonVersions } from "../catalog/eks-addons";
import { cidrsOverlap, planSubnets } from "../catalog/ipv4";
import { describeInstanceClassTable, instanceMemoryGiB } from "../catalog/rds";
import { deepMerge, environmentDefaults } from "./defaults";
import {
    awsRegions,
    configKeys,
    environments,
    releaseSettingsEntries,
    releaseSettingsSchema,
    semver,
    secretKeys,
    stackConfigSchema,
    type Environment,
    type RegionConfig,
    type ReleaseSettings,
    type SecretValue,
    type StackConfig,
} from "./schema";

/** The config namespace of this project: every key is `saleor:<name>`. */
export const namespace = "saleor";

/** Where raw stack configuration comes from: the engine's config, or a stack file read offline. */
export interface ConfigSource {
    /** The raw value of `saleor:<key>` as the engine hands it over (a string), or undefined. */
    get(key: string): string | undefined;
    /** Whether `saleor:<key>` was set as a secret. */
    isSecret(key: string): boolean;
    /** Every key set in the `saleor` namespace (to catch misspelt keys). */
    keys(): string[];
}

/**
 * A configuration mistake. Extends RunError so the engine prints the message without a stack trace:
 * the user needs the list of keys to fix, not our call stack.
 */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(
            `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        Object.setPrototypeOf(this, ConfigError.prototype);
        this.name = "ConfigError";
    }
}

/** Reads the stack's config from the engine (or the mock runtime's config). */
export function engineConfigSource(): ConfigSource {
    const cfg = new pulumi.Config(namespace);
    // isConfigSecret is exported by the runtime but missing from its typings.
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as {
        isConfigSecret(k: string): boolean;
        allConfig(): Record<string, string>;
    };
    return {
        get: (key) => cfg.get(key),
        isSecret: (key) => runtimeConfig.isConfigSecret(`${namespace}:${key}`),
        keys: () =>
            Object.keys(runtimeConfig.allConfig())
                .filter((k) => k.startsWith(`${namespace}:`))
                .map((k) => k.slice(namespace.length + 1)),
    };
}

/** Loads and validates the stack model; throws ConfigError listing every problem. */
export function loadStackConfig(source: ConfigSource = engineConfigSource()): StackConfig {
    const result = validateStackConfig(source);
    if ("problems" in result) {
        throw new ConfigError(result.problems);
    }
    return result.config;
}

/** Validates without throwing: every problem names its full key and what is allowed. */
export function validateStackConfig(source: ConfigSource): { config: StackConfig } | { problems: string[] } {
    const problems: string[] = [];
    const known = new Set<string>(configKeys);
    for (const key of source.keys()) {
        if (!known.has(key)) {
            problems.push(`${namespace}:${key}: unknown key; allowed keys are ${[...known].join(", ")}`);
        }
    }

    const raw: Record<string, unknown> = {};
    for (const key of configKeys) {
        const value = source.get(key);
        if (value === undefined) continue;
        raw[key] = stringKeys.has(key) ? value : parseStructured(key, value, problems);
    }

    const env = raw.environment;
    if (typeof env !== "string" || !(environments as readonly string[]).includes(env)) {
        problems.push(
            `${namespace}:environment: ${env === undefined ? "is required" : `is ${JSON.stringify(env)}`}; allowed: ${environments.join(", ")}`,
        );
        return { problems };
    }

    const merged = deepMerge(environmentDefaults(env as Environment), raw);
    const parsed = v.safeParse(stackConfigSchema, merged);
    if (!parsed.success) {
        problems.push(...describeIssues(parsed.issues, merged));
        return { problems };
    }

    const value = parsed.output;
    const secretValue = (key: (typeof secretKeys)[number]): SecretValue | undefined => {
        const v = value[key];
        if (v === undefined) return undefined;
        if (!source.isSecret(key)) {
            problems.push(
                `${namespace}:${key}: holds credentials, so it must be a secret; set it with \`pulumi config set --secret ${namespace}:${key} <value>\``,
            );
        }
        return { secret: true, value: v };
    };
    const emailUrl = secretValue("emailUrl");
    const sentryDsn = secretValue("sentryDsn");
    const alertWebhookUrl = secretValue("alertWebhookUrl");
    const releaseWebhookUrl = secretValue("releaseWebhookUrl");

    const releases: Record<string, string> = {};
    const saleorVersions: Record<string, string> = {};
    for (const r of value.regions) {
        releases[r.name] = value.regionReleases[r.name] ?? value.release ?? value.saleorVersion;
        saleorVersions[r.name] = coreVersionOf(value, releases[r.name], value.regionSaleorVersions[r.name]);
    }
    const config: StackConfig = { ...value, emailUrl, sentryDsn, alertWebhookUrl, releaseWebhookUrl, releases, saleorVersions };
    problems.push(...crossChecks(config));
    return problems.length > 0 ? { problems } : { config };
}

/**
 * The deploy driver's keys (release windows, verification budget, webhook) alone, validated with the
 * same schema and messages as the whole model: the driver needs them before it runs the program.
 */
export function validateReleaseSettings(source: ConfigSource): { settings: ReleaseSettings } | { problems: string[] } {
    const problems: string[] = [];
    const raw: Record<string, unknown> = {};
    for (const key of Object.keys(releaseSettingsEntries)) {
        const value = source.get(key);
        if (value === undefined) continue;
        raw[key] = stringKeys.has(key) ? value : parseStructured(key, value, problems);
    }
    const parsed = v.safeParse(releaseSettingsSchema, raw);
    if (!parsed.success) {
        return { problems: [...problems, ...describeIssues(parsed.issues, raw)] };
    }
    const url = parsed.output.releaseWebhookUrl;
    if (url !== undefined && !source.isSecret("releaseWebhookUrl")) {
        problems.push(
            `${namespace}:releaseWebhookUrl: holds credentials, so it must be a secret; set it with \`pulumi config set --secret ${namespace}:releaseWebhookUrl <value>\``,
        );
    }
    if (problems.length > 0) {
        return { problems };
    }
    return { settings: { ...parsed.output, releaseWebhookUrl: url === undefined ? undefined : { secret: true, value: url } } };
}

/**
 * The Saleor version a region's release runs: the release itself when it is a version (X.Y.Z),
 * else (a git SHA of a built image) the stack's saleorVersion. Built Core images are built from it.
 */
export function coreVersionOf(c: Pick<StackConfig, "saleorVersion">, release: string, pinned?: string): string {
    return semver.test(release) ? release : (pinned ?? c.saleorVersion);
}

/** One market of a region: its code, public host and the channel its host opens. */
export interface Market {
    readonly code: string;
    readonly host: string;
    /** The channel slug from storefront.channels, else undefined (the storefront's default channel). */
    readonly channel?: string;
}

/**
 * The markets of `region`, the primary market first and the others by code: an order that does not
 * depend on how the stack file's map reached the program (YAML order offline, sorted JSON under the engine).
 */
export function marketsOf(c: Pick<StackConfig, "storefront">, region: RegionConfig): Market[] {
    const codes = Object.keys(region.hosts.storefronts).sort();
    const primary = region.primaryMarket ?? (codes.length === 1 ? codes[0] : undefined);
    const ordered = primary && codes.includes(primary) ? [primary, ...codes.filter((m) => m !== primary)] : codes;
    return ordered.map((code) => ({ code, host: region.hosts.storefronts[code], channel: c.storefront.channels[code] }));
}

/** A problem a cross-field rule found: the key it is about (without the namespace) and what is wrong. */
interface Problem {
    readonly key: string;
    readonly message: string;
}

/**
 * A rule that spans several keys, which a schema per key cannot express. `key` names the key it
 * guards (`[]` stands for any index); `check` returns a problem per offending value.
 */
interface CrossRule {
    readonly key: string;
    readonly check: (c: StackConfig) => Problem[];
}

/** The problem at `key`, when `failed`. */
const when = (failed: boolean, key: string, message: string): Problem[] => (failed ? [{ key, message }] : []);

/** Every cross-field rule, in the order problems are reported. */
export const crossRules: readonly CrossRule[] = [
    {
        key: "regions",
        check: (c) => {
            const primaries = c.regions.filter((r) => r.role === "primary").length;
            return when(
                primaries !== 1,
                "regions",
                `exactly one region must have role "primary" (found ${primaries}); the primary runs migrations and Celery beat`,
            );
        },
    },
    {
        key: "regions[].name",
        check: (c) =>
            c.regions.flatMap((r, i) =>
                when(
                    c.regions.findIndex((x) => x.name === r.name) < i,
                    `regions[${i}].name`,
                    `"${r.name}" is listed twice; region names must be unique`,
                ),
            ),
    },
    {
        key: "regions[].hosts",
        check: (c) => {
            const p: Problem[] = [];
            const hosts = new Map<string, string>();
            c.regions.forEach((r, i) => {
                const entries: [string, string][] = [
                    [`regions[${i}].hosts.api`, r.hosts.api],
                    [`regions[${i}].hosts.dashboard`, r.hosts.dashboard],
                    ...Object.entries(r.hosts.storefronts).map(([m, h]): [string, string] => [`regions[${i}].hosts.storefronts.${m}`, h]),
                ];
                for (const [path, host] of entries) {
                    const other = hosts.get(host);
                    if (other)
                        p.push({
                            key: path,
                            message: `host "${host}" is already used by ${namespace}:${other}; every public host must be unique`,
                        });
                    hosts.set(host, path);
                }
                p.push(
                    ...when(
                        Object.keys(r.hosts.storefronts).length === 0,
                        `regions[${i}].hosts.storefronts`,
                        'needs at least one market, e.g. { de: "de.example.com" }',
                    ),
                );
            });
            return p;
        },
    },
    {
        key: "regions[].primaryMarket",
        check: (c) =>
            c.regions.flatMap((r, i) => {
                const markets = Object.keys(r.hosts.storefronts).sort();
                if (r.primaryMarket !== undefined)
                    return when(
                        !markets.includes(r.primaryMarket),
                        `regions[${i}].primaryMarket`,
                        `"${r.primaryMarket}" is not one of this region's markets (hosts.storefronts); allowed: ${markets.join(", ")}`,
                    );
                return when(
                    markets.length > 1,
                    `regions[${i}].primaryMarket`,
                    `is required when a region has more than one market: the market the storefront is built for; allowed: ${markets.join(", ")}`,
                );
            }),
    },
    {
        key: "storefront.channels",
        check: (c) => {
            const markets = [...new Set(c.regions.flatMap((r) => Object.keys(r.hosts.storefronts)))].sort();
            return Object.keys(c.storefront.channels).flatMap((m) =>
                when(
                    !markets.includes(m),
                    `storefront.channels.${m}`,
                    `"${m}" is not a market of any region (regions[].hosts.storefronts); allowed: ${markets.join(", ")}`,
                ),
            );
        },
    },
    {
        key: "storefront.payments.dummy",
        check: (c) =>
            when(
                c.environment === "production" && c.storefront.payments.dummy,
                "storefront.payments.dummy",
                "test payments (Dummy Payment app) must be off in production: orders would be placed unpaid; allowed: false",
            ),
    },
    {
        key: "regionReleases, regionSaleorVersions",
        check: (c) =>
            (["regionReleases", "regionSaleorVersions"] as const).flatMap((key) =>
                Object.keys(c[key]).flatMap((name) =>
                    when(
                        !c.regions.some((r) => r.name === name),
                        `${key}.${name}`,
                        `no region is named "${name}"; allowed: ${c.regions.map((r) => r.name).join(", ")}`,
                    ),
                ),
            ),
    },
    {
        key: "release, dashboardVersion",
        check: (c) => {
            const p: Problem[] = [];
            const dashboardMinor = minorOf(c.dashboardVersion);
            for (const [region, release] of Object.entries(c.releases)) {
                if (c.images.core.source === "upstream" && !semver.test(release)) {
                    p.push({
                        key: c.regionReleases[region] ? `regionReleases.${region}` : "release",
                        message: `"${release}" is not a Saleor version; upstream Core images are tagged X.Y.Z (a git SHA needs images.core.source "build")`,
                    });
                    continue;
                }
                const coreVersion = c.saleorVersions[region];
                p.push(
                    ...when(
                        minorOf(coreVersion) !== dashboardMinor,
                        "dashboardVersion",
                        `${c.dashboardVersion} does not match Core ${coreVersion} in region ${region}; the Dashboard minor version must equal Core's (${minorOf(coreVersion)})`,
                    ),
                );
            }
            return p;
        },
    },
    {
        key: "workloads.beat.replicas",
        check: (c) =>
            when(
                c.workloads.beat.replicas !== 1,
                "workloads.beat.replicas",
                `is ${c.workloads.beat.replicas}; Celery beat must run exactly 1 replica (two schedulers enqueue every periodic task twice)`,
            ),
    },
    {
        key: "workloads.{api,worker}.replicas",
        check: (c) =>
            (["api", "worker"] as const).flatMap((w) =>
                when(
                    c.environment === "production" && c.workloads[w].replicas < 2,
                    `workloads.${w}.replicas`,
                    `is ${c.workloads[w].replicas}; production needs at least 2 so a node loss or rollout never takes it down`,
                ),
            ),
    },
    {
        key: "workloads.*.autoscaling.maxReplicas",
        check: (c) =>
            (["api", "worker", "dashboard", "storefront"] as const).flatMap((w) => {
                const a = c.workloads[w].autoscaling;
                return when(
                    a !== undefined && a.maxReplicas < c.workloads[w].replicas,
                    `workloads.${w}.autoscaling.maxReplicas`,
                    `${a?.maxReplicas} is below replicas (${c.workloads[w].replicas}); allowed: >= replicas`,
                );
            }),
    },
    {
        key: "workloads.*.resources.requests",
        check: (c) =>
            (Object.keys(c.workloads) as (keyof StackConfig["workloads"])[]).flatMap((w) =>
                (["cpu", "memory"] as const).flatMap((r) => {
                    const { requests, limits } = c.workloads[w].resources;
                    return when(
                        quantityValue(requests[r]) > quantityValue(limits[r]),
                        `workloads.${w}.resources.requests.${r}`,
                        `${requests[r]} is above its limit ${limits[r]} (workloads.${w}.resources.limits.${r}); Kubernetes refuses a request above its limit`,
                    );
                }),
            ),
    },
    {
        key: "app.debug",
        check: (c) =>
            when(
                c.app.debug && c.environment !== "dev",
                "app.debug",
                "DEBUG must be false outside dev (it leaks tracebacks and settings); allowed: false",
            ),
    },
    {
        key: "regions[].name, regions[].vpcCidr",
        check: (c) => {
            if (c.cluster.flavour !== "aws") return [];
            const p = c.regions.flatMap((r, i) => [
                ...when(
                    !(awsRegions as readonly string[]).includes(r.name),
                    `regions[${i}].name`,
                    `"${r.name}" is not a known AWS region; allowed: ${awsRegions.join(", ")}`,
                ),
                ...when(!r.vpcCidr, `regions[${i}].vpcCidr`, 'required with cluster.flavour "aws" (a /16 such as 10.10.0.0/16)'),
            ]);
            // The cluster carves a public and a private subnet per zone out of the range (catalog/ipv4.ts).
            const cidrs = c.regions.flatMap((r, i) => {
                if (!r.vpcCidr) return [];
                try {
                    planSubnets(r.vpcCidr, defaultAvailabilityZoneCount);
                    return [{ i, cidr: r.vpcCidr }];
                } catch (e) {
                    p.push({ key: `regions[${i}].vpcCidr`, message: (e as Error).message });
                    return [];
                }
            });
            for (let a = 0; a < cidrs.length; a++) {
                for (let b = a + 1; b < cidrs.length; b++) {
                    p.push(
                        ...when(
                            cidrsOverlap(cidrs[a].cidr, cidrs[b].cidr),
                            `regions[${cidrs[b].i}].vpcCidr`,
                            `${cidrs[b].cidr} overlaps regions[${cidrs[a].i}].vpcCidr ${cidrs[a].cidr}; peered VPCs need disjoint ranges`,
                        ),
                    );
                }
            }
            return p;
        },
    },
    {
        key: "cluster.aws.deployRunner.vpcCidr",
        check: (c) => {
            const runner = c.cluster.flavour === "aws" ? c.cluster.aws.deployRunner : undefined;
            if (!runner) return [];
            return c.regions.flatMap((r, i) =>
                when(
                    r.vpcCidr !== undefined && cidrsOverlap(runner.vpcCidr, r.vpcCidr),
                    "cluster.aws.deployRunner.vpcCidr",
                    `${runner.vpcCidr} overlaps regions[${i}].vpcCidr ${r.vpcCidr}; the runner's VPC is peered with every region's`,
                ),
            );
        },
    },
    {
        key: "cluster.aws.nodeGroups[]",
        check: (c) =>
            c.cluster.flavour !== "aws"
                ? []
                : c.cluster.aws.nodeGroups.flatMap((g, i) =>
                      when(
                          !(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize),
                          `cluster.aws.nodeGroups[${i}]`,
                          `sizes must satisfy minSize <= desiredSize <= maxSize (got ${g.minSize}/${g.desiredSize}/${g.maxSize})`,
                      ),
                  ),
    },
    {
        // One node group runs one AMI (amiTypeFor): ARM for Graviton families, x86-64 for the rest.
        key: "cluster.aws.nodeGroups[].instanceTypes",
        check: (c) =>
            c.cluster.flavour !== "aws"
                ? []
                : c.cluster.aws.nodeGroups.flatMap((g, i) => {
                      const arm = g.instanceTypes.find(isArmInstanceType);
                      const x86 = g.instanceTypes.find((t) => !isArmInstanceType(t));
                      return when(
                          arm !== undefined && x86 !== undefined,
                          `cluster.aws.nodeGroups[${i}].instanceTypes`,
                          `mixes ARM (${arm}) and x86 (${x86}) instance types; one node group runs one AMI`,
                      );
                  }),
    },
    {
        // EKS takes one access entry per principal; a second fails with 409 ResourceInUseException.
        key: "cluster.aws.adminRoleArns[]",
        check: (c) =>
            c.cluster.flavour !== "aws"
                ? []
                : c.cluster.aws.adminRoleArns.flatMap((arn, i, all) => [
                      ...when(
                          arn === (c.cluster.flavour === "aws" ? c.cluster.aws.deployRoleArn : ""),
                          `cluster.aws.adminRoleArns[${i}]`,
                          "is the deploy role (cluster.aws.deployRoleArn), which has its own access entry; EKS refuses a second one for the same role",
                      ),
                      ...when(
                          all.indexOf(arn) < i,
                          `cluster.aws.adminRoleArns[${i}]`,
                          `"${arn}" is listed twice; each role gets one access entry`,
                      ),
                  ]),
    },
    {
        // IAM takes a boundary from the entity's own account (or an AWS-managed one), and the deploy
        // role accepts only its own environment's boundary, which the bootstrap made in its account.
        key: "cluster.aws.permissionsBoundaryArn",
        check: (c) => {
            if (c.cluster.flavour !== "aws") return [];
            const accountOf = (arn: string) => arn.split(":")[4];
            const { permissionsBoundaryArn, deployRoleArn } = c.cluster.aws;
            return when(
                accountOf(permissionsBoundaryArn) !== accountOf(deployRoleArn),
                "cluster.aws.permissionsBoundaryArn",
                `is in account ${accountOf(permissionsBoundaryArn)}, cluster.aws.deployRoleArn in ${accountOf(deployRoleArn)}; ` +
                    "IAM sets a boundary only from the entity's own account, and the deploy role accepts only its own account's",
            );
        },
    },
    {
        key: "data.flavour",
        check: (c) =>
            when(
                c.data.flavour === "aws" && c.cluster.flavour !== "aws",
                "data.flavour",
                '"aws" needs cluster.flavour "aws" (the managed data tier lives in the cluster\'s VPC); allowed with an existing cluster: in-cluster',
            ),
    },
    {
        key: "data.aws.postgres.maxAllocatedStorageGiB",
        check: (c) =>
            c.data.flavour !== "aws"
                ? []
                : when(
                      c.data.aws.postgres.maxAllocatedStorageGiB < c.data.aws.postgres.allocatedStorageGiB,
                      "data.aws.postgres.maxAllocatedStorageGiB",
                      `must be >= allocatedStorageGiB (${c.data.aws.postgres.allocatedStorageGiB})`,
                  ),
    },
    {
        key: "data.aws.postgres.backupRetentionDays",
        // Production's backup vaults are locked (catalog/backup.ts): AWS Backup fails every job whose
        // retention lies outside the lock's bounds, and the lock cannot follow a change.
        check: (c) =>
            c.data.flavour !== "aws" || c.environment !== "production"
                ? []
                : when(
                      c.data.aws.postgres.backupRetentionDays < vaultLock.minRetentionDays ||
                          c.data.aws.postgres.backupRetentionDays > vaultLock.maxRetentionDays,
                      "data.aws.postgres.backupRetentionDays",
                      `${c.data.aws.postgres.backupRetentionDays} is outside the production backup vaults' lock; allowed: ${vaultLock.minRetentionDays} to ${vaultLock.maxRetentionDays} days`,
                  ),
    },
    {
        key: "data.aws.cache.nodes",
        check: (c) =>
            c.data.flavour !== "aws"
                ? []
                : when(
                      c.data.aws.cache.multiAz && c.data.aws.cache.nodes < 2,
                      "data.aws.cache.nodes",
                      "Multi-AZ needs at least 2 nodes (a primary and a replica)",
                  ),
    },
    {
        key: "cluster.aws.kubernetesVersion",
        check: (c) =>
            c.cluster.flavour !== "aws"
                ? []
                : when(
                      c.cluster.aws.kubernetesVersion !== clusterAutoscalerChart.kubernetesMinor,
                      "cluster.aws.kubernetesVersion",
                      `"${c.cluster.aws.kubernetesVersion}" has no pinned cluster autoscaler (it supports only the Kubernetes minor it was built for); ` +
                          `allowed: "${clusterAutoscalerChart.kubernetesMinor}", or pin the matching chart and image in catalog/charts.ts first`,
                  ),
    },
    {
        // RegionalAlarms derives the connection threshold from the class's memory and refuses a class
        // outside the table; said here, with the key, instead of part-way through an evaluation.
        key: "data.aws.postgres.instanceClass",
        check: (c) =>
            c.data.flavour !== "aws" || !c.operations.alarms
                ? []
                : when(
                      instanceMemoryGiB(c.data.aws.postgres.instanceClass) === undefined,
                      "data.aws.postgres.instanceClass",
                      `"${c.data.aws.postgres.instanceClass}" is not in the table the alarms size max_connections from (catalog/rds.ts); ` +
                          `allowed with operations.alarms: ${describeInstanceClassTable()}`,
                  ),
    },
    {
        // Saleor's exporter speaks OTLP over HTTP (observabilityEnv refuses any other scheme).
        key: "operations.otlpEndpoint",
        check: (c) => {
            const url = c.operations.otlpEndpoint;
            return when(
                url !== undefined && !/^https?:\/\//.test(url),
                "operations.otlpEndpoint",
                `"${url}" must be an http:// or https:// URL (OTLP over HTTP)`,
            );
        },
    },
    {
        key: "operations.alertEmails[]",
        check: (c) =>
            c.operations.alertEmails.flatMap((address, i) =>
                when(
                    c.operations.alertEmails.findIndex((a) => a.toLowerCase() === address.toLowerCase()) < i,
                    `operations.alertEmails[${i}]`,
                    `"${address}" is listed twice; each address is subscribed once`,
                ),
            ),
    },
    {
        key: "cluster.aws.kubernetesVersion",
        check: (c) =>
            c.cluster.flavour !== "aws"
                ? []
                : when(
                      eksAddonVersions[c.cluster.aws.kubernetesVersion] === undefined,
                      "cluster.aws.kubernetesVersion",
                      `"${c.cluster.aws.kubernetesVersion}" has no pinned EKS add-on versions; allowed: ${Object.keys(eksAddonVersions).join(", ")}, or pin them in catalog/eks-addons.ts first`,
                  ),
    },
    {
        key: "operations.*",
        check: (c) =>
            (["edge", "mediaCdn", "alarms", "containerInsights", "drBackupCopy"] as const).flatMap((part) =>
                when(
                    c.operations[part] && c.cluster.flavour !== "aws",
                    `operations.${part}`,
                    'needs cluster.flavour "aws" (it builds AWS resources); allowed here: false',
                ),
            ),
    },
    {
        key: "operations.dnsZone",
        check: (c) =>
            when(
                (c.operations.edge || c.operations.mediaCdn) && !c.operations.dnsZone,
                "operations.dnsZone",
                "required with operations.edge or operations.mediaCdn (the Route 53 zone certificates are validated in)",
            ),
    },
    {
        key: "regions[].hosts",
        check: (c) => {
            const zone = c.operations.dnsZone;
            if (!zone || !c.operations.edge) return [];
            return c.regions.flatMap((r, i) =>
                [r.hosts.api, r.hosts.dashboard, ...Object.values(r.hosts.storefronts)].flatMap((host) =>
                    when(
                        host !== zone && !host.endsWith(`.${zone}`),
                        `regions[${i}].hosts`,
                        `"${host}" is outside operations.dnsZone ${zone}; every host needs a record in that zone`,
                    ),
                ),
            );
        },
    },
    {
        key: "operations.apiHost",
        check: (c) => {
            const host = c.operations.apiHost;
            if (host === undefined)
                return when(
                    c.regions.length > 1,
                    "operations.apiHost",
                    "is required with more than one region: every Core shares one database and so must share one PUBLIC_URL (Saleor apps key their credentials by it); e.g. api.example.com",
                );
            const zone = c.operations.dnsZone;
            const regional = c.regions.flatMap((r) => [r.hosts.api, r.hosts.dashboard, ...Object.values(r.hosts.storefronts)]);
            return [
                ...when(
                    regional.includes(host),
                    "operations.apiHost",
                    `"${host}" is already a region's host; the stack's API host must be a name of its own`,
                ),
                ...when(
                    c.operations.edge && zone !== undefined && host !== zone && !host.endsWith(`.${zone}`),
                    "operations.apiHost",
                    `"${host}" is outside operations.dnsZone ${zone}; its latency records go in that zone`,
                ),
            ];
        },
    },
    {
        key: "regions[].name",
        check: (c) =>
            c.regions.flatMap((r, i) =>
                when(
                    r.name === "us-east-1" && c.operations.edge && c.operations.alarms,
                    `regions[${i}].name`,
                    "\"us-east-1\" holds the stack's Route 53 health check alarms and their alert topic (those metrics exist only there), which would take the region's alert topic name; allowed: any other region, or operations.alarms false",
                ),
            ),
    },
    {
        key: "operations.drBackupCopy",
        check: (c) =>
            when(
                c.operations.drBackupCopy && c.regions.length < 2,
                "operations.drBackupCopy",
                "needs a secondary region to copy backups to",
            ),
    },
    {
        // populatedb loads a public demo catalogue and creates admin@example.com with the password
        // "admin" (saleor/core/management/commands/populatedb.py): never into a real shop's database.
        key: "features.demoData",
        check: (c) =>
            when(
                c.features.demoData && c.environment !== "dev",
                "features.demoData",
                "loads the demo catalogue and a superuser admin@example.com with the password `admin`; allowed only in dev (allowed here: false)",
            ),
    },
    {
        key: "features.mailCatcher",
        check: (c) =>
            when(
                c.features.mailCatcher && c.data.flavour !== "in-cluster",
                "features.mailCatcher",
                'the mail catcher runs only with data.flavour "in-cluster" (dev); set emailUrl instead',
            ),
    },
    {
        // Staff invitations and password resets are e-mails: outside dev a stack must be able to
        // send them. On AWS, SES is set up from operations.dnsZone unless emailUrl overrides it.
        key: "emailUrl",
        check: (c) =>
            when(
                c.environment !== "dev" && c.emailUrl === undefined && !sesAvailable(c),
                "emailUrl",
                'is required outside dev unless SES can send the mail (cluster.flavour "aws" with operations.dnsZone): ' +
                    "staff invitations and password resets are e-mails; set it with `pulumi config set --secret saleor:emailUrl smtp://user:password@host:587/?tls=True`",
            ),
    },
    {
        key: "app.defaultFromEmail",
        check: (c) => {
            const zone = c.operations.dnsZone;
            if (c.emailUrl !== undefined || !sesAvailable(c) || !zone) return [];
            const domain = senderDomain(c.app.defaultFromEmail);
            return when(
                domain !== zone && !domain.endsWith(`.${zone}`),
                "app.defaultFromEmail",
                `"${c.app.defaultFromEmail}" is outside operations.dnsZone ${zone}; SES sends as this address's domain and publishes its DKIM records in that zone: use an address in ${zone}, or set emailUrl`,
            );
        },
    },
    {
        key: "emailUrl",
        check: (c) =>
            when(c.features.mailCatcher && c.emailUrl !== undefined, "emailUrl", "set together with features.mailCatcher; choose one"),
    },
];

/**
 * Whether the stack sets up Amazon SES as its mail server (stack/application.ts): on AWS, with a
 * Route 53 zone for the DKIM records, and no emailUrl of its own.
 */
export function sesAvailable(c: Pick<StackConfig, "cluster" | "operations">): boolean {
    return c.cluster.flavour === "aws" && c.operations.dnsZone !== undefined;
}

/** The domain of a sender address: what SES verifies and signs as. */
export function senderDomain(address: string): string {
    return address.slice(address.lastIndexOf("@") + 1).toLowerCase();
}

/** A CPU or memory quantity in the forms the schema allows (`250m`, `1.5`, `512Mi`), in cores or bytes. */
function quantityValue(q: string): number {
    const m = /^([0-9]+(?:\.[0-9]+)?)(m|Ki|Mi|Gi|Ti)?$/.exec(q);
    if (!m) return NaN;
    const scale: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };
    return Number(m[1]) * (m[2] ? scale[m[2]] : 1);
}

/** Every cross-field problem, each as `saleor:<key>: <message>`. */
function crossChecks(c: StackConfig): string[] {
    return crossRules.flatMap((rule) => rule.check(c)).map((p) => `${namespace}:${p.key}: ${p.message}`);
}

/**
 * What a flavour needs, said when it is missing: the variant's own message ("is required") would
 * not say why a key is required only sometimes.
 */
const requiredByFlavour: Record<string, string> = {
    "cluster.existing": 'required when cluster.flavour is "existing" (may be {} to use the current kubeconfig context)',
    "cluster.aws": 'required when cluster.flavour is "aws"',
    "data.inCluster": 'required when data.flavour is "in-cluster"',
    "data.aws": 'required when data.flavour is "aws"',
};

/** The stack model, as the messages walk it. */
const modelSchema = stackConfigSchema as unknown as SchemaNode;

/** Top-level keys whose value is a plain string (every other key holds YAML/JSON structure). */
const stringKeys = new Set<string>(
    configKeys.filter((k) => {
        const type = unwrap(modelSchema.entries![k], undefined)?.type;
        return type === "string" || type === "picklist";
    }),
);

function parseStructured(key: string, value: string, problems: string[]): unknown {
    try {
        return JSON.parse(value);
    } catch {
        problems.push(`${namespace}:${key}: expected an object or list (YAML in the stack file), got ${JSON.stringify(value)}`);
        return undefined;
    }
}

/** The parts of a valibot schema the messages read. */
interface SchemaNode {
    readonly type: string;
    readonly entries?: Record<string, SchemaNode>;
    readonly wrapped?: SchemaNode;
    readonly item?: SchemaNode;
    readonly value?: SchemaNode;
    readonly key?: string;
    readonly options?: readonly (SchemaNode | string)[];
    readonly literal?: unknown;
}

/** One line per problem, each naming its full key and what is allowed there. */
function describeIssues(issues: readonly v.BaseIssue<unknown>[], input: unknown): string[] {
    return [...new Set(issues.flatMap((issue) => describeIssue(issue, input)))];
}

function describeIssue(issue: v.BaseIssue<unknown>, input: unknown): string[] {
    const path = (issue.path ?? []).map((p) => p.key as PropertyKey);
    const at = (p: PropertyKey[]) => `${namespace}:${formatPath(p)}`;
    const last = issue.path?.[issue.path.length - 1];
    const parent = path.slice(0, -1);
    const schema = schemaAt(path, input);

    if (issue.type === "strict_object" && last?.origin === "key") {
        if (issue.expected === "never") {
            // valibot stops at an object's first unknown key; name them all.
            const object = last.input as Record<string, unknown>;
            const allowed = Object.keys(schemaAt(parent, input)?.entries ?? {});
            return Object.keys(object)
                .filter((k) => !allowed.includes(k))
                .map((k) => `${at([...parent, k])}: unknown key${allowed.length ? `; allowed keys are ${allowed.join(", ")}` : ""}`);
        }
        const byFlavour = requiredByFlavour[formatPath(path)];
        if (byFlavour) return [`${at(path)}: ${byFlavour}`];
        const options = choices(schema);
        return [`${at(path)}: is required (${options ? `one of ${options}` : typeName(schema?.type)})`];
    }
    if (issue.type === "picklist") {
        // A record's key has no schema at its path; its picklist carries its own message.
        const allowed = choices(schema);
        return [`${at(path)}: is ${JSON.stringify(issue.input)}; ${allowed ? `allowed: ${allowed}` : issue.message}`];
    }
    const owner = schemaAt(parent, input);
    if (issue.type === "variant" && owner?.type === "variant" && owner.key === last?.key) {
        return [
            `${at(path)}: ${issue.input === undefined ? "is required" : `is ${JSON.stringify(issue.input)}`}; allowed: ${choices(owner)}`,
        ];
    }
    if (issue.kind === "schema") {
        return [`${at(path)}: expected ${typeName(issue.type)}, received ${kindOf(issue.input)}`];
    }
    switch (issue.type) {
        case "integer":
            return [`${at(path)}: must be a whole number (is ${String(issue.input)})`];
        case "min_value":
            return [`${at(path)}: is ${String(issue.input)}; allowed: >= ${String(issue.requirement)}`];
        case "max_value":
            return [`${at(path)}: is ${String(issue.input)}; allowed: <= ${String(issue.requirement)}`];
        default:
            // Every other check in the schema carries its own message, saying what is allowed.
            return [`${at(path)}: ${issue.message}`];
    }
}

/** `["regions", 1, "name"]` → `regions[1].name` */
export function formatPath(path: PropertyKey[]): string {
    return path.map((seg, i) => (typeof seg === "number" ? `[${seg}]` : `${i === 0 ? "" : "."}${String(seg)}`)).join("");
}

/** The schema at `path` of the stack model; a variant resolves to the option `input` selects there. */
function schemaAt(path: PropertyKey[], input: unknown): SchemaNode | undefined {
    let node = unwrap(modelSchema, input);
    let value = input;
    for (const seg of path) {
        if (!node) return undefined;
        value = child(value, String(seg));
        const next = node.type === "array" ? node.item : node.type === "record" ? node.value : node.entries?.[seg as string];
        node = unwrap(next, value);
    }
    return node;
}

/** `value[key]` of an object or array; undefined for anything else. */
function child(value: unknown, key: string): unknown {
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

function unwrap(node: SchemaNode | undefined, value: unknown): SchemaNode | undefined {
    while (node?.type === "optional") node = node.wrapped;
    if (node?.type === "variant") {
        const discriminator = node.key!;
        const chosen = (node.options as SchemaNode[]).find((o) => o.entries?.[discriminator]?.literal === child(value, discriminator));
        if (chosen) return chosen;
    }
    return node;
}

/** The values a picklist allows, or a variant's discriminator. */
function choices(node: SchemaNode | undefined): string | undefined {
    if (node?.type === "picklist") return node.options!.join(", ");
    if (node?.type === "variant") {
        return (node.options as SchemaNode[]).map((o) => String(o.entries![node.key!].literal)).join(", ");
    }
    return undefined;
}

function typeName(type: string | undefined): string {
    if (type === "strict_object" || type === "object" || type === "record" || type === "variant") return "object";
    if (type === "picklist" || type === "literal") return "string";
    return type ?? "value";
}

function kindOf(value: unknown): string {
    return value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
}

function minorOf(version: string): string {
    return version.split(".").slice(0, 2).join(".");
}
