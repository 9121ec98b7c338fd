import {
    failover,
    type FailoverDeps,
    type FailoverOptions,
    type FailoverState,
    type StateStore,
} from "../../../automation/deploy/failover";
import { FakeFailoverStack, type FailoverScenario } from "../../../automation/deploy/fakes/failover-stack";
import { PRIMARY, SECONDARY } from "./harness";

// The failover end to end against the in-memory stack: a two-region stack, a state file in memory
// that can "kill" the run right after it records a stage, and a clock every update moves by a minute.

export interface Run {
    stack: FakeFailoverStack;
    saved: FailoverState[];
    lines: string[];
    clock: { now: Date };
    go(options: Partial<FailoverOptions>): ReturnType<typeof failover>;
}

/** What a spec adds to the driver's dependencies (the webhook's fetch, the summary link). */
export type ExtraDeps = Partial<Pick<FailoverDeps, "fetch" | "summaryLink">> & {
    /** The run's clock at its start. Default: Wednesday 2026-12-02 03:00 in Berlin, inside production's windows. */
    start?: Date;
};

/** `crashAfter`: the process dies right after the state file records this stage. */
export function setup(name: "staging" | "production", scenario: FailoverScenario = {}, crashAfter?: string, extra: ExtraDeps = {}): Run {
    const { start, ...deps } = extra;
    const clock = { now: start ?? new Date("2026-12-02T02:00:00Z") };
    const stack = new FakeFailoverStack(
        name,
        [
            { name: PRIMARY, role: "primary" },
            { name: SECONDARY, role: "secondary" },
        ],
        {
            // Every update takes a minute on the run's clock.
            duringUp: () => (clock.now = new Date(clock.now.getTime() + 60_000)),
            ...scenario,
        },
    );
    const saved: FailoverState[] = [];
    let crash = crashAfter;
    const state: StateStore = {
        load: async () => structuredClone(saved.at(-1)),
        save: async (s) => {
            saved.push(structuredClone(s));
            if (crash && s.completed.at(-1)?.stage === crash) {
                crash = undefined;
                throw new Error("killed");
            }
        },
    };
    const lines: string[] = [];
    return {
        stack,
        saved,
        lines,
        clock,
        go: (options) =>
            failover(
                { stack: name, resume: false, drill: false, yes: true, ...options },
                { openStack: async () => stack, state, log: (l) => lines.push(l), now: () => clock.now, ...deps },
            ),
    };
}
