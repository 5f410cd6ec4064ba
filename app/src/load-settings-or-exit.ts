import type { Settings } from "./configuration/settings.ts";
import { ConfigurationError, loadSettings } from "./configuration/load.ts";

// Loads the settings for a command-line entry point. Invalid configuration
// ends the process with its message on stderr and exit code 1, without a
// stack trace, because the message already names each key and the fix.
export function loadSettingsOrExit(): Settings {
  try {
    return loadSettings();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
