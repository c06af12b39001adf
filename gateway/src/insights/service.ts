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
import { checkPageSize, cursorScope, decodeCursor } from "../../../subgraphs/kit/pagination";
import type { CursorCodec } from "../../../subgraphs/kit/contract/cursor";
import { CHECKS } from "./checks";
import { apiError } from "../errors";
import type { Execute, FindingKind, FindingRecord, Labels } from "./types";

export const INSIGHTS_SUBGRAPH = "insights";

/**
 * Computing findings scans the district through every department (the cost limit cannot see it: the checks
 * are the gateway's own queries), so at most MAX_RUNNING computations run at once and at most MAX_WAITING
 * wait; a request beyond that gets RATE_LIMITED instead of piling work onto the departments.
 */
const MAX_RUNNING = 2;
const MAX_WAITING = 8;

function limiter(maxRunning: number, maxWaiting: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(work: () => Promise<T>): Promise<T> => {
    if (running >= maxRunning) {
      if (waiting.length >= maxWaiting) throw apiError("RATE_LIMITED", "Too many findings are being computed right now; retry in a few seconds.");
      await new Promise<void>((resolve) => waiting.push(resolve));
    }
    running++;
    try {
      return await work();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
const KINDS = Object.keys(CHECKS) as FindingKind[];

export interface InsightsContext {
  /** Set by the gateway once its executor exists; runs a query as the caller of `context`. */
  execute?: (context: unknown) => Execute;
  /** Key of the findings' opaque ids. */
  idKey?: string;
  /** Chinese names of enum values, from the supergraph's descriptions. */
  labels?: Labels;
}

export function createInsightsDataSource(holder: InsightsContext, cursors: CursorCodec): LocalGraphQLDataSource {
  const typeDefs = parse(readFileSync(join(__dirname, "schema.graphql"), "utf8"));
  const keyOf = (f: FindingRecord) => `${KINDS.indexOf(f.kind)}:${f.citizenId}`;
  const limit = limiter(MAX_RUNNING, MAX_WAITING);
  const resolvers = {
    Query: {
      findings: async (_: unknown, args: { kind?: FindingKind | null; first?: number; after?: string | null }, context: unknown) => {
        if (!holder.execute) throw new Error("insights executor not ready");
        const execute = holder.execute(context);
        const first = checkPageSize(args.first ?? 100);
        const outer = context as { caller?: { sub: string; role: string }; purpose?: string | null };
        const scope = cursorScope("findings", { kind: args.kind ?? null }, outer.caller ? { sub: outer.caller.sub, role: outer.caller.role, purpose: outer.purpose } : null);
        const after = decodeCursor(cursors, scope, args.after);
        const kinds = args.kind ? [args.kind] : KINDS;
        const all = await limit(async () => {
          const out: FindingRecord[] = [];
          for (const k of kinds) out.push(...(await CHECKS[k](execute, holder.labels ?? ((_e, v) => v))).sort((a, b) => a.citizenId.localeCompare(b.citizenId)));
          return out;
        });
        const start = after ? all.findIndex((f) => keyOf(f) > after) : 0;
        const rest = start < 0 ? [] : all.slice(start);
        const page = rest.slice(0, first);
        return {
          edges: page.map((f) => ({ cursor: cursors.encode(scope, keyOf(f)), node: f })),
          pageInfo: { hasNextPage: rest.length > first, endCursor: page.length ? cursors.encode(scope, keyOf(page[page.length - 1])) : null },
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
