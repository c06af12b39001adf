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

/** A subgraph's SDL text with its name and routing URL (from a file or from the schema registry). */
export interface SubgraphSource {
  name: string;
  url: string;
  sdl: string;
}

/** Composes subgraph SDL texts with @apollo/composition: the supergraph SDL (no header), or the errors. */
export function composeSources(sources: SubgraphSource[]): ReturnType<typeof composeServices> {
  return composeServices(sources.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
}

/** The file content schema/supergraph.graphql holds for a composed supergraph SDL. */
export const supergraphFile = (supergraphSdl: string) => HEADER + supergraphSdl + "\n";

export const readSources = (entries = readSupergraphConfig()): SubgraphSource[] => entries.map((e) => ({ name: e.name, url: e.url, sdl: readFileSync(e.file, "utf8") }));

/** Composes and returns the file content (header + supergraph SDL), or the composition errors. */
export function compose(entries = readSupergraphConfig()): CompositionOutcome {
  const result = composeSources(readSources(entries));
  if (result.errors) return { ok: false, errors: result.errors.map((e) => e.message) };
  return { ok: true, supergraph: supergraphFile(result.supergraphSdl) };
}
