import { z } from "zod";

// RFC 5321's limits. They also keep an address under PostgreSQL's limit for a
// unique-index entry (about 2,700 bytes), which a longer one would break with a 500.
export const maxEmailLength = 254;
export const maxLocalPartLength = 64;

// A subscriber's email address as zod's email check accepts it: ASCII local
// part and domain, no quoted forms or IP literals, within RFC 5321's lengths.
// Stored exactly as given, without trimming or case folding.
export const SubscriberEmail = z
  .string()
  .refine((value) => value.length > 0, { message: "must not be empty", abort: true })
  .refine((value) => value.trim().length > 0, { message: "must not be whitespace only", abort: true })
  .refine((value) => value.length <= maxEmailLength, {
    message: `must be at most ${maxEmailLength} characters long`,
    abort: true,
  })
  .refine((value) => value.lastIndexOf("@") <= maxLocalPartLength, {
    message: `must have at most ${maxLocalPartLength} characters before the @`,
    abort: true,
  })
  .pipe(z.email({ error: "must be a valid email address" }))
  .brand<"SubscriberEmail">();

export type SubscriberEmail = z.infer<typeof SubscriberEmail>;
