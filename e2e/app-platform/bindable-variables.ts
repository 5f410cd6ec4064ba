import type { EnvVar } from "./app-spec.ts";

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
