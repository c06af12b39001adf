/**
 * Safelist: a client the data stewards put in safelist mode (`npm run schema -- safelist <client> on`) may
 * run only the operations registered for its name and version (`npm run schema -- operations`), matched by
 * their stable id (sha256 of the normalised document; sent as text or as `documentId`). Anything else is
 * refused with 403 OPERATION_NOT_REGISTERED naming the id, before governance or any department sees it.
 * Fail closed: when the registry cannot answer, the request is refused with 503 REGISTRY_UNAVAILABLE.
 */
import { LRUCache } from "lru-cache";
import type { SafelistGuard } from "../../../schema/registry/safelist";
import { operationId } from "../../../schema/registry/operations";
import { apiError } from "../errors";
import type { GatewayPlugin } from "./types";

export interface SafelistContext {
  client?: { name: string; version: string };
}

export function createSafelistPlugin(opts: { guard: SafelistGuard }): GatewayPlugin {
  // Operation ids by Apollo's query hash (sha256 of the raw text): normalising is done once per document.
  const ids = new LRUCache<string, string>({ max: 5000 });
  return {
    name: "safelist",
    apollo: {
      async requestDidStart() {
        return {
          async didResolveOperation(rc) {
            const client = (rc.contextValue as SafelistContext).client ?? { name: "", version: "" };
            const source = rc.source ?? "";
            let id = ids.get(rc.queryHash);
            if (!id) {
              id = operationId(source);
              ids.set(rc.queryHash, id);
            }
            let allowed: boolean;
            try {
              allowed = await opts.guard.isOperationAllowed(client.name, client.version, id);
            } catch {
              throw apiError("REGISTRY_UNAVAILABLE", "The schema registry could not be reached to check the client's safelist.", { http: { status: 503 } });
            }
            if (!allowed) {
              throw apiError("OPERATION_NOT_REGISTERED", `Client ${client.name} ${client.version} is in safelist mode and this operation is not registered for it.`, { operationId: id, http: { status: 403 } });
            }
          },
        };
      },
    },
  };
}
