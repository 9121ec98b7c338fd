import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { parseDeployArgs } from "../automation/deploy/args";

/** YAML 1.2's core schema: dates and the like stay strings. */
const parse = (text: string): unknown => yaml.load(text, { schema: yaml.CORE_SCHEMA });

// The CI/CD workflows as data: the job graph, permissions, and the commands they run
// checked against the scripts and the deploy driver they call.

const ROOT = path.resolve(__dirname, "..");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    id?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
}

interface Job {
    name?: string;
    needs?: string | string[];
    if?: string;
    environment?: string | { name: string };
    concurrency?: { group: string; "cancel-in-progress"?: boolean };
    permissions?: Record<string, string>;
    env?: Record<string, string>;
    strategy?: { matrix?: Record<string, unknown[]> };
    steps: Step[];
}

interface Workflow {
    on: Record<string, unknown>;
    permissions?: Record<string, string> | string;
    jobs: Record<string, Job>;
}

function load(file: string): { text: string; workflow: Workflow } {
    const text = fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8");
    return { text, workflow: parse(text) as Workflow };
}

function uses(job: Job, action: string): Step[] {
    return job.steps.filter((s) => s.uses?.split("@")[0] === action);
}

function runs(job: Job): string[] {
    return job.steps.flatMap((s) => (s.run ? [s.run] : []));
}

function environmentName(job: Job): string | undefined {
    return typeof job.environment === "string" ? job.environment : job.environment?.name;
}

function assertNodeSetup(job: Job): void {
    const [node] = uses(job, "actions/setup-node");
    assert.ok(node, "setup-node");
    assert.equal(String(node.with?.["node-version"]), "20");
    assert.equal(node.with?.cache, "npm");
    assert.ok(runs(job).includes("npm ci"));
}

const STACKS = ["dev", "staging", "production"];

