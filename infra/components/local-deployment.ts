import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Settings } from "../../app/src/configuration/settings.ts";
import type { ImageSettings } from "../config.ts";
import { loadServiceSettings } from "../service-settings.ts";
import { ServiceImage } from "./service-image.ts";

export interface LocalDeploymentArgs {
  image: ImageSettings;
  // The build context: the repository root, as an absolute path.
  context: string;
  imageTag: string;
}

// The PostgreSQL container's alias on the deployment's network: the service's database host.
export const postgresAlias = "postgres";
export const postgresImageName = "postgres:17";

// The password used while the settings are checked. The containers get the generated one.
const passwordStandIn = "password-stand-in";

// The service and PostgreSQL 17 on the local Docker engine, on a network of their own. The
// migration container runs to completion before the service starts.
export class LocalDeployment extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: LocalDeploymentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("zero2prod:index:LocalDeployment", name, {}, opts);

    const settings = loadServiceSettings("local", serviceVariables(passwordStandIn));
    const network = new docker.Network(`${name}-network`, { name: `${name}-network`, driver: "bridge" }, { parent: this });
    const password = new random.RandomPassword(`${name}-postgres-password`, { length: 32, special: false }, { parent: this });
    const postgres = this.createPostgres(name, settings, network, password.result);
    const image = new ServiceImage(
      `${name}-image`,
      {
        context: args.context,
        repository: pulumi.getProject(),
        tag: args.imageTag,
        push: false,
        nodeImage: args.image.nodeImage,
        runtimeImage: args.image.runtimeImage,
        npmCaFile: args.image.npmCaFile,
      },
      { parent: this },
    );
    const imageId = this.readImageId(name, image);
    const envs = pulumi.all(serviceVariables(password.result)).apply(toEnvironmentList);
    const migration = this.createMigration(name, imageId, envs, network, postgres);
    const service = this.createService(name, settings, imageId, envs, network, migration);

    // Waits for the service container, so the URL appears once the service is healthy.
    this.url = service.id.apply(() => `http://127.0.0.1:${settings.application.port}`);
    this.registerOutputs({ url: this.url });
  }

  private createPostgres(
    name: string,
    settings: Settings,
    network: docker.Network,
    password: pulumi.Output<string>,
  ): docker.Container {
    const { username, database_name: databaseName, port } = settings.database;
    const image = new docker.RemoteImage(`${name}-postgres-image`, { name: postgresImageName, keepLocally: true }, { parent: this });
    const volume = new docker.Volume(`${name}-postgres-data`, { name: `${name}-postgres-data` }, { parent: this });

    return new docker.Container(
      `${name}-postgres`,
      {
        name: `${name}-postgres`,
        image: image.imageId,
        // PGPORT moves the server to the port configuration/ names.
        envs: pulumi
          .all({ POSTGRES_USER: username, POSTGRES_PASSWORD: password, POSTGRES_DB: databaseName, PGPORT: String(port) })
          .apply(toEnvironmentList),
        networksAdvanced: [{ name: network.name, aliases: [postgresAlias] }],
        volumes: [{ volumeName: volume.name, containerPath: "/var/lib/postgresql/data" }],
        // Checking over TCP skips the socket-only server the image runs while it initialises.
        healthcheck: {
          tests: ["CMD", "pg_isready", "-h", "127.0.0.1", "-p", String(port), "-U", username, "-d", databaseName],
          interval: "1s",
          timeout: "5s",
          retries: 60,
          startPeriod: "2s",
        },
        wait: true,
        waitTimeout: 120,
        restart: "unless-stopped",
      },
      { parent: this },
    );
  }

  // Returns the built image's id. Containers need it rather than the tag, because the Docker
  // provider reads a container's image back as an id and would otherwise replace them on every
  // update. A new build (new digest or context) replaces this resource, and with it the containers.
  // NOTE: docker-build documents digest as empty for an image that is not exported, and whether
  // `load` counts as an export was not checked here, so contextHash is a trigger too.
  private readImageId(name: string, image: ServiceImage): pulumi.Output<string> {
    const localImage = new docker.RemoteImage(
      `${name}-image-id`,
      { name: image.taggedName, keepLocally: true, triggers: { digest: image.digest, contextHash: image.contextHash } },
      // The provider pulls an image it cannot find locally, so it must wait for the build.
      { parent: this, dependsOn: [image] },
    );
    return localImage.imageId;
  }

  // The container exits when the migrations are done. The provider waits for it (attach) but
  // does not fail on its exit code, so createService checks the code.
  private createMigration(
    name: string,
    imageId: pulumi.Output<string>,
    envs: pulumi.Output<string[]>,
    network: docker.Network,
    postgres: docker.Container,
  ): docker.Container {
    return new docker.Container(
      `${name}-migrate`,
      {
        name: `${name}-migrate`,
        image: imageId,
        command: ["node", "dist/migrate.js"],
        envs,
        networksAdvanced: [{ name: network.name }],
        attach: true,
        mustRun: false,
      },
      { parent: this, dependsOn: [postgres] },
    );
  }

  private createService(
    name: string,
    settings: Settings,
    imageId: pulumi.Output<string>,
    envs: pulumi.Output<string[]>,
    network: docker.Network,
    migration: docker.Container,
  ): docker.Container {
    const { port, health_check_path: healthCheckPath } = settings.application;
    // The service's inputs wait on this value, so a failed migration stops the update before
    // the service starts.
    const migrationResult = pulumi.all([migration.exitCode, migration.urn]).apply(([exitCode, urn]) => {
      if (exitCode !== 0) {
        throw new pulumi.ResourceError(
          `The migration container ${name}-migrate exited with code ${exitCode}: read \`docker logs ${name}-migrate\`, fix the cause, then run it again with \`pulumi up --replace '${urn}'\`.`,
          migration,
        );
      }
      return "succeeded";
    });
    const probe = `fetch("http://127.0.0.1:${port}${healthCheckPath}").then((response) => process.exit(response.ok ? 0 : 1), () => process.exit(1))`;

    return new docker.Container(
      `${name}-app`,
      {
        name: `${name}-app`,
        image: imageId,
        envs,
        networksAdvanced: [{ name: network.name }],
        ports: [{ internal: port, external: port, ip: "127.0.0.1" }],
        labels: [{ label: "zero2prod.migration", value: migrationResult }],
        healthcheck: { tests: ["CMD", "node", "-e", probe], interval: "2s", timeout: "3s", retries: 30 },
        wait: true,
        waitTimeout: 90,
        restart: "unless-stopped",
      },
      { parent: this, dependsOn: [migration] },
    );
  }
}

// The APP_ variables the containers get. APP_APPLICATION__HOST=0.0.0.0 listens on every interface of the container.
function serviceVariables<T>(password: T): Record<string, string | T> {
  return {
    APP_ENVIRONMENT: "local",
    APP_APPLICATION__HOST: "0.0.0.0",
    APP_DATABASE__HOST: postgresAlias,
    APP_DATABASE__PASSWORD: password,
  };
}

function toEnvironmentList(variables: Record<string, string>): string[] {
  return Object.entries(variables).map(([key, value]) => `${key}=${value}`);
}
