-- The unique index on email lets a repeated subscription be skipped with
-- ON CONFLICT DO NOTHING, so the API never reveals who is subscribed.
CREATE TABLE subscriptions (
    id uuid PRIMARY KEY,
    email text NOT NULL UNIQUE,
    name text NOT NULL,
    subscribed_at timestamptz NOT NULL
);
