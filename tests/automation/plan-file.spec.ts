import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main as policyCli } from "../../automation/policy-cli";
import { runCli } from "../support/plans";

/**
 * A plan file is what the other commands read: `--out` writes it whole (never npm's banner, never a
 * half-written file), and `--diff-against` and `npm run policy` read it back.
 */
describe("plan files: --out and the commands that read them", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-file-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("writes the plan document to --out, prints the human plan, and the diff and policy commands read the file", async () => {
        const file = path.join(dir, "dev.json");
        const { code, stdout } = await runCli(["--stack", "dev", "--out", file]);
        assert.equal(code, 0);
        assert.match(stdout, /Wrote the plan to .*dev\.json/);
        const doc = JSON.parse(fs.readFileSync(file, "utf8"));
        assert.equal(doc.stack, "dev");
        assert.ok(doc.steps.length > 10);
        assert.deepEqual(fs.readdirSync(dir), ["dev.json"], "no temporary file is left beside it");

        const diff = await runCli(["--stack", "dev", "--diff-against", file]);
        assert.equal(diff.code, 0, diff.stderr);
        const lines: string[] = [];
        const policy = await policyCli([file, "--config", "policy/config/dev.json"], {
            out: (l) => lines.push(l),
            err: (l) => lines.push(l),
        });
        assert.equal(policy, 0, lines.join("\n"));
    });

    it("leaves no file behind when the plan cannot be made", async () => {
        const file = path.join(dir, "bad.json");
        const config = path.join(dir, "Pulumi.bad.yaml");
        fs.writeFileSync(config, "config:\n  saleor:environment: prod\n");
        const { code } = await runCli(["--stack", "dev", "--config-file", config, "--out", file]);
        assert.equal(code, 2);
        assert.equal(fs.existsSync(file), false);
    });

    it("refuses --out with modes that print something else (--diff-against, --timeline)", async () => {
        const { code, stderr } = await runCli(["--stack", "dev", "--timeline", "--out", path.join(dir, "t.json")]);
        assert.equal(code, 2);
        assert.match(stderr, /^--out writes the plan document: not with --diff-against or --timeline/);
    });
});
