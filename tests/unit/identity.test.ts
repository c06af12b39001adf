/** Token verification: exp required, lifetime bounded, no future iat; remembered per token, never past expiry. */
import { SignJWT } from "jose";
import { createIdentity } from "../../gateway/src/auth/identity";

const secret = "unit-test-secret-unit-test-secret";
let clock = Date.parse("2026-12-02T08:00:00Z");
const now = () => clock;
const opts = { hs256Secret: secret, issuer: "citizen-graph", audience: "citizen-graph", knownRoles: ["grid-worker"], maxLifetimeS: 24 * 3600, clockSkewS: 60, now };
const s = () => Math.floor(clock / 1000);
const sign = (claims: Record<string, unknown>, build: (j: SignJWT) => SignJWT = (j) => j) =>
  build(
    new SignJWT({ org: "安和街道", roles: ["grid-worker"], name: "王芳", scope: "read:identity", area: { grids: ["G-0101"] }, ...claims })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject("worker-1")
      .setIssuer("citizen-graph")
      .setAudience("citizen-graph"),
  ).sign(new TextEncoder().encode(secret));
const token = (exp: number, claims: Record<string, unknown> = {}) => sign(claims, (j) => j.setIssuedAt(s()).setExpirationTime(exp));
const code = async (p: Promise<unknown>) => p.then(() => "ok", (e: { extensions?: { code?: string } }) => e.extensions?.code);

beforeEach(() => {
  clock = Date.parse("2026-12-02T08:00:00Z");
});

it.each([["remembered", undefined], ["not remembered", 0]])("a %s verification ends when the token expires", async (_label, cacheSize) => {
  const authenticate = createIdentity({ ...opts, cacheSize });
  const t = await token(s() + 120);
  const first = await authenticate(`Bearer ${t}`);
  expect(first).toEqual({ sub: "worker-1", name: "王芳", org: "安和街道", role: "grid-worker", scopes: ["read:identity"], area: { grids: ["G-0101"], communities: [], buildings: [] } });
  expect(await authenticate(`Bearer ${t}`)).toEqual(first);
  clock += 120_000 + 61_000; // past exp and the clock skew
  expect(await code(authenticate(`Bearer ${t}`))).toBe("TOKEN_EXPIRED");
});

it("remembers only valid tokens: a token altered after a valid one was seen is refused", async () => {
  const authenticate = createIdentity(opts);
  const t = await token(s() + 600);
  await authenticate(`Bearer ${t}`);
  const [h, p, sig] = t.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), roles: ["grid-worker"], area: { grids: ["G-0999"] } })).toString("base64url")}.${sig}`;
  expect(await code(authenticate(`Bearer ${forged}`))).toBe("INVALID_TOKEN");
  expect(await code(authenticate(`Bearer ${forged}`))).toBe("INVALID_TOKEN");
});

it("hands every request a caller it cannot alter", async () => {
  const authenticate = createIdentity(opts);
  const t = await token(s() + 600);
  const a = await authenticate(`Bearer ${t}`);
  expect(() => (a.area.grids as string[]).push("G-0999")).toThrow();
  expect(() => ((a as { role: string }).role = "auditor")).toThrow();
  expect((await authenticate(`Bearer ${t}`)).area.grids).toEqual(["G-0101"]);
});

describe("what a token must be", () => {
  it("refuses a token without exp (it would be valid forever)", async () => {
    const t = await sign({}, (j) => j.setIssuedAt(s()));
    expect(await code(createIdentity(opts)(`Bearer ${t}`))).toBe("INVALID_TOKEN");
  });

  it.each([
    ["issued an hour in the future", 3600, "INVALID_TOKEN"],
    ["issued 10 minutes in the future", 600, "INVALID_TOKEN"],
    ["issued within the clock skew", 30, "ok"],
  ])("a token %s: %s", async (_label, ahead, expected) => {
    const t = await sign({}, (j) => j.setIssuedAt(s() + ahead).setExpirationTime(s() + ahead + 600));
    expect(await code(createIdentity(opts)(`Bearer ${t}`))).toBe(expected);
  });

  it.each([
    ["a lifetime just under the bound", 24 * 3600 - 60, "ok"],
    ["a lifetime over the bound", 24 * 3600 + 60, "INVALID_TOKEN"],
    ["a year", 365 * 24 * 3600, "INVALID_TOKEN"],
  ])("a token with %s", async (_label, life, expected) => {
    const t = await token(s() + life);
    expect(await code(createIdentity(opts)(`Bearer ${t}`))).toBe(expected);
  });

  it("bounds the remaining lifetime of a token without iat", async () => {
    const t = await sign({}, (j) => j.setExpirationTime(s() + 10 * 24 * 3600));
    expect(await code(createIdentity(opts)(`Bearer ${t}`))).toBe("INVALID_TOKEN");
    const ok = await sign({}, (j) => j.setExpirationTime(s() + 3600));
    expect(await code(createIdentity(opts)(`Bearer ${ok}`))).toBe("ok");
  });

  it("accepts an expiry within the clock skew, refuses one beyond", async () => {
    const t = await token(s() + 600);
    clock += 600_000 + 30_000;
    expect(await code(createIdentity(opts)(`Bearer ${t}`))).toBe("ok");
    clock += 60_000;
    expect(await code(createIdentity(opts)(`Bearer ${t}`))).toBe("TOKEN_EXPIRED");
  });

  it.each(["toString", "__proto__", "constructor", "hasOwnProperty"])("refuses the role %p (not a known role)", async (role) => {
    const t = await token(s() + 600, { roles: [role] });
    expect(await code(createIdentity(opts)(`Bearer ${t}`))).toBe("INVALID_TOKEN");
  });
});
