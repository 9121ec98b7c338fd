import { runPlanCli } from "../../automation/plan-cli";
import { evaluateStack, type Evaluation } from "../../automation/plan/evaluate";
import { toPlanDocument, type PlanDocument } from "../../automation/plan/json";

const cache = new Map<string, Promise<Evaluation>>();

/**
 * Evaluates a stack (with optional config overrides) once per test run: several specs read the
 * same stacks, and a two-region evaluation is the slowest thing the suite does.
 */
export function evaluated(stack: string, configOverrides: Record<string, string> = {}): Promise<Evaluation> {
    const key = JSON.stringify([stack, configOverrides]);
    if (!cache.has(key)) {
        cache.set(
            key,
            evaluateStack({ stack, configOverrides }).then((r) => {
                if ("problems" in r) throw new Error(`stack ${stack} has config problems:\n${r.problems.join("\n")}`);
                return r.evaluation;
            }),
        );
    }
    return cache.get(key)!;
}

export async function planOf(stack: string): Promise<PlanDocument> {
    return toPlanDocument(await evaluated(stack));
}

/**
 * The plan CLI's evaluator for tests: stack files evaluated once per run; any other config file
 * (a test's own) evaluated as the CLI would.
 */
export const sharedEvaluate: typeof evaluateStack = (opts) =>
    opts.configFile || opts.configOverrides || opts.projectDir
        ? evaluateStack(opts)
        : evaluated(opts.stack).then(
              (evaluation) => ({ evaluation }),
              (e: Error) => {
                  const problems = /has config problems:\n([\s\S]*)$/.exec(e.message)?.[1];
                  if (problems) return { problems: problems.split("\n") };
                  throw e;
              },
          );

/** `npm run plan` with `args`, through the shared evaluator: its exit code and what it printed. */
export async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = "";
    let stderr = "";
    const code = await runPlanCli(
        args,
        (s) => {
            stdout += s;
        },
        (s) => {
            stderr += s;
        },
        sharedEvaluate,
    );
    return { code, stdout, stderr };
}
