import { strict as assert } from "node:assert";
import { validateReleaseSettings } from "../../../config/load";
import { configSource } from "../../support/config";

// The stack-file keys the deploy driver reads: a mistake is a config error naming the key and
// what is allowed there, before the driver touches the stack.

function problemsOf(values: Record<string, unknown>, secretKeys: string[] = []): string[] {
    const result = validateReleaseSettings(configSource(values, secretKeys));
    return "problems" in result ? result.problems : [];
}

const WINDOWS = { timeZone: "Europe/Berlin", windows: [{ days: ["sat"], from: "01:00", to: "03:00" }] };

describe("release settings in the stack file", () => {
    it("accepts the production guide's windows and fills the verification budget's defaults", () => {
        const result = validateReleaseSettings(configSource({ releaseWindows: WINDOWS }));
        assert.ok("settings" in result, JSON.stringify(result));
        assert.deepEqual(result.settings.releaseWindows, WINDOWS);
        assert.deepEqual(result.settings.releaseVerification, { attempts: 13, intervalSeconds: 10, timeoutSeconds: 10 });
    });

    it("names the key of an unknown day, a malformed time and a zone Intl does not know", () => {
        const problems = problemsOf({
            releaseWindows: { timeZone: "Europe/Atlantis", windows: [{ days: ["saturday"], from: "2:00", to: "04:00" }] },
        });
        assert.ok(
            problems.some((p) => /^saleor:releaseWindows\.timeZone: .*IANA time zone such as Europe\/Berlin/.test(p)),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => /^saleor:releaseWindows\.windows\[0\]\.days\[0\]: .*mon, tue, wed, thu, fri, sat, sun/.test(p)),
            problems.join("\n"),
        );
        assert.ok(
            problems.some((p) => /^saleor:releaseWindows\.windows\[0\]\.from: must be a local time HH:MM/.test(p)),
            problems.join("\n"),
        );
    });

    it("refuses a window that ends before it starts", () => {
        const problems = problemsOf({ releaseWindows: { timeZone: "UTC", windows: [{ days: ["mon"], from: "04:00", to: "02:00" }] } });
        assert.ok(
            problems.some((p) => /^saleor:releaseWindows\.windows\[0\]: from must be earlier than to/.test(p)),
            problems.join("\n"),
        );
    });

    it("refuses a malformed webhook URL and one that is not a secret, naming the key", () => {
        assert.ok(
            problemsOf({ releaseWebhookUrl: "hooks.slack.com/x" }, ["releaseWebhookUrl"]).some((p) =>
                /^saleor:releaseWebhookUrl: must be an https URL/.test(p),
            ),
        );
        assert.ok(
            problemsOf({ releaseWebhookUrl: "http://hooks.example.com/x" }, ["releaseWebhookUrl"]).some((p) =>
                /^saleor:releaseWebhookUrl: must be an https URL/.test(p),
            ),
        );
        assert.ok(
            problemsOf({ releaseWebhookUrl: "https://hooks.slack.com/services/T/B/X" }).some((p) =>
                /^saleor:releaseWebhookUrl: holds credentials, so it must be a secret/.test(p),
            ),
        );
        const ok = validateReleaseSettings(
            configSource({ releaseWebhookUrl: "https://hooks.slack.com/services/T/B/X" }, ["releaseWebhookUrl"]),
        );
        assert.ok("settings" in ok && ok.settings.releaseWebhookUrl?.secret === true);
    });

    it("refuses a verification budget out of range", () => {
        const problems = problemsOf({ releaseVerification: { attempts: 0, intervalSeconds: 10 } });
        assert.ok(
            problems.some((p) => /^saleor:releaseVerification\.attempts: /.test(p)),
            problems.join("\n"),
        );
    });
});
