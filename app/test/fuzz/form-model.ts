// An independent model of what POST /subscriptions must do with a request: how a
// form body encodes its fields, and which statuses the rules allow for it.

export interface Field {
  key: string;
  value: string;
}

// How a text is percent-encoded in the body. Every style decodes back to the same text.
export type EncodingStyle = "form" | "uri-component" | "every-byte-upper" | "every-byte-lower" | "raw-utf8";

export interface EncodedField extends Field {
  keyStyle: EncodingStyle;
  valueStyle: EncodingStyle;
}

// "form" is application/x-www-form-urlencoded with parameters that change nothing,
// "other" is any type the service must reject with 415, and "unknown" is a type
// whose handling the rules leave open (a charset other than UTF-8, or random text).
export type ContentTypeClass = "form" | "other" | "unknown";

export type Verdict = "valid" | "invalid" | "unknown";

export const forbiddenNameCharacters = ["/", "(", ")", '"', "<", ">", "\\", "{", "}"];
export const maxNameGraphemes = 256;

const graphemes = new Intl.Segmenter("en", { granularity: "grapheme" });
const utf8 = new TextEncoder();
// TextDecoder drops a leading byte order mark by default, as the service's decoder does.
const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

export function encodeText(text: string, style: EncodingStyle): string {
  switch (style) {
    case "form":
      // URLSearchParams writes a space as "+".
      return new URLSearchParams([["", text]]).toString().slice(1);
    case "uri-component":
      return encodeURIComponent(text);
    case "every-byte-upper":
    case "every-byte-lower": {
      const escaped = [...utf8.encode(text)].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");
      return style === "every-byte-upper" ? escaped.toUpperCase() : escaped;
    }
    case "raw-utf8":
      // Only the characters that the form syntax gives a meaning are escaped.
      return text.replace(/[%&=+]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  }
}

export function encodeBody(fields: readonly EncodedField[]): Buffer {
  const pairs = fields.map((field) => `${encodeText(field.key, field.keyStyle)}=${encodeText(field.value, field.valueStyle)}`);
  return Buffer.from(pairs.join("&"), "utf8");
}

// Decodes a form body the way the rules require: strict UTF-8, "+" as a space, and
// percent-escapes that must decode to UTF-8. Returns undefined for an invalid body.
export function decodeBody(body: Uint8Array): Field[] | undefined {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    return undefined;
  }
  const fields: Field[] = [];
  for (const pair of text.split("&")) {
    if (pair === "") {
      continue;
    }
    const separator = pair.indexOf("=");
    try {
      const key = decodeURIComponent((separator === -1 ? pair : pair.slice(0, separator)).replaceAll("+", " "));
      const value = separator === -1 ? "" : decodeURIComponent(pair.slice(separator + 1).replaceAll("+", " "));
      fields.push({ key, value });
    } catch {
      return undefined;
    }
  }
  return fields;
}

// A name is valid unless it is empty, whitespace only, longer than 256 grapheme
// clusters, contains a control character (Unicode category Cc), a line or paragraph
// separator, a text direction mark or control or / ( ) " < > \ { }, or shows nothing
// (only spaces, format characters, combining marks, private use, unassigned or blank letters).
export function nameVerdict(name: string): Verdict {
  if (
    name.trim() === "" ||
    /[\p{Cc}\p{Zl}\p{Zp}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u.test(name) ||
    !/[^\p{White_Space}\p{Cf}\p{Mn}\p{Me}\p{Co}\p{Cn}\u115F\u1160\u2800\u3164\uFFA0]/u.test(name) ||
    forbiddenNameCharacters.some((character) => name.includes(character))
  ) {
    return "invalid";
  }
  let count = 0;
  for (const _segment of graphemes.segment(name)) {
    count += 1;
  }
  return count > maxNameGraphemes ? "invalid" : "valid";
}

// Only clear cases get a verdict. Valid: an unquoted ASCII address within the RFC 5321
// lengths (local part 64, whole address 254) with a dotted domain. Invalid: no "@", an
// empty local part or domain, whitespace, control characters, quotes or "..". Quoted
// forms are outside the service's documented contract. Anything else is unknown.
export function emailVerdict(email: string): Verdict {
  const plain = /^[A-Za-z0-9](?:[A-Za-z0-9_+-]|\.(?!\.))*[A-Za-z0-9]@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,20}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,6}$/;
  const at = email.lastIndexOf("@");
  const local = at === -1 ? email : email.slice(0, at);
  const domain = at === -1 ? "" : email.slice(at + 1);
  if (plain.test(email) && local.length <= 64 && email.length <= 254) {
    return "valid";
  }
  const plainlyInvalid =
    at === -1 ||
    local === "" ||
    domain === "" ||
    local.length > 64 ||
    email.length > 254 ||
    /\s|\p{Cc}|"/u.test(email) ||
    local.startsWith(".") ||
    email.includes("..");
  return plainlyInvalid ? "invalid" : "unknown";
}

export function classifyContentType(contentType: string | undefined): ContentTypeClass | "none" {
  if (contentType === undefined) {
    return "none";
  }
  const [type = "", ...parameters] = contentType.split(";").map((part) => part.trim().toLowerCase());
  if (type !== "application/x-www-form-urlencoded") {
    return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type) ? "other" : "unknown";
  }
  const charset = parameters.find((parameter) => parameter.startsWith("charset="));
  return charset === undefined || /^charset="?utf-8"?$/.test(charset) ? "form" : "unknown";
}

export interface Expectation {
  // The statuses that the rules allow for this request.
  statuses: ReadonlySet<number>;
  // The fields when the body decodes and names each of name and email once.
  subscriber: { name: string; email: string } | undefined;
}

// Works out the allowed statuses from the content type, the body size and the fields.
export function expectationFor(contentType: string | undefined, body: Uint8Array, bodyLimit: number): Expectation {
  const typeClass = classifyContentType(contentType);
  const fields = decodeBody(body);
  const [name, ...otherNames] = fields?.filter((field) => field.key === "name") ?? [];
  const [email, ...otherEmails] = fields?.filter((field) => field.key === "email") ?? [];
  const subscriber =
    name !== undefined && email !== undefined && otherNames.length === 0 && otherEmails.length === 0
      ? { name: name.value, email: email.value }
      : undefined;

  let forForm: number[];
  if (body.length > bodyLimit) {
    forForm = [413];
  } else if (subscriber === undefined) {
    forForm = [400];
  } else {
    forForm = statusesForSubscriber(subscriber);
  }

  switch (typeClass) {
    case "form":
      return { statuses: new Set(forForm), subscriber };
    case "other":
      return { statuses: new Set([415]), subscriber };
    case "unknown":
      return { statuses: new Set([415, 400, ...forForm]), subscriber };
    case "none":
      // Without a content type, only a request without a body reaches the route.
      return { statuses: new Set(body.length === 0 ? [400] : [415]), subscriber };
  }
}

function statusesForSubscriber(subscriber: { name: string; email: string }): number[] {
  const verdicts = [nameVerdict(subscriber.name), emailVerdict(subscriber.email)];
  if (verdicts.includes("invalid")) {
    return [400];
  }
  return verdicts.includes("unknown") ? [200, 400] : [200];
}
