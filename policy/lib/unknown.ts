import * as policySdk from "@pulumi/policy";
import * as policyProxy from "@pulumi/policy/proxy";

/**
 * @pulumi/policy exports `unknownCheckingProxy` and `UnknownValueError` at run time, but ships an
 * empty `proxy.d.ts`, so the named imports do not type-check without `skipLibCheck`. This is the
 * typed view of the same exports.
 */
interface PolicyProxyExports {
    unknownCheckingProxy<T>(value: T): T;
    UnknownValueError: new (...args: never[]) => Error;
}

const proxyExports = policySdk as unknown as PolicyProxyExports;

/** Wraps inputs so that reading a value the engine does not know yet throws, exactly as during `pulumi preview`. */
export function unknownCheckingProxy<T>(value: T): T {
    return proxyExports.unknownCheckingProxy(value);
}

export function isUnknownValueError(error: unknown): boolean {
    return error instanceof proxyExports.UnknownValueError;
}

/** The sentinel the engine sends (and `pulumi preview --json` prints) where a value is not known yet. */
export const ENGINE_UNKNOWN: string = (policyProxy as unknown as { unknownStringValue: string }).unknownStringValue;

/** How an offline plan (and `pulumi preview --json`) prints values that are not known yet and secrets. */
export const PLAN_UNKNOWN = "[unknown]";
export const PLAN_SECRET = "[secret]";

/** A value that cannot be judged: unknown during preview, or a secret the plan does not reveal. */
export const UNKNOWN: unique symbol = Symbol("unknown value");
export type Unknown = typeof UNKNOWN;
export type Maybe<T> = T | Unknown;

/**
 * Reads a value through the unknown-checking proxy. An unknown value (or a plan placeholder) comes
 * back as UNKNOWN so a rule can skip just that value and keep checking the others, instead of the
 * whole policy being abandoned for the resource.
 */
export function known<T>(read: () => T): Maybe<T> {
    try {
        const value = read();
        return value === PLAN_UNKNOWN || value === PLAN_SECRET ? UNKNOWN : value;
    } catch (error) {
        if (isUnknownValueError(error)) {
            return UNKNOWN;
        }
        throw error;
    }
}

export function isKnown<T>(value: Maybe<T>): value is T {
    return value !== UNKNOWN;
}

/** Runs `check` only when the value is known. */
export function whenKnown<T>(read: () => T, check: (value: T) => void): void {
    const value = known(read);
    if (value !== UNKNOWN) {
        check(value);
    }
}

/** The known elements of a list, and whether some elements (or the whole list) are unknown. */
export interface KnownList<T> {
    readonly items: T[];
    readonly hasUnknown: boolean;
}

/**
 * Reads a list element by element. A missing list is empty; unknown elements are left out and
 * counted, so "every element must" checks can still judge the known ones while "must contain"
 * checks can stay silent when the missing entry might be among the unknown ones.
 */
export function knownList<T>(read: () => readonly T[] | undefined | null): KnownList<T> {
    const list = known(read);
    if (list === UNKNOWN) {
        return { items: [], hasUnknown: true };
    }
    if (list === undefined || list === null) {
        return { items: [], hasUnknown: false };
    }
    if (!Array.isArray(list)) {
        // A scalar where a list is expected (e.g. a single IAM Action string) is a list of one.
        return { items: [list as unknown as T], hasUnknown: false };
    }
    const items: T[] = [];
    let hasUnknown = false;
    const length = list.length;
    for (let i = 0; i < length; i++) {
        const item = known(() => list[i]);
        if (item === UNKNOWN) {
            hasUnknown = true;
        } else {
            items.push(item);
        }
    }
    return { items, hasUnknown };
}

/** The known entries of a string map (labels, annotations, matchLabels). */
export function knownEntries(read: () => Record<string, unknown> | undefined | null): {
    entries: [string, unknown][];
    hasUnknown: boolean;
} {
    const map = known(read);
    if (map === UNKNOWN) {
        return { entries: [], hasUnknown: true };
    }
    if (map === undefined || map === null || typeof map !== "object") {
        return { entries: [], hasUnknown: false };
    }
    const entries: [string, unknown][] = [];
    let hasUnknown = false;
    for (const key of Object.keys(map)) {
        const value = known(() => map[key]);
        if (value === UNKNOWN) {
            hasUnknown = true;
        } else {
            entries.push([key, value]);
        }
    }
    return { entries, hasUnknown };
}
