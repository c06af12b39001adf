/**
 * Composes the supergraph from the subgraph SDL files listed in schema/supergraph.yaml with
 * @apollo/composition. Used by `npm run compose` and by the test that checks the committed file.
 */
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { parse } from "graphql";
import { composeServices } from "@apollo/composition";

export const SCHEMA_DIR = __dirname;
export const CONFIG_PATH = join(SCHEMA_DIR, "supergraph.yaml");
export const SUPERGRAPH_PATH = join(SCHEMA_DIR, "supergraph.graphql");

export const HEADER = `# GENERATED FILE, DO NOT EDIT.
# Composed by \`npm run compose\` from the subgraph SDL files listed in schema/supergraph.yaml.
# CI recomposes it and fails on any difference.
`;

export interface SubgraphEntry {
  name: string;
  url: string;
  file: string;
}

export function readSupergraphConfig(path = CONFIG_PATH): SubgraphEntry[] {
  const cfg = parseYaml(readFileSync(path, "utf8")) as { subgraphs: Record<string, { routing_url: string; schema: { file: string } }> };
  return Object.entries(cfg.subgraphs).map(([name, s]) => ({ name, url: s.routing_url, file: resolve(dirname(path), s.schema.file) }));
}

export type CompositionOutcome = { ok: true; supergraph: string } | { ok: false; errors: string[] };

/** Composes and returns the file content (header + supergraph SDL), or the composition errors. */
export function compose(entries = readSupergraphConfig()): CompositionOutcome {
  const result = composeServices(entries.map((e) => ({ name: e.name, url: e.url, typeDefs: parse(readFileSync(e.file, "utf8")) })));
  if (result.errors) return { ok: false, errors: result.errors.map((e) => e.message) };
  return { ok: true, supergraph: HEADER + result.supergraphSdl + "\n" };
}
