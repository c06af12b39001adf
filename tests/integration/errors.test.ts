/** Bad input gets a clear error with a registered code; nothing internal leaks. */
import { startSystem, post, type System } from "../helpers/system";
import { expectClean } from "../helpers/expect";
import { isRegisteredCode } from "../../gateway/src/errors";

let sys: System;
beforeAll(async () => {
  sys = await startSystem({ citizens: 3000 });
}, 180_000);
afterAll(() => sys?.stop());


describe("client errors", () => {
  it("rejects a malformed cursor with INVALID_CURSOR and serves the rest", async () => {
    const res = await sys.gql(`{ grid(id: "G-0101") { name priorityElders(first: 2, after: "bogus") { totalCount } } communities { id } }`);
    expect(res.body.errors?.[0].extensions?.code).toBe("INVALID_CURSOR");
    expect(res.body.errors?.[0].path?.[0]).toBe("grid");
    expect(res.body.errors?.[0].path?.at(-1)).toBe("priorityElders");
    expect(res.body.data?.communities.length).toBeGreaterThan(0);
    expectClean(res.body);
  });

  it("rejects an oversized page with INVALID_PAGE_SIZE", async () => {
    const res = await sys.gql(`{ priorityElders(first: 100000) { totalCount } }`);
    expect(res.body.errors?.[0].extensions?.code).toBe("INVALID_PAGE_SIZE");
  });

  it("rejects an out-of-range care level with BAD_USER_INPUT", async () => {
    const res = await sys.gql(`{ priorityElders(filter: { minCareLevel: 9 }) { totalCount } }`);
    expect(res.body.errors?.[0].extensions?.code).toBe("BAD_USER_INPUT");
  });

  it("rejects an unknown field with GRAPHQL_VALIDATION_FAILED and HTTP 400", async () => {
    const res = await sys.gql(`{ citizen(id: "P00000001") { salary } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });

  it("rejects broken syntax with GRAPHQL_PARSE_FAILED", async () => {
    const res = await sys.gql(`{ citizen(id: `);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0].extensions?.code).toBe("GRAPHQL_PARSE_FAILED");
  });

  it("rejects a body that is not GraphQL with a registered code", async () => {
    const res = await post(sys.gatewayUrl, { notAQuery: true }, await sys.as({ role: "data-steward" }));
    expect(res.status).toBe(400);
    expect(isRegisteredCode(res.body.errors?.[0].extensions?.code)).toBe(true);
  });

  it("keeps introspection off by default", async () => {
    const res = await sys.gql(`{ __schema { types { name } } }`);
    expect(res.body.errors?.[0].extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
  });
});

describe("a department that refuses the gateway (misconfigured secret)", () => {
  it("masks the department's HTTP error: no URL, body or signature detail reaches the client", async () => {
    const local = await startSystem({ citizens: 3000, subgraphSecrets: { "civil-affairs": "a-different-secret-0123456789" } });
    try {
      const res = await local.gql(`{ citizen(id: "P00000001") { name maritalStatus } }`);
      const refused = (res.body.errors ?? []).find((e) => e.extensions?.code === "SUBGRAPH_BAD_RESPONSE");
      expect(refused?.extensions).toEqual({ code: "SUBGRAPH_BAD_RESPONSE", serviceName: "civil-affairs" });
      expect(res.body.data?.citizen?.name ?? null).not.toBeNull();
      expect(JSON.stringify(res.body)).not.toMatch(/127\.0\.0\.1|signature|"response"|statusText|SUBGRAPH_REQUEST_/i);
    } finally {
      await local.stop();
    }
  }, 120_000);
});

describe("a department that is down", () => {
  it("returns SUBGRAPH_UNAVAILABLE for its fields and serves the others", async () => {
    const local = await startSystem({ citizens: 3000 });
    try {
      await local.subgraphs["civil-affairs"].app.close();
      const res = await local.gql(`{ citizen(id: "P00000001") { name maritalStatus } }`);
      const codes = (res.body.errors ?? []).map((e) => e.extensions?.code);
      expect(codes).toContain("SUBGRAPH_UNAVAILABLE");
      expect(res.body.data?.citizen?.name ?? null).not.toBeNull();
      expectClean(res.body);
    } finally {
      await local.stop();
    }
  }, 120_000);
});
