/**
 * The Elastic Load Balancing account of each Region that opened before August 2022, which writes
 * ALB access logs there: a log bucket's policy must let this account put objects (ELB User Guide,
 * "Enable access logs for your Application Load Balancer", step 2, "Regions available before
 * August 2022"). Regions opened since are written by the service principal
 * `logdelivery.elasticloadbalancing.amazonaws.com` instead. Only the Regions the stacks use are
 * listed: any other region gets the service principal, so add a legacy Region here before using it.
 */
export const legacyElbLogAccounts: Readonly<Record<string, string>> = {
    "eu-central-1": "054676820928",
    "eu-west-1": "156460612806",
};
