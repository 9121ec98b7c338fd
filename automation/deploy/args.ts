import { parseCommandLine } from "../cli-args";
import type { DeployableStack, DeployOptions } from "./rollout";
import type { FailoverOptions } from "./failover";
import { DEFAULT_VERIFY_OPTIONS, type VerifyOptions } from "./verify";

export const USAGE = `Usage: npm run deploy -- --stack <staging|production> --release <version|sha> [options]
       npm run deploy -- --stack <staging|production> --status
       npm run deploy -- --stack <staging|production> --failover --to <region> [--drill] [-y] [--summary <file>]
       npm run deploy -- --stack <staging|production> --failover --to <region> --primary-down [--force] [-y]
       npm run deploy -- --stack <staging|production> --failover --resume [--primary-down] [-y] [--summary <file>]

Previews the stack with the policy pack, then rolls the Saleor Core release out to the
primary region, verifies it, and then to each secondary region. A region that fails
verification is rolled back to its previous release and the rollout stops there.

  -s, --stack <name>        staging or production
  --release <release>       a Saleor version (3.23.5) or the git SHA of a built image
  --preview-only            run the preview and its gates, change nothing
  --region <name>           roll out to this region only
  -y, --yes                 do not ask before changing production (CI approves through
                            its environment instead)
  --allow-replace           go ahead even if stateful resources would be replaced or deleted
  --emergency <reason>      change the stack outside its deployment windows
                            (saleor:releaseWindows); the reason is recorded in the summary
  --allow-minor-skip <reason>
                            release a Saleor version more than one minor ahead of what a
                            region runs (Saleor upgrades one minor at a time); the reason is
                            recorded in the summary
  --skip-image-scan <reason>
                            go ahead without scanning the storefront image as built (a
                            targeted update builds and pushes it first, and CRITICAL or HIGH
                            ECR findings not in .github/trivy-allowlist.yaml refuse the
                            release, exit 1); the reason is recorded in the summary
  --summary <file>          write the JSON summary here (Markdown goes to
                            $GITHUB_STEP_SUMMARY when that is set)
  --status                  print what runs where (release, Saleor version, images, endpoints
                            per region) from the stack outputs, and change nothing

The verification budget comes from saleor:releaseVerification (default ${DEFAULT_VERIFY_OPTIONS.attempts} attempts,
${DEFAULT_VERIFY_OPTIONS.backoffMs / 1000} s apart, ${DEFAULT_VERIFY_OPTIONS.timeoutMs / 1000} s per request); these override it for one run:
  --verify-attempts <n>     attempts per verification check
  --verify-interval-ms <n>  wait between two attempts
  --verify-timeout-ms <n>   timeout per request
  --verify-backoff-ms <n>   wait before the first retry, doubling after that up to the interval

Regional failover (docs/operations.md, "Regional failover"):
  --failover                make --to the primary region in ordered stages: preflight,
                            release-old (protection of the instances leaving the stack),
                            promote (the standby), target-region, other-region,
                            migrations-beat; each is recorded in .failover/<stack>.json
  --to <region>             the secondary region to make primary (the old primary's name
                            fails back)
  --resume                  go on after the last recorded stage of a failover that stopped
  --drill                   staging only: fail over to --to and back, with each stage's time;
                            planned work, so it starts inside saleor:releaseWindows or with
                            --emergency "<reason>" (a failover itself is never held back)
  --primary-down            the primary region does not answer (an outage): skip release-old
                            and other-region, converge all but that region, and leave a
                            reconcile stage that --resume runs once it answers; refused when
                            its RDS and EKS endpoints answer, unless --force. With --resume:
                            go on without it after a failover stopped when it went down
  --summary <file>          the failover's JSON summary (Markdown to $GITHUB_STEP_SUMMARY),
                            each stage's result and time; the release webhook hears its
                            start, a failed stage and its end
  Failover exit codes: 0 done, 1 a stage failed (fix it, then --resume), 2 invalid arguments
  (unknown region, --to already primary, a drill on production, an unfinished failover
  without --resume), 3 refused before any change (production not confirmed, a drill outside
  the deployment windows, --primary-down while the region answers), 4 the stack could not
  be operated (locked, pending operations, CLI, credentials, a reconcile while the old
  primary still does not answer).

On SIGINT or SIGTERM the running update is cancelled, the summary is written and the
run exits 130.

Exit codes: 0 deployed or previewed, 1 a region failed (see its rollback) or the scan of
the storefront image as built refused the release, 2 invalid arguments or invalid stack
configuration, 3 stopped by a gate before any change (policy,
stateful replacement, confirmation, outside the deployment windows, a skipped Saleor minor,
a secondary before the primary), 4 the stack could not be operated (CLI, login,
credentials, another update holds the stack's lock), 130 cancelled by SIGINT or SIGTERM.`;

