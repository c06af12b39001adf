/**
 * The gateways under test and how each is started: ours as shipped (governance on), ours with governance
 * off, stock Apollo, and Hive Gateway with its default (stitching) runtime and with the Hive Router runtime
 * (the Rust query planner). Each runs as its own node process on its own port, against the same subgraphs.
 */
import { existsSync, readFileSync } from "node:fs";
import { loadGatewayConfig } from "../../gateway/src/config";

const gatewayNodeFlags = (env: NodeJS.ProcessEnv) => loadGatewayConfig(env).nodeFlags;
/** The environment `npm start` gives the gateway process (glibc's mmap threshold). */
const gatewayProcessEnv = (env: NodeJS.ProcessEnv) => loadGatewayConfig(env).processEnv;
import { join } from "node:path";
import { compiledEntry } from "./build";

export const GATEWAY_NAMES = ["ours", "ours-ungoverned", "apollo-stock", "hive", "hive-rust"] as const;
export type GatewayName = (typeof GATEWAY_NAMES)[number];

export interface GatewaySpec {
  name: GatewayName;
  label: string;
  /** Arguments to `node`. */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Headers every request carries. */
  headers: Record<string, string>;
  /** Why it cannot run here, when known before starting it. */
  unavailable?: string;
}

export interface SpecContext {
  root: string;
  port: number;
  /** Subgraph routing URLs by subgraph name. */
  urls: Record<string, string>;
  /** The supergraph file for peers (routing URLs of this run). */
  peerSupergraphPath: string;
  /** Scratch DATA_DIR of our gateway (access log, no secrets: they are passed in). */
  scratchDir: string;
  jwtSecret: string;
  signingSecret: string;
  /** Authorization header value for our governed gateway. */
  authorization: string;
}

const envName = (subgraph: string) => `${subgraph.toUpperCase().replace(/-/g, "_")}_URL`;

function hiveBin(root: string): string {
  const dir = join(root, "node_modules/@graphql-hive/gateway");
  const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { bin?: string | Record<string, string> };
  const rel = typeof pkg.bin === "string" ? pkg.bin : (pkg.bin?.["hive-gateway"] ?? "dist/bin.js");
  return join(dir, rel);
}

export function gatewaySpec(name: GatewayName, c: SpecContext): GatewaySpec {
  const ours = (governance: "on" | "off"): NodeJS.ProcessEnv => ({
    PORT: String(c.port),
    HOST: "127.0.0.1",
    DATA_DIR: join(c.scratchDir, `gateway-${governance}`),
    // A fixed supergraph, as the peers get: the production registry is PostgreSQL, not a PGlite in the process.
    SUPERGRAPH_SOURCE: "file",
    AUTH_JWT_SECRET: c.jwtSecret,
    INTERNAL_SIGNING_SECRET: c.signingSecret,
    LOG_LEVEL: "warn",
    GOVERNANCE: governance,
    // The benchmark is one caller at many requests per second: the per-caller rate limit would measure itself.
    RATE_LIMIT_PER_SECOND: "0",
    // Saturating load queues fetches for seconds; the interactive deadline (5 s) would fail them where the
    // peers, which have none this short, wait: measure all alike.
    SUBGRAPH_TIMEOUT_MS: "60000",
    ...Object.fromEntries(Object.entries(c.urls).map(([k, v]) => [envName(k), v])),
  });
  const hive = (rust: boolean): GatewaySpec => {
    const bin = hiveBin(c.root);
    const runtime = join(c.root, "node_modules/@graphql-hive/router-runtime/package.json");
    return {
      name: rust ? "hive-rust" : "hive",
      label: rust ? "Hive Gateway, Rust query planner (Hive Router runtime)" : "Hive Gateway (default runtime)",
      args: [bin, "supergraph", c.peerSupergraphPath, "--host", "127.0.0.1", "--port", String(c.port), ...(rust ? ["--hive-router-runtime"] : [])],
      env: { NODE_ENV: "production" },
      headers: {},
      unavailable: !existsSync(bin) ? "@graphql-hive/gateway is not installed" : rust && !existsSync(runtime) ? "@graphql-hive/router-runtime is not installed" : undefined,
    };
  };
  switch (name) {
    case "ours":
      return {
        name,
        label: "ours, as shipped (governance on)",
        args: [...gatewayNodeFlags({}), compiledEntry(c.root, "gateway/src/main.ts")],
        env: { ...ours("on"), ...gatewayProcessEnv({}), NODE_ENV: "production" },
        headers: { authorization: c.authorization, "x-purpose": "subsidy-review" },
      };
    case "ours-ungoverned":
      return {
        name,
        label: "ours, GOVERNANCE=off",
        args: [...gatewayNodeFlags({}), compiledEntry(c.root, "gateway/src/main.ts")],
        env: { ...ours("off"), ...gatewayProcessEnv({}), NODE_ENV: "production" },
        headers: {},
      };
    case "apollo-stock":
      return {
        name,
        label: "stock Apollo (Apollo Gateway + @apollo/server standalone, defaults)",
        args: ["--import", "tsx", join(__dirname, "peers/apollo-stock.ts")],
        env: { SUPERGRAPH_PATH: c.peerSupergraphPath, PORT: String(c.port), HOST: "127.0.0.1", NODE_ENV: "production" },
        headers: {},
      };
    case "hive":
      return hive(false);
    case "hive-rust":
      return hive(true);
  }
}
