import { z } from "zod";
import { SubscriberEmail } from "./subscriber-email.ts";
import { SubscriberName } from "./subscriber-name.ts";

// A subscription request whose fields have passed every rule. Code that
// receives one stores it without checking again.
export const NewSubscriber = z.object({
  name: SubscriberName,
  email: SubscriberEmail,
});

export type NewSubscriber = z.infer<typeof NewSubscriber>;
