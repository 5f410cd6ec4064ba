import { z } from "zod";

// A subscriber's email address as zod's email check accepts it: ASCII local
// part and domain, no quoted forms or IP literals. Stored exactly as given,
// without trimming or case folding.
export const SubscriberEmail = z
  .string()
  .refine((value) => value.length > 0, { message: "must not be empty", abort: true })
  .refine((value) => value.trim().length > 0, { message: "must not be whitespace only", abort: true })
  .pipe(z.email({ error: "must be a valid email address" }))
  .brand<"SubscriberEmail">();

export type SubscriberEmail = z.infer<typeof SubscriberEmail>;
