import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { classifyError } from "../../../automation/deploy/errors";

// The texts below are what the Pulumi CLI, the Automation API and the AWS provider
// print for each situation (quoted from their errors), so the classifier is checked
// against the real wording rather than against its own patterns.

describe("deploy error classifier", () => {
    it("recognises the Automation API's own error for a missing Pulumi CLI and says how to install it", async function () {
        // Only meaningful where the CLI is absent, which is the point of the test.
        if (spawnSync("pulumi", ["version"]).error === undefined) {
            this.skip();
        }
        const { PulumiCommand } = await import("@pulumi/pulumi/automation");
        const error = await PulumiCommand.get().then(
            () => assert.fail("expected no pulumi on PATH"),
            (e: unknown) => e,
        );
        const c = classifyError(error, "staging");
        assert.equal(c.kind, "pulumi-cli-missing");
        assert.match(c.message, /not installed or not on PATH/);
        assert.match(c.message, /pulumi\/actions/);
        assert.match(c.detail, /ENOENT/);
        assert.doesNotMatch(c.message, /\n/, "one paragraph");
    });

    it("a shell's 'pulumi: not found' is a missing CLI too", () => {
        assert.equal(classifyError(new Error("/bin/sh: 1: pulumi: not found"), "staging").kind, "pulumi-cli-missing");
    });

    it("a missing backend login names PULUMI_BACKEND_URL, pulumi login and PULUMI_ACCESS_TOKEN", () => {
        const c = classifyError(
            new Error(
                "code: 255\n stdout: \n stderr: error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions\n",
            ),
            "production",
        );
        assert.equal(c.kind, "backend-login");
        assert.match(c.message, /PULUMI_BACKEND_URL/);
        assert.match(c.message, /pulumi login/);
        assert.match(c.message, /PULUMI_ACCESS_TOKEN/);
        assert.equal(c.detail, "error: PULUMI_ACCESS_TOKEN must be set for login during non-interactive CLI sessions");
    });

    it("missing AWS credentials reported as an engine diagnostic explain the local and the CI fix", () => {
        const c = classifyError(new Error("code: 255\n stdout: \n stderr: error: preview failed\n"), "staging", [
            "pulumi:providers:aws resource 'default_7_48_0' has a problem: No valid credential sources found.\nPlease see https://www.pulumi.com/registry/packages/aws/installation-configuration/ for more information about providing credentials.",
        ]);
        assert.equal(c.kind, "cloud-credentials");
        assert.match(c.message, /aws sso login/);
        assert.match(c.message, /configure-aws-credentials/);
        assert.match(c.message, /id-token: write/);
        assert.match(c.detail, /No valid credential sources found/);
    });

    it("an expired AWS session is a credentials problem as well", () => {
        const c = classifyError(
            new Error(
                "error: operation error STS: GetCallerIdentity, api error ExpiredToken: The security token included in the request is expired",
            ),
            "staging",
        );
        assert.equal(c.kind, "cloud-credentials");
    });

    it("a missing secrets passphrase names PULUMI_CONFIG_PASSPHRASE", () => {
        const c = classifyError(
            new Error(
                'error: constructing secrets manager of type "passphrase": passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE environment variables',
            ),
            "staging",
        );
        assert.equal(c.kind, "secrets-passphrase");
        assert.match(c.message, /PULUMI_CONFIG_PASSPHRASE/);
    });

    it("a locked stack says how to release the lock", () => {
        const locked = Object.assign(new Error("error: the stack is currently locked by 1 lock(s)"), { name: "ConcurrentUpdateError" });
        const c = classifyError(locked, "production");
        assert.equal(c.kind, "stack-locked");
        assert.match(c.message, /pulumi cancel --stack production/);
    });

    it("anything else keeps the error lines of the CLI transcript and drops stack traces", () => {
        const error = new Error(
            "code: 255\n stdout: Previewing update (staging)\n stderr: error: Running program '/work/main' failed with an unhandled exception:\n    at Object.<anonymous> (/work/main/index.ts:3:7)\n",
        );
        const c = classifyError(error, "staging");
        assert.equal(c.kind, "unknown");
        assert.equal(c.detail, "error: Running program '/work/main' failed with an unhandled exception:");
        assert.match(c.message, /^The Pulumi operation on stack "staging" failed: error: Running program/);
        assert.doesNotMatch(c.detail, /at Object/);
    });
});
