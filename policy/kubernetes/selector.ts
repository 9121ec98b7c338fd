import { isKnown, known, knownEntries, knownList, Maybe, UNKNOWN } from "../lib/unknown";
import { LabelSelector } from "./types";

/**
 * Whether a label selector selects pods with these labels, by the Kubernetes rules (matchLabels
 * AND every matchExpression; an empty selector selects everything). UNKNOWN when a part of the
 * selector is not known yet.
 */
export function selectorMatches(readSelector: () => LabelSelector | undefined, labels: Record<string, string>): Maybe<boolean> {
    const selector = known(readSelector);
    if (!isKnown(selector)) {
        return UNKNOWN;
    }
    if (selector === undefined || selector === null) {
        // policy/v1 PodDisruptionBudget: a null selector selects no pods.
        return false;
    }
    const matchLabels = knownEntries(() => selector.matchLabels);
    const expressions = knownList(() => selector.matchExpressions);
    if (matchLabels.hasUnknown || expressions.hasUnknown) {
        return UNKNOWN;
    }
    if (!matchLabels.entries.every(([key, value]) => labels[key] === value)) {
        return false;
    }
    for (const expression of expressions.items) {
        const key = known(() => expression.key);
        const operator = known(() => expression.operator);
        const values = knownList(() => expression.values);
        if (!isKnown(key) || !isKnown(operator) || values.hasUnknown || key === undefined) {
            return UNKNOWN;
        }
        const has = Object.prototype.hasOwnProperty.call(labels, key);
        const inValues = has && values.items.includes(labels[key]);
        const matches =
            operator === "In"
                ? inValues
                : operator === "NotIn"
                  ? !inValues
                  : operator === "Exists"
                    ? has
                    : operator === "DoesNotExist"
                      ? !has
                      : false;
        if (!matches) {
            return false;
        }
    }
    return true;
}
