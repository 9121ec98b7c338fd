import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { cidrsOverlap, parseCidr, planSubnets } from "../catalog/ipv4";

/** The config namespace of the bootstrap program: every key is `saleor-bootstrap:<name>`. */
export const namespace = "saleor-bootstrap";

/** The deployed environments (GitHub environments, stacks, state prefixes) an account can hold. */
export const environments = ["staging", "production"] as const;
export type Environment = (typeof environments)[number];

/**
 * The ranges the stacks' VPCs use (Pulumi.staging.yaml and Pulumi.production.yaml of the main
 * program). The runner VPC is peered with each of them, and peered ranges must not overlap.
 */
export const defaultStackVpcCidrs = ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/16", "10.40.0.0/16"];

/**
 * Longest deployment the deploy role's sessions must outlast. `npm run plan -- --timeline` models a
 * first production deployment at about an hour (Multi-AZ RDS writer, then the cross-region
 * replica); two hours is the pessimistic bound, so that is the shortest session allowed.
 */
export const longestDeploymentHours = 2;

/** How the deploy roles' trust matches GitHub's `sub` claim (see github.ts). */
export const subjectFormats = ["name", "immutable", "both"] as const;

const awsRegion = v.pipe(v.string(), v.regex(/^[a-z]{2}(-[a-z]+)+-\d$/, "must be an AWS region such as eu-central-1"));
const numericId = v.pipe(v.string(), v.regex(/^\d+$/, "must be GitHub's numeric id (digits only)"));

const runnerSchema = v.strictObject({
    /** The runner VPC's range. Default: 10.250.0.0/24, clear of the stacks' 10.x0.0.0/16 ranges. */
    vpcCidr: v.optional(v.string(), "10.250.0.0/24"),
    /** Availability zones of the runner's private subnets. Default: 2. */
    zones: v.optional(
        v.pipe(v.number(), v.integer("must be a whole number"), v.minValue(1, "must be at least 1"), v.maxValue(3, "must be at most 3")),
        2,
    ),
    /**
     * CodeBuild compute type. Default BUILD_GENERAL1_LARGE: the CI/CD document asks for runners of
     * 4 vCPU / 16 GB; MEDIUM has 4 vCPU but 7 GB, LARGE 8 vCPU and 15 GB (CodeBuild build-env-ref-
     * compute-types; the figures are from memory of that page, unverified here).
     */
    computeType: v.optional(
        v.picklist([
            "BUILD_GENERAL1_SMALL",
            "BUILD_GENERAL1_MEDIUM",
            "BUILD_GENERAL1_LARGE",
            "BUILD_GENERAL1_XLARGE",
            "BUILD_GENERAL1_2XLARGE",
        ]),
        "BUILD_GENERAL1_LARGE",
    ),
    /**
     * CodeBuild image the jobs run in: Amazon Linux 2023 with Docker and the AWS CLI (the Kubernetes
     * provider runs `aws eks get-token`). The name and contents are from CodeBuild's curated-image
     * list as remembered, unverified here: check build-env-ref-available.html before the first run.
     */
    image: v.optional(v.string(), "aws/codebuild/amazonlinux-x86_64-standard:5.0"),
    /** An existing CodeConnections connection to GitHub (ARN). Default: the bootstrap creates one. */
    githubConnectionArn: v.optional(
        v.pipe(
            v.string(),
            v.regex(
                /^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:\d{12}:connection\/.+$/,
                "must be a CodeConnections connection ARN",
            ),
        ),
    ),
    /**
     * Set to true once the connection's GitHub handshake is done in the console: only then can
     * CodeBuild create the projects' webhooks (research §6). Default: false.
     */
    connectionAuthorized: v.optional(v.boolean(), false),
});

