/**
 * Masking: values the policy says to mask are masked on the server by the field's mask kind (ID number
 * `110105********1234`, phone `138****5678`, name `张*`); values that cannot be partly shown are withheld.
 * The same walk over the response collects whose personal data is returned and which fields, for the
 * access-record plugin, and removes what the gateway injected.
 */
import type { GatewayPlugin } from "./types";
import { maskValue } from "../governance/mask";
import type { Policy } from "../governance/policy";
import { processResponse, type AccessSummary } from "../governance/response";
import { planOf } from "./authorization";

export interface MaskingPluginOptions {
  policy: Policy;
}

export const summaryOf = (op: { state: Record<string, unknown> }) => op.state.access as AccessSummary | undefined;

export function createMaskingPlugin(opts: MaskingPluginOptions): GatewayPlugin {
  const mask = (kind: string | undefined, value: unknown) => maskValue(opts.policy, kind, value);
  return {
    name: "masking",
    executor: {
    onResult(op, result) {
      const plan = planOf(op);
      const data = (result.data ?? null) as Record<string, unknown> | null;
      op.state.access = plan.executed
        ? processResponse(op.schema, plan.executed, data, op.gov, mask, plan.auth.masked)
        : ({ citizens: new Set(), fields: new Set(), unattributed: 0 } satisfies AccessSummary);
    },
    },
  };
}
