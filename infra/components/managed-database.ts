import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";

export interface ManagedDatabaseArgs {
  // The cluster's name in the account, unique per account.
  clusterName: string;
  region: string;
  // The PostgreSQL major version, such as "17".
  version: string;
  size: string;
  nodeCount: number;
  // The database and the user the service connects with, named after configuration/.
  databaseName: string;
  userName: string;
  // true stops `pulumi destroy` from deleting the cluster or the database.
  protect: boolean;
}

// A DigitalOcean managed PostgreSQL cluster with the service's database and its own user (not
// the cluster's admin).
export class ManagedDatabase extends pulumi.ComponentResource {
  readonly clusterId: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;
  readonly clusterUrn: pulumi.Output<string>;
  readonly databaseName: pulumi.Output<string>;
  readonly userName: pulumi.Output<string>;

  constructor(name: string, args: ManagedDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("zero2prod:index:ManagedDatabase", name, {}, opts);

    const cluster = this.createCluster(name, args);
    const user = this.createUser(name, args, cluster);
    const database = this.createDatabase(name, args, cluster, user);

    this.clusterId = cluster.id;
    this.clusterName = cluster.name;
    this.clusterUrn = cluster.clusterUrn;
    this.databaseName = database.name;
    this.userName = user.name;
    this.registerOutputs({
      clusterId: this.clusterId,
      clusterName: this.clusterName,
      clusterUrn: this.clusterUrn,
      databaseName: this.databaseName,
      userName: this.userName,
    });
  }

  private createCluster(name: string, args: ManagedDatabaseArgs): digitalocean.DatabaseCluster {
    return new digitalocean.DatabaseCluster(
      `${name}-cluster`,
      {
        name: args.clusterName,
        engine: "pg",
        version: args.version,
        size: args.size,
        nodeCount: args.nodeCount,
        region: args.region,
      },
      { parent: this, protect: args.protect },
    );
  }

  // Deleting the database drops its tables, so it is protected like the cluster. It depends on
  // the user so that a destroy removes it first: PostgreSQL refuses to drop a role that still
  // has grants in a database.
  private createDatabase(
    name: string,
    args: ManagedDatabaseArgs,
    cluster: digitalocean.DatabaseCluster,
    user: digitalocean.DatabaseUser,
  ): digitalocean.DatabaseDb {
    return new digitalocean.DatabaseDb(
      `${name}-database`,
      { clusterId: cluster.id, name: args.databaseName },
      { parent: this, protect: args.protect, dependsOn: [user] },
    );
  }

  // The user contains no data, so it stays deletable. DigitalOcean gives a new user minimal
  // rights: the migration job, which connects as the cluster's admin, grants it read and write
  // access to the tables and nothing else.
  private createUser(name: string, args: ManagedDatabaseArgs, cluster: digitalocean.DatabaseCluster): digitalocean.DatabaseUser {
    return new digitalocean.DatabaseUser(`${name}-user`, { clusterId: cluster.id, name: args.userName }, { parent: this });
  }
}
