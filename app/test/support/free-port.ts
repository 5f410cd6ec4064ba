import { createServer } from "node:net";

// Returns a loopback port that was free a moment ago. Another process may
// take it before the caller binds it, which is unlikely enough for tests.
export async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") {
    throw new Error("Failed to read the port of a loopback test server");
  }
  return address.port;
}
