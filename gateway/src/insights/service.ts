/**
 * The insights subgraph, served in the gateway process through a LocalGraphQLDataSource. Its resolvers
 * run federated queries through the gateway itself, so each department answers for its own data.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "graphql";
import { buildSubgraphSchema } from "@apollo/subgraph";
import { LocalGraphQLDataSource } from "@apollo/gateway";
import { checkPageSize, decodeCursor, encodeCursor } from "../../../subgraphs/kit/pagination";
import { CHECKS } from "./checks";
import type { Execute, FindingKind, FindingRecord } from "./types";

export const INSIGHTS_SUBGRAPH = "insights";
const KINDS = Object.keys(CHECKS) as FindingKind[];

export interface InsightsContext {
  /** Set by the gateway once its executor exists; runs a query as the caller of `context`. */
  execute?: (context: unknown) => Execute;
}

export function createInsightsDataSource(holder: InsightsContext): LocalGraphQLDataSource {
  const typeDefs = parse(readFileSync(join(__dirname, "schema.graphql"), "utf8"));
  const resolvers = {
    Query: {
      findings: async (_: unknown, args: { kind?: FindingKind | null; first?: number; after?: string | null }, context: unknown) => {
        if (!holder.execute) throw new Error("insights executor not ready");
        const execute = holder.execute(context);
        const first = checkPageSize(args.first ?? 100);
        const after = decodeCursor("findings", args.after);
        const kinds = args.kind ? [args.kind] : KINDS;
        const all: FindingRecord[] = [];
        for (const k of kinds) all.push(...(await CHECKS[k](execute)).sort((a, b) => a.citizenId.localeCompare(b.citizenId)));
        const keyOf = (f: FindingRecord) => `${KINDS.indexOf(f.kind)}:${f.citizenId}`;
        const start = after ? all.findIndex((f) => keyOf(f) > after) : 0;
        const rest = start < 0 ? [] : all.slice(start);
        const page = rest.slice(0, first);
        return {
          edges: page.map((f) => ({ cursor: encodeCursor("findings", keyOf(f)), node: f })),
          pageInfo: { hasNextPage: rest.length > first, endCursor: page.length ? encodeCursor("findings", keyOf(page[page.length - 1])) : null },
          totalCount: all.length,
        };
      },
    },
    Finding: {
      id: (f: FindingRecord) => `${f.kind}:${f.citizenId}`,
      citizen: (f: FindingRecord) => ({ id: f.citizenId }),
    },
  };
  return new LocalGraphQLDataSource(buildSubgraphSchema([{ typeDefs, resolvers }]));
}
