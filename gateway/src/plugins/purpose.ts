/**
 * Purpose: an operation that selects personal data (PERSONAL or SENSITIVE fields) must declare a purpose
 * (`x-purpose`), the purpose must be one the policy knows, and the caller's role must be allowed to use data
 * for it. A role's default purpose (a citizen's `own-data`) applies when none is declared.
 */
import { LRUCache } from "lru-cache";
import { classesSelected, RESERVED_PREFIX, reservedAlias } from "../governance/authorize";
import { Refusal, type GovernedOperation } from "../governance/executor";
import type { GatewayPlugin } from "./types";
import { decisionsFor, isPurpose, roleOf, type Policy } from "../governance/policy";

export interface PurposePluginOptions {
  policy: Policy;
}

interface OperationFacts {
  personal: boolean;
  /** An alias in the gateway's reserved namespace, which the client may not use. */
  reserved?: string;
}

export function createPurposePlugin(opts: PurposePluginOptions): GatewayPlugin {
  // What an operation's text selects, by operation (never by caller or data).
  const facts = new LRUCache<string, OperationFacts>({ max: 2000 });
  return {
    name: "purpose",
    executor: {
    onOperation(op: GovernedOperation) {
      let f = facts.get(op.key);
      if (!f) {
        const classes = classesSelected(op.schema, op.operation, op.gov);
        f = { personal: classes.has("PERSONAL") || classes.has("SENSITIVE"), reserved: reservedAlias(op.operation) };
        facts.set(op.key, f);
      }
      // A client alias in the reserved namespace would stand in for the owner ids the access log relies on.
      if (f.reserved) return new Refusal("RESERVED_NAME", `The alias "${f.reserved}" is reserved: aliases starting with "${RESERVED_PREFIX}" are the gateway's own. Rename it.`);
      const role = roleOf(opts.policy, op.caller.role);
      const purpose = op.context.purpose ?? role?.defaultPurpose ?? null;
      if (f.personal && !purpose) {
        return new Refusal("PURPOSE_REQUIRED", `This operation selects personal data: declare a purpose in the x-purpose header (${Object.keys(role?.purposes ?? {}).join(", ") || "your role has none"}).`);
      }
      if (purpose !== null && !isPurpose(opts.policy, purpose)) return new Refusal("UNKNOWN_PURPOSE", `Unknown purpose; known purposes: ${Object.keys(opts.policy.purposes).join(", ")}.`);
      if (purpose !== null && !decisionsFor(opts.policy, op.caller.role, purpose)) return new Refusal("PURPOSE_NOT_ALLOWED", `Role ${op.caller.role} may not use data for purpose "${purpose}".`, { purpose });
      op.purpose = purpose;
      op.context.purpose = purpose;
      op.state.personal = f.personal;
    },
    },
  };
}
