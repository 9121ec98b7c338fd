import { resourceRule } from "../../lib/define";
import { known, whenKnown } from "../../lib/unknown";
import { aws } from "../types";

export const kmsKeyRotation = resourceRule({
    name: "aws-kms-key-rotation-enabled",
    description: "Symmetric KMS keys must rotate their key material automatically every year.",
    enforcementLevel: "mandatory",
    category: "security",
    type: aws.kms.Key,
    validate: (key, { args, report }) => {
        const spec = known(() => key.customerMasterKeySpec);
        const usage = known(() => key.keyUsage);
        // KMS rotates only symmetric encryption keys; asymmetric and HMAC keys cannot rotate.
        if ((typeof spec === "string" && spec !== "SYMMETRIC_DEFAULT") || (typeof usage === "string" && usage !== "ENCRYPT_DECRYPT")) {
            args.notApplicable("automatic rotation exists only for symmetric encryption keys");
        }
        whenKnown(
            () => key.enableKeyRotation,
            (rotates) => {
                if (rotates !== true) {
                    report(`KMS key "${args.name}" never rotates; set enableKeyRotation: true.`);
                }
            },
        );
    },
});
