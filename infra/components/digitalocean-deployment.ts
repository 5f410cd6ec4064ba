import * as digitalocean from "@pulumi/digitalocean";
import * as pulumi from "@pulumi/pulumi";
import { DatabaseSettings, type Settings } from "../../app/src/configuration/settings.ts";
import { buildAppSpec, migrationJobVariables, standInVariables } from "../app-spec.ts";
import type { DigitalOceanStackSettings } from "../config.ts";
import { loadServiceSettings } from "../service-settings.ts";
import { ContainerRegistry } from "./container-registry.ts";
import { ManagedDatabase } from "./managed-database.ts";
import { ServiceImage } from "./service-image.ts";

export interface DigitalOceanDeploymentArgs {
  stack: DigitalOceanStackSettings;
  // The build context: the repository root, as an absolute path.
  context: string;
  imageTag: string;
}

// The service on App Platform, deployed by image digest from the account's registry, with a
// managed PostgreSQL cluster that only the app may reach, grouped in a DigitalOcean project.
export class DigitalOceanDeployment extends pulumi.ComponentResource {
  // The app's live URL: the custom domain when one is set.
  readonly url: pulumi.Output<string>;
  // The pushed image as <name>:<tag>@<digest>.
  readonly imageRef: pulumi.Output<string>;
  readonly clusterName: pulumi.Output<string>;

  constructor(name: string, args: DigitalOceanDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("zero2prod:index:DigitalOceanDeployment", name, {}, opts);

    const { stack } = args;
    const settings = loadServiceSettings("production", standInVariables());
    loadServiceSettings("production", standInVariables(migrationJobVariables));
    checkGrantableUser(settings.database.username);
    const repository = pulumi.getProject();
    const registry = new ContainerRegistry(
      `${name}-registry`,
      { registryName: stack.registryName, create: stack.createRegistry, region: stack.region, tier: stack.registryTier },
      { parent: this },
    );
    const image = new ServiceImage(
      `${name}-image`,
      {
        context: args.context,
        repository: pulumi.interpolate`${registry.endpoint}/${repository}`,
        tag: args.imageTag,
        push: true,
        registry: registry.login,
        nodeImage: stack.nodeImage,
        runtimeImage: stack.runtimeImage,
        npmCaFile: stack.npmCaFile,
      },
      { parent: this },
    );
    const database = new ManagedDatabase(
      `${name}-database`,
      {
        clusterName: `${name}-db`,
        region: stack.region,
        version: stack.databaseVersion,
        size: stack.databaseSize,
        nodeCount: stack.databaseNodeCount,
        databaseName: settings.database.database_name,
        userName: settings.database.username,
        protect: stack.protect,
      },
      { parent: this },
    );
    const app = this.createApp(name, stack, settings, repository, image, database);
    this.createFirewall(name, database, app);
    this.createProject(name, database, app);

    this.url = app.liveUrl;
    this.imageRef = image.ref;
    this.clusterName = database.clusterName;
    this.registerOutputs({ url: this.url, imageRef: this.imageRef, clusterName: this.clusterName });
  }

  private createApp(
    name: string,
    stack: DigitalOceanStackSettings,
    settings: Settings,
    repository: string,
    image: ServiceImage,
    database: ManagedDatabase,
  ): digitalocean.App {
    const spec = buildAppSpec({
      name,
      // App Platform names regions without the datacenter number: fra1 is fra.
      region: stack.region.replace(/\d+$/, ""),
      repository,
      digest: image.digest,
      httpPort: settings.application.port,
      healthCheckPath: settings.application.health_check_path,
      instanceSize: stack.appInstanceSize,
      instanceCount: stack.appInstanceCount,
      clusterName: database.clusterName,
      databaseName: database.databaseName,
      databaseUser: database.userName,
      domain: stack.domain,
    });
    return new digitalocean.App(`${name}-app`, { spec }, { parent: this });
  }

  // Only the app (its service and its jobs) may connect to the cluster.
  private createFirewall(name: string, database: ManagedDatabase, app: digitalocean.App): digitalocean.DatabaseFirewall {
    return new digitalocean.DatabaseFirewall(
      `${name}-database-firewall`,
      { clusterId: database.clusterId, rules: [{ type: "app", value: app.id }] },
      { parent: this },
    );
  }

  private createProject(name: string, database: ManagedDatabase, app: digitalocean.App): digitalocean.Project {
    return new digitalocean.Project(
      `${name}-project`,
      {
        name,
        description: `The zero2prod newsletter API, Pulumi stack ${pulumi.getStack()}`,
        purpose: "Web Application",
        resources: [database.clusterUrn, app.appUrn],
      },
      { parent: this },
    );
  }
}

// The migration job grants rights to the user that App Platform binds as ${db.USERNAME}: the
// DatabaseUser, named after database.username. Checked here, so that `pulumi preview` reports
// a name the job would reject rather than the first deployment.
function checkGrantableUser(username: string): void {
  const result = DatabaseSettings.shape.application_role.safeParse(username);
  if (!result.success) {
    const reason = result.error.issues.map((issue) => issue.message).join("; ");
    throw new pulumi.RunError(
      `database.username is "${username}", which the migration job cannot grant access to as database.application_role: it ${reason}. Choose another user name in configuration/base.yaml or configuration/production.yaml.`,
    );
  }
}
