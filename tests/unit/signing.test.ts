/**
 * The gateway → department signing contract (subgraphs/kit/contract/signing.ts), as published in the README:
 * the test vector a department in another language checks itself against, and every way a signed request
 * can be altered.
 */
import { createVerifier, newNonce, signRequest, HEADER_AUDIENCE, HEADER_SIGNATURE, HEADER_CALLER, HEADER_NONCE, HEADER_TIMESTAMP, HEADER_CONTENT_SHA256 } from "../../subgraphs/kit/contract/signing";
import type { ForwardedCaller } from "../../subgraphs/kit/contract/caller";

const secret = "example-signing-secret-0123456789";
const caller: ForwardedCaller = { sub: "worker-1", role: "grid-worker", org: "安和街道", rowScope: "grid", area: { grids: ["G-0101"], communities: [], buildings: [] }, purpose: "welfare-check" };
const body = '{"query":"{ communities { id } }"}';
const T = 1796198400000;

describe("the README's test vector", () => {
  it("signs exactly as published", () => {
    const h = signRequest(secret, { audience: "civil-affairs", method: "POST", target: "/graphql", caller, body }, T, "AAECAwQFBgcICQoLDA0ODw");
    expect(h).toEqual({
      "x-cg-audience": "civil-affairs",
      "x-cg-timestamp": "1796198400000",
      "x-cg-nonce": "AAECAwQFBgcICQoLDA0ODw",
      "x-cg-caller": "eyJzdWIiOiJ3b3JrZXItMSIsInJvbGUiOiJncmlkLXdvcmtlciIsIm9yZyI6IuWuieWSjOihl-mBkyIsInJvd1Njb3BlIjoiZ3JpZCIsImFyZWEiOnsiZ3JpZHMiOlsiRy0wMTAxIl0sImNvbW11bml0aWVzIjpbXSwiYnVpbGRpbmdzIjpbXX0sInB1cnBvc2UiOiJ3ZWxmYXJlLWNoZWNrIn0",
      "x-cg-content-sha256": "8f1fa8785dc1a4fef49f219db234aeae153d6ec432a0f90b02948f18aa9e269a",
      "x-cg-signature": "v1=nP2EmWLmTMhiE6m_AlNjmDERlZDKEj0NhgJXh8JubMM",
    });
  });
});

describe("nonces", () => {
  it("are 16 random bytes in base64url, never handed out twice, across many draws of the random source", () => {
    const n = 256 * 4 + 7; // more than several draws of 256
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const nonce = newNonce();
      expect(nonce).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(Buffer.from(nonce, "base64url")).toHaveLength(16);
      seen.add(nonce);
    }
    expect(seen.size).toBe(n);
    // Not a counter or a fixed pattern: the bytes at each position take many values.
    const firstBytes = new Set([...seen].map((x) => Buffer.from(x, "base64url")[0]));
    expect(firstBytes.size).toBeGreaterThan(200);
  });

  it("each signed request gets its own, and a department accepts each once", () => {
    const v = createVerifier({ secret, audience: "civil-affairs", maxSkewMs: 30_000 });
    const signed = Array.from({ length: 300 }, () => signRequest(secret, { audience: "civil-affairs", method: "POST", target: "/graphql", caller, body }));
    expect(new Set(signed.map((h) => h[HEADER_NONCE])).size).toBe(300);
    for (const h of signed) expect(v.verifyHeaders("POST", "/graphql", h)).toEqual(expect.objectContaining({ ok: true }));
  });
});

