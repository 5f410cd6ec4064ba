import { performance } from "node:perf_hooks";

// One POST /subscriptions as the load saw it. Times are performance.now() milliseconds.
export interface Outcome {
  email: string;
  name: string;
  startedAt: number;
  finishedAt: number;
  // The HTTP status, or undefined when the request failed without a response.
  status: number | undefined;
  // Why the request failed without a response: a network error or "timed out".
  error: string | undefined;
}

export interface LoadOptions {
  baseUrl: string;
  concurrency: number;
  // Bounds that stop the load even if the test never calls stop().
  maxRequests: number;
  maxDurationMs: number;
  // A request without a response after this long counts as hung and is aborted.
  requestTimeoutMs: number;
  // Names for the requests; "Slow" ones may be delayed by a test trigger.
  name?: (index: number) => string;
}

// Sends distinct subscriptions from `concurrency` workers, one request at a time
// each, until stop() or a bound, and records every outcome.
export class SubscriptionLoad {
  readonly outcomes: Outcome[] = [];
  readonly #options: LoadOptions;
  readonly #workers: Promise<void>[];
  readonly #prefix = `load-${Math.random().toString(36).slice(2, 8)}`;
  #sent = 0;
  #stopped = false;

  constructor(options: LoadOptions) {
    this.#options = options;
    const deadline = performance.now() + options.maxDurationMs;
    this.#workers = Array.from({ length: options.concurrency }, () => this.#work(deadline));
  }

  // Stops sending new requests and waits for the ones in flight.
  async stop(): Promise<Outcome[]> {
    this.#stopped = true;
    await Promise.all(this.#workers);
    return this.outcomes;
  }

  async #work(deadline: number): Promise<void> {
    while (!this.#stopped && this.#sent < this.#options.maxRequests && performance.now() < deadline) {
      const index = this.#sent;
      this.#sent += 1;
      const name = this.#options.name?.(index) ?? `Load Tester ${index}`;
      this.outcomes.push(await postSubscription(this.#options, name, `${this.#prefix}-${index}@example.com`));
    }
  }
}

export async function postSubscription(options: Pick<LoadOptions, "baseUrl" | "requestTimeoutMs">, name: string, email: string): Promise<Outcome> {
  const startedAt = performance.now();
  try {
    const response = await fetch(`${options.baseUrl}/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name, email }).toString(),
      signal: AbortSignal.timeout(options.requestTimeoutMs),
    });
    await response.arrayBuffer();
    return { email, name, startedAt, finishedAt: performance.now(), status: response.status, error: undefined };
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? "timed out" : describeNetworkError(error);
    return { email, name, startedAt, finishedAt: performance.now(), status: undefined, error: reason };
  }
}

// fetch wraps the socket error (ECONNREFUSED, ECONNRESET, ...) in a TypeError's cause.
function describeNetworkError(error: unknown): string {
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  return cause?.code ?? cause?.message ?? String(error);
}

// Counts outcomes by status or error, e.g. { "200": 950, "503": 48, "timed out": 2 }.
export function tally(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) {
    const key = outcome.status === undefined ? String(outcome.error) : String(outcome.status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
