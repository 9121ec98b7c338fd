import { strict as assert } from "node:assert";
import * as path from "node:path";
import { projectRoot } from "../../../automation/plan/evaluate";
import { projectName, readStackFile } from "../../../automation/plan/stack-file";
import { validateReleaseSettings } from "../../../config/load";
import { exitCode } from "../../../automation/deploy/rollout";
import { renderMarkdown } from "../../../automation/deploy/summary";
import { checkWindow, localTime, type ReleaseWindows } from "../../../automation/deploy/windows";
import { closeServers, harness, OLD } from "./harness";

// The local time of a deployment window follows the zone's daylight saving rules.

const production: ReleaseWindows = {
    timeZone: "Europe/Berlin",
    windows: [
        { days: ["mon", "tue", "wed", "thu", "fri", "sat", "sun"], from: "02:00", to: "04:00" },
        { days: ["sat"], from: "01:00", to: "03:00" },
    ],
};

describe("deployment windows", () => {
    it("reads the local weekday and time in the zone, daylight saving included", () => {
        // 2026-07-01 is a Wednesday; Berlin is UTC+2 in summer, UTC+1 in winter.
        assert.deepEqual(localTime(new Date("2026-07-01T00:30:00Z"), "Europe/Berlin"), { day: "wed", time: "02:30" });
        assert.deepEqual(localTime(new Date("2026-12-02T01:30:00Z"), "Europe/Berlin"), { day: "wed", time: "02:30" });
        assert.deepEqual(localTime(new Date("2026-12-02T01:30:00Z"), "America/Los_Angeles"), { day: "tue", time: "17:30" });
    });

    it("is inside from the window's start and outside from its end", () => {
        assert.equal(checkWindow(production, new Date("2026-12-02T01:00:00Z")).inside, true, "02:00 Berlin");
        assert.equal(checkWindow(production, new Date("2026-12-02T02:59:00Z")).inside, true, "03:59 Berlin");
        assert.equal(checkWindow(production, new Date("2026-12-02T03:00:00Z")).inside, false, "04:00 Berlin");
        assert.equal(checkWindow(production, new Date("2026-12-05T00:30:00Z")).inside, true, "Saturday 01:30 Berlin");
        assert.equal(checkWindow(production, new Date("2026-12-06T00:30:00Z")).inside, false, "Sunday 01:30 Berlin");
        assert.equal(checkWindow(production, new Date("2026-12-04T13:00:00Z")).local, "Fri 14:00 (Europe/Berlin)");
    });
});

describe("deployment windows: blocked dates", () => {
    const holidays: ReleaseWindows = { ...production, blockedDates: ["2026-12-24", "2026-12-31"] };

    it("a blocked date is outside every window, the whole local day in the windows' zone", () => {
        // 2026-12-24 02:30 in Berlin is 01:30 UTC; 2026-12-23 23:30 UTC is already the 24th there.
        const blocked = checkWindow(holidays, new Date("2026-12-24T01:30:00Z"));
        assert.equal(blocked.inside, false);
        assert.equal(blocked.local, "Thu 2026-12-24 02:30 (Europe/Berlin), a blocked date");
        assert.match(blocked.windows, /; never on 2026-12-24, 2026-12-31/);
        assert.equal(checkWindow(holidays, new Date("2026-12-23T23:30:00Z")).inside, false, "the 24th from midnight in Berlin");
        assert.equal(checkWindow(holidays, new Date("2026-12-25T01:30:00Z")).inside, true, "the 25th is not blocked");
    });

    it("a release on a blocked date is refused like outside a window (exit 3); --emergency goes ahead", async () => {
        const settings = { releaseWindows: holidays };
        const now = new Date("2026-12-24T01:30:00Z");
        const refused = await (await harness({ stackName: "production", scenario: { settings }, now })).run({ yes: true });
        assert.equal(refused.result, "blocked");
        assert.equal(exitCode(refused), 3);
        assert.match(refused.message, /it is Thu 2026-12-24 02:30 \(Europe\/Berlin\), a blocked date, outside the deployment windows/);
        const emergency = await (
            await harness({ stackName: "production", scenario: { settings }, now })
        ).run({
            yes: true,
            emergency: "card payments fail",
        });
        assert.equal(emergency.result, "succeeded", emergency.message);
    });

    it("a date that is not YYYY-MM-DD, or no such day, is a config error naming the key", () => {
        const problems = (blockedDates: unknown[]) => {
            const raw = { releaseWindows: { ...production, blockedDates } };
            const source = {
                get: (k: string) => (k in raw ? JSON.stringify(raw[k as keyof typeof raw]) : undefined),
                isSecret: () => false,
                keys: () => Object.keys(raw),
            };
            const result = validateReleaseSettings(source);
            return "problems" in result ? result.problems.join("; ") : "";
        };
        assert.equal(problems(["2026-12-24"]), "");
        assert.match(problems(["2026-12-24", "24.12.2026"]), /saleor:releaseWindows\.blockedDates\[1\]: must be a date YYYY-MM-DD/);
        assert.match(problems(["2026-02-30"]), /saleor:releaseWindows\.blockedDates\[0\]: .*no such day/);
    });
});