describe("verification", () => {
  let clock = T;
  const verifier = () => createVerifier({ secret, audience: "civil-affairs", maxSkewMs: 30_000, now: () => clock });
  const sign = (over: Partial<{ method: string; target: string; body: string }> = {}, at = clock) => signRequest(secret, { audience: "civil-affairs", method: "POST", target: "/graphql", caller, body, ...over }, at);
  beforeEach(() => {
    clock = T;
  });

  it("accepts a fresh request once, and refuses the same request again (replay)", () => {
    const v = verifier();
    const h = sign();
    expect(v.verifyHeaders("POST", "/graphql", h)).toEqual({ ok: true, caller, contentSha256: h[HEADER_CONTENT_SHA256] });
    expect(v.verifyHeaders("POST", "/graphql", h)).toEqual(expect.objectContaining({ ok: false, code: "SUBGRAPH_REQUEST_REPLAYED" }));
    expect(v.bodyMatches(h[HEADER_CONTENT_SHA256], body)).toBe(true);
    expect(v.bodyMatches(h[HEADER_CONTENT_SHA256], body + " ")).toBe(false);
  });

  it.each([
    ["another method", "GET", "/graphql"],
    ["another path", "POST", "/other"],
    ["a percent-encoded path", "POST", "/%67raphql"],
    ["another percent-encoding", "POST", "/graphq%6C"],
    ["an absolute-form target", "POST", "http://127.0.0.1:4001/graphql"],
    ["a query string added", "POST", "/graphql?query=%7B__typename%7D"],
    ["a trailing slash", "POST", "/graphql/"],
    ["a double slash", "POST", "//graphql"],
  ])("refuses a request signed for POST /graphql but sent with %s", (_label, method, target) => {
    expect(verifier().verifyHeaders(method, target, sign())).toEqual(expect.objectContaining({ ok: false, code: "SUBGRAPH_REQUEST_INVALID_SIGNATURE" }));
  });

  it("refuses a request signed for another department", () => {
    const h = signRequest(secret, { audience: "public-security", method: "POST", target: "/graphql", caller, body }, clock);
    expect(verifier().verifyHeaders("POST", "/graphql", h)).toEqual(expect.objectContaining({ code: "SUBGRAPH_REQUEST_INVALID_SIGNATURE" }));
  });

  it("binds the query string when one is signed", () => {
    const h = sign({ target: "/graphql?a=1" });
    expect(verifier().verifyHeaders("POST", "/graphql?a=2", h)).toEqual(expect.objectContaining({ code: "SUBGRAPH_REQUEST_INVALID_SIGNATURE" }));
    expect(verifier().verifyHeaders("POST", "/graphql?a=1", h).ok).toBe(true);
  });

  it("refuses a tampered caller (wider row scope), content hash, timestamp or nonce", () => {
    const h = sign();
    const wider = Buffer.from(JSON.stringify({ ...caller, rowScope: "district" })).toString("base64url");
    for (const [k, v] of [[HEADER_AUDIENCE, "public-security"], [HEADER_CALLER, wider], [HEADER_CONTENT_SHA256, "0".repeat(64)], [HEADER_TIMESTAMP, String(T + 1)], [HEADER_NONCE, "BBECAwQFBgcICQoLDA0ODw"], [HEADER_SIGNATURE, "v1=" + "A".repeat(43)]]) {
      expect([k, verifier().verifyHeaders("POST", "/graphql", { ...h, [k]: v })]).toEqual([k, expect.objectContaining({ code: "SUBGRAPH_REQUEST_INVALID_SIGNATURE" })]);
    }
  });

  it("refuses a stale or future timestamp", () => {
    expect(verifier().verifyHeaders("POST", "/graphql", sign({}, T - 31_000))).toEqual(expect.objectContaining({ code: "SUBGRAPH_REQUEST_STALE" }));
    expect(verifier().verifyHeaders("POST", "/graphql", sign({}, T + 31_000))).toEqual(expect.objectContaining({ code: "SUBGRAPH_REQUEST_STALE" }));
    expect(verifier().verifyHeaders("POST", "/graphql", sign({}, T - 29_000)).ok).toBe(true);
  });

  it.each([HEADER_AUDIENCE, HEADER_TIMESTAMP, HEADER_NONCE, HEADER_CALLER, HEADER_CONTENT_SHA256, HEADER_SIGNATURE])("treats a request without %s as unsigned", (header) => {
    const h: Record<string, string> = { ...sign() };
    delete h[header];
    expect(verifier().verifyHeaders("POST", "/graphql", h)).toEqual(expect.objectContaining({ code: "SUBGRAPH_REQUEST_UNSIGNED" }));
  });

  it("treats a repeated signing header as unsigned (ambiguous)", () => {
    const h = sign();
    expect(verifier().verifyHeaders("POST", "/graphql", { ...h, [HEADER_SIGNATURE]: [h[HEADER_SIGNATURE], h[HEADER_SIGNATURE]] })).toEqual(expect.objectContaining({ code: "SUBGRAPH_REQUEST_UNSIGNED" }));
  });

  it("refuses a well-signed caller context that is not a caller (fails closed)", () => {
    const bad = Buffer.from(JSON.stringify({ sub: "x", role: "r", org: "o", rowScope: "universe", area: {}, purpose: null })).toString("base64url");
    const h = signRequest(secret, { audience: "civil-affairs", method: "POST", target: "/graphql", caller: JSON.parse(Buffer.from(bad, "base64url").toString()) as ForwardedCaller, body }, T);
    expect(verifier().verifyHeaders("POST", "/graphql", h)).toEqual(expect.objectContaining({ code: "SUBGRAPH_REQUEST_INVALID_SIGNATURE" }));
  });

  it("keeps a bounded replay cache whose entries expire after the window", () => {
    const v = createVerifier({ secret, audience: "civil-affairs", maxSkewMs: 30_000, now: () => clock, replayCacheSize: 3 });
    for (let i = 0; i < 10; i++) expect(v.verifyHeaders("POST", "/graphql", sign()).ok).toBe(true);
    expect(v.remembered()).toBeLessThanOrEqual(3);
  });
});
