import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main as policyCli } from "../../automation/policy-cli";
import { runCli } from "../support/plans";

/** Bad input to the offline tools is a usage error (exit 2) in one line, never a crash or a leak. */
describe("bad input to the offline tools", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bad-input-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, text: string) => {
        const f = path.join(dir, name);
        fs.writeFileSync(f, text);
        return f;
    };

    it("a stack file that is not YAML exits 2 with the line and column, not 4", async () => {
        const f = file("Pulumi.broken.yaml", "config:\n  saleor:environment: dev\n  saleor:regions: [\n");
        const { code, stderr } = await runCli(["--stack", "dev", "--config-file", f]);
        assert.equal(code, 2);
        assert.match(stderr, /^stack file .*Pulumi\.broken\.yaml is not valid YAML: .* \(line \d+, column \d+\)\n$/);
    });

    it("a stack file with a key twice or an unknown YAML tag exits 2 with the line, not 4", async () => {
        for (const [name, text, reason] of [
            ["Pulumi.twice.yaml", "config:\n  saleor:environment: dev\n  saleor:environment: staging\n", /duplicated mapping key/],
            ["Pulumi.tagged.yaml", "config:\n  saleor:environment: !Ref dev\n", /unknown tag/],
        ] as const) {
            const { code, stderr } = await runCli(["--stack", "dev", "--config-file", file(name, text)]);
            assert.equal(code, 2, stderr);
            assert.match(
                stderr,
                new RegExp(`^stack file .*${name.replace(/\./g, "\\.")} is not valid YAML: .*\\(line \\d+, column \\d+\\)\n$`),
            );
            assert.match(stderr, reason);
        }
    });

    it("a stack file over 1 MiB exits 2 before it is parsed, naming its size", async () => {
        const f = file("Pulumi.huge.yaml", `config:\n  saleor:environment: dev\n# ${"x".repeat(1024 * 1024)}\n`);
        const { code, stderr } = await runCli(["--stack", "dev", "--config-file", f]);
        assert.equal(code, 2);
        assert.match(stderr, /^stack file .*Pulumi\.huge\.yaml is 1048\d{3} bytes; a stack file may have at most 1048576 \(1 MiB\)\n$/);
    });

    it("a YAML alias bomb exits 2 at once instead of expanding it", async () => {
        const lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"];
        for (let i = 1; i <= 9; i++)
            lines.push(
                `a${i}: &a${i} [${Array(10)
                    .fill(`*a${i - 1}`)
                    .join(", ")}]`,
            );
        const f = file("Pulumi.bomb.yaml", `config:\n  saleor:environment: dev\n  saleor:images:\n    ${lines.join("\n    ")}\n`);
        const started = Date.now();
        const { code, stderr } = await runCli(["--stack", "dev", "--config-file", f]);
        assert.equal(code, 2);
        assert.match(stderr, /saleor:images.*expands its YAML aliases to more than 100000 values/);
        assert.ok(Date.now() - started < 5000, "refused before expanding");
    });

    it("a policy config that is not JSON is named without printing its contents", async () => {
        const f = file("secret.json", "root:x:0:0:root:/root:/bin/bash\n");
        const err: string[] = [];
        const code = await policyCli(["tests/policy/fixtures/plans/offline-dev.json", "--config", f, "--allow-cross-stack"], {
            out: () => undefined,
            err: (l) => err.push(l),
        });
        assert.equal(code, 2);
        assert.equal(err.length, 1);
        assert.match(err[0], /is not valid JSON/);
        assert.ok(!err[0].includes("root:x"), err[0]);
    });
});

describe("the policy check fails closed", () => {
    const run = async (...argv: string[]) => {
        const err: string[] = [];
        const code = await policyCli(argv, { out: () => undefined, err: (l) => err.push(l) });
        return { code, err };
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "fail-closed-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    for (const [what, plan] of [
        ["empty steps", { steps: [] }],
        ["junk steps", { steps: [1, "two", null] }],
    ] as const) {
        it(`refuses a plan with ${what} (exit 2), which would otherwise pass`, async () => {
            const f = path.join(dir, `${what.replace(" ", "-")}.json`);
            fs.writeFileSync(f, JSON.stringify(plan));
            const { code, err } = await run(f, "--config", "policy/config/dev.json");
            assert.equal(code, 2);
            assert.match(err[0], /the plan has no resources to judge/);
        });
    }

    it('refuses a config that turns every rule off with one line ("all": "disabled")', async () => {
        const f = path.join(dir, "off.json");
        fs.writeFileSync(f, JSON.stringify({ all: "disabled" }));
        const { code, err } = await run("tests/policy/fixtures/plans/offline-dev.json", "--config", f);
        assert.equal(code, 2);
        assert.match(err[0], /disables every rule/);
    });
});