describe("deploy driver: deployment windows", () => {
    afterEach(closeServers);

    const settings = { releaseWindows: production };
    // Friday 2026-12-04 14:00 in Berlin: business hours, outside every production window.
    const FRIDAY_AFTERNOON = new Date("2026-12-04T13:00:00Z");

    it("refuses to change the stack outside its windows, before any preview (exit 3)", async () => {
        const h = await harness({ stackName: "production", scenario: { settings }, now: FRIDAY_AFTERNOON });
        const summary = await h.run({ yes: true });
        assert.equal(summary.result, "blocked");
        assert.equal(exitCode(summary), 3);
        assert.match(summary.message, /it is Fri 14:00 \(Europe\/Berlin\), outside the deployment windows of stack production/);
        assert.match(summary.message, /--emergency "<reason>"/);
        assert.deepEqual(
            h.stack.calls.filter((c) => c.kind === "preview" || c.kind === "up"),
            [],
        );
        assert.deepEqual(h.stack.config, { release: OLD });
    });

    it("goes ahead inside a window", async () => {
        const h = await harness({ stackName: "production", scenario: { settings }, now: new Date("2026-12-05T00:30:00Z") });
        const summary = await h.run({ yes: true });
        assert.equal(summary.result, "succeeded", summary.message);
        assert.deepEqual(summary.window, {
            inside: true,
            local: "Sat 01:30 (Europe/Berlin)",
            windows: "mon,tue,wed,thu,fri,sat,sun 02:00–04:00; sat 01:00–03:00 (Europe/Berlin)",
        });
    });

    it("an emergency goes ahead outside the windows and its reason is in both summaries", async () => {
        const h = await harness({ stackName: "production", scenario: { settings }, now: FRIDAY_AFTERNOON });
        const summary = await h.run({ yes: true, emergency: "checkout fails for every card payment" });
        assert.equal(summary.result, "succeeded", summary.message);
        assert.equal(summary.emergency, "checkout fails for every card payment");
        assert.match(
            renderMarkdown(summary),
            /Emergency release outside the deployment windows\*\* \(Fri 14:00 \(Europe\/Berlin\);.*\): checkout fails for every card payment/,
        );
        assert.ok(h.lines.some((l) => l.includes("EMERGENCY") && l.includes("checkout fails")));
    });

    it("a preview-only run is never refused: it changes nothing", async () => {
        const h = await harness({ stackName: "production", scenario: { settings }, now: FRIDAY_AFTERNOON });
        const summary = await h.run({ previewOnly: true });
        assert.equal(summary.result, "previewed", summary.message);
    });

    it("an invalid window in the stack file is a config error naming the key (exit 2), before any change", async () => {
        const bad = { releaseWindows: { timeZone: "Europe/Berlin", windows: [{ days: ["fri"], from: "14:00", to: "25:00" }] } };
        const h = await harness({ stackName: "production", scenario: { settings: bad } });
        const summary = await h.run({ yes: true });
        assert.equal(summary.error?.kind, "config");
        assert.equal(exitCode(summary), 2);
        assert.match(summary.message, /saleor:releaseWindows\.windows\[0\]\.to: must be a local time HH:MM/);
        assert.deepEqual(
            h.stack.calls.filter((c) => c.kind === "preview" || c.kind === "up"),
            [],
        );
    });
});

describe("the stacks' deployment windows", () => {
    const windowsOf = (stack: string): ReleaseWindows => {
        const file = readStackFile(path.join(projectRoot, `Pulumi.${stack}.yaml`), projectName(projectRoot));
        const result = validateReleaseSettings(file.source);
        assert.ok("settings" in result, JSON.stringify(result));
        assert.ok(result.settings.releaseWindows);
        return result.settings.releaseWindows;
    };

    it("production: 02:00-04:00 in Berlin every day and Saturday 01:00-03:00, never on a Friday afternoon", () => {
        const w = windowsOf("production");
        assert.equal(checkWindow(w, new Date("2026-12-02T01:30:00Z")).inside, true, "Wednesday 02:30");
        assert.equal(checkWindow(w, new Date("2026-12-05T00:15:00Z")).inside, true, "Saturday 01:15");
        assert.equal(checkWindow(w, new Date("2026-12-04T13:00:00Z")).inside, false, "Friday 14:00");
    });

    it("staging: Tuesday to Thursday 10:00-15:00 Pacific, nothing on Friday", () => {
        const w = windowsOf("staging");
        assert.equal(checkWindow(w, new Date("2026-12-01T19:00:00Z")).inside, true, "Tuesday 11:00 PST");
        assert.equal(checkWindow(w, new Date("2026-12-03T23:30:00Z")).inside, false, "Thursday 15:30 PST");
        assert.equal(checkWindow(w, new Date("2026-12-04T18:00:00Z")).inside, false, "Friday 10:00 PST");
    });
});