export const bootstrapConfigSchema = v.strictObject({
    /** The GitHub repository that deploys, `owner/name`. Required. */
    githubRepository: v.pipe(
        v.string(),
        v.regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*)\/[A-Za-z0-9._-]+$/, "must be owner/name, e.g. octo-org/saleor-pulumi"),
    ),
    /** Which `sub` claim form the deploy roles trust. Default: name. */
    githubSubject: v.optional(v.picklist(subjectFormats), "name"),
    /** The owner's numeric id (for the immutable `sub` form). */
    githubOwnerId: v.optional(numericId),
    /** The repository's numeric id (for the immutable `sub` form). */
    githubRepositoryId: v.optional(numericId),
    /** The environments this account deploys. Default: staging and production. */
    environments: v.optional(v.pipe(v.array(v.picklist(environments)), v.minLength(1, "needs at least one environment")), [
        ...environments,
    ]),
    /** The stacks' home region: state, keys, runner, ECR source. Default: eu-central-1. */
    homeRegion: v.optional(awsRegion, "eu-central-1"),
    /** Regions every image pushed at home is replicated to. Default: eu-west-1. */
    replicaRegions: v.optional(v.pipe(v.array(awsRegion), v.maxLength(25, "ECR allows at most 25 destinations per rule")), ["eu-west-1"]),
    /** The state bucket's name. Default: saleor-pulumi-state-<account id>. */
    stateBucketName: v.optional(
        v.pipe(
            v.string(),
            v.regex(
                /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
                "must be a valid S3 bucket name (3-63 lower-case letters, digits, dots, hyphens)",
            ),
        ),
    ),
    /** The deploy roles' maximum session, in hours. Default: 3. */
    deploySessionHours: v.optional(
        v.pipe(
            v.number(),
            v.integer("must be a whole number of hours"),
            v.minValue(
                longestDeploymentHours,
                `must be at least ${longestDeploymentHours}: a first production deployment is modelled at ~1 h, pessimistic 2 h`,
            ),
            v.maxValue(12, "IAM allows at most 12 hours"),
        ),
        3,
    ),
    /** The stacks' VPC ranges the runner VPC must not overlap. Default: the four ranges of the stack files. */
    stackVpcCidrs: v.optional(v.array(v.string()), defaultStackVpcCidrs),
    runner: v.optional(runnerSchema, {}),
});

export type BootstrapConfig = v.InferOutput<typeof bootstrapConfigSchema>;
export type RunnerConfig = BootstrapConfig["runner"];

/** Where raw config comes from: the engine's config, or plain values in a test. */
export interface ConfigSource {
    /** The raw value of `saleor-bootstrap:<key>` as the engine hands it over (a string), or undefined. */
    get(key: string): string | undefined;
    /** Every key set in the namespace (to catch misspelt keys). */
    keys(): string[];
}