export interface CliOptions {
    deploy: DeployOptions;
    summaryPath?: string;
}

export type ParsedArgs =
    | { kind: "help" }
    | { kind: "problems"; problems: string[] }
    | { kind: "status"; stack: DeployableStack }
    | { kind: "failover"; options: FailoverOptions; summaryPath?: string }
    | { kind: "ok"; options: CliOptions };

const STACKS: readonly DeployableStack[] = ["staging", "production"];
// The release ends up in an image tag and in stack config: a Saleor version (with an
// optional pre-release suffix) or a git SHA, nothing else.
const RELEASE = /^(\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?|[0-9a-f]{7,40})$/;
const REGION = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function integer(value: string | undefined, flag: string, min: number, problems: string[]): number | undefined {
    if (value === undefined) {
        return undefined;
    }
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) {
        problems.push(`${flag} must be an integer of at least ${min}, got ${JSON.stringify(value)}`);
        return undefined;
    }
    return n;
}

export function parseDeployArgs(argv: string[]): ParsedArgs {
    const parsed = parseCommandLine(
        argv,
        {
            stack: { type: "string", short: "s" },
            release: { type: "string" },
            "preview-only": { type: "boolean" },
            region: { type: "string" },
            yes: { type: "boolean", short: "y" },
            "allow-replace": { type: "boolean" },
            emergency: { type: "string" },
            "allow-minor-skip": { type: "string" },
            "skip-image-scan": { type: "string" },
            summary: { type: "string" },
            "verify-attempts": { type: "string" },
            "verify-timeout-ms": { type: "string" },
            "verify-backoff-ms": { type: "string" },
            "verify-interval-ms": { type: "string" },
            status: { type: "boolean" },
            failover: { type: "boolean" },
            to: { type: "string" },
            resume: { type: "boolean" },
            drill: { type: "boolean" },
            "primary-down": { type: "boolean" },
            force: { type: "boolean" },
            help: { type: "boolean", short: "h" },
        },
        "npm run deploy --",
    );
    if ("problem" in parsed) {
        return { kind: "problems", problems: [parsed.problem] };
    }
    const values = parsed.values;
    if (values.help) {
        return { kind: "help" };
    }
    const problems: string[] = [];
    const stack = values.stack as DeployableStack | undefined;
    if (!stack || !STACKS.includes(stack)) {
        problems.push(`--stack must be one of ${STACKS.join(", ")}${stack ? `, got ${JSON.stringify(stack)}` : ""}`);
    }
    if (values.status) {
        const others = Object.keys(values).filter((k) => k !== "status" && k !== "stack");
        if (others.length > 0) {
            problems.push(`--status only reads the stack outputs; it takes --stack and nothing else (got --${others.join(", --")})`);
        }
        return problems.length > 0 || !stack ? { kind: "problems", problems } : { kind: "status", stack };
    }
    if (values.failover || values.to !== undefined || values.resume || values.drill || values["primary-down"] || values.force) {
        return failoverArgs(values, stack, problems);
    }
    if (!values.release || !RELEASE.test(values.release)) {
        problems.push(
            `--release must be a Saleor version like 3.23.5 or a git SHA${values.release ? `, got ${JSON.stringify(values.release)}` : ""}`,
        );
    }
    if (values.region !== undefined && !REGION.test(values.region)) {
        problems.push(`--region must be a region name like eu-central-1, got ${JSON.stringify(values.region)}`);
    }
    if (values["allow-minor-skip"] !== undefined && values["allow-minor-skip"].trim() === "") {
        problems.push(
            `--allow-minor-skip needs a reason, e.g. --allow-minor-skip "3.22 never reached production; 3.23 tested on staging from 3.21"`,
        );
    }
    if (values["skip-image-scan"] !== undefined && values["skip-image-scan"].trim() === "") {
        problems.push(
            `--skip-image-scan needs a reason, e.g. --skip-image-scan "ECR scanning outage; CI scanned the base image and lockfile"`,
        );
    }
    if (values.emergency !== undefined && values.emergency.trim() === "") {
        problems.push(`--emergency needs a reason, e.g. --emergency "checkout down since 14:02, fix in 3.23.6"`);
    }
    // Only what was given: everything else comes from the stack's saleor:releaseVerification.
    const interval = integer(values["verify-interval-ms"], "--verify-interval-ms", 0, problems);
    const given: Partial<VerifyOptions> = {
        attempts: integer(values["verify-attempts"], "--verify-attempts", 1, problems),
        timeoutMs: integer(values["verify-timeout-ms"], "--verify-timeout-ms", 1, problems),
        ...(interval !== undefined ? { backoffMs: interval, maxBackoffMs: interval } : {}),
    };
    const backoff = integer(values["verify-backoff-ms"], "--verify-backoff-ms", 0, problems);
    if (backoff !== undefined) given.backoffMs = backoff;
    const verify = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) as Partial<VerifyOptions>;
    if (problems.length > 0 || !stack || !values.release) {
        return { kind: "problems", problems };
    }
    return {
        kind: "ok",
        options: {
            deploy: {
                stack,
                release: values.release,
                previewOnly: values["preview-only"] ?? false,
                region: values.region,
                yes: values.yes ?? false,
                allowReplace: values["allow-replace"] ?? false,
                ...(values.emergency !== undefined ? { emergency: values.emergency.trim() } : {}),
                ...(values["allow-minor-skip"] !== undefined ? { allowMinorSkip: values["allow-minor-skip"].trim() } : {}),
                ...(values["skip-image-scan"] !== undefined ? { skipImageScan: values["skip-image-scan"].trim() } : {}),
                verify,
            },
            summaryPath: values.summary,
        },
    };
}

