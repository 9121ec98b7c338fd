import assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluateStack } from "../../automation/plan/evaluate";

const root = path.join(__dirname, "..", "..");
const runner = [
    "      deployRunner:",
    "        vpcId: vpc-0a1b2c3d4e5f67890",
    "        vpcCidr: 10.90.0.0/16",
    "        routeTableIds: [rtb-0a1b2c3d4e5f67890]",
];

/** A project folder with staging and a copy named qa, both with the shared deploy runner, qa's ranges as given. */
function project(qaRanges: [string, string], qaAccount = "123456789012", qaRunner = runner): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "cross-stack-"));
    fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const withRunner = (text: string, lines: string[]) => text.replace(/^( {6}deployRoleArn: .*)$/m, `$1\n${lines.join("\n")}`);
    const staging = fs.readFileSync(path.join(root, "Pulumi.staging.yaml"), "utf8");
    assert.match(staging, /vpcCidr: 10\.30\.0\.0\/16[\s\S]*vpcCidr: 10\.40\.0\.0\/16/);
    fs.writeFileSync(path.join(dir, "Pulumi.staging.yaml"), withRunner(staging, runner));
    const qa = withRunner(staging, qaRunner)
        .replace("vpcCidr: 10.30.0.0/16", `vpcCidr: ${qaRanges[0]}`)
        .replace("vpcCidr: 10.40.0.0/16", `vpcCidr: ${qaRanges[1]}`)
        // The deploy role and the permissions boundary: one account (config/load.ts checks it).
        .replace(/:123456789012:(role|policy)\//g, `:${qaAccount}:$1/`);
    fs.writeFileSync(path.join(dir, "Pulumi.qa.yaml"), qa);
    // No program: config problems return before it is loaded; past them, loading it fails.
    return dir;
}

describe("two stacks that share one deploy runner", () => {
    it("refuse a VPC range that overlaps the other stack's, naming the key, the other stack file and the runner", async () => {
        const result = await evaluateStack({ stack: "qa", projectDir: project(["10.50.0.0/16", "10.40.0.0/17"]) });
        assert.ok("problems" in result, "the overlapping stack was evaluated");
        assert.deepEqual(result.problems, [
            "saleor:regions[1].vpcCidr: 10.40.0.0/17 overlaps regions[1].vpcCidr 10.40.0.0/16 of stack staging (Pulumi.staging.yaml); " +
                "both stacks are peered with the deploy runner's VPC vpc-0a1b2c3d4e5f67890 in account 123456789012, which routes to each by its range",
        ]);
    });

    it("accept overlapping ranges in another account or behind another runner, and disjoint ranges behind the same runner", async () => {
        const other = runner.map((l) => l.replace("vpc-0a1b2c3d4e5f67890", "vpc-0f0f0f0f0f0f0f0f0"));
        for (const dir of [
            project(["10.30.0.0/16", "10.40.0.0/16"], "210987654321"),
            project(["10.30.0.0/16", "10.40.0.0/16"], "123456789012", other),
            project(["10.50.0.0/16", "10.60.0.0/16"]),
        ]) {
            // Past config and the cross-stack check, the plan loads the program, which this folder does not have.
            await assert.rejects(evaluateStack({ stack: "qa", projectDir: dir }), /Cannot find module '.*index\.ts'/, dir);
        }
    });
});
