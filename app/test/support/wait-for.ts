import { setTimeout as sleep } from "node:timers/promises";

// Polls `check` every 20 ms until it returns a value other than undefined, or
// fails after `timeoutMs` with `description` in the message.
export async function waitFor<T>(
  description: string,
  check: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check();
    if (value !== undefined) {
      return value;
    }
    await sleep(20);
  }
  throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
}
