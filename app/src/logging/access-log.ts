import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

// One line per request, written when the response is sent, in place of Fastify's two (incoming
// and completed) and its line for an unknown route: logging costs about half the CPU time of a short request. Probes of the health
// check, which App Platform sends every few seconds, go to debug.
export class AccessLogController extends LogController {
  readonly #quietPath: string;

  constructor(quietPath: string) {
    super({});
    this.#quietPath = quietPath;
  }

  override incomingRequest(): void {}

  // The access line already records the 404.
  override routeNotFound(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    // The path only: a query string may carry a token that has no place in the log.
    const path = request.url.split("?", 1)[0];
    const line = {
      method: request.method,
      path,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) {
      reply.log.error({ ...line, err: error }, "Request failed");
    } else if (path === this.#quietPath) {
      reply.log.debug(line, "Request completed");
    } else {
      reply.log.info(line, "Request completed");
    }
  }
}
