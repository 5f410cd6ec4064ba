import type { z } from "zod";

// Failure of the subscriptions route. A "validation" error is a request that
// breaks a rule and gets 400 with the rule as its message. An "unexpected"
// error is anything else, and the error handler responds with 503 or 500
// depending on the cause, without details.
export class SubscribeError extends Error {
  readonly kind: "validation" | "unexpected";

  private constructor(kind: "validation" | "unexpected", message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SubscribeError";
    this.kind = kind;
  }

  static validation(message: string): SubscribeError {
    return new SubscribeError("validation", message);
  }

  // Names each field with the first rule it broke, e.g. "name must not be
  // empty, email is missing".
  static fromIssues(error: z.ZodError): SubscribeError {
    const firstIssueByField = new Map<string, string>();
    for (const issue of error.issues) {
      const field = issue.path.join(".") || "body";
      if (!firstIssueByField.has(field)) {
        firstIssueByField.set(field, `${field} ${issue.message}`);
      }
    }
    return SubscribeError.validation([...firstIssueByField.values()].join(", "));
  }

  static unexpected(message: string, cause: unknown): SubscribeError {
    return new SubscribeError("unexpected", message, { cause });
  }
}
