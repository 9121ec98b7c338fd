/**
 * Kubernetes resource quantities as plain numbers: CPU in cores ("500m" = 0.5), memory in bytes
 * ("2Gi" = 2 * 2^30). Follows the API's grammar: a decimal number, then a binary suffix (Ki..Ei),
 * a decimal SI suffix (n, u, m, "", k, M, G, T, P, E) or a decimal exponent (1e3).
 */
const suffixes: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

const grammar = /^([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(?:[eE]([+-]?[0-9]+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/;

/** The quantity's value, or undefined when it is not a valid Kubernetes quantity. */
export function parseQuantity(quantity: string | number): number | undefined {
    if (typeof quantity === "number") {
        return Number.isFinite(quantity) ? quantity : undefined;
    }
    if (typeof quantity !== "string") {
        return undefined;
    }
    const match = grammar.exec(quantity.trim());
    if (!match) {
        return undefined;
    }
    const [, number, exponent, suffix] = match;
    const base = Number(number);
    if (exponent !== undefined) {
        return base * 10 ** Number(exponent);
    }
    return base * suffixes[suffix ?? ""];
}
