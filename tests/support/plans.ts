import { evaluateStack, type Evaluation } from "../../automation/plan/evaluate";
import { toPlanDocument, type PlanDocument } from "../../automation/plan/json";

const cache = new Map<string, Promise<Evaluation>>();

/** Evaluates a stack once per test run (stacks are evaluated by several specs). */
export function evaluated(stack: string): Promise<Evaluation> {
    if (!cache.has(stack)) {
        cache.set(stack, evaluateStack({ stack }).then((r) => {
            if ("problems" in r) throw new Error(`stack ${stack} has config problems:\n${r.problems.join("\n")}`);
            return r.evaluation;
        }));
    }
    return cache.get(stack)!;
}

export async function planOf(stack: string): Promise<PlanDocument> {
    return toPlanDocument(await evaluated(stack));
}
