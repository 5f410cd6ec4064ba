import { createServer, connect, type Server, type Socket } from "node:net";

// A loopback TCP proxy to `target` that can be started and stopped, standing
// in for a database server that goes away and comes back.
export class TcpProxy {
  readonly port: number;
  readonly targetPort: number;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(port: number, targetPort: number) {
    this.port = port;
    this.targetPort = targetPort;
  }

  async start(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, "127.0.0.1");
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.port, "127.0.0.1", resolve);
    });
    this.server = server;
  }

  // Closes the listener and cuts every open connection.
  async stop(): Promise<void> {
    for (const socket of this.sockets) {
      socket.destroy();
    }
    const server = this.server;
    this.server = undefined;
    if (server !== undefined) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
