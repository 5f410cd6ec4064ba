import type { DatabaseSpec, EnvVar } from "./app-spec.ts";

// What App Platform binds for an attached PostgreSQL database, taken from the server this run
// started.
export interface DatabaseBinding {
  hostname: string;
  port: number;
  username: string;
  password: string;
  database: string;
  // PEM text of the CA certificate that signed the server's certificate.
  caCertificate: string;
}

// Returns the bindable variables of the database component `componentName`, keyed as a spec
// writes them inside ${...}, such as "db.HOSTNAME".
export function databaseVariables(componentName: string, binding: DatabaseBinding): Map<string, string> {
  const credentials = `${encodeURIComponent(binding.username)}:${encodeURIComponent(binding.password)}`;
  const address = `${binding.hostname}:${binding.port}`;
  const values: Record<string, string> = {
    HOSTNAME: binding.hostname,
    PORT: String(binding.port),
    USERNAME: binding.username,
    PASSWORD: binding.password,
    DATABASE: binding.database,
    CA_CERT: binding.caCertificate,
    DATABASE_URL: `postgresql://${credentials}@${address}/${encodeURIComponent(binding.database)}?sslmode=require`,
  };
  return new Map(Object.entries(values).map(([name, value]) => [`${componentName}.${name}`, value]));
}

export interface Credentials {
  username: string;
  password: string;
}

// The server that plays the attached cluster, and the logins App Platform binds for it.
export interface ClusterBinding {
  hostname: string;
  port: number;
  caCertificate: string;
  // Bound to a database component without dbUser.
  admin: Credentials;
  // The password of each user that a component names as dbUser.
  userPasswords: ReadonlyMap<string, string>;
}

// Returns the bindable variables of every database component in `databases`: each binds its
// dbName and the login of its dbUser, or the cluster's admin when it names no dbUser.
export function clusterVariables(databases: readonly DatabaseSpec[], cluster: ClusterBinding): Map<string, string> {
  const variables = new Map<string, string>();
  for (const database of databases) {
    const binding = {
      ...credentialsOf(database, cluster),
      hostname: cluster.hostname,
      port: cluster.port,
      database: database.dbName,
      caCertificate: cluster.caCertificate,
    };
    for (const [name, value] of databaseVariables(database.name, binding)) {
      variables.set(name, value);
    }
  }
  return variables;
}

function credentialsOf(database: DatabaseSpec, cluster: ClusterBinding): Credentials {
  if (database.dbUser === undefined) {
    return cluster.admin;
  }
  const password = cluster.userPasswords.get(database.dbUser);
  if (password === undefined) {
    throw new Error(
      `Database component ${database.name} names user ${database.dbUser}, for which the check created no login. Create the user on the test server before binding.`,
    );
  }
  return { username: database.dbUser, password };
}

// Returns a component's run-time variables as Docker's "KEY=VALUE" list, each ${name} replaced
// by its bound value. Fails, naming every variable involved, when a reference is not among
// `variables`: App Platform would deploy the literal text, and the service would fail later.
export function bindEnvironment(componentName: string, envs: readonly EnvVar[], variables: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const bound = envs
    .filter((env) => env.scope !== "BUILD_TIME")
    .map(({ key, value }) => {
      const replaced = value.replace(/\$\{([^}]*)\}/g, (reference: string, name: string) => {
        const boundValue = variables.get(name);
        if (boundValue === undefined) {
          problems.push(`${key} refers to ${reference}`);
          return reference;
        }
        return boundValue;
      });
      return `${key}=${replaced}`;
    });

  if (problems.length > 0) {
    const known = [...variables.keys()].map((name) => `\${${name}}`).join(", ");
    throw new Error(
      `${componentName}: ${problems.join("; ")}, which App Platform does not bind here (bindable: ${known}). Correct the name in infra/app-spec.ts, or, if App Platform offers the variable, bind it in e2e/app-platform/bindable-variables.ts.`,
    );
  }
  return bound;
}
