import { STATUS_CODES } from "node:http";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { isDatabaseUnavailable } from "./database/unavailable.ts";
import { SubscribeError } from "./routes/subscribe-error.ts";

// Maps every error to a status and logs it once with `err`. 4xx responses
// state the rule that the request broke. 5xx responses carry a generic
// message, because their details (hosts, SQL, stack traces) belong in the log only.
export function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const status = statusFor(error);

  if (status < 500) {
    request.log.info({ err: error }, "Rejected request");
    return sendError(reply, status, clientErrorMessage(error));
  }

  if (status === 503) {
    request.log.error({ err: error }, "Failed to handle request: the database is unavailable");
    return sendError(reply, status, "The service is temporarily unavailable. Try again later.");
  }

  request.log.error({ err: error }, "Failed to handle request");
  return sendError(reply, status, "An unexpected error occurred.");
}

function statusFor(error: FastifyError | Error): number {
  if (error instanceof SubscribeError) {
    if (error.kind === "validation") {
      return 400;
    }
    return isDatabaseUnavailable(error) ? 503 : 500;
  }

  // Fastify's own client errors (415, 413, 404, ...) and the form parser's 400.
  const statusCode = (error as { statusCode?: unknown }).statusCode;
  if (typeof statusCode === "number" && statusCode >= 400 && statusCode < 500) {
    return statusCode;
  }
  return isDatabaseUnavailable(error) ? 503 : 500;
}

// Fastify 5's 415 message names no accepted type, so this one does.
function clientErrorMessage(error: FastifyError | Error): string {
  if ((error as FastifyError).code === "FST_ERR_CTP_INVALID_MEDIA_TYPE") {
    return "Content-Type must be application/x-www-form-urlencoded";
  }
  return error.message;
}

function sendError(reply: FastifyReply, statusCode: number, message: string): FastifyReply {
  return reply.code(statusCode).send({ statusCode, error: STATUS_CODES[statusCode], message });
}
