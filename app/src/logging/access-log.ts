import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

// One line per request, written when the response is sent, in place of Fastify's two (incoming
// and completed): logging costs about half the CPU time of a short request. Probes of the health
// check, which App Platform sends every few seconds, go to debug.
export class AccessLogController extends LogController {
  readonly #quietPath: string;

  constructor(quietPath: string) {
    super({});
    this.#quietPath = quietPath;
  }

  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      url: request.url,
      statusCode: reply.statusCode,
      responseTime: reply.elapsedTime,
    };
    if (error) {
      reply.log.error({ ...line, err: error }, "Request failed");
    } else if (request.url === this.#quietPath) {
      reply.log.debug(line, "Request completed");
    } else {
      reply.log.info(line, "Request completed");
    }
  }
}
