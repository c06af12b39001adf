/**
 * The department answer bytes each HTTP request holds in the gateway's answer budget
 * (transport/answer-budget.ts), from the GraphQL context until the request is over. "Over" is the first
 * of: its response has been sent ('close' of the reply), its connection is gone ('close' of the socket:
 * a response queued behind another on a pipelined connection never gets its own 'close' when the
 * connection dies), or its response has not been delivered `sendDeadlineMs` after it was handed to the
 * socket — a client that does not read its response would otherwise hold the budget, and the gateway's
 * memory, for as long as it likes: its connection is closed. The operations of a batch share one hold.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AnswerHold } from "./transport/answer-budget";

export interface AnswerHolds {
  /** The request's hold (created on first use). */
  of(req: FastifyRequest, reply: FastifyReply): AnswerHold;
  /** The response is being sent: its delivery deadline starts (for a request that holds answers). */
  sending(req: FastifyRequest): void;
}

export function createAnswerHolds(newHold: () => AnswerHold, opts: { sendDeadlineMs: number }): AnswerHolds {
  const holds = new WeakMap<FastifyRequest, { hold: AnswerHold; arm: () => void }>();
  return {
    of(req, reply) {
      const known = holds.get(req);
      if (known) return known.hold;
      const hold = newHold();
      const socket = req.raw.socket;
      let timer: NodeJS.Timeout | undefined;
      const release = () => {
        hold.release();
        socket?.off("close", release);
        if (timer) clearTimeout(timer);
      };
      const arm = () => {
        if (timer || hold.released) return;
        timer = setTimeout(() => {
          // Not delivered in time: the connection goes, and with it what the response holds.
          reply.raw.destroy();
          release();
        }, opts.sendDeadlineMs);
        timer.unref();
      };
      holds.set(req, { hold, arm });
      // A request whose connection is already gone holds nothing (what it is given back is returned at once).
      if (!socket || socket.destroyed || reply.raw.destroyed) release();
      else {
        reply.raw.once("close", release);
        socket.once("close", release);
      }
      return hold;
    },
    sending(req) {
      holds.get(req)?.arm();
    },
  };
}
