import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyInsecureTransport as tlsOnly } from "../../catalog/s3";

// IAM documents and roles every AWS part of the program builds (cluster, data tier, edge, alarms):
// one place, free of any component's imports, so none of them reaches into another for them.

export interface PolicyStatement {
    readonly Sid: string;
    readonly Effect: "Allow" | "Deny";
    readonly Action: string | string[];
    readonly Resource: pulumi.Input<string> | pulumi.Input<string>[];
    readonly Principal?: unknown;
    readonly Condition?: unknown;
}

/** A policy document as JSON; statements may hold Outputs (ARNs). */
export function policyDocument(statements: PolicyStatement[]): pulumi.Output<string> {
    return pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements });
}

/**
 * The statement refusing every request to `bucketArn` that does not arrive over TLS. A bucket has
 * one policy: whoever writes it (the data tier, or MediaCdn once it takes the policy over) keeps this.
 */
export function denyInsecureTransport(bucketArn: pulumi.Input<string>): PolicyStatement {
    return tlsOnly(bucketArn, pulumi.interpolate`${bucketArn}/*`);
}

/**
 * Who may make the service assume the role on whose behalf (the confused-deputy guard). AWS's page
 * "The confused deputy problem" (IAM User Guide) recommends `aws:SourceAccount` and `aws:SourceArn`
 * in the trust policy of every role a service assumes, so a service acting for another account's
 * resource is refused.
 */
export interface TrustSource {
    /**
     * The resource the service acts for (`aws:SourceArn`, matched with ArnLike). Default: none,
     * only the account is checked.
     */
    readonly arn?: pulumi.Input<string>;
    /**
     * "required" where AWS documents that the service sends the source keys when it assumes the
     * role (the condition then refuses a request without them). "if-present" where that is not
     * documented: `...IfExists` refuses a request naming another account's resource and cannot lock
     * the service out if it sends no key. Default: "if-present".
     */
    readonly keys?: "required" | "if-present";
}

/** An IAM role that one AWS service principal may assume, with managed and/or inline permissions. */
export interface ServiceRoleArgs {
    /** Service principal trusted to assume the role, e.g. "eks.amazonaws.com". */
    readonly service: string;
    /** Actions the principal may call on the role. Default: ["sts:AssumeRole"]. */
    readonly assumeActions?: string[];
    /** The confused-deputy guard: the account always, the source resource where given. Default: { keys: "if-present" }. */
    readonly source?: TrustSource;
    /**
     * Further conditions of the trust statement, by operator (e.g. Pod Identity's session tags).
     * Default: none.
     */
    readonly conditions?: Record<string, Record<string, pulumi.Input<string | string[]>>>;
    /** AWS- or customer-managed policies attached to the role. Default: none. */
    readonly managedPolicyArns?: pulumi.Input<string>[];
    /** An inline policy document (JSON). Default: none. */
    readonly policyJson?: pulumi.Input<string>;
    /** Tags on the role. Default: none. */
    readonly tags?: Record<string, string>;
    /**
     * The managed policy capping what the role can do, whatever is attached to it: the stack's
     * workload boundary (the bootstrap's). Required: the deploy role may create no role without it.
     */
    readonly permissionsBoundary: pulumi.Input<string>;
}

export interface ServiceRole {
    readonly role: aws.iam.Role;
    /** The attachments and inline policy: depend on these to know the role can already do its job. */
    readonly permissions: pulumi.Resource[];
}

/** The account the AWS provider of `parent` deploys into. */
export function accountOf(parent: pulumi.Resource): pulumi.Output<string> {
    return aws.getCallerIdentityOutput({}, { parent }).accountId;
}

/**
 * The trust policy of a role `service` assumes: the service principal, conditioned on this account
 * (`aws:SourceAccount`) and, where given, the source resource (`aws:SourceArn`).
 */
export function serviceTrustPolicy(
    account: pulumi.Input<string>,
    args: Pick<ServiceRoleArgs, "service" | "assumeActions" | "source" | "conditions">,
): pulumi.Output<string> {
    const ifExists = (args.source?.keys ?? "if-present") === "if-present" ? "IfExists" : "";
    const conditions: Record<string, Record<string, pulumi.Input<string | string[]>>> = { ...args.conditions };
    const add = (operator: string, key: string, value: pulumi.Input<string>) => {
        conditions[operator] = { ...conditions[operator], [key]: value };
    };
    add(`StringEquals${ifExists}`, "aws:SourceAccount", account);
    if (args.source?.arn !== undefined) add(`ArnLike${ifExists}`, "aws:SourceArn", args.source.arn);
    return pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: args.service },
                Action: args.assumeActions ?? ["sts:AssumeRole"],
                Condition: conditions,
            },
        ],
    });
}

/**
 * A role trusted by one service principal. AWS resources inherit their provider from `parent`, so
 * the role is created through whatever AWS provider the calling component was given.
 */
export function createServiceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): ServiceRole {
    const role = new aws.iam.Role(
        name,
        {
            assumeRolePolicy: serviceTrustPolicy(accountOf(parent), args),
            // Set in place on an existing role: the provider's permissions_boundary is not ForceNew
            // and an update calls PutRolePermissionsBoundary (terraform-provider-aws
            // internal/service/iam/role.go, resourceRoleUpdate), so adding it replaces nothing.
            permissionsBoundary: args.permissionsBoundary,
            tags: args.tags,
        },
        { parent },
    );

    const permissions: pulumi.Resource[] = (args.managedPolicyArns ?? []).map(
        (policyArn, i) =>
            new aws.iam.RolePolicyAttachment(
                `${name}-${typeof policyArn === "string" ? policyArn.split("/").pop() : `policy-${i}`}`,
                {
                    role: role.name,
                    policyArn,
                },
                { parent },
            ),
    );
    if (args.policyJson !== undefined) {
        permissions.push(new aws.iam.RolePolicy(`${name}-inline`, { role: role.id, policy: args.policyJson }, { parent }));
    }
    return { role, permissions };
}
