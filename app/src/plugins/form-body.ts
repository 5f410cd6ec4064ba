import type { FastifyInstance, FastifyRequest } from "fastify";
import fastifyPlugin from "fastify-plugin";

// Fields of an application/x-www-form-urlencoded body. A field sent more than
// once becomes an array, so the route can reject it instead of picking one.
export type FormFields = Record<string, string | string[]>;

// A request body that is not valid form encoding. The error handler responds with 400.
export class InvalidFormBodyError extends Error {
  readonly statusCode = 400;

  constructor(message: string) {
    super(message);
    this.name = "InvalidFormBodyError";
  }
}

const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

// Parses form bodies strictly: raw bytes that are not UTF-8, malformed
// percent-escapes and escapes that decode to invalid UTF-8 are rejected
// rather than replaced with U+FFFD. @fastify/formbody 9 is not used because it
// decodes with Buffer#toString and fast-querystring, which replace them.
// Fastify responds with 413 above bodyLimit before this parser runs.
async function formBodyPlugin(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser(
    "application/x-www-form-urlencoded",
    { parseAs: "buffer" },
    async (_request: FastifyRequest, body: Buffer) => parseFormBody(body),
  );
}

export function parseFormBody(body: Buffer): FormFields {
  let text: string;
  try {
    text = utf8Decoder.decode(body);
  } catch {
    throw new InvalidFormBodyError("Request body is not valid UTF-8");
  }

  // A null prototype keeps field names such as __proto__ plain data.
  const fields: FormFields = Object.create(null);
  for (const pair of text.split("&")) {
    if (pair === "") {
      continue;
    }
    const separator = pair.indexOf("=");
    const name = decodeComponent(separator === -1 ? pair : pair.slice(0, separator));
    const value = separator === -1 ? "" : decodeComponent(pair.slice(separator + 1));

    const existing = fields[name];
    if (existing === undefined) {
      fields[name] = value;
    } else if (Array.isArray(existing)) {
      existing.push(value);
    } else {
      fields[name] = [existing, value];
    }
  }
  return fields;
}

function decodeComponent(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll("+", " "));
  } catch {
    throw new InvalidFormBodyError(
      "Request body is not valid form encoding: a percent-escape is malformed or does not decode to UTF-8",
    );
  }
}

export default fastifyPlugin(formBodyPlugin, { name: "form-body" });
