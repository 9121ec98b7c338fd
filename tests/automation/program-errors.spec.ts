import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { runPlanCli } from "../../automation/plan-cli";
import { evaluateStack } from "../../automation/plan/evaluate";
import { devStack } from "../support/config";

/**
 * When the program throws, the plan says where, in the project's TypeScript: the file and line a
 * developer opens, not a line of the compiled JavaScript; --verbose adds the whole stack.
 */
describe("a program error says where it happened", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "broken-program-"));
    // Line 12 of index.ts below; the interface and type annotations before it are not in the JavaScript.
    const program = [
        "// A program that fails the way a typo in the assembly does.",
        "interface Settings {",
        "    readonly nested?: {",
        "        readonly value: string;",
        "    };",
        "}",
        "",
        "type Reader = (s: Settings) => number;",
        "",
        "const read: Reader = (s: Settings): number => {",
        "    const nested = s.nested as { readonly value: string };",
        "    return nested.value.length;",
        "};",
        "",
        "export = async () => ({ n: read({}) });",
        "",
    ].join("\n");

    before(() => {
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: saleor\nruntime: nodejs\n");
        const config = Object.fromEntries(Object.entries(devStack).map(([k, v]) => [`saleor:${k}`, v]));
        fs.writeFileSync(path.join(dir, "Pulumi.test.yaml"), yaml.dump({ config }));
        fs.writeFileSync(path.join(dir, "index.ts"), program);
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    async function plan(...flags: string[]) {
        let stderr = "";
        const code = await runPlanCli(
            ["--stack", "test", ...flags],
            () => undefined,
            (s) => {
                stderr += s;
            },
            (opts) => evaluateStack({ ...opts, projectDir: dir }),
        );
        return { code, stderr };
    }

    it("names the TypeScript file and line, and exits 4", async () => {
        const { code, stderr } = await plan();
        assert.equal(code, 4);
        const lines = stderr.trim().split("\n");
        assert.match(
            lines[0],
            /^the program failed while evaluating stack "test": Cannot read properties of undefined \(reading 'value'\)$/,
        );
        const at = `  at ${path.join(dir, "index.ts")}:12:`;
        assert.ok(lines[1].startsWith(at) && lines[1].endsWith(" (--verbose prints the whole stack)"), lines[1]);
        assert.equal(lines.length, 2);
    });

    it("prints the whole stack, mapped to TypeScript, with --verbose", async () => {
        const { code, stderr } = await plan("--verbose");
        assert.equal(code, 4);
        assert.ok(stderr.includes(`${path.join(dir, "index.ts")}:12:`), stderr);
        assert.ok(stderr.split("\n").length > 3, stderr);
    });
});
