/**
 * Usage reporting: for every operation the gateway executed, the registry records its signature, name,
 * client name and version, contract, declared purpose and the `Type.field` coordinates it read — counts,
 * never data (batched writes, schema/registry/usage.ts). The signature is the hash of the document with
 * every literal replaced (strings by "", numbers by 0, as Apollo's usage signatures do), so a recorded hash
 * cannot be matched against guessed queries naming a citizen; fields the caller was refused are not counted
 * as read. The breaking-change check refuses a change that removes a
 * field recently served operations use, and the personal-data usage report is built from these records and
 * the access log. Recording never delays or fails a response: a registry that cannot take the records is
 * logged.
 */
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { Kind, parse, print, visit, type GraphQLSchema } from "graphql";
import type { UsageEntry } from "../../../schema/registry/usage";
import { fieldsTouched, operationName } from "../../../schema/registry/operations";

/** The hash of a document with its literals hidden: what usage is recorded under. */
export function usageSignature(source: string): string {
  const hidden = visit(parse(source), {
    StringValue: () => ({ kind: Kind.STRING, value: "" }),
    IntValue: () => ({ kind: Kind.INT, value: "0" }),
    FloatValue: () => ({ kind: Kind.FLOAT, value: "0" }),
  });
  return createHash("sha256").update(print(hidden), "utf8").digest("hex");
}
import type { GatewayPlugin } from "./types";

export interface UsageContext {
  client?: { name: string; version: string };
  contract?: string;
  purpose: string | null;
}

interface Facts {
  id: string;
  name: string;
  fields: string[];
}

export function createUsageReportingPlugin(opts: { record: (entries: UsageEntry[]) => void; log: { warn(o: unknown, m: string): void } }): GatewayPlugin {
  // Per schema (a new supergraph may resolve other coordinates), per document.
  const facts = new WeakMap<GraphQLSchema, LRUCache<string, Facts>>();
  const factsOf = (schema: GraphQLSchema, hash: string, source: string): Facts => {
    let cache = facts.get(schema);
    if (!cache) facts.set(schema, (cache = new LRUCache({ max: 2000 })));
    let f = cache.get(hash);
    if (!f) {
      f = { id: usageSignature(source), name: operationName(source), fields: fieldsTouched(schema, source) };
      cache.set(hash, f);
    }
    return f;
  };
  return {
    name: "usage-reporting",
    apollo: {
      async requestDidStart() {
        return {
          async willSendResponse(rc) {
            const body = rc.response.body;
            // Only operations that were executed: a refusal before execution carries no data.
            if (!rc.operation || !rc.source || body.kind !== "single" || body.singleResult.data === undefined || body.singleResult.data === null) return;
            try {
              const f = factsOf(rc.schema, rc.queryHash, rc.source);
              const ctx = rc.contextValue as UsageContext;
              // A field the caller was refused was not read (and must not keep a field from removal).
              const refused = new Set((body.singleResult.errors ?? []).filter((e) => e.extensions?.code === "UNAUTHORIZED_FIELD_OR_TYPE").map((e) => String(e.extensions?.coordinate ?? "")));
              const fields = refused.size ? f.fields.filter((c) => !refused.has(c)) : f.fields;
              opts.record([{ operationHash: f.id, operationName: rc.operation.name?.value ?? f.name, clientName: ctx.client?.name ?? "", clientVersion: ctx.client?.version ?? "", fields, purpose: ctx.purpose ?? null, at: new Date(), ...(ctx.contract ? { contract: ctx.contract } : {}) }]);
            } catch (e) {
              opts.log.warn({ err: e }, "usage not recorded");
            }
          },
        };
      },
    },
  };
}
