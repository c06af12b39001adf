/** Configuration: read once, purely, every bad value named; the README's table is the definitions'. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadGatewayConfig, withSecrets } from "../../gateway/src/config";
import { loadSubgraphConfig } from "../../subgraphs/kit/config";
import { ConfigError } from "../../subgraphs/kit/contract/env";
import { configTableRows, CONFIG_TABLE_HEADER } from "../helpers/config-table";

const readmeTable = () => {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const start = readme.indexOf(CONFIG_TABLE_HEADER);
  return readme.slice(start, readme.indexOf("\n\n", start)).split("\n").slice(2);
};

describe("configuration", () => {
  it("the README's table lists exactly the variables the code reads, with their defaults and meanings", () => {
    expect(readmeTable()).toEqual(configTableRows());
  });

  it("names every bad value at once", () => {
    let err: unknown;
    try {
      loadGatewayConfig({ PORT: "http", MAX_DEPTH: "-3", AUTHZ_MODE: "maybe", AUDIT_DATABASE_URL: "mysql://x" });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems.join("\n");
    for (const v of ["PORT=\"http\"", "MAX_DEPTH=\"-3\"", "AUTHZ_MODE=\"maybe\"", "AUDIT_DATABASE_URL=\"mysql://x\""]) expect(problems).toContain(v);
  });

  it("names a bad per-department value with its department's prefix", () => {
    expect(() => loadSubgraphConfig("elderly-care", { ELDERLY_CARE_PORT: "70000" })).toThrow(/ELDERLY_CARE_PORT="70000"/);
    expect(() => loadSubgraphConfig("civil-affairs", { CIVIL_AFFAIRS_DATABASE_URL: "not a url" })).toThrow(/CIVIL_AFFAIRS_DATABASE_URL/);
    expect(loadSubgraphConfig("property-management", {}).port).toBe(4004);
  });

  it("reports <NAME>_URL variables that name no department, and ignores them", () => {
    const c = loadGatewayConfig({ ELDERLY_CARE_URL: "http://10.0.0.5:4003/graphql", ELDERY_CARE_URL: "http://typo/graphql", INSIGHTS_URL: "http://x/graphql" });
    expect(c.subgraphUrls).toEqual({ "elderly-care": "http://10.0.0.5:4003/graphql" });
    expect(c.warnings.join("\n")).toMatch(/ELDERY_CARE_URL names no subgraph/);
    expect(c.warnings.join("\n")).toMatch(/INSIGHTS_URL is ignored/);
  });

  it("reads each department's deadline from <NAME>_TIMEOUT_MS, names a bad one, reports one naming no department", () => {
    const c = loadGatewayConfig({ PROPERTY_MANAGEMENT_TIMEOUT_MS: "2000", PROPERTY_MANAGMENT_TIMEOUT_MS: "2000", ACCESS_LOG_TIMEOUT_MS: "100" });
    expect([c.subgraphTimeoutMs, c.subgraphTimeouts]).toEqual([5000, { "property-management": 2000 }]);
    expect(c.warnings.join("\n")).toMatch(/PROPERTY_MANAGMENT_TIMEOUT_MS names no department/);
    expect(c.warnings.join("\n")).toMatch(/ACCESS_LOG_TIMEOUT_MS is ignored/);
    let err: unknown;
    try {
      loadGatewayConfig({ ELDERLY_CARE_TIMEOUT_MS: "soon", CIVIL_AFFAIRS_TIMEOUT_MS: "10", SUBGRAPH_BREAKER_FAILURES: "0" });
    } catch (e) {
      err = e;
    }
    const problems = (err as ConfigError).problems.join("\n");
    for (const v of ['ELDERLY_CARE_TIMEOUT_MS="soon"', 'CIVIL_AFFAIRS_TIMEOUT_MS="10"', 'SUBGRAPH_BREAKER_FAILURES="0"']) expect(problems).toContain(v);
  });

  it("derives the gateway's node flags", () => {
    expect(loadGatewayConfig({}).nodeFlags).toEqual(["--max-old-space-size=256", "--expose-gc"]);
    expect(loadGatewayConfig({ GATEWAY_SEMI_SPACE_MB: "16" }).nodeFlags).toEqual(["--max-old-space-size=256", "--max-semi-space-size=16", "--expose-gc"]);
    expect(loadGatewayConfig({ GATEWAY_HEAP_MB: "0", GATEWAY_SEMI_SPACE_MB: "0", GATEWAY_GC_AFTER_ANSWER_BYTES: "0" }).nodeFlags).toEqual([]);
    expect(loadGatewayConfig({}).gcAfterAnswerBytes).toBe(4 * 1024 * 1024);
    expect(() => loadGatewayConfig({ GATEWAY_HEAP_MB: "lots" })).toThrow(/GATEWAY_HEAP_MB/);
  });

  it("derives the gateway process's environment: a fixed glibc mmap threshold unless turned off", () => {
    expect(loadGatewayConfig({}).processEnv).toEqual({ MALLOC_MMAP_THRESHOLD_: "131072" });
    expect(loadGatewayConfig({ GATEWAY_MALLOC_MMAP_THRESHOLD: "1048576" }).processEnv).toEqual({ MALLOC_MMAP_THRESHOLD_: "1048576" });
    expect(loadGatewayConfig({ GATEWAY_MALLOC_MMAP_THRESHOLD: "0" }).processEnv).toEqual({});
    expect(() => loadGatewayConfig({ GATEWAY_MALLOC_MMAP_THRESHOLD: String(64 * 1024 * 1024) })).toThrow(/GATEWAY_MALLOC_MMAP_THRESHOLD/);
  });

  it("`npm run start:gateway` starts the gateway with the default flags and environment", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, "../../package.json"), "utf8"));
    const launch = loadGatewayConfig({});
    const env = Object.entries(launch.processEnv).map(([k, v]) => `${k}=${v}`);
    expect(pkg.scripts["start:gateway"]).toBe([...env, "node", ...launch.nodeFlags, "dist/gateway/src/main.js"].join(" "));
  });

  it("collects garbage after large answers only from 1 MB, above an RSS threshold", () => {
    expect([loadGatewayConfig({}).gcAfterAnswerBytes, loadGatewayConfig({}).gcAboveRssBytes]).toEqual([4 * 1024 * 1024, 192 * 1024 * 1024]);
    expect(loadGatewayConfig({ GATEWAY_GC_AFTER_ANSWER_BYTES: "0" }).gcAfterAnswerBytes).toBe(0);
    expect(() => loadGatewayConfig({ GATEWAY_GC_AFTER_ANSWER_BYTES: "1" })).toThrow(/GATEWAY_GC_AFTER_ANSWER_BYTES/);
  });

  it("reading configuration writes nothing; secrets are created only when asked for", () => {
    const dir = mkdtempSync(join(tmpdir(), "cg-config-"));
    try {
      const c = loadGatewayConfig({ DATA_DIR: join(dir, "data") });
      loadSubgraphConfig("civil-affairs", { DATA_DIR: join(dir, "data") });
      expect(existsSync(join(dir, "data"))).toBe(false);
      expect(c.signingSecret).toBeUndefined();
      const resolved = withSecrets(c);
      expect(resolved.signingSecret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
      expect(existsSync(join(dir, "data/secrets/internal-signing.key"))).toBe(true);
      expect(withSecrets(loadGatewayConfig({ DATA_DIR: join(dir, "data") })).signingSecret).toBe(resolved.signingSecret);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
