/**
 * The monolith baseline of measurement 3: one Node process over one PostgreSQL database holding all four
 * departments' tables, answering the two operations it knows — GridPriorityElders and PersonFile, with the
 * same request bodies as the gateway (operationName + variables) — each with one prepared statement that
 * returns the whole response as JSON text (./sql.ts). No governance, no GraphQL execution: the physical
 * limit for this data on this machine. Env: MONOLITH_DATABASE_URL, PORT, HOST, PG_POOL_SIZE.
 */
import { createServer } from "node:http";
import pg from "pg";
import { PERSON_FILE, PRIORITY_ELDER_PAGE } from "./sql";

const url = process.env.MONOLITH_DATABASE_URL;
if (!url) throw new Error("MONOLITH_DATABASE_URL is required");
const pool = new pg.Pool({ connectionString: url, max: Number(process.env.PG_POOL_SIZE ?? 10), options: "-c TimeZone=UTC" });

type Vars = Record<string, unknown>;
const OPERATIONS: Record<string, { name: string; text: string; values: (v: Vars) => unknown[] }> = {
  GridPriorityElders: { name: "page", text: PRIORITY_ELDER_PAGE, values: (v) => [v.gridId, v.first ?? 100, v.after ?? null] },
  PersonFile: { name: "person", text: PERSON_FILE, values: (v) => [v.id] },
};

function send(res: import("node:http").ServerResponse, status: number, body: string) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

const server = createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  if (req.method === "GET" && req.url === "/health") return send(res, 200, '{"status":"ok"}');
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    let body: { operationName?: string; variables?: Vars };
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      return send(res, 400, '{"errors":[{"message":"body is not JSON"}]}');
    }
    const op = OPERATIONS[body.operationName ?? ""];
    if (!op) return send(res, 400, JSON.stringify({ errors: [{ message: `the monolith answers only ${Object.keys(OPERATIONS).join(", ")}` }] }));
    pool.query({ name: op.name, text: op.text, values: op.values(body.variables ?? {}), rowMode: "array" }).then(
      (r) => send(res, 200, (r.rows[0]?.[0] as string | undefined) ?? '{"data":null}'),
      (e: unknown) => send(res, 500, JSON.stringify({ errors: [{ message: e instanceof Error ? e.message : String(e) }] })),
    );
  });
});

server.listen(Number(process.env.PORT ?? 4100), process.env.HOST ?? "127.0.0.1", () => console.log(`monolith ready on ${process.env.PORT}`));
const stop = () => server.close(() => void pool.end().finally(() => process.exit(0)));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
if (process.send) process.once("disconnect", stop);
