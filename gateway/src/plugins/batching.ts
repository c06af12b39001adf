/**
 * Batching: a JSON array of operations is refused unless `MAX_BATCH` allows it (BATCHING_DISABLED), and a
 * batch larger than `MAX_BATCH` is refused (BATCH_TOO_LARGE); each operation of an allowed batch passes every
 * other plugin on its own.
 */
import type { GatewayPlugin } from "./types";
import { errorBody, JSON_TYPE } from "./types";

export interface BatchingPluginOptions {
  /** Most operations in one batched request; 0 or 1 rejects every batch. */
  maxBatch: number;
}

export function createBatchingPlugin(opts: BatchingPluginOptions): GatewayPlugin {
  return {
    name: "batching",
    http(app) {
      app.addHook("preHandler", async (request, reply) => {
        if (!Array.isArray(request.body)) return;
        const n = request.body.length;
        if (opts.maxBatch <= 1) return reply.code(400).type(JSON_TYPE).send(errorBody("BATCHING_DISABLED", "Batched requests are disabled: send one operation per request."));
        if (n > opts.maxBatch) return reply.code(400).type(JSON_TYPE).send(errorBody("BATCH_TOO_LARGE", `Batch of ${n} operations exceeds the limit of ${opts.maxBatch}.`));
      });
    },
  };
}