describe("CI workflow (ci.yml)", () => {
    const { text, workflow } = load("ci.yml");

    it("runs on pull requests and pushes", () => {
        assert.ok("pull_request" in workflow.on);
        assert.ok("push" in workflow.on);
    });

    it("only reads the repository and references no secrets, so pull requests from forks are checked", () => {
        assert.deepEqual(workflow.permissions, { contents: "read" });
        for (const [name, job] of Object.entries(workflow.jobs)) {
            assert.equal(job.permissions, undefined, `${name} must not widen permissions`);
        }
        assert.doesNotMatch(text, /secrets\s*[.[:]/, "no secrets context and no `secrets: inherit`");
        assert.doesNotMatch(text, /id-token/);
    });

    it("type-checks and tests on Node 20 with the npm cache", () => {
        const job = workflow.jobs.test;
        assertNodeSetup(job);
        assert.ok(runs(job).includes("npm test"));
        assert.ok(uses(job, "actions/checkout").length === 1);
    });

    it("plans every stack offline with the policy check and uploads each plan's JSON", () => {
        const job = workflow.jobs.plan;
        assertNodeSetup(job);
        assert.deepEqual(job.strategy?.matrix?.stack, STACKS);
        // Every stack file the project has is planned.
        const stackFiles = fs.readdirSync(ROOT).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []);
        for (const stack of stackFiles) {
            assert.ok(STACKS.includes(stack), `Pulumi.${stack}.yaml is not planned in CI`);
        }
        const plan = runs(job).find((r) => r.includes("plan"));
        assert.equal(plan, "npm run --silent plan -- --stack ${{ matrix.stack }} --json > plan-${{ matrix.stack }}.json");
        const [upload] = uses(job, "actions/upload-artifact");
        assert.equal(upload.with?.path, "plan-${{ matrix.stack }}.json");
        assert.equal(upload.if, "${{ !cancelled() }}", "uploaded even when the policy check fails");
    });

    describe("plan diff against the base branch", () => {
        const job = workflow.jobs["plan-diff"];
        const step = (pattern: RegExp) => job.steps.find((s) => pattern.test(s.run ?? ""));

        it("runs only on pull requests, for every stack", () => {
            assert.ok(job, "a plan-diff job");
            assert.equal(job.if, "github.event_name == 'pull_request'");
            assert.deepEqual(job.strategy?.matrix?.stack, STACKS);
            assert.equal(job.env?.STACK, "${{ matrix.stack }}");
        });

        it("keeps the workflow's read-only permissions and uses no secrets", () => {
            assert.equal(job.permissions, undefined);
            assert.deepEqual(workflow.permissions, { contents: "read" });
            assert.doesNotMatch(JSON.stringify(job), /secrets\./);
            assert.match(
                text,
                /pull-requests: write`, which pull requests from\s+# forks never get/,
                "the YAML says why it does not comment",
            );
        });

        it("plans the base branch with its own install, then the pull request with its own", () => {
            const checkouts = uses(job, "actions/checkout");
            assert.equal(checkouts.length, 2);
            assert.equal(checkouts[0].with, undefined, "the pull request itself at the root");
            assert.deepEqual(checkouts[1].with, { ref: "${{ github.event.pull_request.base.sha }}", path: "base" });
            const [node] = uses(job, "actions/setup-node");
            assert.equal(String(node.with?.["node-version"]), "20");
            assert.equal(node.with?.cache, "npm");
            const installs = job.steps.filter((s) => s.run === "npm ci");
            assert.deepEqual(
                installs.map((s) => (s as { "working-directory"?: string })["working-directory"]),
                ["base", undefined],
            );
            const base = step(/--json --no-policy/)!;
            assert.equal((base as { "working-directory"?: string })["working-directory"], "base");
            assert.match(base.run!, /npm run --silent plan -- --stack "\$STACK" --json --no-policy > "\.\.\/base-\$STACK\.json"/);
            // Base first, then the pull request's install, then the diff.
            const order = [base, installs[1], step(/--diff-against/)!].map((s) => job.steps.indexOf(s));
            assert.deepEqual(
                [...order].sort((a, b) => a - b),
                order,
            );
        });

        it("writes the diff summary before failing on a stateful change (exit 3)", () => {
            const diff = step(/--diff-against/)!;
            const script = diff.run!;
            assert.match(
                script,
                /npm run --silent plan -- --stack "\$STACK" --no-policy --diff-against "base-\$STACK\.json" --markdown > "diff-\$STACK\.md" \|\| code=\$\?/,
            );
            const summary = script.indexOf('>> "$GITHUB_STEP_SUMMARY"');
            assert.ok(summary > 0, "the summary is written");
            assert.ok(summary < script.indexOf('exit "$code"'), "before the job ends with the diff's exit code");
            assert.match(script, /if \[ "\$code" -eq 3 \]; then\n\s+echo "::error /);
            const [upload] = uses(job, "actions/upload-artifact");
            assert.equal(upload.if, "${{ !cancelled() }}");
        });

        it("asks the plan CLI only for flags it has", async () => {
            const { runPlanCli } = await import("../automation/plan-cli");
            let usage = "";
            await runPlanCli(["--help"], (s) => {
                usage += s;
            });
            for (const flag of ["--json", "--no-policy", "--diff-against", "--markdown"]) assert.ok(usage.includes(flag), flag);
        });
    });
});

describe("deploy workflow (deploy.yml)", () => {
    const { text, workflow } = load("deploy.yml");
    const { staging, production } = workflow.jobs;

    it("deploys staging on pushes to main and production on release tags or a manual run with a release input", () => {
        const push = workflow.on.push as { branches: string[]; tags: string[] };
        assert.deepEqual(push.branches, ["main"]);
        assert.deepEqual(push.tags, ["v*"]);
        const dispatch = workflow.on.workflow_dispatch as { inputs: Record<string, { required: boolean }> };
        assert.equal(dispatch.inputs.release.required, true);
        assert.equal(staging.if, undefined, "staging runs for every trigger");
        assert.match(production.if ?? "", /github\.event_name == 'workflow_dispatch'/);
        assert.match(production.if ?? "", /startsWith\(github\.ref, 'refs\/tags\/v'\)/);
    });

    it("production needs staging's success and runs in the production environment", () => {
        assert.deepEqual([production.needs].flat(), ["staging"]);
        // A status function in `if` would override the implicit success() of needs.
        assert.doesNotMatch(production.if ?? "", /always\(\)|failure\(\)|cancelled\(\)/);
        assert.equal(environmentName(production), "production");
    });

    it("queues rollouts per stack without cancelling one in progress", () => {
        assert.deepEqual(staging.concurrency, { group: "deploy-staging", "cancel-in-progress": false });
        assert.deepEqual(production.concurrency, { group: "deploy-production", "cancel-in-progress": false });
    });

    it("gets AWS credentials through OIDC only: id-token write, a role to assume, no access keys", () => {
        assert.deepEqual(workflow.permissions, { contents: "read" });
        for (const job of [staging, production]) {
            assert.equal(job.permissions?.["id-token"], "write");
            const [aws] = uses(job, "aws-actions/configure-aws-credentials");
            assert.match(String(aws.with?.["role-to-assume"]), /^\$\{\{ (vars|secrets)\.[A-Z_]+ \}\}$/);
            assert.equal(aws.with?.["aws-access-key-id"], undefined);
        }
        assert.doesNotMatch(text, /AWS_SECRET_ACCESS_KEY|aws-secret-access-key/);
    });

    it("installs the Pulumi CLI with pulumi/actions in setup mode, before the deploy", () => {
        for (const job of [staging, production]) {
            const [pulumi] = uses(job, "pulumi/actions");
            assert.ok(pulumi);
            assert.equal(pulumi.with?.command, undefined, "setup only: the driver runs the operations");
            const deployIndex = job.steps.findIndex((s) => s.run?.includes("npm run deploy"));
            assert.ok(job.steps.indexOf(pulumi) < deployIndex);
        }
    });

    it("runs the driver per stack with --yes and a summary, with the backend and passphrase from secrets", () => {
        for (const [job, stack] of [
            [staging, "staging"],
            [production, "production"],
        ] as const) {
            assert.equal(job.env?.STACK, stack);
            const step = job.steps.find((s) => s.run?.includes("npm run deploy"));
            assert.ok(step);
            assert.equal(step.env?.PULUMI_BACKEND_URL, "${{ secrets.PULUMI_BACKEND_URL }}");
            assert.equal(step.env?.PULUMI_CONFIG_PASSPHRASE, "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}");
            // The command line as the shell will expand it must satisfy the driver.
            const argv = step
                .run!.replace(/^npm run deploy -- /, "")
                .replace(/"\$STACK"/g, stack)
                .replace(/"deploy-summary-\$STACK\.json"/, `deploy-summary-${stack}.json`)
                .replace(/"\$RELEASE"/, "0123456789abcdef0123456789abcdef01234567")
                .split(/\s+/);
            const parsed = parseDeployArgs(argv);
            assert.equal(parsed.kind, "ok", JSON.stringify(parsed));
            if (parsed.kind === "ok") {
                assert.equal(parsed.options.deploy.stack, stack);
                assert.equal(parsed.options.deploy.yes, true);
                assert.equal(parsed.options.summaryPath, `deploy-summary-${stack}.json`);
            }
            const [upload] = uses(job, "actions/upload-artifact");
            assert.equal(upload.with?.path, "deploy-summary-${{ env.STACK }}.json");
            assert.equal(upload.if, "${{ !cancelled() }}", "the summary is uploaded when the rollout failed too");
        }
    });

    it("production deploys the release staging took, and user input never lands in a script", () => {
        assert.deepEqual(production.steps, staging.steps, "the same steps; only STACK differs");
        const release = staging.steps.find((s) => s.id === "release");
        assert.ok(release?.run);
        assert.equal(release.env?.INPUT_RELEASE, "${{ inputs.release }}");
        for (const script of runs(staging)) {
            assert.doesNotMatch(script, /\$\{\{\s*(inputs|github\.event)\./, script);
        }
    });

    it("calls npm scripts that package.json defines", () => {
        const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> })
            .scripts;
        assert.ok(scripts.plan, "plan");
        assert.ok(scripts.test, "test");
        assert.match(scripts.deploy ?? "", /automation\/deploy-cli\.ts/);
    });
});
