/**
 * The access record: every response that contains personal data is recorded — request id, caller,
 * organisation, role, purpose, the citizens whose personal data was returned, which fields, time — before
 * it is sent. If the record cannot be written, or a personal value cannot be attributed to its owners, no
 * personal data is returned (fail closed).
 */
import type { AuditStore } from "../audit/store";
import { Refusal } from "../governance/executor";
import type { GatewayPlugin } from "./types";
import { summaryOf } from "./masking";

export interface AccessRecordPluginOptions {
  audit: AuditStore;
  log: { error(o: unknown, m: string): void; warn(o: unknown, m: string): void };
}

export function createAccessRecordPlugin(opts: AccessRecordPluginOptions): GatewayPlugin {
  return {
    name: "access-record",
    executor: {
    async onResult(op) {
      const access = summaryOf(op);
      if (!access) return new Refusal("INTERNAL_SERVER_ERROR", "Internal server error");
      if (access.unattributed > 0) {
        opts.log.error({ reqId: op.context.requestId, fields: [...access.fields] }, "personal data whose owner cannot be determined (a type lacks @owner); response refused");
        return new Refusal("INTERNAL_SERVER_ERROR", "Internal server error");
      }
      if (access.fields.size === 0) return;
      try {
        await opts.audit.append({
          requestId: op.context.requestId,
          clientRequestId: op.context.clientRequestId ?? null,
          at: new Date(),
          callerId: op.caller.sub,
          callerName: op.caller.name,
          organisation: op.caller.org,
          role: op.caller.role,
          purpose: op.purpose,
          citizens: [...access.citizens].sort(),
          fields: [...access.fields].sort(),
        });
      } catch (e) {
        opts.log.warn({ err: e, reqId: op.context.requestId }, "access record not written; personal data withheld");
        return new Refusal("AUDIT_UNAVAILABLE", "The access could not be recorded, so no personal data is returned. Try again later.");
      }
    },
    },
  };
}
