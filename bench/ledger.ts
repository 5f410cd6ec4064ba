// A record of the subscriptions sent and the status returned for each, per email,
// and the checks of the subscriptions table against it.

export interface StoredRow {
  email: string;
  name: string;
}

export interface Check {
  description: string;
  passed: boolean;
  // Up to a few offending values, when the check failed.
  examples: string[];
}

interface Attempt {
  name: string;
  // undefined while no response arrived (timed out or cut off).
  status: number | undefined;
}

export class Ledger {
  readonly #attempts = new Map<string, Attempt[]>();

  // Returns the attempt so that the caller can fill in the status from the response.
  recordSent(email: string, name: string): Attempt {
    const attempt: Attempt = { name, status: undefined };
    const attempts = this.#attempts.get(email);
    if (attempts === undefined) {
      this.#attempts.set(email, [attempt]);
    } else {
      attempts.push(attempt);
    }
    return attempt;
  }

  acceptedEmails(): string[] {
    return [...this.#attempts].filter(([, attempts]) => attempts.some(isAccepted)).map(([email]) => email);
  }

  // Emails sent more than once, and the requests that carried them.
  repeats(): { emails: number; requests: number } {
    const repeated = [...this.#attempts.values()].filter((attempts) => attempts.length > 1);
    return { emails: repeated.length, requests: repeated.reduce((sum, attempts) => sum + attempts.length, 0) };
  }

  statusCounts(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const attempts of this.#attempts.values()) {
      for (const attempt of attempts) {
        const key = attempt.status === undefined ? "no response" : String(attempt.status);
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
    return counts;
  }

  // Compares the table with the responses: one row for every email with a 200, no row
  // without a 200, and each stored name equal to a name that got a 200.
  check(rows: readonly StoredRow[]): Check[] {
    const rowsByEmail = new Map<string, StoredRow[]>();
    for (const row of rows) {
      rowsByEmail.set(row.email, [...(rowsByEmail.get(row.email) ?? []), row]);
    }

    const accepted = this.acceptedEmails();
    const statuses = this.statusCounts();
    const serverErrors = [...statuses].filter(([status]) => status.startsWith("5"));
    const otherStatuses = [...statuses].filter(([status]) => status !== "200" && !status.startsWith("5"));

    return [
      checkThat(
        "zero 5xx responses",
        serverErrors.map(([status, count]) => `${count} x ${status}`),
      ),
      checkThat(
        "every response is 200 (valid input, database up)",
        otherStatuses.map(([status, count]) => `${count} x ${status}`),
      ),
      checkThat(
        "exactly one row for every email with a 200 response",
        accepted.filter((email) => rowsByEmail.get(email)?.length !== 1).map((email) => `${email}: ${rowsByEmail.get(email)?.length ?? 0} rows`),
      ),
      checkThat(
        "no row without a 200 for its email",
        [...rowsByEmail.keys()].filter((email) => !(this.#attempts.get(email) ?? []).some(isAccepted)),
      ),
      checkThat(
        "each stored name is one sent with a 200 response, byte for byte",
        rows
          .filter((row) => !(this.#attempts.get(row.email) ?? []).some((attempt) => isAccepted(attempt) && attempt.name === row.name))
          .map((row) => `${row.email}: stored ${JSON.stringify(row.name)}`),
      ),
    ];
  }
}

function isAccepted(attempt: Attempt): boolean {
  return attempt.status === 200;
}

function checkThat(description: string, failures: string[]): Check {
  return { description, passed: failures.length === 0, examples: failures.slice(0, 5) };
}
