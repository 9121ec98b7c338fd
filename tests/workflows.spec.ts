import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { execFileSync } from "node:child_process";
import * as os from "node:os";
import { allowListProblems } from "../automation/deploy/allow-list";
import { parseDeployArgs } from "../automation/deploy/args";
import { longestDeploymentHours, validateBootstrapConfig } from "../bootstrap/config";
import { runnerLabel } from "../bootstrap/naming";
import { runnerBuildTimeoutMinutes } from "../bootstrap/runner";

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
    uses?: string;
    "runs-on"?: string | string[];
    "timeout-minutes"?: number;
    defaults?: { run?: { "working-directory"?: string } };
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
    name?: string;
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
    assert.equal(String(node.with?.["node-version"]), NODE);
    assert.equal(node.with?.cache, "npm");
    assert.ok(runs(job).includes("npm ci"));
}

/**
 * Node.js 24: Node 20 reached end of life on 2026-04-30; 24 is LTS until 2028-04-30 (nodejs/Release
 * schedule.json, research §8) and is what the pinned actions run on (node24).
 */
const NODE = "24";

/** Every `uses:` line of a workflow's text, with its trailing comment. */
const usesLines = (text: string) =>
    text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => /^(- )?uses:/.test(l));

describe("every workflow", () => {
    for (const file of ["ci.yml", "deploy.yml", "security.yml"]) {
        const { text, workflow } = load(file);

        it(`${file}: pins every action by full commit SHA, with its release in a comment`, () => {
            const lines = usesLines(text).filter((l) => !l.includes("uses: ./"));
            assert.ok(lines.length > 0);
            for (const line of lines) {
                assert.match(line, /^(- )?uses: [\w.-]+\/[\w.-]+(\/[\w./-]+)?@[0-9a-f]{40} # v\d+\.\d+\.\d+$/, line);
            }
        });

        it(`${file}: gives every job a timeout (a job calling a reusable workflow gets the called jobs' own)`, () => {
            for (const [name, job] of Object.entries(workflow.jobs)) {
                const jobs = job.uses ? Object.values(load(path.basename(job.uses)).workflow.jobs) : [job];
                for (const j of jobs) {
                    assert.equal(typeof j["timeout-minutes"], "number", `${file}: ${name}`);
                    assert.ok(j["timeout-minutes"]! > 0);
                }
            }
        });

        it(`${file}: sets up a maintained Node.js LTS, ${NODE}`, () => {
            for (const job of Object.values(workflow.jobs)) {
                for (const node of uses(job.uses ? { steps: [] } : job, "actions/setup-node"))
                    assert.equal(String(node.with?.["node-version"]), NODE);
            }
        });
    }
});

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

    it("can be called by the deploy workflow, whose tests must not cancel a push's own run", () => {
        assert.ok("workflow_call" in workflow.on);
        const concurrency = (workflow as unknown as { concurrency: { group: string } }).concurrency;
        assert.match(concurrency.group, /\$\{\{ github\.workflow \}\}/, "the caller's name is part of the group");
    });

    it("type-checks and tests on Node 24 with the npm cache", () => {
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
            assert.deepEqual(checkouts[0].with, { "persist-credentials": false }, "the pull request itself at the root");
            assert.deepEqual(checkouts[1].with, {
                ref: "${{ github.event.pull_request.base.sha }}",
                path: "base",
                "persist-credentials": false,
            });
            const [node] = uses(job, "actions/setup-node");
            assert.equal(String(node.with?.["node-version"]), NODE);
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
    const deployJobs = [
        [staging, "staging"],
        [production, "production"],
    ] as const;

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

    it("installs the Pulumi CLI whose version is pinned once, in .pulumi.version, matching @pulumi/pulumi's major.minor", () => {
        // Dependabot moves @pulumi/pulumi in package.json but cannot move a version inside a workflow's
        // `with:`; the CLI's version lives in one file the action reads, and this check fails the
        // update's pull request until that file follows.
        const file = fs.readFileSync(path.join(ROOT, ".pulumi.version"), "utf8");
        assert.match(file, /^\d+\.\d+\.\d+\n?$/, ".pulumi.version holds one exact version");
        const cli = file.trim().split(".");
        const sdk = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> })
            .dependencies["@pulumi/pulumi"];
        assert.match(sdk, /^\d+\.\d+\.\d+$/, "the SDK is pinned exactly");
        assert.deepEqual(cli.slice(0, 2), sdk.split(".").slice(0, 2), `the CLI ${file.trim()} and the SDK ${sdk} share major.minor`);
        for (const job of [staging, production]) {
            const [pulumi] = uses(job, "pulumi/actions");
            // uses: steps run in the workspace, where this repository is checked out into saleor-pulumi/.
            assert.deepEqual(pulumi.with, { "pulumi-version-file": "saleor-pulumi/.pulumi.version" });
        }
        assert.doesNotMatch(text, /pulumi-version:/, "no second copy of the version in the workflow");
    });

    it("runs the driver per stack with --yes and a summary, with the environment's backend from its secrets", () => {
        for (const [job, stack] of [
            [staging, "staging"],
            [production, "production"],
        ] as const) {
            assert.equal(job.env?.STACK, stack);
            const step = job.steps.find((s) => s.run?.includes("npm run deploy"));
            assert.ok(step);
            assert.equal(step.env?.PULUMI_BACKEND_URL, "${{ secrets.PULUMI_BACKEND_URL }}");
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
            assert.equal(
                upload.with?.path,
                "saleor-pulumi/deploy-summary-${{ env.STACK }}.json",
                "the summary is written in the repository's checkout",
            );
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

    it("deploys only after the test workflow passed for the same commit", () => {
        const test = workflow.jobs.test;
        assert.equal(test.uses, "./.github/workflows/ci.yml", "a local reusable workflow runs at the caller's commit");
        assert.deepEqual([staging.needs].flat(), ["test", "scan"]);
        assert.doesNotMatch(staging.if ?? "", /always\(\)|failure\(\)|cancelled\(\)/);
        assert.deepEqual([production.needs].flat(), ["staging"], "and production after staging, so after the tests too");
        const ci = load("ci.yml").workflow;
        assert.ok("workflow_call" in ci.on);
        assert.ok(ci.jobs.test.steps.some((s) => s.run === "npm test"));
    });

    it("runs each deploy job on the bootstrap's CodeBuild runner of its environment, inside the runner VPC", () => {
        for (const [job, env] of deployJobs) {
            assert.equal(job["runs-on"], runnerLabel(env));
            assert.equal(environmentName(job), env);
        }
        assert.equal(workflow.name, "Deploy", "the runners' webhooks start builds for this workflow's jobs only");
    });

    it("builds the storefront images under the commit the deploy checks out: each AWS stack's tag is images/storefront.ref's", () => {
        const ref = fs
            .readFileSync(path.join(ROOT, "images", "storefront.ref"), "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "" && !l.startsWith("#"))[0]
            .trim();
        for (const stack of ["staging", "production"]) {
            const file = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> };
            const tag = String(file.config["saleor:images"].storefront.tag);
            assert.ok(
                tag.length >= 12 && ref.startsWith(tag),
                `Pulumi.${stack}.yaml: images.storefront.tag ${tag} is not images/storefront.ref's ${ref}`,
            );
        }
    });

    it("checks out the storefront at the commit pinned in images/storefront.ref, where the stack files' build context points", () => {
        const ref = fs
            .readFileSync(path.join(ROOT, "images", "storefront.ref"), "utf8")
            .split("\n")
            .filter((l) => l.trim() !== "" && !l.startsWith("#"));
        assert.equal(ref.length, 1);
        assert.match(ref[0], /^[0-9a-f]{40}$/, "a full commit SHA, not a branch or tag");
        for (const [job] of deployJobs) {
            const [self, storefront] = uses(job, "actions/checkout");
            assert.deepEqual(self.with, { path: "saleor-pulumi", "persist-credentials": false });
            assert.deepEqual(storefront.with, {
                repository: "saleor/storefront",
                ref: "${{ steps.storefront.outputs.ref }}",
                path: "storefront",
                "persist-credentials": false,
            });
            assert.equal(job.defaults?.run?.["working-directory"], "saleor-pulumi");
            for (const stack of ["staging", "production"]) {
                const file = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Record<string, any> };
                const context: string = file.config["saleor:images"].storefront.context;
                assert.equal(
                    path.posix.join("saleor-pulumi", context),
                    "storefront",
                    `Pulumi.${stack}.yaml's ${context} resolves to the checkout`,
                );
            }
        }
        // The step that reads the file, run as the runner runs it.
        const read = staging.steps.find((s) => s.id === "storefront")!;
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gh-output-")), "out");
        execFileSync("bash", ["-e", "-c", read.run!], { cwd: ROOT, env: { ...process.env, GITHUB_OUTPUT: out } });
        assert.equal(fs.readFileSync(out, "utf8"), `ref=${ref[0]}\n`);
        const bad = fs.mkdtempSync(path.join(os.tmpdir(), "storefront-ref-"));
        fs.mkdirSync(path.join(bad, "images"));
        fs.writeFileSync(path.join(bad, "images", "storefront.ref"), "main\n");
        assert.throws(
            () => execFileSync("bash", ["-e", "-c", read.run!], { cwd: bad, env: { ...process.env, GITHUB_OUTPUT: out }, stdio: "pipe" }),
            /Command failed/,
        );
    });

    it("asks for AWS credentials that outlast the longest modelled deployment and the job, within the role's maximum session", () => {
        const result = validateBootstrapConfig({
            get: (k) => (k === "githubRepository" ? "o/r" : undefined),
            keys: () => ["githubRepository"],
        });
        assert.ok("config" in result);
        const maxSession = result.config.deploySessionHours * 3600;
        for (const [job] of deployJobs) {
            const [aws] = uses(job, "aws-actions/configure-aws-credentials");
            const duration = Number(aws.with?.["role-duration-seconds"]);
            assert.ok(duration >= longestDeploymentHours * 3600, `${duration}s covers a pessimistic first production deployment`);
            assert.ok(duration <= maxSession, `${duration}s is within the role's maxSessionDuration (${maxSession}s)`);
            assert.ok(job["timeout-minutes"]! * 60 <= duration, "the job ends before its credentials do");
            assert.ok(job["timeout-minutes"]! <= runnerBuildTimeoutMinutes, "the CodeBuild runner outlasts the job it serves");
        }
    });

    it("gives each environment its own role and secrets provider: no shared passphrase", () => {
        for (const [job] of deployJobs) {
            const [aws] = uses(job, "aws-actions/configure-aws-credentials");
            // vars.* resolve per GitHub environment, and each job runs in its own.
            assert.equal(aws.with?.["role-to-assume"], "${{ vars.AWS_DEPLOY_ROLE_ARN }}");
            assert.ok(environmentName(job));
        }
        assert.doesNotMatch(text, /PULUMI_CONFIG_PASSPHRASE/);
    });

    it("installs the policy pack's own locked dependencies, unconditionally", () => {
        const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package.json"), "utf8")) as {
            dependencies: Record<string, string>;
        };
        assert.ok(Object.keys(pack.dependencies).length > 0, "the pack has dependencies of its own");
        const lock = JSON.parse(fs.readFileSync(path.join(ROOT, "policy", "package-lock.json"), "utf8")) as {
            packages: Record<string, { dependencies?: Record<string, string>; version?: string }>;
        };
        assert.deepEqual(lock.packages[""].dependencies, pack.dependencies, "the lockfile is policy/package.json's");
        assert.equal(lock.packages["node_modules/@pulumi/pulumi"].version, pack.dependencies["@pulumi/pulumi"]);
        for (const [job] of deployJobs) {
            const install = job.steps.find((s) => s.run?.includes("--prefix policy"));
            assert.equal(install?.run, "npm ci --ignore-scripts --prefix policy");
            assert.equal(install?.if, undefined);
            const deploy = job.steps.findIndex((s) => s.run?.includes("npm run deploy"));
            assert.ok(job.steps.indexOf(install!) < deploy);
        }
    });

    it("keeps deploy credentials away from a dependency cache", () => {
        for (const [job] of deployJobs) {
            const [node] = uses(job, "actions/setup-node");
            assert.equal(node.with?.cache, undefined);
            assert.equal(node.with?.["package-manager-cache"], false);
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

// The CI/CD Pipeline document's security gates and the supply chain of the workflows themselves.

const WORKFLOWS = fs.readdirSync(path.join(ROOT, ".github", "workflows")).filter((f) => /\.ya?ml$/.test(f));

/** Every step of every job of every workflow, anchored steps resolved, with where it is. */
function allSteps(): { where: string; job: Job; step: Step }[] {
    return WORKFLOWS.flatMap((file) =>
        Object.entries(load(file).workflow.jobs).flatMap(([name, job]) =>
            (job.steps ?? []).map((step) => ({ where: `${file}: ${name}: ${step.name ?? step.uses ?? step.run}`, job, step })),
        ),
    );
}

/** The allow-list of the image scans; its rules are in automation/deploy/allow-list.ts. */
const ALLOW_LIST = path.join(ROOT, ".github", "trivy-allowlist.yaml");

describe("supply chain of the workflows", () => {
    it("pins each action to one commit SHA and release across all workflows", () => {
        const pins = new Map<string, Set<string>>();
        for (const file of WORKFLOWS) {
            for (const line of usesLines(load(file).text).filter((l) => !l.includes("uses: ./"))) {
                const m = /uses: ([^@\s]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)$/.exec(line);
                assert.ok(m, `${file}: ${line}`);
                pins.set(m[1], (pins.get(m[1]) ?? new Set()).add(`${m[2]} ${m[3]}`));
            }
        }
        for (const [action, versions] of pins) assert.equal(versions.size, 1, `${action}: ${[...versions].join(", ")}`);
        for (const action of ["aquasecurity/trivy-action", "gitleaks/gitleaks-action"]) assert.ok(pins.has(action), action);
    });

    it("checks out without persisting the token, in every job of every workflow", () => {
        const checkouts = allSteps().filter(({ step }) => step.uses?.startsWith("actions/checkout@"));
        assert.ok(checkouts.length >= 8);
        for (const { where, step } of checkouts) assert.equal(step.with?.["persist-credentials"], false, where);
    });

    it("runs no install script in a job that can request an AWS token", () => {
        const credentialed = WORKFLOWS.flatMap((file) =>
            Object.entries(load(file).workflow.jobs)
                .filter(([, job]) => job.permissions?.["id-token"] === "write")
                .map(([name, job]) => ({ name: `${file}: ${name}`, job })),
        );
        assert.deepEqual(
            credentialed.map((c) => c.name),
            ["deploy.yml: staging", "deploy.yml: production"],
        );
        for (const { name, job } of credentialed) {
            const installs = runs(job).filter((r) => /\bnpm (ci|install|i)\b/.test(r));
            assert.ok(installs.length >= 2, name);
            for (const run of installs) assert.match(run, /^npm ci --ignore-scripts( --prefix policy)?$/, `${name}: ${run}`);
        }
    });

    it("has Dependabot update the actions and both npm projects", () => {
        const config = parse(fs.readFileSync(path.join(ROOT, ".github", "dependabot.yml"), "utf8")) as {
            version: number;
            updates: { "package-ecosystem": string; directory: string; schedule: { interval: string } }[];
        };
        assert.equal(config.version, 2);
        const entries = config.updates.map((u) => `${u["package-ecosystem"]} ${u.directory}`);
        assert.deepEqual(entries.sort(), ["github-actions /", "npm /", "npm /policy"]);
        for (const u of config.updates) assert.ok(["daily", "weekly"].includes(u.schedule.interval));
        for (const dir of [".", "policy"]) assert.ok(fs.existsSync(path.join(ROOT, dir, "package-lock.json")), dir);
    });
});

describe("security workflow (security.yml)", () => {
    const { workflow } = load("security.yml");

    it("looks for secrets on every push and pull request, over the whole history, with gitleaks", () => {
        assert.ok("push" in workflow.on && workflow.on.push === null, "every branch and tag: no filter");
        assert.ok("pull_request" in workflow.on);
        const job = workflow.jobs.secrets;
        assert.match(job.if ?? "", /github\.event_name == 'push'/);
        const [checkout] = uses(job, "actions/checkout");
        assert.equal(checkout.with?.["fetch-depth"], 0);
        const [gitleaks] = uses(job, "gitleaks/gitleaks-action");
        assert.ok(gitleaks);
        assert.equal(gitleaks.env?.GITHUB_TOKEN, "${{ github.token }}");
        assert.equal(String(gitleaks.env?.GITLEAKS_ENABLE_COMMENTS), "false", "read-only: no pull-request comments");
    });

    it("audits the program's and the pack's runtime dependencies on a schedule and on demand", () => {
        const schedule = workflow.on.schedule as { cron: string }[];
        assert.ok(schedule.length > 0 && /^(\S+\s+){4}\S+$/.test(schedule[0].cron));
        assert.ok("workflow_dispatch" in workflow.on);
        const job = workflow.jobs["dependency-audit"];
        assert.match(job.if ?? "", /schedule/);
        assert.deepEqual(runs(job), ["npm audit --omit=dev --audit-level=high", "npm audit --omit=dev --audit-level=high --prefix policy"]);
    });

    it("only reads the repository", () => {
        assert.deepEqual(workflow.permissions, { contents: "read" });
        for (const [name, job] of Object.entries(workflow.jobs)) assert.equal(job.permissions, undefined, name);
    });
});

describe("image scan before the deploy (deploy.yml)", () => {
    const { text, workflow } = load("deploy.yml");
    const { images, scan, staging } = workflow.jobs;
    const trivy = uses(scan, "aquasecurity/trivy-action");

    it("stops the deploy: staging needs the scan, the scan needs the list of images", () => {
        assert.ok([staging.needs].flat().includes("scan"));
        assert.deepEqual([scan.needs].flat(), ["images"]);
        assert.equal((scan.strategy?.matrix as Record<string, unknown>).include, "${{ fromJSON(needs.images.outputs.targets) }}");
        for (const job of [images, scan]) {
            assert.deepEqual(job.permissions, { contents: "read" }, "no AWS token where third-party code is scanned");
            assert.equal(job["runs-on"], "ubuntu-latest");
        }
    });

    it("fails on every CRITICAL or HIGH finding, fixed or not, unless the allow-list names it", () => {
        assert.equal(trivy.length, 2, "the images, and the storefront's locked dependencies");
        for (const step of trivy) {
            assert.equal(step.with?.severity, "CRITICAL,HIGH");
            assert.equal(step.with?.["exit-code"], "1");
            assert.equal(step.with?.["ignore-unfixed"], false);
            assert.equal(step.with?.scanners, "vuln");
            assert.equal(step.with?.trivyignores, "saleor-pulumi/.github/trivy-allowlist.yaml");
            assert.equal(step["continue-on-error" as keyof Step], undefined);
        }
        assert.ok(fs.existsSync(ALLOW_LIST));
    });

    it("scans every image the stacks build: each Core version the release builds, and the storefront", function () {
        this.timeout(120_000);
        // Only two build contexts exist; a new built image must be added to the scan.
        const contexts = new Set<string>();
        const storefrontDockerfiles = new Set<string>();
        for (const stack of ["staging", "production"]) {
            const plan = JSON.parse(
                execFileSync(
                    "node",
                    ["-r", "./automation/register.js", "automation/plan-cli.ts", "--stack", stack, "--json", "--no-policy"],
                    {
                        cwd: ROOT,
                        encoding: "utf8",
                        maxBuffer: 64 * 1024 * 1024,
                    },
                ),
            ) as { steps: { newState?: { type: string; inputs: { build?: { context?: string; dockerfile?: string } } } }[] };
            for (const s of plan.steps)
                if (s.newState?.type === "docker:index/image:Image") {
                    contexts.add(String(s.newState.inputs.build?.context));
                    if (s.newState.inputs.build?.context === "../storefront")
                        storefrontDockerfiles.add(String(s.newState.inputs.build.dockerfile));
                }
        }
        assert.deepEqual([...contexts].sort(), ["../storefront", "images/core"]);
        // The storefront's base image is the first FROM of the Dockerfile the program builds it with.
        assert.deepEqual([...storefrontDockerfiles], ["images/storefront/Dockerfile"]);
        const name = scan.steps.find((s) => s.id === "image")!.run!;
        assert.match(name, /' images\/storefront\/Dockerfile\)"/);
        // The list the scan job gets, for a release that is a version and for one that is a SHA.
        const script = images.steps.find((s) => s.id === "targets")!.run!;
        const targetsFor = (release: string) => {
            const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "targets-")), "out");
            execFileSync("bash", ["-eo", "pipefail", "-c", script], {
                cwd: ROOT,
                env: { ...process.env, RELEASE: release, GITHUB_OUTPUT: out },
                stdio: ["ignore", "ignore", "inherit"],
            });
            return JSON.parse(fs.readFileSync(out, "utf8").replace(/^targets=/, "")) as { kind: string; version: string }[];
        };
        const byVersion = targetsFor("3.24.1");
        assert.deepEqual(
            byVersion.map((t) => `${t.kind} ${t.version}`.trim()),
            ["core 3.24.1", "storefront-dependencies", "storefront-base"],
        );
        const bySha = targetsFor("0123456789abcdef0123456789abcdef01234567");
        assert.deepEqual(
            bySha.filter((t) => t.kind === "core").map((t) => t.version),
            ["3.23.5"],
            "a SHA builds the stacks' own saleorVersion",
        );
    });

    it("scans the storefront image as built in every deploy job: the driver's scan runs, never skipped, with the allow-list beside it", () => {
        for (const job of [staging, workflow.jobs.production]) {
            const step = job.steps.find((s) => s.run?.includes("npm run deploy"))!;
            assert.doesNotMatch(step.run!, /--skip-image-scan/, "a skip is a person's decision with a reason, not the pipeline's");
            // The driver reads the allow-list from the repository's checkout, the job's working directory.
            assert.equal(job.defaults?.run?.["working-directory"], "saleor-pulumi");
        }
        assert.match(text, /the deploy driver scans the storefront image as built/i);
    });

    it("builds the Core image from images/core with the version's build argument, as the program does", () => {
        const build = scan.steps.find((s) => s.run?.startsWith("docker build"))!;
        assert.equal(build.if, "matrix.kind == 'core'");
        assert.match(build.run!, /--build-arg "SALEOR_VERSION=\$VERSION"/);
        assert.match(build.run!, /--platform linux\/amd64/);
        assert.match(build.run!, / images\/core$/);
        assert.match(fs.readFileSync(path.join(ROOT, "images", "core", "Dockerfile"), "utf8"), /^ARG SALEOR_VERSION$/m);
    });

    describe("the allow-list (.github/trivy-allowlist.yaml)", () => {
        it("parses, and every entry names a finding, says why and expires within 90 days", () => {
            // A date in the past is not a problem here: Trivy stops honouring the entry, and the
            // scan step fails. The spec must not start failing on its own as days pass.
            assert.deepEqual(allowListProblems(fs.readFileSync(ALLOW_LIST, "utf8"), new Date()), []);
        });

        const today = new Date("2026-06-01T12:00:00Z");
        const entry = (fields: string) => `vulnerabilities:\n  - ${fields.trim().split("\n").join("\n    ")}\n`;
        for (const [what, text, problem] of [
            ["an entry without expiry", entry("id: CVE-2026-1234\nstatement: not reachable from the app"), /expired_at/],
            [
                "an expiry further than 90 days",
                entry("id: CVE-2026-1234\nstatement: not reachable from the app\nexpired_at: 2026-12-01"),
                /more than 90 days/,
            ],
            ["an impossible date", entry("id: CVE-2026-1234\nstatement: not reachable from the app\nexpired_at: 2026-02-30"), /a date/],
            ["no statement", entry("id: CVE-2026-1234\nexpired_at: 2026-07-01"), /statement/],
            ["a wildcard id", entry("id: '*'\nstatement: not reachable from the app\nexpired_at: 2026-07-01"), /\.id/],
            ["another kind of finding", "misconfigurations:\n  - id: AVD-DS-0002\n", /only vulnerabilities/],
            ["broken YAML", "vulnerabilities: [\n", /not YAML/],
        ] as const) {
            it(`refuses ${what}`, () => assert.match(allowListProblems(text, today).join("; "), problem));
        }
        it("accepts a complete entry, and one whose date has passed (that one fails the scan instead)", () => {
            assert.deepEqual(
                allowListProblems(entry("id: CVE-2026-1234\nstatement: not reachable from the app\nexpired_at: 2026-08-30"), today),
                [],
            );
            assert.deepEqual(
                allowListProblems(entry("id: GHSA-m425-mq94-257g\nstatement: not reachable from the app\nexpired_at: 2026-01-01"), today),
                [],
            );
        });
    });
});
