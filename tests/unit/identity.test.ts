/** Token verification: remembered per token for speed, but never past the token's expiry. */
import { SignJWT } from "jose";
import { createIdentity } from "../../gateway/src/auth/identity";

const secret = "unit-test-secret-unit-test-secret";
const opts = { hs256Secret: secret, issuer: "citizen-graph", audience: "citizen-graph", knownRoles: ["grid-worker"] };
const token = (exp: number, claims: Record<string, unknown> = {}) =>
  new SignJWT({ org: "安和街道", roles: ["grid-worker"], name: "王芳", scope: "read:identity", area: { grids: ["G-0101"] }, ...claims })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject("worker-1")
    .setIssuer("citizen-graph")
    .setAudience("citizen-graph")
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(new TextEncoder().encode(secret));
const code = async (p: Promise<unknown>) => p.then(() => "ok", (e: { extensions?: { code?: string } }) => e.extensions?.code);

it.each([["remembered", undefined], ["not remembered", 0]])("a %s verification ends when the token expires", async (_label, cacheSize) => {
  const authenticate = createIdentity({ ...opts, cacheSize });
  const t = await token(Math.floor(Date.now() / 1000) + 2);
  const first = await authenticate(`Bearer ${t}`);
  expect(first).toEqual({ sub: "worker-1", name: "王芳", org: "安和街道", role: "grid-worker", scopes: ["read:identity"], area: { grids: ["G-0101"], communities: [], buildings: [] } });
  expect(await authenticate(`Bearer ${t}`)).toEqual(first);
  await new Promise((r) => setTimeout(r, 2100));
  expect(await code(authenticate(`Bearer ${t}`))).toBe("TOKEN_EXPIRED");
});

it("remembers only valid tokens: a token altered after a valid one was seen is refused", async () => {
  const authenticate = createIdentity(opts);
  const t = await token(Math.floor(Date.now() / 1000) + 600);
  await authenticate(`Bearer ${t}`);
  const [h, p, sig] = t.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, "base64url").toString()), roles: ["grid-worker"], area: { grids: ["G-0999"] } })).toString("base64url")}.${sig}`;
  expect(await code(authenticate(`Bearer ${forged}`))).toBe("INVALID_TOKEN");
  expect(await code(authenticate(`Bearer ${forged}`))).toBe("INVALID_TOKEN");
});

it("hands every request a caller it cannot alter", async () => {
  const authenticate = createIdentity(opts);
  const t = await token(Math.floor(Date.now() / 1000) + 600);
  const a = await authenticate(`Bearer ${t}`);
  expect(() => (a.area.grids as string[]).push("G-0999")).toThrow();
  expect(() => ((a as { role: string }).role = "auditor")).toThrow();
  expect((await authenticate(`Bearer ${t}`)).area.grids).toEqual(["G-0101"]);
});
