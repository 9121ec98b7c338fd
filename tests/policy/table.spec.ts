import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { policies } from "../../policy/rules";
import { embedRuleTable, readStackConfig, renderRuleTable, RULE_TABLE_END, RULE_TABLE_START, STACKS } from "../../policy/table";

describe("the rule table", () => {
    const table = renderRuleTable();
    const rows = table.trim().split("\n").slice(2);

    it("has one row per rule, in the pack's order", () => {
        assert.deepStrictEqual(
            rows.map((row) => /^\| `([^`]+)`/.exec(row)?.[1]),
            policies.map((p) => p.name),
        );
    });

    it("shows each stack's level from its config file", () => {
        const configs = STACKS.map((stack) => readStackConfig(stack));
        policies.forEach((policy, i) => {
            const cells = rows[i].split(" | ");
            const levels = cells.slice(-3).map((c) => c.replace(/ \|$/, ""));
            assert.deepStrictEqual(
                levels,
                configs.map((c) => (c[policy.name] as { enforcementLevel: string }).enforcementLevel),
                policy.name,
            );
        });
    });

    it("says what each rule guards", () => {
        assert.match(rows[0], /\| aws\.rds\.Instance \|/);
        assert.ok(rows.some((row) => row.includes("pod templates (Deployment, StatefulSet, DaemonSet, Job, CronJob)")));
    });

    for (const file of [path.join("policy", "README.md"), path.join("docs", "policy.md")]) {
        it(`${file} carries the current table`, () => {
            const readme = fs.readFileSync(path.join(__dirname, "..", "..", file), "utf8");
            assert.ok(
                readme.includes(`${RULE_TABLE_START}\n${table}${RULE_TABLE_END}`),
                `run: node -r ./automation/register.js policy/table.ts ${file}`,
            );
            assert.strictEqual(embedRuleTable(readme), readme);
        });
    }

    it("refuses to embed into a file without markers", () => {
        assert.throws(() => embedRuleTable("# README\n"), /markers/);
    });
});
