import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AwsDataArgs } from "../types";
import { createServiceSecurityGroup } from "./security-group";
import { awsTimeouts } from "../../aws/timeouts";
import { awsManagedPolicy } from "../../aws/arn";
import { createServiceRole } from "../../aws/iam";
import { rdsCaCertIdentifier } from "../../../catalog/rds";

/** The master user RDS keeps the password of (in Secrets Manager); only the database-role Job logs in as it. */
export const masterUser = "saleor";
export const databaseName = "saleor";
const port = 5432;

// UTC. Backups run before the seed's 02:00-04:00 (Central European) deployment window; maintenance
// follows it on Sunday, the quietest night, and never overlaps the backup window.
const backupWindow = "22:30-23:30";
const maintenanceWindow = "sun:03:00-sun:04:00";

/** The PostgreSQL side of one region's data tier. */
export interface Database {
    /** The writer; the primary region only. */
    readonly writer?: aws.rds.Instance;
    /** A secondary's cross-region read replica of the writer: the instance promoted on failover. */
    readonly standby?: aws.rds.Instance;
    /** An in-region read replica beside the writer (primary with `inRegionReplica`). */
    readonly reader?: aws.rds.Instance;
    /** The secret RDS keeps the writer's master credentials in (`masterUserSecrets[0].secretArn`); the primary only. */
    readonly masterSecretArn?: pulumi.Output<string>;
    /** DATABASE_URL, secret. */
    readonly writerUrl: pulumi.Output<string>;
    /** DATABASE_URL_REPLICA (the writer where this region has no replica), secret. */
    readonly replicaUrl: pulumi.Output<string>;
}

/**
 * PostgreSQL major version from "16" or "16.4" (RDS parameter group families are per major);
 * undefined when malformed or older than 15: Django 5.2 (Saleor 3.2x) needs 14+, and Saleor's own
 * CI and compose run 15.
 */
export function postgresMajor(engineVersion: string): number | undefined {
    const major = Number(/^(\d+)(\.\d+)?$/.exec(engineVersion)?.[1]);
    return Number.isInteger(major) && major >= 15 ? major : undefined;
}

/** The role Saleor connects as (created by Core's database-role Job): never the master user. */
export const appRole = "saleor_app";

/** Where every Core pod mounts the RDS CA bundle (the data tier's `rds-ca` ConfigMap, key `bundle.pem`). */
export const rdsCaMountPath = "/etc/rds-ca";
export const rdsCaBundleFile = `${rdsCaMountPath}/bundle.pem`;

/**
 * A libpq URL Saleor reads as DATABASE_URL / DATABASE_URL_REPLICA, as `saleor_app`; secret, as it
 * holds the password. `verify-full` checks the chain against the mounted RDS root CAs and the host
 * name against the certificate (PostgreSQL docs, libpq "SSL Support", table "SSL Mode
 * Descriptions"); RDS server certificates name the instance's endpoint (Amazon RDS User Guide,
 * "Using SSL/TLS to encrypt a connection to a DB instance or cluster"). rds.force_ssl refuses
 * anything but TLS besides. Saleor reads the URL with dj-database-url, which passes every query
 * parameter into the connection's OPTIONS (dj_database_url/__init__.py, "Pass the query string into
 * OPTIONS"), and Django's PostgreSQL backend hands OPTIONS to the driver's connect: libpq gets
 * `sslmode` and `sslrootcert` as they are. `rootCert` names another CA file for a server that is
 * not RDS (the connection pooler, whose certificate its own CA signs). Default: the RDS roots.
 */
export function postgresUrl(
    password: pulumi.Input<string>,
    host: pulumi.Input<string>,
    rootCert: string = rdsCaBundleFile,
): pulumi.Output<string> {
    return pulumi.secret(
        pulumi.interpolate`postgres://${appRole}:${password}@${host}:${port}/${databaseName}?sslmode=verify-full&sslrootcert=${rootCert}`,
    );
}

/** Logical names of a region's instances: the same in either role, so a role swap renames nothing. */
export const instanceNames = (name: string) => ({
    writer: `${name}-postgres-writer`,
    standby: `${name}-postgres-standby`,
    reader: `${name}-postgres-reader`,
});

/**
 * The primary region gets the writer (and, when asked, a reader beside it); a secondary gets a
 * standby, a cross-region read replica of the writer, and its Core writes across regions.
 *
 * Failover is a change of roles in config, and everything here is named by region, not role, so
 * that it is one: the new primary's writer carries an alias to its own standby, so the engine
 * updates that instance in place, and dropping `replicateSourceDb` promotes it ("Removing the
 * replicateSourceDb attribute from an existing RDS Replicate database managed by the provider will
 * promote the database to a fully standalone database": the aws.rds.Instance docs). The fields the
 * writer declares besides that (engine, dbName, username, storage encryption, key) are what a
 * replica of this program's writer already has; the provider promotes before it modifies anything
 * else (see the writer's alias). Saleor's role `saleor_app` and its password live in the database
 * and the stack-wide secret, so the promoted standby already has both. The old writer, gone from
 * the program, is retained in AWS in production (`retainOnDelete`), never deleted by a failover:
 * it holds the writes the standby had not yet received.
 */
