import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Pool } from "pg";
import { NewSubscriber } from "../domain/new-subscriber.ts";
import { SubscribeError } from "./subscribe-error.ts";
import { SubscribeForm } from "./subscriptions.schema.ts";

export default async function subscriptionRoutes(app: FastifyInstance): Promise<void> {
  app.post("/subscriptions", async (request, reply) => {
    const subscriber = parseSubscriber(request.body);

    let stored: boolean;
    try {
      stored = await insertSubscriber(app.db, subscriber);
    } catch (error) {
      throw SubscribeError.unexpected("Failed to store the new subscriber", error);
    }

    // The response is the same either way, so it does not reveal who is subscribed. The access
    // line already records each request at info, so this detail is debug.
    const message = stored ? "Stored a new subscriber" : "Skipped a subscriber whose email is already stored";
    request.log.debug({ stored }, message);
    return reply.code(200).send();
  });
}

function parseSubscriber(body: unknown): NewSubscriber {
  // Fastify leaves the body undefined when a request sends none.
  const form = SubscribeForm.safeParse(body ?? {});
  if (!form.success) {
    throw SubscribeError.fromIssues(form.error);
  }

  const subscriber = NewSubscriber.safeParse(form.data);
  if (!subscriber.success) {
    throw SubscribeError.fromIssues(subscriber.error);
  }
  return subscriber.data;
}

// Returns false when the email is already stored, because the unique index on
// email turns the insert into a no-op.
async function insertSubscriber(db: Pool, subscriber: NewSubscriber): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO subscriptions (id, email, name, subscribed_at)
     VALUES ($1, $2, $3, now())
     ON CONFLICT (email) DO NOTHING`,
    [randomUUID(), subscriber.email, subscriber.name],
  );
  return result.rowCount === 1;
}
