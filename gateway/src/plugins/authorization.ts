/**
 * Authorization: every selected field is checked against the supergraph's requirements and the policy
 * before any subgraph is called (governance/authorize.ts). In filter mode denied fields are removed from the
 * executed operation and come back null, each with an UNAUTHORIZED_FIELD_OR_TYPE error naming its path; in
 * reject mode any denied field refuses the whole request (403).
 *
 * Plans are cached per operation, role, scopes and purpose — never per caller identity or data.
 */
import { createHash } from "node:crypto";
import { LRUCache } from "lru-cache";
import { GraphQLError, print, type OperationDefinitionNode } from "graphql";
import { apiError } from "../errors";
import { authorize, type AuthorizedOperation } from "../governance/authorize";
import { Refusal, type GovernedOperation } from "../governance/executor";
import type { GatewayPlugin } from "./types";
import type { Policy } from "../governance/policy";
import { setDenied } from "../governance/response";

export interface AuthorizationPluginOptions {
  policy: Policy;
  mode: "filter" | "reject";
}

export interface AuthorizationPlan {
  auth: AuthorizedOperation;
  executed: OperationDefinitionNode | null;
  queryHash?: string;
}

export const planOf = (op: GovernedOperation) => op.state.authorization as AuthorizationPlan;

export function createAuthorizationPlugin(opts: AuthorizationPluginOptions): GatewayPlugin {
  const plans = new LRUCache<string, AuthorizationPlan>({ max: 2000 });
  return {
    name: "authorization",
    executor: {
    onOperation(op) {
      const key = `${op.key}|${op.caller.role}|${op.caller.scopes.join(" ")}|${op.purpose ?? ""}`;
      let plan = plans.get(key);
      if (!plan) {
        const auth = authorize(op.schema, op.operation, op.gov, opts.policy, op.caller, op.purpose);
        const executed = auth.document ? (auth.document.definitions[0] as OperationDefinitionNode) : null;
        plan = { auth, executed, queryHash: auth.document ? createHash("sha256").update(print(auth.document)).digest("hex") : undefined };
        plans.set(key, plan);
      }
      op.state.authorization = plan;
      const { denied } = plan.auth;
      if (opts.mode === "reject" && denied.length) {
        return new Refusal("UNAUTHORIZED_FIELD_OR_TYPE", "Not authorized.", {}, denied.map((d) => apiError("UNAUTHORIZED_FIELD_OR_TYPE", `Not authorized: ${d.coordinate} ${d.reason}.`, { path: d.path, coordinate: d.coordinate, http: { status: 403 } })));
      }
      op.execute = { document: plan.auth.document, operation: plan.executed, queryHash: plan.queryHash };
      for (const d of denied) op.errors.push(new GraphQLError(`Not authorized: ${d.coordinate} ${d.reason}.`, { path: d.path, extensions: { code: "UNAUTHORIZED_FIELD_OR_TYPE", coordinate: d.coordinate } }));
    },
    onResult(op, result) {
      const data = result.data as Record<string, unknown> | null | undefined;
      if (!data) return;
      const { denied, withheld } = planOf(op).auth;
      for (const d of denied) setDenied(data, d.path);
      for (const path of withheld) setDenied(data, path);
    },
    },
  };
}
