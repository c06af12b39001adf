/**
 * The answer server of measurement 1 (gateway in isolation): it stands in for the four departments, one
 * port each, and answers every subgraph request with the answer the real department gave to the same
 * request — so that subgraph cost is near zero and the gateways are what is measured.
 *
 *   record: forwards each request (all its headers, signature included) to the real department and keeps
 *           the answer under the request's key; `POST /__replay/save` writes them to the file;
 *           `POST /__replay/freeze` switches to replay (the real departments are no longer needed).
 *   replay: answers from the file only. A request it has not recorded is an error (HTTP 502 with a GraphQL
 *           error, code REPLAY_MISS), never a guess; `GET /__replay/stats` counts hits and misses.
 *
 * The key of a request is its department, its canonical body — `{query, variables, operationName}` with
 * object keys sorted, anything else in the body ignored — and, for requests signed by our gateway, the
 * caller context it forwards (`x-cg-caller`: the department's answer depends on the caller's row scope and
 * purpose; it is the same for every request of one token). The signature, its timestamp, nonce and body
 * digest change on every request and are ignored.
 *
 * Fast path: the exact raw body (with the caller) is looked up first; only an unseen spelling is parsed
 * and canonicalised (then remembered, bounded). Answers are kept as ready Buffers.
 *
 * Usage: node --import tsx tests/bench/replay-server.ts (--record <file> --upstream <name>=<url>… | --replay <file>) --port <name>=<port>…
 * Prints "replay-server ready" when every port listens.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { readFileSync, writeFileSync } from "node:fs";
import { Pool } from "undici";

export interface Recorded {
  dept: string;
  key: string;
  status: number;
  contentType: string;
  body: string;
}

export interface RecordingFile {
  /** What the recording was taken from (data set, sources), for the report and the cache. */
  meta: Record<string, unknown>;
  answers: Recorded[];
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(o)
        .sort()
        .map((k) => [k, sortKeys(o[k])]),
    );
  }
  return v;
}

/** The canonical body: query, variables (keys sorted) and operation name; null when the body is not a JSON object. */
export function canonicalBody(raw: string): string | null {
  try {
    const b = JSON.parse(raw) as { query?: unknown; variables?: unknown; operationName?: unknown };
    if (!b || typeof b !== "object" || Array.isArray(b)) return null;
    return JSON.stringify({ query: b.query ?? null, variables: sortKeys(b.variables ?? null), operationName: b.operationName ?? null });
  } catch {
    return null;
  }
}

export const requestKey = (caller: string | undefined, canonical: string) => `${caller ?? "-"}\n${canonical}`;

