import { PolicyConfigJSONSchema, PolicyConfigJSONSchemaDefinition } from "@pulumi/policy/schema";

/**
 * The JSON-schema checks the engine applies to `--policy-pack-config` (it uses gojsonschema), for
 * the keywords this pack's settings use: type, enum, minimum, pattern, items, properties,
 * additionalProperties, required. Returns one message per problem, naming the path.
 */
export function schemaProblems(value: unknown, schema: PolicyConfigJSONSchemaDefinition, path: string): string[] {
    if (schema === true) {
        return [];
    }
    if (schema === false) {
        return [`${path}: is not allowed`];
    }
    const problems: string[] = [];
    if (schema.type !== undefined) {
        const types = Array.isArray(schema.type) ? schema.type : [schema.type];
        if (!types.some((type) => hasType(value, type))) {
            return [`${path}: expected ${types.join(" or ")}, got ${describe(value)}`];
        }
    }
    if (schema.enum !== undefined && !schema.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
        problems.push(`${path}: must be one of ${schema.enum.map((v) => JSON.stringify(v)).join(", ")}`);
    }
    if (typeof value === "number" && schema.minimum !== undefined && value < schema.minimum) {
        problems.push(`${path}: must be at least ${schema.minimum}, got ${value}`);
    }
    if (typeof value === "string" && schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
        problems.push(`${path}: ${JSON.stringify(value)} does not match ${schema.pattern}`);
    }
    if (Array.isArray(value) && schema.items !== undefined && !Array.isArray(schema.items)) {
        const items = schema.items;
        value.forEach((item, index) => problems.push(...schemaProblems(item, items, `${path}[${index}]`)));
    }
    if (isObject(value)) {
        problems.push(...objectProblems(value, schema, path));
    }
    return problems;
}

function objectProblems(value: Record<string, unknown>, schema: PolicyConfigJSONSchema, path: string): string[] {
    const problems: string[] = [];
    for (const key of schema.required ?? []) {
        if (!(key in value)) {
            problems.push(`${path}: ${key} is required`);
        }
    }
    for (const [key, item] of Object.entries(value)) {
        const property = schema.properties?.[key];
        if (property !== undefined) {
            problems.push(...schemaProblems(item, property, `${path}.${key}`));
        } else if (schema.additionalProperties !== undefined) {
            problems.push(...schemaProblems(item, schema.additionalProperties, `${path}.${key}`));
        }
    }
    return problems;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasType(value: unknown, type: string): boolean {
    switch (type) {
        case "integer":
            return Number.isInteger(value);
        case "number":
            return typeof value === "number";
        case "string":
            return typeof value === "string";
        case "boolean":
            return typeof value === "boolean";
        case "array":
            return Array.isArray(value);
        case "object":
            return isObject(value);
        case "null":
            return value === null;
        default:
            return false;
    }
}

function describe(value: unknown): string {
    if (value === null) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "array";
    }
    return Number.isInteger(value) ? "integer" : typeof value;
}