/** `--failover`: only the failover's own flags (and --stack, --yes) go with it. */
function failoverArgs(values: Record<string, unknown>, stack: DeployableStack | undefined, problems: string[]): ParsedArgs {
    const allowed = new Set(["failover", "to", "resume", "drill", "stack", "yes", "emergency", "summary", "primary-down", "force"]);
    const others = Object.keys(values).filter((k) => !allowed.has(k));
    if (!values.failover) problems.push(`--to, --resume and --drill go with --failover`);
    if (others.length > 0) {
        problems.push(
            `--failover takes --stack, --to, --resume, --drill, --emergency, --summary and --yes only (got --${others.join(", --")})`,
        );
    }
    const emergency = values.emergency as string | undefined;
    if (emergency !== undefined && emergency.trim() === "") {
        problems.push(`--emergency needs a reason, e.g. --emergency "game day with the on-call team"`);
    }
    const to = values.to as string | undefined;
    if (values.resume && to !== undefined) problems.push(`--resume goes on with the recorded failover; it takes no --to`);
    if (!values.resume && to === undefined) problems.push(`--failover needs --to <region> (or --resume)`);
    if (to !== undefined && !REGION.test(to)) problems.push(`--to must be a region name like eu-west-1, got ${JSON.stringify(to)}`);
    if (values.drill && stack === "production") {
        problems.push(`--drill runs on staging only: a drill fails production over and back for practice`);
    }
    if (values.drill && values.resume) problems.push(`--drill starts a drill; a stopped one goes on with --resume alone`);
    if (values["primary-down"] && values.drill) problems.push(`--primary-down is for a region that is down, not a drill`);
    if (values.force && !values["primary-down"]) problems.push(`--force goes with --primary-down (go on although the region answers)`);
    if (problems.length > 0 || !stack) return { kind: "problems", problems };
    return {
        kind: "failover",
        options: {
            stack,
            ...(to !== undefined ? { to } : {}),
            resume: values.resume === true,
            drill: values.drill === true,
            yes: values.yes === true,
            ...(emergency !== undefined ? { emergency: emergency.trim() } : {}),
            ...(values["primary-down"] ? { primaryDown: true } : {}),
            ...(values.force ? { force: true } : {}),
        },
        ...(values.summary !== undefined ? { summaryPath: values.summary as string } : {}),
    };
}
