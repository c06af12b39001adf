/**
 * Helpers for shutdown tests with real processes: a gate that holds a department's answers until the test
 * releases them (so requests are provably in flight), requests each on its own connection, and a check that
 * a port refuses new connections.
 */
import http from "node:http";
import net from "node:net";

export interface Gate {
  url: string;
  /** Requests that reached the gate (and wait there until `open`). */
  readonly received: number;
  /** Lets every held request (and every later one) through. */
  open(): void;
  close(): Promise<void>;
}

/** A proxy in front of `target` (a department's /graphql) that holds each request until `open()`. */
export async function startGate(target: string): Promise<Gate> {
  let received = 0;
  let opened = false;
  const waiting: (() => void)[] = [];
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received++;
    if (!opened) await new Promise<void>((r) => waiting.push(r));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && !["host", "connection", "content-length", "keep-alive"].includes(k)) headers[k] = v;
    try {
      const up = await fetch(target, { method: req.method, headers, body: Buffer.concat(chunks) });
      const body = Buffer.from(await up.arrayBuffer());
      res.writeHead(up.status, { "content-type": up.headers.get("content-type") ?? "application/json" }).end(body);
    } catch {
      res.writeHead(502).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    get received() {
      return received;
    },
    open() {
      opened = true;
      waiting.splice(0).forEach((r) => r());
    },
    close: () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export interface Answer {
  status: number;
  body: any;
  headers: http.IncomingHttpHeaders;
}

/** A JSON POST on a connection of its own; rejects if the connection fails before a complete answer. */
export function postOwnConnection(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: "POST", agent: false, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c) => chunks.push(c));
      res.on("error", reject);
      res.on("end", () => {
        if (!res.complete) return reject(new Error("the answer was cut"));
        const text = Buffer.concat(chunks).toString("utf8");
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, body: json, headers: res.headers });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** Whether a new TCP connection to the port is refused. */
export function connectionRefused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(false);
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code === "ECONNREFUSED"));
  });
}

/** Tracks whether a promise has settled (without changing it). */
export function tracked<T>(p: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const promise = p.finally(() => {
    done = true;
  });
  promise.catch(() => undefined);
  return { promise, settled: () => done };
}
