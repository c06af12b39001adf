/**
 * Requests Node's HTTP parser cannot read (a control byte in a header, Content-Length beside
 * Transfer-Encoding, a garbage request line, headers over the size limit) are answered with a GraphQL
 * error body and a registered code, like every other refusal, by the gateway and the departments alike.
 */
import type { Socket } from "node:net";
import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { errorBody } from "./errors";

export function clientErrorHandler(err: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === "HPE_HEADER_OVERFLOW";
  const [status, reason, code, message] = tooLarge
    ? [431, "Request Header Fields Too Large", "REQUEST_HEADERS_TOO_LARGE", "The request headers are larger than the server accepts."]
    : [400, "Bad Request", "BAD_REQUEST", "The HTTP request is malformed."];
  const body = JSON.stringify(errorBody(code, message));
  socket.end(`HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
}

/**
 * Fastify's own routing errors (a URL that is not valid percent-encoding, FST_ERR_BAD_URL; a failed route
 * constraint) as a registered code instead of Fastify's error shape. Used as `frameworkErrors`.
 */
export function frameworkErrorHandler(_err: FastifyError, _req: FastifyRequest, reply: FastifyReply): void {
  void reply.code(400).type("application/json; charset=utf-8").send(errorBody("BAD_REQUEST", "The request URL is malformed (not valid percent-encoding)."));
}