export function createDatabase(name: string, args: AwsDataArgs, key: aws.kms.Key, parent: pulumi.Resource): Database {
    const pg = args.postgres;
    const opts: pulumi.CustomResourceOptions = { parent };
    const major = postgresMajor(pg.engineVersion)!;
    const names = instanceNames(name);
    const password = pulumi.secret(args.appPassword);

    const subnetGroup = new aws.rds.SubnetGroup(
        `${name}-postgres`,
        {
            description: "Saleor PostgreSQL: private subnets only",
            subnetIds: args.network.privateSubnetIds,
            tags: args.tags,
        },
        opts,
    );
    const parameterGroup = new aws.rds.ParameterGroup(
        `${name}-postgres`,
        {
            // Auto-named, so a major upgrade (new family) creates the new group before dropping the old.
            family: `postgres${major}`,
            description: `Saleor PostgreSQL ${major}: TLS only, slow-query log`,
            parameters: [
                { name: "rds.force_ssl", value: "1" },
                // Statements slower than a second reach the exported postgresql log (the seed's p95 target is 200 ms).
                { name: "log_min_duration_statement", value: "1000" },
            ],
            tags: args.tags,
        },
        opts,
    );

    // Enhanced Monitoring: OS metrics (CPU per process, memory, file system, disk I/O) every 60 s
    // into CloudWatch Logs (RDSOSMetrics), through a role RDS assumes with the AWS-managed
    // AmazonRDSEnhancedMonitoringRole policy (Amazon RDS User Guide, "Setting up and enabling
    // Enhanced Monitoring": principal monitoring.rds.amazonaws.com). 60 s is the coarsest interval
    // below the CloudWatch default and the cheapest that still shows a minute-long spike.
    const monitoring = createServiceRole(
        `${name}-postgres-monitoring`,
        {
            service: "monitoring.rds.amazonaws.com",
            managedPolicyArns: [awsManagedPolicy(args.region, "service-role/AmazonRDSEnhancedMonitoringRole")],
            tags: args.tags,
            permissionsBoundary: args.permissionsBoundaryArn,
        },
        parent,
    );

    const instance = (
        logicalName: string,
        securityGroup: aws.ec2.SecurityGroup,
        specific: Partial<aws.rds.InstanceArgs>,
        extraOpts: pulumi.CustomResourceOptions = {},
    ) =>
        new aws.rds.Instance(
            logicalName,
            {
                instanceClass: pg.instanceClass,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: key.arn,
                maxAllocatedStorage: pg.maxAllocatedStorageGiB,
                publiclyAccessible: false,
                vpcSecurityGroupIds: [securityGroup.id],
                parameterGroupName: parameterGroup.name,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: key.arn,
                // The free tier of Performance Insights.
                performanceInsightsRetentionPeriod: 7,
                monitoringInterval: 60,
                monitoringRoleArn: monitoring.role.arn,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                autoMinorVersionUpgrade: true,
                caCertIdentifier: rdsCaCertIdentifier,
                // Production changes wait for the maintenance window instead of restarting the database mid-day.
                applyImmediately: !args.protect,
                maintenanceWindow,
                deletionProtection: pg.deletionProtection,
                copyTagsToSnapshot: true,
                dbSubnetGroupName: subnetGroup.name,
                tags: args.tags,
                ...specific,
            },
            {
                parent,
                protect: args.protect,
                customTimeouts: awsTimeouts.rdsInstance,
                ...extraOpts,
                // RDS refuses a monitoring role it cannot yet use.
                dependsOn: monitoring.permissions,
            },
        );

    // The writer's and the standby's group: the nodes and every peer region (`peerCidrs`). The same
    // group in either role, so a promoted standby is reachable from the other region at once.
    const mainGroup = createServiceSecurityGroup(
        `${name}-postgres`,
        {
            vpcId: args.network.vpcId,
            description: `Saleor PostgreSQL: ${port} from the nodes${args.peerCidrs?.length ? " and peer regions" : ""}`,
            port,
            nodeSecurityGroupId: args.network.nodeSecurityGroupId,
            peerCidrs: args.peerCidrs,
            tags: args.tags,
        },
        parent,
    );

    // A read replica of the writer with ARN `source`, encrypted with this region's key in this
    // region's subnets (AWS wants the source's ARN when the subnet group is given, and always across regions).
    const replicaSettings = (source: pulumi.Input<string>): Partial<aws.rds.InstanceArgs> => ({
        replicateSourceDb: source,
        // RDS takes no final snapshot of a read replica.
        skipFinalSnapshot: true,
    });

    if (args.role === "secondary") {
        const primary = args.primary!;
        const standby = instance(names.standby, mainGroup, {
            ...replicaSettings(primary.writerArn),
            // Promoted, this instance is the writer: it must already be highly available and have
            // backups of its own (a cross-region replica of it needs them too).
            multiAz: pg.multiAz,
            backupRetentionPeriod: pg.backupRetentionDays,
            backupWindow,
        });
        return { standby, writerUrl: primary.writerUrl, replicaUrl: postgresUrl(password, standby.address) };
    }

    const writer = instance(
        names.writer,
        mainGroup,
        {
            engine: "postgres",
            // A major version alone ("16") lets automatic minor upgrades proceed without a diff.
            engineVersion: pg.engineVersion,
            username: masterUser,
            // RDS generates the master password and keeps it in Secrets Manager, encrypted with this
            // region's data key, and rotates it (every 7 days by default). r/db_instance
            // (website/docs/r/db_instance.html.markdown, "Managed Master Passwords via Secrets
            // Manager, specific KMS Key"): `manage_master_user_password` cannot be set with
            // `password`, and an existing instance moves to it in place by setting it and removing
            // `password` ("removal is required"); the provider sends it in ModifyDBInstance
            // (dbInstancePopulateModify: ManageMasterUserPassword, MasterUserSecretKmsKeyId). RDS then
            // sets a new master password of its own: the one the stack generated before stops
            // working (Amazon RDS User Guide, "Password management with Amazon RDS and AWS Secrets
            // Manager"; not verified against a live instance here). Nothing but the database-role
            // Job uses the master user, and it reads the secret through External Secrets.
            manageMasterUserPassword: true,
            masterUserSecretKmsKeyId: key.arn,
            dbName: databaseName,
            port,
            allocatedStorage: pg.allocatedStorageGiB,
            multiAz: pg.multiAz,
            // Automated backups: a daily snapshot plus transaction logs, restorable to any second of the retention period.
            backupRetentionPeriod: pg.backupRetentionDays,
            backupWindow,
            skipFinalSnapshot: !args.protect,
            finalSnapshotIdentifier: args.protect ? finalSnapshotName(name) : undefined,
            // A deleted production database keeps its automated backups until they expire.
            deleteAutomatedBackups: !args.protect,
        },
        {
            // Failover: this region's standby becomes the writer in place (see above).
            //
            // The order the provider applies a swap in, read in hashicorp/terraform-provider-aws
            // internal/service/rds/instance.go, resourceInstanceUpdate (the v5/v6 SDK-v2 form; the
            // exact upstream tag @pulumi/aws 7.48.0 bridges could not be mapped offline: its
            // provider/go.mod replaces the module with the ../upstream submodule, whose commit the
            // stored sources do not show, so the newest stored version was read). First, in its own
            // request at the top of the function, `if d.HasChange("replicate_source_db")` with the
            // new value empty: PromoteReadReplica with only BackupRetentionPeriod and
            // PreferredBackupWindow, then waitDBInstanceAvailable. Only after that, when anything else
            // changed (HasChangesExcept replicate_source_db, tags, final snapshot, ...), one
            // ModifyDBInstance of the now standalone instance built by dbInstancePopulateModify:
            // every changed field (here manage_master_user_password, master_user_secret_kms_key_id,
            // allocated storage, instance class, ...) plus DeletionProtection, always sent. So a
            // promotion never asks RDS to modify a replica. Besides, the writer declares no password:
            // RDS takes over the master password only once the instance is a writer, in that second
            // request, and nothing in the swap depends on a password RDS may not yet accept.
            aliases: [{ name: names.standby }],
            // Taken out of the program (failover to the other region), the instance stays in AWS.
            retainOnDelete: args.protect,
        },
    );
    const writerUrl = postgresUrl(password, writer.address);
    const masterSecretArn = writer.masterUserSecrets.apply((secrets) => secrets?.[0]?.secretArn);

    const reader = pg.inRegionReplica
        ? instance(
              names.reader,
              createServiceSecurityGroup(
                  `${name}-postgres-reader`,
                  {
                      vpcId: args.network.vpcId,
                      description: `Saleor PostgreSQL reader: ${port} from the nodes`,
                      port,
                      nodeSecurityGroupId: args.network.nodeSecurityGroupId,
                      tags: args.tags,
                  },
                  parent,
              ),
              replicaSettings(writer.arn),
          )
        : undefined;
    return { writer, reader, masterSecretArn, writerUrl, replicaUrl: reader ? postgresUrl(password, reader.address) : writerUrl };
}

/** Snapshot identifiers are unique per account and region, so the stack is part of the name. */
function finalSnapshotName(name: string): string {
    const raw = `final-${pulumi.getStack()}-${name}-postgres`.toLowerCase();
    return raw
        .replace(/[^a-z0-9-]/g, "-")
        .replace(/-+/g, "-")
        .replace(/-$/, "");
}
