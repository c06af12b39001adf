/** Helpers for the schema registry's tests: temp data folders, tokens, SDL edits of our real subgraphs, the CLI. */
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { graphql, type GraphQLSchema } from "graphql";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { mintToken } from "../../gateway/src/auth/mint";
import { loadPolicy } from "../../gateway/src/governance/policy";
import { readSupergraphConfig } from "../../schema/composition";

export const root = resolve(__dirname, "../..");
export const TEST_SECRET = "registry-test-secret-0123456789abcdef";
const exec = promisify(execFile);

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));

/** The SDL file of one of our subgraphs. */
export const sdlOf = (subgraph: string) => readFileSync(readSupergraphConfig().find((s) => s.name === subgraph)!.file, "utf8");

/** Replaces exactly one occurrence of `from` (fails loudly if the SDL does not contain it once). */
export function edit(sdl: string, from: string, to: string): string {
  const n = sdl.split(from).length - 1;
  if (n !== 1) throw new Error(`expected one occurrence of ${JSON.stringify(from)}, found ${n}`);
  return sdl.replace(from, to);
}

/** Removes the line holding `fieldLine` and its one-line description above it. */
export function removeField(sdl: string, fieldStart: string): string {
  const lines = sdl.split("\n");
  const i = lines.findIndex((l) => l.startsWith(fieldStart));
  if (i < 0 || lines.filter((l) => l.startsWith(fieldStart)).length !== 1) throw new Error(`no single field line starting with ${fieldStart}`);
  const descr = lines[i - 1].trim().startsWith('"') ? 1 : 0;
  lines.splice(i - descr, 1 + descr);
  return lines.join("\n");
}

export function writeTemp(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

export const tokens = async () => {
  const policy = loadPolicy(join(root, "schema/policy.yaml"));
  const mint = (o: Parameters<typeof mintToken>[2]) => mintToken(policy, TEST_SECRET, o);
  return {
    steward: await mint({ role: "data-steward", sub: "steward-1", name: "数据管理员 李娜" }),
    civil: await mint({ role: "department-officer", department: "civil-affairs" }),
    security: await mint({ role: "department-officer", department: "public-security" }),
    property: await mint({ role: "department-officer", department: "property-management" }),
    worker: await mint({ role: "grid-worker", grids: ["G-0101"] }),
  };
};

export interface CliResult {
  code: number;
  json: Record<string, any>;
  stderr: string;
}

/** Runs `npm run schema -- <args> --json` as its own process against a data folder. */
export async function schemaCli(dataDir: string, token: string | undefined, args: string[]): Promise<CliResult> {
  const env = { ...process.env, NODE_OPTIONS: "", DATA_DIR: dataDir, AUTH_JWT_SECRET: TEST_SECRET, CG_TOKEN: token ?? "", REGISTRY_DATABASE_URL: "" };
  delete (env as Record<string, string | undefined>).REGISTRY_DATABASE_URL;
  if (!token) delete (env as Record<string, string | undefined>).CG_TOKEN;
  let stdout: string, stderr: string, code = 0;
  try {
    ({ stdout, stderr } = await exec(process.execPath, ["--import", "tsx", "schema/cli/index.ts", ...args, "--json"], { cwd: root, env, maxBuffer: 64 * 1024 * 1024 }));
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    code = typeof err.code === "number" ? err.code : 1;
    stdout = err.stdout ?? "";
    stderr = err.stderr ?? "";
  }
  let json: Record<string, any>;
  try {
    json = JSON.parse(stdout);
  } catch {
    throw new Error(`schema ${args.join(" ")}: no JSON on stdout (exit ${code}):\n${stdout}\n${stderr}`);
  }
  return { code, json, stderr };
}

/** A department that is not ours (a subgraph joining at run time): a plain HTTP server answering GraphQL from `schema`. */
export async function serveSubgraph(schema: GraphQLSchema, onRequest: () => void = () => undefined, tamper: (result: { data?: unknown }) => void = () => undefined): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", async () => {
      onRequest();
      const { query, variables } = JSON.parse(body);
      const result = await graphql({ schema, source: query, variableValues: variables });
      tamper(result as { data?: unknown });
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(result));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/graphql`, close: () => new Promise((r) => server.close(() => r())) };
}
