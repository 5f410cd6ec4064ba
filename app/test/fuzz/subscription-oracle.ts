import type pg from "pg";
import { expect } from "vitest";
import type { FuzzRequest } from "./arbitraries.ts";
import { expectationFor } from "./form-model.ts";

export interface ReceivedResponse {
  status: number;
  body: string;
}

// Checks each response against the rules and the table: a status that the rules allow,
// a message with every error, the stored row for every 200 and no row for anything else.
export class SubscriptionOracle {
  // Emails with a 200 so far and the name stored first for each.
  readonly #accepted = new Map<string, string>();
  readonly #db: pg.Client;
  readonly #bodyLimit: number;

  constructor(db: pg.Client, bodyLimit: number) {
    this.#db = db;
    this.#bodyLimit = bodyLimit;
  }

  async check(request: FuzzRequest, response: ReceivedResponse): Promise<void> {
    const expectation = expectationFor(request.contentType, request.body, this.#bodyLimit);
    const context = describeExchange(request, response);

    if (response.status === 200) {
      await this.#checkStored(expectation.subscriber, context);
      expect([...expectation.statuses], context).toContain(response.status);
      expect(response.body, context).toBe("");
    } else {
      expect([...expectation.statuses], context).toContain(response.status);
      checkErrorBody(response, context);
      const { rows } = await this.#db.query<{ count: number }>("SELECT count(*)::int AS count FROM subscriptions");
      expect(rows[0]?.count, `${context}\na row was stored without a 200`).toBe(this.#accepted.size);
    }
  }

  // Compares the whole table with the emails that got a 200, once a run is over.
  async checkTable(): Promise<void> {
    const { rows } = await this.#db.query<{ email: string; name: string }>("SELECT email, name FROM subscriptions");
    const stored = new Map(rows.map((row) => [row.email, row.name]));
    expect(stored).toEqual(this.#accepted);
  }

  async #checkStored(subscriber: { name: string; email: string } | undefined, context: string): Promise<void> {
    expect(subscriber, `${context}\na 200 for a body without exactly one name and one email`).toBeDefined();
    if (subscriber === undefined) {
      return;
    }
    const { rows } = await this.#db.query<{ name: string }>("SELECT name FROM subscriptions WHERE email = $1", [subscriber.email]);
    const expectedName = this.#accepted.get(subscriber.email) ?? subscriber.name;
    // Recorded before the assertion, so that later runs of a shrinking property count right.
    if (rows[0] !== undefined && !this.#accepted.has(subscriber.email)) {
      this.#accepted.set(subscriber.email, rows[0].name);
    }
    expect(rows, `${context}\nthe stored row differs from the input`).toEqual([{ name: expectedName }]);
  }
}

function checkErrorBody(response: ReceivedResponse, context: string): void {
  let payload: { statusCode?: unknown; message?: unknown };
  try {
    payload = JSON.parse(response.body) as typeof payload;
  } catch {
    throw new Error(`${context}\nthe error response is not JSON`);
  }
  expect(payload.statusCode, context).toBe(response.status);
  expect(typeof payload.message, context).toBe("string");
  expect((payload.message as string).length, context).toBeGreaterThan(0);
}

function describeExchange(request: FuzzRequest, response: ReceivedResponse): string {
  const body = request.body.length > 300 ? `${request.body.length} bytes starting ${JSON.stringify(request.body.subarray(0, 120).toString("latin1"))}` : JSON.stringify(request.body.toString("latin1"));
  return `Content-Type ${JSON.stringify(request.contentType)}, body (latin1) ${body} -> ${response.status} ${response.body.slice(0, 200)}`;
}
