/**
 * The insights subgraph, served in the gateway process through a LocalGraphQLDataSource. Its resolvers
 * run federated queries through the gateway itself, as the caller, so each department answers for its own
 * data and every governance rule applies to what the checks read.
 */
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { LocalGraphQLDataSource } from "@apollo/gateway";
import { checkPageSize, decodeCursor } from "../../../subgraphs/kit/pagination";
import type { CursorCodec } from "../../../subgraphs/kit/contract/cursor";
import { CHECKS } from "./checks";
import type { Execute, FindingKind, FindingRecord } from "./types";

export const INSIGHTS_SUBGRAPH = "insights";
const KINDS = Object.keys(CHECKS) as FindingKind[];

export interface InsightsContext {
  /** Set by the gateway once its executor exists; runs a query as the caller of `context`. */
  execute?: (context: unknown) => Execute;
  /** Key of the findings' opaque ids. */
  idKey?: string;
}

export function createInsightsDataSource(holder: InsightsContext, cursors: CursorCodec): LocalGraphQLDataSource {
  const typeDefs = parse(readFileSync(join(__dirname, "schema.graphql"), "utf8"));
  const keyOf = (f: FindingRecord) => `${KINDS.indexOf(f.kind)}:${f.citizenId}`;
  const resolvers = {
    Query: {
      findings: async (_: unknown, args: { kind?: FindingKind | null; first?: number; after?: string | null }, context: unknown) => {
        if (!holder.execute) throw new Error("insights executor not ready");
        const execute = holder.execute(context);
        const first = checkPageSize(args.first ?? 100);
        const after = decodeCursor(cursors, "findings", args.after);
        const kinds = args.kind ? [args.kind] : KINDS;
        const all: FindingRecord[] = [];
        for (const k of kinds) all.push(...(await CHECKS[k](execute)).sort((a, b) => a.citizenId.localeCompare(b.citizenId)));
        const start = after ? all.findIndex((f) => keyOf(f) > after) : 0;
        const rest = start < 0 ? [] : all.slice(start);
        const page = rest.slice(0, first);
        return {
          edges: page.map((f) => ({ cursor: cursors.encode("findings", keyOf(f)), node: f })),
          pageInfo: { hasNextPage: rest.length > first, endCursor: page.length ? cursors.encode("findings", keyOf(page[page.length - 1])) : null },
          totalCount: all.length,
        };
      },
    },
    Finding: {
      // Stable across requests, and reveals nothing: a keyed hash of kind and citizen.
      id: (f: FindingRecord) => createHmac("sha256", holder.idKey ?? "").update(`${f.kind}\n${f.citizenId}`).digest("base64url").slice(0, 22),
      citizen: (f: FindingRecord) => ({ id: f.citizenId }),
    },
  };
  return new LocalGraphQLDataSource(buildSubgraphSchema([{ typeDefs, resolvers }]));
}
