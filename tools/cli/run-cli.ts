import { parseArgs, type ParseArgsOptionsConfig } from "node:util";

// Runs a command-line entry point: prints an error's message (not its stack, because the
// messages name the value and the fix) to stderr and sets exit code 1.
export function runCli(main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    });
}

// Parses --name value options with node:util parseArgs and checks that the required ones are set.
export function parseOptions<const T extends ParseArgsOptionsConfig>(
  command: string,
  options: T,
  required: readonly (keyof T & string)[],
  args: string[] = process.argv.slice(2),
) {
  const { values } = parseArgs({ args, options, strict: true, allowPositionals: false });
  const parsed = values as Record<string, unknown>;
  for (const name of required) {
    if (parsed[name] === undefined || parsed[name] === "") {
      throw new Error(`${command}: the option --${name} is missing`);
    }
  }
  return values;
}
