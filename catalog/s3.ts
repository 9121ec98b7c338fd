/**
 * S3 policy statements as plain data, free of SDK imports: any bucket the project writes a policy
 * for (the stacks' media buckets, the bootstrap's state bucket) refuses requests without TLS the
 * same way. Generic over the ARN's type, so a caller passes strings or its SDK's Outputs.
 */

/** The statement refusing every request to a bucket and its objects that does not arrive over TLS. */
export function denyInsecureTransport<Arn>(bucketArn: Arn, objectsArn: Arn) {
    return {
        Sid: "DenyInsecureTransport",
        Effect: "Deny" as const,
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, objectsArn],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}

/** A bucket's public access block with all four of S3's switches on: no ACL or policy can make it public. */
export const blockAllPublicAccess = {
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
} as const;
