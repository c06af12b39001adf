/**
 * Graceful shutdown of a service (the gateway and every department), the same way:
 *
 * 1. SIGTERM, SIGINT or the supervisor going away (`npm start`'s IPC channel closing) starts it; a second
 *    signal while it runs stops at once.
 * 2. The listening socket closes (new connections are refused). A request arriving on a kept-alive
 *    connection after that is not started: 503 `SHUTTING_DOWN` with `Retry-After: 1` and `Connection: close`
 *    (a load balancer or client retries it elsewhere). Every response sent while draining closes its
 *    connection, and idle connections are closed as they become idle.
 * 3. Requests in flight finish: the process waits for them up to `SHUTDOWN_TIMEOUT_MS`.
 * 4. The app's onClose hooks run: Apollo Server stops, the access log is flushed and closed, connection
 *    pools and databases close. Exit 0.
 * If the deadline passes first, the remaining connections are cut, the onClose hooks still run, and the
 * process exits 1 (the log says how many requests were cut).
 */
import type { FastifyInstance } from "fastify";
import { errorBody } from "./contract/errors";

/** Set on an app while it shuts down. */
const CLOSING = Symbol.for("citizen-graph.closing");
type Closable = FastifyInstance & { [CLOSING]?: boolean };

/** Whether the app is shutting down (readiness answers 503 from then on). */
export const isClosing = (app: FastifyInstance): boolean => (app as Closable)[CLOSING] === true;

/**
 * Registers the draining behaviour on an app built with `return503OnClosing: false`: must be called before
 * any other onRequest hook, so that a request arriving while the app shuts down runs nothing else.
 * Public routes (health checks) are still answered.
 */
export function registerDraining(app: FastifyInstance): void {
  let inFlight = 0;
  app.decorate("inFlightRequests", { getter: () => inFlight });
  app.addHook("preClose", async () => {
    (app as Closable)[CLOSING] = true;
  });
  app.addHook("onRequest", async (req, reply) => {
    // Health checks and metrics are answered while shutting down, and not counted as work in flight.
    if (req.routeOptions.config?.public === true) return;
    if (!isClosing(app)) {
      inFlight++;
      (req as { countedInFlight?: boolean }).countedInFlight = true;
      return;
    }
    return reply
      .code(503)
      .type("application/json; charset=utf-8")
      .header("connection", "close")
      .header("retry-after", "1")
      .send(errorBody("SHUTTING_DOWN", "The service is shutting down; this request was not started. Retry it (another instance will answer)."));
  });
  app.addHook("onSend", async (_req, reply, payload) => {
    if (isClosing(app)) reply.header("connection", "close");
    return payload;
  });
  const done = (req: object) => {
    if ((req as { countedInFlight?: boolean }).countedInFlight) {
      (req as { countedInFlight?: boolean }).countedInFlight = false;
      inFlight--;
    }
  };
  app.addHook("onResponse", async (req) => done(req));
  app.addHook("onRequestAbort", async (req) => done(req));
}

declare module "fastify" {
  interface FastifyInstance {
    /** Requests started and not answered yet, health checks and metrics aside (set by registerDraining). */
    readonly inFlightRequests: number;
  }
}

export interface ShutdownOptions {
  /** Longest wait for requests in flight (`SHUTDOWN_TIMEOUT_MS`). */
  timeoutMs: number;
  /** Called once the app is closed, with whether every request in flight finished; defaults to exiting. */
  exit?: (code: number) => void;
}

/**
 * Closes the app, letting requests in flight finish within the deadline. Resolves "drained" when they all
 * finished, "forced" when the deadline cut some.
 */
export async function closeGracefully(app: FastifyInstance, timeoutMs: number): Promise<"drained" | "forced"> {
  let forced = false;
  const server = app.server;
  // Node closes idle keep-alive connections once when the server closes; these close as they become idle.
  const reaper = setInterval(() => server.closeIdleConnections?.(), 50);
  const deadline = setTimeout(() => {
    forced = true;
    app.log.warn({ inFlight: app.inFlightRequests ?? undefined, timeoutMs }, "shutdown deadline passed; cutting the remaining connections");
    server.closeAllConnections?.();
  }, timeoutMs);
  try {
    await app.close();
  } finally {
    clearInterval(reaper);
    clearTimeout(deadline);
  }
  return forced ? "forced" : "drained";
}

/**
 * Stops the service on SIGTERM, SIGINT or when its supervisor goes away: drains (see above), then exits
 * 0, or 1 if the deadline cut requests or closing failed. A second signal exits at once.
 */
export function stopOnSignals(app: FastifyInstance, opts: ShutdownOptions): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) {
      app.log.warn({ signal: why }, "second stop signal: exiting now");
      server().closeAllConnections?.();
      return exit(1);
    }
    stopping = true;
    app.log.info({ signal: why, inFlight: app.inFlightRequests ?? undefined, timeoutMs: opts.timeoutMs }, "shutting down: no new connections, finishing requests in flight");
    // A close that hangs past the deadline (a hook that never returns) must not keep the process forever.
    setTimeout(() => {
      app.log.error("shutdown did not complete; exiting");
      exit(1);
    }, opts.timeoutMs + 10_000).unref();
    closeGracefully(app, opts.timeoutMs).then(
      (how) => {
        app.log.info({ how }, "stopped");
        exit(how === "drained" ? 0 : 1);
      },
      (err) => {
        app.log.error({ err }, "shutdown failed");
        exit(1);
      },
    );
  };
  const server = () => app.server;
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Started by `npm start`: stop when the supervisor goes away.
  if (process.send) process.once("disconnect", () => stop("disconnect"));
}
