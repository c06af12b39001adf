/**
 * Structured logs: the client gets the request's id back in `x-request-id`, and every gateway log line about
 * that request carries it as `reqId` — Fastify's request lines and the line of an error the client only sees
 * masked (here a department answering with an error code the gateway does not know).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startSystem, type System } from "../helpers/system";

describe("request ids in the gateway's logs", () => {
  let sys: System;
  let fake: http.Server;
  const lines: Record<string, any>[] = [];

  beforeAll(async () => {
    // Civil affairs, misbehaving: a well-formed answer with an unregistered error code.
    fake = http.createServer((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: null, errors: [{ message: "db exploded at 10.0.0.7", extensions: { code: "WEIRD_DEPARTMENT_CODE" } }] })));
    });
    await new Promise<void>((r) => fake.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(fake.address() as AddressInfo).port}/graphql`;
    sys = await startSystem({
      citizens: 3000,
      gateway: { subgraphUrls: { "civil-affairs": url } },
      logStream: { write: (l: string) => void lines.push(JSON.parse(l)) },
    });
  }, 180_000);
  afterAll(async () => {
    await sys?.stop();
    await new Promise((r) => fake.close(r));
  });

  it("gives the client the id every log line of its request carries, masked errors included", async () => {
    const res = await sys.gql(`{ communities { id } }`, undefined, { ...(await sys.as({ role: "data-steward" }, "data-quality")), "x-request-id": "client-label-1" });
    const id = res.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.errors![0]).toEqual(expect.objectContaining({ message: "Internal server error", extensions: { code: "INTERNAL_SERVER_ERROR" } }));
    expect(JSON.stringify(res.body)).not.toContain("10.0.0.7");
    const mine = lines.filter((l) => l.reqId === id);
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(["incoming request", "masked error", "request completed"]));
    // The masked error is logged once, with its detail, under the request's id.
    const masked = lines.filter((l) => l.msg === "masked error");
    expect(masked).toHaveLength(1);
    expect(masked[0].reqId).toBe(id);
    expect(JSON.stringify(masked[0])).toContain("db exploded");
  });
});