/** A configuration mistake; a RunError, so the engine prints the problems without a stack trace. */
export class BootstrapConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(
            `invalid bootstrap configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        Object.setPrototypeOf(this, BootstrapConfigError.prototype);
        this.name = "BootstrapConfigError";
    }
}

const topLevelKeys = Object.keys(bootstrapConfigSchema.entries);
/** Keys whose value is a plain string; the rest arrive as JSON (numbers, booleans, lists, objects). */
const stringKeys = new Set(["githubRepository", "githubSubject", "githubOwnerId", "githubRepositoryId", "homeRegion", "stateBucketName"]);

/** Reads the config of the running stack. */
export function engineConfigSource(): ConfigSource {
    const cfg = new pulumi.Config(namespace);
    const runtimeConfig = require("@pulumi/pulumi/runtime/config") as { allConfig(): Record<string, string> };
    return {
        get: (key) => cfg.get(key),
        keys: () =>
            Object.keys(runtimeConfig.allConfig())
                .filter((k) => k.startsWith(`${namespace}:`))
                .map((k) => k.slice(namespace.length + 1)),
    };
}

/** Loads and validates the config; throws BootstrapConfigError listing every problem. */
export function loadBootstrapConfig(source: ConfigSource = engineConfigSource()): BootstrapConfig {
    const result = validateBootstrapConfig(source);
    if ("problems" in result) throw new BootstrapConfigError(result.problems);
    return result.config;
}

/** Validates without throwing: every problem names its full key (`saleor-bootstrap:runner.vpcCidr`). */
export function validateBootstrapConfig(source: ConfigSource): { config: BootstrapConfig } | { problems: string[] } {
    const problems: string[] = [];
    for (const key of source.keys()) {
        if (!topLevelKeys.includes(key)) problems.push(`${namespace}:${key}: unknown key; allowed keys are ${topLevelKeys.join(", ")}`);
    }
    const raw: Record<string, unknown> = {};
    for (const key of topLevelKeys) {
        const value = source.get(key);
        if (value === undefined) continue;
        if (stringKeys.has(key)) {
            raw[key] = value;
            continue;
        }
        try {
            raw[key] = JSON.parse(value);
        } catch {
            problems.push(
                `${namespace}:${key}: is not valid JSON (${JSON.stringify(value)}); set it with \`pulumi config set --path\` or as YAML in the stack file`,
            );
        }
    }
    if (raw.githubRepository === undefined) {
        problems.push(
            `${namespace}:githubRepository: is required (owner/name of the repository that deploys, e.g. octo-org/saleor-pulumi)`,
        );
    }
    const parsed = v.safeParse(bootstrapConfigSchema, raw);
    if (!parsed.success) {
        for (const issue of parsed.issues) {
            const line = describeIssue(issue);
            if (!problems.includes(line) && !(issue.path?.[0]?.key === "githubRepository" && raw.githubRepository === undefined))
                problems.push(line);
        }
        return { problems };
    }
    problems.push(...crossChecks(parsed.output));
    return problems.length > 0 ? { problems } : { config: parsed.output };
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
    const path = (issue.path ?? []).map((p) => p.key as PropertyKey);
    const key = `${namespace}:${path.map((seg, i) => (typeof seg === "number" ? `[${seg}]` : `${i === 0 ? "" : "."}${String(seg)}`)).join("")}`;
    if (issue.type === "strict_object" && issue.expected === "never") {
        return `${key}: unknown key; allowed keys are ${Object.keys(runnerSchema.entries).join(", ")}`;
    }
    if (issue.type === "picklist")
        return `${key}: is ${JSON.stringify(issue.input)}; allowed: ${(issue.expected ?? "")
            .replace(/^\(|\)$|"/g, "")
            .split(" | ")
            .join(", ")}`;
    if (issue.kind === "schema") return `${key}: expected ${issue.expected}, received ${issue.received}`;
    return `${key}: ${issue.message}`;
}

/** Rules spanning several keys. */
function crossChecks(c: BootstrapConfig): string[] {
    const p: string[] = [];
    const at = (key: string, message: string) => p.push(`${namespace}:${key}: ${message}`);
    if (c.githubSubject !== "name" && (c.githubOwnerId === undefined || c.githubRepositoryId === undefined)) {
        at(
            c.githubOwnerId === undefined ? "githubOwnerId" : "githubRepositoryId",
            `is required when githubSubject is "${c.githubSubject}": the immutable sub claim carries the owner's and the repository's numeric ids (repo:owner@<id>/name@<id>:...)`,
        );
    }
    c.environments.forEach((e, i) => {
        if (c.environments.indexOf(e) < i) at(`environments[${i}]`, `"${e}" is listed twice`);
    });
    c.replicaRegions.forEach((r, i) => {
        if (r === c.homeRegion) at(`replicaRegions[${i}]`, `${r} is the home region; images are replicated from it, not to it`);
        else if (c.replicaRegions.indexOf(r) < i) at(`replicaRegions[${i}]`, `${r} is listed twice`);
    });
    const stackRanges: string[] = [];
    c.stackVpcCidrs.forEach((cidr, i) => {
        try {
            parseCidr(cidr);
            stackRanges.push(cidr);
        } catch (e) {
            at(`stackVpcCidrs[${i}]`, (e as Error).message);
        }
    });
    try {
        // The runner's private subnets (one per zone) and the public subnet of its NAT gateway.
        planSubnets(c.runner.vpcCidr, c.runner.zones);
        for (const stack of stackRanges) {
            if (cidrsOverlap(c.runner.vpcCidr, stack)) {
                at(
                    "runner.vpcCidr",
                    `${c.runner.vpcCidr} overlaps the stack VPC ${stack}; the runner VPC is peered with every stack VPC, and AWS refuses peering between overlapping ranges`,
                );
            }
        }
    } catch (e) {
        at("runner.vpcCidr", (e as Error).message);
    }
    return p;
}
