/**
 * A department that misbehaves on demand, over real HTTP on loopback: it stands where the gateway expects
 * a department and, depending on its `mode`, passes requests on to the real department (`proxy`), freezes,
 * answers 5xx, garbage or too much, or is gone (`kill()`: connection refused until `revive()`). It records
 * what it received (attempts, `x-request-id` headers, the real department's answer headers).
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export type FakeMode =
  | { kind: "proxy" }
  | { kind: "freeze" }
  | { kind: "status"; status: number; body?: string }
  | { kind: "body"; body: string; contentType?: string }
  /** `bytes` of a valid-looking JSON answer; `declared`: with content-length (else chunked). */
  | { kind: "oversize"; bytes: number; declared: boolean };

export interface Received {
  at: number;
  requestId?: string;
  /** The real department's `x-request-id` answer header (proxy mode). */
  departmentRequestId?: string;
  /** Bytes of the real department's answer (proxy mode). */
  answerBytes?: number;
  body: string;
}

export interface FakeDepartment {
  url: string;
  mode: FakeMode;
  /** Where `proxy` sends requests (the real department's URL). */
  target?: string;
  received: Received[];
  kill(): Promise<void>;
  revive(): Promise<void>;
  close(): Promise<void>;
}

/** The same buffer is sent for every oversize answer of one size (the test process holds one copy). */
const payloads = new Map<number, Buffer>();
function oversizePayload(bytes: number): Buffer {
  let b = payloads.get(bytes);
  if (!b) {
    const head = Buffer.from('{"data":{"_entities":[{"__typename":"Citizen","maritalStatus":null,"junk":"');
    const tail = Buffer.from('"}]}}');
    b = Buffer.alloc(Math.max(bytes, head.length + tail.length), "x");
    head.copy(b, 0);
    tail.copy(b, b.length - tail.length);
    payloads.set(bytes, b);
  }
  return b;
}

function proxy(req: IncomingMessage, body: Buffer, res: ServerResponse, target: string, seen: Received) {
  const u = new URL(target);
  const headers = { ...req.headers, host: u.host };
  const out = httpRequest({ host: u.hostname, port: u.port, path: req.url, method: req.method, headers, agent: false }, (up) => {
    seen.departmentRequestId = typeof up.headers["x-request-id"] === "string" ? up.headers["x-request-id"] : undefined;
    res.writeHead(up.statusCode ?? 502, up.headers);
    seen.answerBytes = 0;
    up.on("data", (c: Buffer) => (seen.answerBytes! += c.length));
    up.pipe(res);
  });
  out.on("error", () => res.destroy());
  out.end(body);
}

export async function startFakeDepartment(initial: FakeMode = { kind: "proxy" }): Promise<FakeDepartment> {
  const sockets = new Set<Socket>();
  const received: Received[] = [];
  // A port below the ephemeral range: while it is dead, the gateway's connection attempts to it cannot be
  // given it as their own source port (a socket connected to itself), and nothing else takes it meanwhile.
  let port = 0;
  const pickPort = () => 20_000 + Math.floor(Math.random() * 12_000);
  const fake: FakeDepartment = {
    url: "",
    mode: initial,
    received,
    kill: () => stop(),
    revive: () => listen(),
    close: () => stop(),
  };
  let server: Server | null = null;
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    res.on("error", () => undefined);
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const seen: Received = { at: Date.now(), requestId: typeof req.headers["x-request-id"] === "string" ? req.headers["x-request-id"] : undefined, body: body.toString("utf8") };
      received.push(seen);
      const mode = fake.mode;
      switch (mode.kind) {
        case "proxy":
          return proxy(req, body, res, fake.target!, seen);
        case "freeze":
          return; // never answers; the socket is destroyed by the gateway's deadline or by kill()
        case "status":
          res.writeHead(mode.status, { "content-type": "text/html" });
          return void res.end(mode.body ?? `<html><body>${mode.status} from a proxy at http://10.0.0.5/internal</body></html>`);
        case "body":
          res.writeHead(200, { "content-type": mode.contentType ?? "application/json" });
          return void res.end(mode.body);
        case "oversize": {
          const payload = oversizePayload(mode.bytes);
          res.writeHead(200, { "content-type": "application/json", ...(mode.declared ? { "content-length": payload.length } : {}) });
          if (mode.declared) return void res.end(payload);
          // Chunked, 1 MB at a time: the gateway has to count while it reads.
          let at = 0;
          const next = () => {
            while (at < payload.length && !res.destroyed) {
              const end = Math.min(payload.length, at + 1024 * 1024);
              const more = res.write(payload.subarray(at, end));
              at = end;
              if (!more) return void res.once("drain", next);
            }
            if (!res.destroyed) res.end();
          };
          return next();
        }
      }
    });
  };
  async function listen() {
    if (server) return;
    const s = createServer(handler);
    s.on("connection", (sock) => {
      sockets.add(sock);
      sock.on("close", () => sockets.delete(sock));
    });
    // A new port at first (another one if taken); the same port again after kill().
    const first = port === 0;
    for (let tries = 0; ; tries++) {
      if (first) port = pickPort();
      try {
        await new Promise<void>((resolve, reject) => {
          s.once("error", reject);
          s.listen(port, "127.0.0.1", () => {
            s.off("error", reject);
            resolve();
          });
        });
        break;
      } catch (e) {
        if ((e as { code?: string }).code !== "EADDRINUSE" || tries >= 100) throw e;
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    server = s;
    port = (s.address() as { port: number }).port;
    fake.url = `http://127.0.0.1:${port}/graphql`;
  }
  async function stop() {
    const s = server;
    server = null;
    if (!s) return;
    for (const sock of sockets) sock.destroy();
    await new Promise<void>((r) => s.close(() => r()));
  }
  await listen();
  return fake;
}