function parseArgs(argv: string[]) {
  const out: { record?: string; replay?: string; upstream: Record<string, string>; port: Record<string, number> } = { upstream: {}, port: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[++i];
    if (a === "--record") out.record = v;
    else if (a === "--replay") out.replay = v;
    else if (a === "--upstream") {
      const [n, u] = v.split(/=(.*)/);
      out.upstream[n] = u;
    } else if (a === "--port") {
      const [n, p] = v.split("=");
      out.port[n] = Number(p);
    } else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  let recording = !!args.record;
  const file = args.record ?? args.replay;
  if (!file) throw new Error("--record <file> or --replay <file>");
  /** Per department: canonical key → answer. */
  const answers = new Map<string, Map<string, { rec: Recorded; buf: Buffer }>>();
  /** Per department: raw key (caller + exact body) → answer, filled on first sight of a spelling. */
  const raw = new Map<string, Map<string, Buffer>>();
  const stats = { hits: 0, misses: 0, recorded: 0, differing: 0, upstreamErrors: 0, missExamples: [] as string[] };
  const depts = Object.keys(args.port);
  for (const d of depts) {
    answers.set(d, new Map());
    raw.set(d, new Map());
  }
  if (args.replay) {
    const f = JSON.parse(readFileSync(args.replay, "utf8")) as RecordingFile;
    for (const r of f.answers) answers.get(r.dept)?.set(r.key, { rec: r, buf: Buffer.from(r.body) });
  }
  const pools = Object.fromEntries(Object.entries(args.upstream).map(([d, u]) => [d, { pool: new Pool(new URL(u).origin, { connections: 32 }), path: new URL(u).pathname }]));

  const miss = (res: ServerResponse, dept: string, why: string) => {
    stats.misses++;
    if (stats.missExamples.length < 5) stats.missExamples.push(`${dept}: ${why.slice(0, 300)}`);
    const body = JSON.stringify({ errors: [{ message: `replay: no recorded answer for this ${dept} request`, extensions: { code: "REPLAY_MISS" } }] });
    res.writeHead(502, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
    res.end(body);
  };

  const control = (req: IncomingMessage, res: ServerResponse) => {
    const send = (o: unknown) => {
      const b = JSON.stringify(o);
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(b) });
      res.end(b);
    };
    if (req.url === "/__replay/stats") return send({ mode: recording ? "record" : "replay", ...stats, keys: Object.fromEntries([...answers].map(([d, m]) => [d, m.size])) });
    if (req.url === "/__replay/reset" && req.method === "POST") {
      Object.assign(stats, { hits: 0, misses: 0, missExamples: [] });
      return send({ ok: true });
    }
    if (req.url === "/__replay/freeze" && req.method === "POST") {
      recording = false;
      return send({ ok: true });
    }
    if (req.url?.startsWith("/__replay/save") && req.method === "POST") {
      let meta: Record<string, unknown> = {};
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        try {
          meta = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>) : {};
        } catch {
          /* no meta */
        }
        const out: RecordingFile = { meta, answers: [...answers.values()].flatMap((m) => [...m.values()].map((x) => x.rec)) };
        writeFileSync(file, JSON.stringify(out));
        send({ ok: true, answers: out.answers.length });
      });
      return;
    }
    res.writeHead(404).end();
  };

  const handler = (dept: string) => (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/__replay/")) return control(req, res);
    if (req.method === "GET" && req.url === "/health") {
      res.writeHead(200, { "content-type": "application/json" });
      return res.end('{"status":"ok"}');
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = chunks.length === 1 ? chunks[0].toString("utf8") : Buffer.concat(chunks).toString("utf8");
      const caller = req.headers["x-cg-caller"] as string | undefined;
      const rawKey = `${caller ?? "-"}\n${body}`;
      if (!recording) {
        const fast = raw.get(dept)!.get(rawKey);
        if (fast) {
          stats.hits++;
          res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": fast.length });
          return res.end(fast);
        }
      }
      const canonical = canonicalBody(body);
      if (canonical === null) return miss(res, dept, `body is not a JSON object: ${body.slice(0, 100)}`);
      const key = requestKey(caller, canonical);
      const known = answers.get(dept)!.get(key);
      if (!recording) {
        if (!known) return miss(res, dept, canonical);
        stats.hits++;
        const m = raw.get(dept)!;
        if (m.size < 200_000) m.set(rawKey, known.buf);
        res.writeHead(known.rec.status, { "content-type": known.rec.contentType || "application/json", "content-length": known.buf.length });
        return res.end(known.buf);
      }
      // Recording: forward everything the gateway sent (signature included) to the real department.
      const up = pools[dept];
      if (!up) return miss(res, dept, "no upstream for this department");
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length", "keep-alive", "transfer-encoding"].includes(k))) as Record<string, string>;
      up.pool
        .request({ method: "POST", path: req.url ?? up.path, headers, body })
        .then(async (r) => {
          const text = await r.body.text();
          const contentType = String(r.headers["content-type"] ?? "application/json");
          if (r.statusCode !== 200) stats.upstreamErrors++;
          if (!known) {
            answers.get(dept)!.set(key, { rec: { dept, key, status: r.statusCode, contentType, body: text }, buf: Buffer.from(text) });
            stats.recorded++;
          } else if (known.rec.body !== text) stats.differing++;
          res.writeHead(r.statusCode, { "content-type": contentType, "content-length": Buffer.byteLength(text) });
          res.end(text);
        })
        .catch((e: unknown) => {
          stats.upstreamErrors++;
          res.writeHead(502, { "content-type": "application/json" });
          res.end(JSON.stringify({ errors: [{ message: `replay recorder: upstream ${dept} failed: ${e instanceof Error ? e.message : String(e)}` }] }));
        });
    });
  };

  let listening = 0;
  for (const d of depts) {
    const server = createServer({ keepAliveTimeout: 60_000 }, handler(d));
    server.listen(args.port[d], "127.0.0.1", () => {
      if (++listening === depts.length) console.log(`replay-server ready (${recording ? "recording" : `replaying ${[...answers.values()].reduce((a, m) => a + m.size, 0)} answers`})`);
    });
  }
  process.on("SIGTERM", () => process.exit(0));
  // Stop with the harness (the IPC channel closes when it dies).
  process.on("disconnect", () => process.exit(0));
}

if (require.main === module) main();
