/**
 * What several gateway processes must share when scaled out: per-caller rate limits (token buckets), the
 * cache of verified tokens, revoked tokens, and the departments' open circuit breakers (a value with a time
 * to live for gateways that start later, and a message to the running ones). In Redis (ioredis) when `REDIS_URL` is set, so that a limit
 * spent on one gateway is spent on all and a revocation reaches all at once; in process memory otherwise
 * (one gateway). The access log and the schema registry are shared through PostgreSQL instead.
 */
import Redis from "ioredis";
import { LRUCache } from "lru-cache";

export interface BucketVerdict {
  allowed: boolean;
  /** When refused: how long until a token is available, milliseconds. */
  retryAfterMs: number;
}

export interface SharedState {
  readonly kind: "memory" | "redis";
  /** Takes one token from `key`'s bucket (refilled at `perSecond`, holding at most `burst`). */
  take(key: string, perSecond: number, burst: number): Promise<BucketVerdict>;
  /** A value remembered under `key` by any gateway, or undefined. */
  get(key: string): Promise<string | undefined>;
  /** Remembers a value for `ttlMs`. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Marks a token subject as revoked: tokens of `sub` issued at or before `beforeS` (seconds) are refused. */
  revokeSubject(sub: string, beforeS: number): Promise<void>;
  /** The revocation time of a subject (tokens issued at or before it are refused), or undefined. */
  revokedBefore(sub: string): Promise<number | undefined>;
  /** How long `key` still lives, milliseconds (0 when absent or without a time to live). */
  remainingMs(key: string): Promise<number>;
  /** Sends `message` to every gateway subscribed to `channel` (this one included). */
  publish(channel: string, message: string): Promise<void>;
  /** Calls `onMessage` for every message published on `channel` by any gateway. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<void>;
  /** Whether the store answers (for /readyz). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}


/** Token bucket in one round trip: refill by elapsed time (Redis's clock, the same for every gateway), take one. */
const TAKE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local data = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(data[1]) or burst
local at = tonumber(data[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - at) * rate)
local allowed = 0
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {allowed, wait}
`;

export function createRedisState(url: string, PREFIX = "cg:"): SharedState {
  const redis = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 2, enableOfflineQueue: true });
  redis.defineCommand("cgTake", { numberOfKeys: 1, lua: TAKE });
  const cmd = redis as unknown as { cgTake(key: string, perSecond: number, burst: number): Promise<[number, number]> };
  // A subscribed connection can do nothing else: its own, opened on the first subscription.
  let subscriber: Redis | undefined;
  const handlers = new Map<string, ((message: string) => void)[]>();
  return {
    kind: "redis",
    async take(key, perSecond, burst) {
      const [allowed, wait] = await cmd.cgTake(`${PREFIX}bucket:${key}`, perSecond, burst);
      return { allowed: allowed === 1, retryAfterMs: Number(wait) };
    },
    async get(key) {
      return (await redis.get(`${PREFIX}${key}`)) ?? undefined;
    },
    async set(key, value, ttlMs) {
      if (ttlMs > 0) await redis.set(`${PREFIX}${key}`, value, "PX", Math.ceil(ttlMs));
    },
    async revokeSubject(sub, beforeS) {
      // Keep the latest revocation time.
      await redis.eval("local c = tonumber(redis.call('GET', KEYS[1]) or '0') if tonumber(ARGV[1]) > c then redis.call('SET', KEYS[1], ARGV[1]) end return 1", 1, `${PREFIX}revoked:${sub}`, String(beforeS));
    },
    async revokedBefore(sub) {
      const v = await redis.get(`${PREFIX}revoked:${sub}`);
      return v === null ? undefined : Number(v);
    },
    async remainingMs(key) {
      return Math.max(0, await redis.pttl(`${PREFIX}${key}`));
    },
    async publish(channel, message) {
      await redis.publish(`${PREFIX}${channel}`, message);
    },
    async subscribe(channel, onMessage) {
      if (!subscriber) {
        subscriber = redis.duplicate();
        subscriber.on("error", () => undefined); // reconnects by itself; the main connection reports outages
        subscriber.on("message", (ch: string, message: string) => {
          for (const h of handlers.get(ch) ?? []) h(message);
        });
      }
      const full = `${PREFIX}${channel}`;
      await subscriber.subscribe(full);
      handlers.set(full, [...(handlers.get(full) ?? []), onMessage]);
    },
    async ping() {
      try {
        return (await redis.ping()) === "PONG";
      } catch {
        return false;
      }
    },
    async close() {
      await subscriber?.quit().catch(() => subscriber?.disconnect());
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export function createMemoryState(): SharedState {
  const buckets = new LRUCache<string, { tokens: number; at: number }>({ max: 100_000 });
  const values = new LRUCache<string, string>({ max: 100_000, ttlAutopurge: false });
  const revoked = new Map<string, number>();
  const handlers = new Map<string, ((message: string) => void)[]>();
  return {
    kind: "memory",
    async take(key, perSecond, burst) {
      const now = Date.now();
      const b = buckets.get(key) ?? { tokens: burst, at: now };
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) * perSecond) / 1000);
      b.at = now;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        buckets.set(key, b);
        return { allowed: true, retryAfterMs: 0 };
      }
      buckets.set(key, b);
      return { allowed: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 1000) / perSecond) };
    },
    async get(key) {
      return values.get(key);
    },
    async set(key, value, ttlMs) {
      if (ttlMs > 0) values.set(key, value, { ttl: Math.ceil(ttlMs) });
    },
    async revokeSubject(sub, beforeS) {
      revoked.set(sub, Math.max(beforeS, revoked.get(sub) ?? 0));
    },
    async revokedBefore(sub) {
      return revoked.get(sub);
    },
    async remainingMs(key) {
      const ms = values.has(key) ? values.getRemainingTTL(key) : 0;
      return Number.isFinite(ms) ? Math.max(0, Math.round(ms)) : 0;
    },
    async publish(channel, message) {
      for (const h of handlers.get(channel) ?? []) queueMicrotask(() => h(message));
    },
    async subscribe(channel, onMessage) {
      handlers.set(channel, [...(handlers.get(channel) ?? []), onMessage]);
    },
    async ping() {
      return true;
    },
    async close() {
      /* nothing held */
    },
  };
}
