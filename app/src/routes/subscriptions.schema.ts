import { z } from "zod";

// One form field as the form parser delivers it: a string when sent once, an
// array when sent more than once, undefined when absent.
const formField = z.string({
  error: (issue) => {
    if (issue.input === undefined) {
      return "is missing";
    }
    return Array.isArray(issue.input) ? "must be sent only once" : "must be text";
  },
});

// The body of POST /subscriptions. Fields other than these are ignored.
export const SubscribeForm = z.object({
  name: formField,
  email: formField,
});

export type SubscribeForm = z.infer<typeof SubscribeForm>;
