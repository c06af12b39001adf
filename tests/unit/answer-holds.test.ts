/** Each request's hold of department answer bytes ends with the request, however it ends. */
import { EventEmitter } from "node:events";
import type { FastifyReply, FastifyRequest } from "fastify";
import { createAnswerHolds } from "../../gateway/src/answer-holds";
import { AnswerBudget } from "../../gateway/src/transport/answer-budget";

class Fake extends EventEmitter {
  destroyed = false;
  destroy() {
    this.destroyed = true;
    this.emit("close");
  }
}

/** A request on `socket` (several pipelined requests share one) with its reply. */
function request(socket: Fake) {
  const raw = new Fake();
  return { req: { raw: { socket } } as unknown as FastifyRequest, reply: { raw } as unknown as FastifyReply, raw };
}

describe("answer holds per request", () => {
  const setup = (sendDeadlineMs = 10_000) => {
    const budget = new AnswerBudget(1000);
    const holds = createAnswerHolds(() => budget.hold(), { sendDeadlineMs });
    const use = (h: ReturnType<typeof holds.of>, n: number) => expect(h.take(n)).toBe(true);
    return { budget, holds, use };
  };

  it("one hold per request (a batch's operations share it), released when the response has been sent", () => {
    const { budget, holds, use } = setup();
    const socket = new Fake();
    const r = request(socket);
    const h = holds.of(r.req, r.reply);
    expect(holds.of(r.req, r.reply)).toBe(h);
    use(h, 300);
    expect(budget.inFlight).toBe(300);
    r.raw.emit("close");
    expect(budget.inFlight).toBe(0);
    // The keep-alive connection carries no listener of a finished request.
    expect(socket.listenerCount("close")).toBe(0);
  });

  it("pipelined requests whose responses never got their own 'close': released when the connection goes", () => {
    const { budget, holds, use } = setup();
    const socket = new Fake();
    const rs = [request(socket), request(socket), request(socket)];
    for (const r of rs) use(holds.of(r.req, r.reply), 200);
    expect(budget.inFlight).toBe(600);
    rs[0].raw.emit("close"); // only the response on the wire gets it
    expect(budget.inFlight).toBe(400);
    socket.destroy();
    expect(budget.inFlight).toBe(0);
  });

  it("a request whose connection is already gone holds nothing", () => {
    const { budget, holds } = setup();
    const socket = new Fake();
    socket.destroyed = true;
    const r = request(socket);
    const h = holds.of(r.req, r.reply);
    expect(h.released).toBe(true);
    expect(h.take(100)).toBe(true); // given back at once
    expect(budget.inFlight).toBe(0);
  });

  it("a response not delivered within the deadline closes its connection and gives the bytes back", async () => {
    const { budget, holds, use } = setup(50);
    const socket = new Fake();
    const r = request(socket);
    use(holds.of(r.req, r.reply), 500);
    holds.sending(r.req);
    await new Promise((res) => setTimeout(res, 120));
    expect(r.raw.destroyed).toBe(true);
    expect(budget.inFlight).toBe(0);
    // Delivered in time: nothing is closed.
    const s2 = new Fake();
    const r2 = request(s2);
    use(holds.of(r2.req, r2.reply), 500);
    holds.sending(r2.req);
    r2.raw.emit("close");
    await new Promise((res) => setTimeout(res, 120));
    expect(r2.raw.destroyed).toBe(false);
    expect(budget.inFlight).toBe(0);
  });

  it("a request that holds nothing yet is not timed (no hold, no deadline)", async () => {
    const { holds } = setup(20);
    const r = request(new Fake());
    holds.sending(r.req); // e.g. a refusal before GraphQL ran
    await new Promise((res) => setTimeout(res, 60));
    expect(r.raw.destroyed).toBe(false);
  });
});
