/**
 * Safelist mode per client (append-only switch history; the latest row is in force) and the lookup the
 * gateway makes per request: in safelist mode only operations registered for the client's name and version
 * run, by id. Answers are cached for `ttlMs` so a request costs no query.
 */
import type { SqlRunner } from "../../subgraphs/kit/migrate";
import { documentById, isRegistered } from "./operations";
import type { Actor } from "./types";

export interface SafelistState {
  client: string;
  enabled: boolean;
  changedBy: string | null;
  changedAt: string | null;
}

export async function setSafelist(db: SqlRunner, actor: Actor, client: string, enabled: boolean): Promise<SafelistState> {
  await db.query("INSERT INTO safelist_changes (client_name, enabled, changed_by_sub, changed_by_role) VALUES ($1, $2, $3, $4)", [client, enabled, actor.sub, actor.role]);
  return safelistState(db, client);
}

export async function safelistState(db: SqlRunner, client: string): Promise<SafelistState> {
  const [r] = await db.query("SELECT enabled, changed_by_sub, changed_at FROM safelist_changes WHERE client_name = $1 ORDER BY id DESC LIMIT 1", [client]);
  return r
    ? { client, enabled: Boolean(r.enabled), changedBy: String(r.changed_by_sub), changedAt: (r.changed_at instanceof Date ? r.changed_at : new Date(String(r.changed_at))).toISOString() }
    : { client, enabled: false, changedBy: null, changedAt: null };
}

export async function listSafelists(db: SqlRunner): Promise<SafelistState[]> {
  const rows = await db.query("SELECT DISTINCT ON (client_name) client_name FROM safelist_changes ORDER BY client_name, id DESC", []);
  return Promise.all(rows.map((r) => safelistState(db, String(r.client_name))));
}

export interface SafelistGuard {
  /** Whether the client may run the operation: always when it is not in safelist mode; else only a registered id. */
  isOperationAllowed(clientName: string, clientVersion: string, operationId: string): Promise<boolean>;
  /** The registered document of an id, so a client can send only the id. */
  documentById(operationId: string): Promise<string | null>;
}

export function createSafelistGuard(db: SqlRunner, opts: { ttlMs?: number; now?: () => number } = {}): SafelistGuard {
  const ttl = opts.ttlMs ?? 2000;
  const now = opts.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<boolean> }>();
  const cached = (key: string, load: () => Promise<boolean>) => {
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttl) return hit.value;
    if (cache.size > 10_000) cache.clear();
    const value = load();
    cache.set(key, { at: now(), value });
    value.catch(() => cache.delete(key));
    return value;
  };
  return {
    async isOperationAllowed(clientName, clientVersion, operationId) {
      const enabled = await cached(JSON.stringify(["mode", clientName]), async () => (await safelistState(db, clientName)).enabled);
      if (!enabled) return true;
      return cached(JSON.stringify(["op", clientName, clientVersion, operationId]), () => isRegistered(db, clientName, clientVersion, operationId));
    },
    documentById: (id) => documentById(db, id),
  };
}
