// The Automation API reports every CLI failure as a CommandError whose message is the
// whole captured stdout/stderr. The usual causes on a new machine or a new CI runner
// are environmental and have a one-line fix, so they are recognised by their text and
// explained instead of being shown as a stack trace.

export type ErrorKind =
    | "pulumi-cli-missing"
    | "pulumi-cli-outdated"
    | "stack-locked"
    | "secrets-passphrase"
    | "backend-login"
    | "cloud-credentials"
    | "unknown";

export interface ClassifiedError {
    kind: ErrorKind;
    /** One paragraph: what is wrong and how to fix it. */
    message: string;
    /** The few lines of the original text that matter, for the summary. */
    detail: string;
}

interface Rule {
    kind: Exclude<ErrorKind, "unknown">;
    matches: (text: string, name: string) => boolean;
    message: (stack: string) => string;
}

const RULES: Rule[] = [
    {
        kind: "pulumi-cli-missing",
        // execa's "spawn pulumi ENOENT" when the SDK runs `pulumi version`; shells say
        // "pulumi: not found" / "command not found".
        matches: (t) => /spawn\S* pulumi ENOENT|pulumi: (command )?not found|ENOENT: pulumi/i.test(t),
        message: () =>
            "The Pulumi CLI is not installed or not on PATH. The Automation API runs the `pulumi` binary for every " +
            "stack operation and cannot work without it. Install it from https://www.pulumi.com/docs/install/ " +
            "(in GitHub Actions: `pulumi/actions` before this step) and check that `pulumi version` works in the " +
            "same shell, then run the deploy again.",
    },
    {
        kind: "pulumi-cli-outdated",
        matches: (t) => /Minimum version requirement failed|Major version mismatch/.test(t),
        message: () =>
            "The installed Pulumi CLI is older than the @pulumi/pulumi SDK in package.json supports. Upgrade the CLI " +
            "(https://www.pulumi.com/docs/install/; in GitHub Actions pin `pulumi-version` in `pulumi/actions`) " +
            "and run the deploy again.",
    },
    {
        kind: "stack-locked",
        matches: (t, name) =>
            name === "ConcurrentUpdateError" || /Another update is currently in progress|the stack is currently locked by/.test(t),
        message: (stack) =>
            `Another update of stack "${stack}" is running, or one that crashed left its lock behind. Wait for the ` +
            `other run to finish (deploy.yml queues runs per stack). If nothing is running, release the lock with ` +
            `\`pulumi cancel --stack ${stack}\` (Pulumi Cloud) or \`pulumi stack select ${stack} && pulumi cancel\` ` +
            `after checking the backend's .pulumi/locks folder (self-managed backends), then deploy again.`,
    },
    {
        kind: "secrets-passphrase",
        matches: (t) => /PULUMI_CONFIG_PASSPHRASE|incorrect passphrase/i.test(t),
        message: (stack) =>
            `Stack "${stack}" encrypts its secrets with a passphrase, and PULUMI_CONFIG_PASSPHRASE (or ` +
            "PULUMI_CONFIG_PASSPHRASE_FILE) is missing or wrong. Export the passphrase the stack was created with; " +
            "in CI it comes from the PULUMI_CONFIG_PASSPHRASE repository or environment secret.",
    },
    {
        kind: "backend-login",
        matches: (t) => /PULUMI_ACCESS_TOKEN|requires logging in|try running .?pulumi login|not logged in|pulumi login/i.test(t),
        message: () =>
            "The Pulumi CLI is not logged in to the state backend that holds this project's stacks. Set " +
            "PULUMI_BACKEND_URL to that backend (for example s3://<state-bucket>/saleor; CI reads it from the " +
            "PULUMI_BACKEND_URL secret) or run `pulumi login <backend-url>` once; for Pulumi Cloud set " +
            "PULUMI_ACCESS_TOKEN instead. `pulumi whoami -v` shows which backend the CLI uses.",
    },
    {
        kind: "cloud-credentials",
        matches: (t) =>
            /no valid credential sources|unable to validate AWS|Invalid credentials configured|NoCredentialProviders|no credentials|ExpiredToken|security token included in the request is (invalid|expired)/i.test(
                t,
            ),
        message: () =>
            "AWS credentials are missing, expired or rejected, so the AWS provider could not read or change " +
            "anything. Locally, sign in (for example `aws sso login --profile <profile>` and export AWS_PROFILE) " +
            "or export AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY; in CI the aws-actions/configure-aws-credentials " +
            "step must assume the deploy role through OIDC (the job needs `permissions: id-token: write` and the " +
            "AWS_DEPLOY_ROLE_ARN variable). `aws sts get-caller-identity` shows whether credentials work.",
    },
];

function textOf(error: unknown): { text: string; name: string } {
    if (error instanceof Error) {
        return { text: error.message, name: error.name };
    }
    return { text: String(error), name: "" };
}

/** The lines worth keeping from a CLI transcript: its `error:` lines, else the first few. */
export function excerpt(text: string, maxLines = 6): string {
    const lines = text
        .split("\n")
        .map((l) => l.trim().replace(/^(code|stdout|stderr|err\?):\s*/, ""))
        .filter((l) => l !== "" && !/^-?\d+$/.test(l));
    const errorLines = [...new Set(lines.filter((l) => /error:|Error:|ENOENT/.test(l)))];
    return (errorLines.length > 0 ? errorLines : lines).slice(0, maxLines).join("\n");
}

/**
 * `diagnostics` are error diagnostics from the engine's event stream: the provider's
 * credential complaints arrive there, the CommandError text may only say "preview failed".
 */
export function classifyError(error: unknown, stack: string, diagnostics: string[] = []): ClassifiedError {
    const { text, name } = textOf(error);
    const all = [text, ...diagnostics].join("\n");
    const rule = RULES.find((r) => r.matches(all, name));
    // The engine's diagnostics say what went wrong; the CommandError mostly says that
    // the command failed.
    const detail = [...diagnostics.map((d) => excerpt(d, 3)), excerpt(text)].filter((d) => d !== "").join("\n");
    if (rule) {
        return { kind: rule.kind, message: rule.message(stack), detail };
    }
    return {
        kind: "unknown",
        message: `The Pulumi operation on stack "${stack}" failed: ${detail.split("\n")[0] || "no error text"}`,
        detail,
    };
}
