/**
 * Draining (subgraphs/kit/lifecycle.ts) on a real listening Fastify app: a request in flight when the shutdown
 * starts gets its full answer, sent with Connection: close, and one pipelined after it on the same connection is
 * not started; past the deadline the remaining connections are cut and the close reports it.
 */
import net from "node:net";
import Fastify from "fastify";
import { closeGracefully, isClosing, registerDraining } from "../../subgraphs/kit/lifecycle";
import { connectionRefused } from "../helpers/drain";
import { registerHealthRoutes } from "../../subgraphs/kit/health";
import { until } from "../helpers/wait";

async function slowApp() {
  const app = Fastify({ return503OnClosing: false });
  registerDraining(app);
  registerHealthRoutes(app, { name: "test", checks: {} });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started = 0;
  app.get("/slow", async () => {
    started++;
    await released;
    return { done: true };
  });
  app.get("/fast", async () => ({ fast: true }));
  await app.listen({ port: 0, host: "127.0.0.1" });
  return { app, port: (app.server.address() as net.AddressInfo).port, release, started: () => started };
}

/** Sends raw HTTP/1.1 on one socket and collects everything until the server closes it. */
function rawSocket(port: number, text: string): { done: Promise<string> } {
  const s = net.connect(port, "127.0.0.1");
  let out = "";
  s.on("data", (d) => (out += d));
  s.on("error", () => undefined);
  s.write(text);
  return { done: new Promise((r) => s.on("close", () => r(out))) };
}

describe("draining", () => {
  it("finishes the request in flight, closes its connection after it", async () => {
    const { app, port, release, started } = await slowApp();
    // Two pipelined requests: the second is read only after the first is answered — by then the app is closing.
    const conn = rawSocket(port, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\nGET /fast HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => started() === 1, "the slow request to start");
    const closed = closeGracefully(app, 10_000);
    await until(() => connectionRefused(port), "the shutdown to start (new connections refused)");
    expect(isClosing(app)).toBe(true);
    release();
    const text = await conn.done;
    const [first, second] = text.split(/(?=HTTP\/1\.1 )/);
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    expect(first).toContain('{"done":true}');
    expect(first.toLowerCase()).toContain("connection: close");
    // Sent with Connection: close, the first answer ends the connection: the pipelined second request is never
    // started (the client sees the connection close after a complete answer and retries elsewhere).
    expect(second).toBeUndefined();
    expect(await closed).toBe("drained");
  });

  it("cuts what is still running at the deadline and says so", async () => {
    const { app, port, started } = await slowApp();
    const conn = rawSocket(port, "GET /slow HTTP/1.1\r\nHost: x\r\n\r\n");
    await until(() => started() === 1, "the slow request to start");
    expect(await closeGracefully(app, 100)).toBe("forced");
    expect(await conn.done).toBe("");
  });
});
