import fc from "fast-check";
import { encodeBody, forbiddenNameCharacters, type EncodedField, type EncodingStyle } from "./form-model.ts";

// One generated request to POST /subscriptions.
export interface FuzzRequest {
  // undefined sends no Content-Type header.
  contentType: string | undefined;
  body: Buffer;
}

const formType = "application/x-www-form-urlencoded";

const encodingStyle: fc.Arbitrary<EncodingStyle> = fc.constantFrom("form", "uri-component", "every-byte-upper", "every-byte-lower", "raw-utf8");

const letters = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789");

// Pieces of text that attackers and unusual names contain: SQL, markup, quotes,
// scripts other than Latin, combining marks, emoji sequences and invisible characters.
const nameFragments = fc.constantFrom(
  "Ada",
  " ",
  "O'Brien",
  "'; DROP TABLE subscriptions; --",
  "' OR '1'='1",
  "$1",
  "%",
  "&",
  "=",
  "+",
  "Zoë",
  "e\u0301",
  "李小龙",
  "Ренат",
  "👩🏽‍🚀",
  "👨‍👩‍👧",
  "\u200b",
  "\u2028",
  "\u202e",
  "\ufeff",
  "\u00a0",
  "\ud83d\ude00",
  "DROP",
  "--",
  ";",
  "*/",
);

// Names of every kind: mostly text that the rules may accept, sometimes with a
// forbidden or control character added, sometimes very long.
export const nameText: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.array(nameFragments, { minLength: 1, maxLength: 8 }).map((parts) => parts.join("")) },
  { weight: 3, arbitrary: fc.string({ unit: "grapheme", minLength: 0, maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", minLength: 0, maxLength: 20 }) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 10 }), fc.constantFrom(...forbiddenNameCharacters, "\u0000", "\n", "\t", "\u007f", "\u0085"))
      .map(([text, bad]) => `${text}${bad}${text}`),
  },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom("a", "é", "😀", "e\u0301"), fc.integer({ min: 250, max: 262 })).map(([unit, count]) => unit.repeat(count)) },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "   ", "\u3000", "\t") },
);

const plainEmail: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ unit: letters, minLength: 1, maxLength: 20 }),
    fc.option(fc.tuple(fc.constantFrom(".", "_", "+", "-"), fc.string({ unit: letters, minLength: 1, maxLength: 10 })), { nil: undefined }),
    fc.array(fc.string({ unit: letters, minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 3 }),
    fc.constantFrom("com", "org", "io", "example", "DE"),
  )
  .map(([local, tag, labels, tld]) => `${local}${tag === undefined ? "" : tag.join("")}@${labels.join(".")}.${tld}`);

