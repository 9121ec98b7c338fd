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

/** An IAM role that one AWS service principal may assume, with managed and/or inline permissions. */
export interface ServiceRoleArgs {
    /** Service principal trusted to assume the role, e.g. "eks.amazonaws.com". */
    readonly service: string;
    /** Actions the principal may call on the role. Default: ["sts:AssumeRole"]. */
    readonly assumeActions?: string[];
    /** AWS- or customer-managed policies attached to the role. Default: none. */
    readonly managedPolicyArns?: pulumi.Input<string>[];
    /** An inline policy document (JSON). Default: none. */
    readonly policyJson?: pulumi.Input<string>;
    /** Tags on the role. Default: none. */
    readonly tags?: Record<string, string>;
}

export interface ServiceRole {
    readonly role: aws.iam.Role;
    /** The attachments and inline policy: depend on these to know the role can already do its job. */
    readonly permissions: pulumi.Resource[];
}

/**
 * A role trusted by one service principal. AWS resources inherit their provider from `parent`, so
 * the role is created through whatever AWS provider the calling component was given.
 */
export function createServiceRole(name: string, args: ServiceRoleArgs, parent: pulumi.Resource): ServiceRole {
    const role = new aws.iam.Role(
        name,
        {
            assumeRolePolicy: JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    {
                        Effect: "Allow",
                        Principal: { Service: args.service },
                        Action: args.assumeActions ?? ["sts:AssumeRole"],
                    },
                ],
            }),
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
