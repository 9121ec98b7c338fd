import assert from "node:assert/strict";
import { spawnSync } from "child_process";
import { listStacks, projectRoot } from "../../automation/plan/evaluate";

/**
 * What evaluating a stack loads, in a fresh process (this one has long since loaded every SDK for
 * other specs). Loading is most of a plan's start-up: @pulumi/aws costs about a second, and the
 * @pulumi/kubernetes index alone some 130 modules and 80 ms, of which the program uses a dozen
 * resource classes (`npm run bench` measures the whole).
 */
function modulesLoadedBy(stack: string): { evaluated: boolean; aws: boolean; kubernetesIndex: boolean; kubernetes: number } {
    const probe = `require("./automation/plan/evaluate").evaluateStack({ stack: ${JSON.stringify(stack)} }).then((r) => {
        const loaded = Object.keys(require.cache);
        process.stdout.write(JSON.stringify({
            evaluated: "evaluation" in r,
            aws: loaded.some((k) => k.includes("/node_modules/@pulumi/aws/")),
            kubernetesIndex: loaded.some((k) => k.endsWith("/node_modules/@pulumi/kubernetes/index.js")),
            kubernetes: loaded.filter((k) => k.includes("/node_modules/@pulumi/kubernetes/")).length,
        }));
        process.exit(0);
    })`;
    const r = spawnSync(process.execPath, ["-r", "./automation/register.js", "-e", probe], { cwd: projectRoot, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return JSON.parse(r.stdout);
}

describe("what evaluating each stack loads", function () {
    this.timeout(120000);
    const loads = new Map<string, ReturnType<typeof modulesLoadedBy>>();
    before(() => {
        for (const stack of listStacks()) loads.set(stack, modulesLoadedBy(stack));
    });

    it("covers every stack, and each evaluates", () => {
        assert.deepEqual([...loads.keys()], ["dev", "production", "staging"]);
        for (const [stack, l] of loads) assert.equal(l.evaluated, true, stack);
    });

    it("never loads the AWS SDK for a stack on an existing cluster, and does for the AWS stacks", () => {
        assert.equal(loads.get("dev")!.aws, false);
        assert.equal(loads.get("staging")!.aws, true);
        assert.equal(loads.get("production")!.aws, true);
    });

    it("loads the Kubernetes resource classes it uses from their own modules, never the package index", () => {
        for (const [stack, l] of loads) {
            assert.equal(
                l.kubernetesIndex,
                false,
                `${stack} loaded @pulumi/kubernetes/index.js: import the class from its module (e.g. @pulumi/kubernetes/apps/v1/deployment)`,
            );
            // The probe sees the modules it does load: provider, utilities, types and the classes.
            assert.ok(l.kubernetes > 10 && l.kubernetes < 60, `${stack}: ${l.kubernetes} @pulumi/kubernetes modules`);
        }
    });
});