// Emails of every kind: plain valid ones in mixed case, RFC 5322 forms that the
// service may reject, plain defects, SQL and very long addresses.
export const emailText: fc.Arbitrary<string> = fc.oneof(
  { weight: 8, arbitrary: fc.mixedCase(plainEmail) },
  { weight: 2, arbitrary: fc.emailAddress() },
  {
    weight: 2,
    arbitrary: fc.tuple(plainEmail, fc.constantFrom("@", " ", "..", "\u0000", "\n", "'--", "\"", "<", "é", ";")).map(([email, bad]) => {
      const at = email.indexOf("@");
      return `${email.slice(0, at)}${bad}${email.slice(at)}`;
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom("", " ", "@", "a@", "@example.com", "plainaddress", "a@b@example.com", "a@example.com'; DROP TABLE subscriptions; --") },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme-ascii", maxLength: 30 }) },
  {
    weight: 1,
    arbitrary: fc
      // size "max" lets the length reach maxLength; fast-check keeps strings short otherwise.
      .tuple(fc.string({ unit: letters, minLength: 60, maxLength: 4_000, size: "max" }), plainEmail)
      .map(([padding, email]) => `${padding}${email}`),
  },
);

// How often a body names a field: usually once, sometimes not at all or twice.
const fieldCount = fc.oneof({ weight: 8, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.constant(2) });

const extraKey = fc.constantFrom("extra", "__proto__", "constructor", "toString", "Name", "EMAIL", "name ", " email", "name[]", "", "name\u0000");

// Bodies built from fields: name and email in any order, with extra fields and every
// encoding style.
export const formFields: fc.Arbitrary<EncodedField[]> = fc
  .tuple(
    fieldCount.chain((count) => fc.array(nameText, { minLength: count, maxLength: count })),
    fieldCount.chain((count) => fc.array(emailText, { minLength: count, maxLength: count })),
    fc.array(fc.tuple(extraKey, fc.string({ maxLength: 10 })), { maxLength: 3 }),
    // One pair of styles for each of the at most 7 fields.
    fc.array(fc.tuple(encodingStyle, encodingStyle), { minLength: 7, maxLength: 7 }),
  )
  .chain(([names, emails, extras, styles]) => {
    const fields = [
      ...names.map((value) => ({ key: "name", value })),
      ...emails.map((value) => ({ key: "email", value })),
      ...extras.map(([key, value]) => ({ key, value })),
    ];
    const styled = fields.map((field, index) => {
      const [keyStyle, valueStyle] = styles[index] ?? ["form", "form"];
      return { ...field, keyStyle, valueStyle };
    });
    return fc.shuffledSubarray(styled, { minLength: styled.length, maxLength: styled.length });
  });

export const formRequest: fc.Arbitrary<FuzzRequest> = formFields.map((fields) => ({ contentType: formType, body: encodeBody(fields) }));

// Pieces of form syntax, broken escapes and raw bytes, glued together at random.
const bodyFragments = fc.constantFrom(
  "name",
  "email",
  "=",
  "&",
  "name=Ada",
  "email=ada%40example.com",
  "&email=a%40example.com",
  "%",
  "%2",
  "%zz",
  "%41",
  "%C3%A9",
  "%E2%82",
  "%F0%9F%98%80",
  "%ED%A0%80",
  "%C0%AF",
  "%00",
  "%0A",
  "+",
  "é",
  "'; DROP TABLE subscriptions; --",
  "\\",
  "@",
  "\r\n",
  "\u0000",
);

export const malformedBody: fc.Arbitrary<Buffer> = fc.oneof(
  fc.array(bodyFragments, { maxLength: 12 }).map((parts) => Buffer.from(parts.join(""), "utf8")),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc
    .tuple(formFields, fc.uint8Array({ minLength: 1, maxLength: 4 }), fc.nat())
    .map(([fields, bytes, position]) => {
      const body = encodeBody(fields);
      const at = body.length === 0 ? 0 : position % body.length;
      return Buffer.concat([body.subarray(0, at), Buffer.from(bytes), body.subarray(at)]);
    }),
);

export const malformedRequest: fc.Arbitrary<FuzzRequest> = malformedBody.map((body) => ({ contentType: formType, body }));

export const contentType: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constantFrom(
    formType,
    "APPLICATION/X-WWW-FORM-URLENCODED",
    `${formType}; charset=utf-8`,
    `${formType}; charset=UTF-8`,
    `${formType};`,
    ` ${formType} `,
    `${formType}; charset=iso-8859-1`,
    `${formType}x`,
    `${formType}, application/json`,
    "application/json",
    "text/plain",
    "text/html; charset=utf-8",
    "multipart/form-data; boundary=xyz",
    "application/octet-stream",
    "application/xml",
    "",
    undefined,
  ),
  fc.string({ maxLength: 40 }),
);

export const anyTypeRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(contentType, fc.oneof(formFields.map(encodeBody), malformedBody))
  .map(([type, body]) => ({ contentType: type, body }));

// Bodies around the size limit and far above it.
export function sizedRequest(bodyLimit: number): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(fc.oneof(fc.integer({ min: bodyLimit - 3, max: bodyLimit + 3 }), fc.integer({ min: bodyLimit, max: 256 * 1024 })), plainEmail)
    .map(([size, email]) => {
      const head = `email=${encodeURIComponent(email)}&name=`;
      const padding = "a".repeat(Math.max(0, size - head.length));
      return { contentType: formType, body: Buffer.from(`${head}${padding}`) };
    });
}

export const anyRequest: fc.Arbitrary<FuzzRequest> = fc.oneof(formRequest, malformedRequest, anyTypeRequest);
