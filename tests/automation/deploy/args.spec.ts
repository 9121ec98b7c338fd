import { strict as assert } from "node:assert";
import { parseDeployArgs } from "../../../automation/deploy/args";

describe("deploy command line", () => {
    it("takes the stack, the release and the switches CI passes", () => {
        const parsed = parseDeployArgs(["--stack", "staging", "--release", "0123abc", "--yes", "--summary", "out/deploy.json"]);
        assert.equal(parsed.kind, "ok");
        if (parsed.kind !== "ok") return;
        assert.deepEqual(parsed.options, {
            deploy: {
                stack: "staging",
                release: "0123abc",
                previewOnly: false,
                region: undefined,
                yes: true,
                allowReplace: false,
                verify: {},
            },
            summaryPath: "out/deploy.json",
        });
    });

    it("accepts a Saleor version, a region, preview-only, allow-replace and faster verification", () => {
        const parsed = parseDeployArgs([
            "--stack=production",
            "--release=3.23.5",
            "--region",
            "eu-west-1",
            "--preview-only",
            "--allow-replace",
            "--verify-attempts",
            "2",
            "--verify-timeout-ms",
            "500",
            "--verify-backoff-ms",
            "0",
        ]);
        assert.equal(parsed.kind, "ok");
        if (parsed.kind !== "ok") return;
        assert.equal(parsed.options.deploy.region, "eu-west-1");
        assert.equal(parsed.options.deploy.previewOnly, true);
        assert.equal(parsed.options.deploy.allowReplace, true);
        assert.deepEqual(parsed.options.deploy.verify, { attempts: 2, timeoutMs: 500, backoffMs: 0 });
    });

    it("reports every problem at once: unknown stack, malformed release, bad numbers", () => {
        const parsed = parseDeployArgs(["--stack", "dev", "--release", "latest; rm -rf /", "--verify-attempts", "0"]);
        assert.equal(parsed.kind, "problems");
        if (parsed.kind !== "problems") return;
        assert.equal(parsed.problems.length, 3);
        assert.match(parsed.problems[0], /--stack must be one of staging, production, got "dev"/);
        assert.match(parsed.problems[1], /--release must be a Saleor version like 3\.23\.5 or a git SHA/);
        assert.match(parsed.problems[2], /--verify-attempts must be an integer of at least 1/);
    });

    it("rejects options it does not know and asks for the required ones", () => {
        assert.equal(parseDeployArgs(["--stack", "staging", "--release", "3.23.5", "--force"]).kind, "problems");
        const parsed = parseDeployArgs([]);
        assert.equal(parsed.kind, "problems");
        if (parsed.kind === "problems") assert.equal(parsed.problems.length, 2);
    });

    it("--help asks for the usage text", () => {
        assert.deepEqual(parseDeployArgs(["--help"]), { kind: "help" });
    });
});

describe("deploy command line: --emergency", () => {
    it("takes the reason a release must go outside the deployment windows", () => {
        const parsed = parseDeployArgs(["--stack", "production", "--release", "3.23.6", "--emergency", "checkout is down"]);
        assert.equal(parsed.kind, "ok");
        if (parsed.kind !== "ok") return;
        assert.equal(parsed.options.deploy.emergency, "checkout is down");
    });

    it("an emergency without a reason is a usage problem", () => {
        for (const argv of [["--emergency"], ["--emergency", "  "], ["--emergency="]]) {
            const parsed = parseDeployArgs(["--stack", "production", "--release", "3.23.6", ...argv]);
            assert.equal(parsed.kind, "problems", JSON.stringify(argv));
            if (parsed.kind !== "problems") return;
            assert.match(parsed.problems.join("\n"), /--emergency needs (a value|a reason)/);
        }
    });
});
