/**
 * The shape of a gateway plugin: one capability, contributing to any of the three layers a request
 * crosses — HTTP (Fastify hooks), the GraphQL request (Apollo Server plugin, validation rules, parser
 * options) and governance around the executor. Plugins never import each other; they share state only
 * through the typed request context. The ordered list lives in ../pipeline.ts.
 */
import type { FastifyInstance } from "fastify";
import type { ApolloServerPlugin } from "@apollo/server";
import type { ParseOptions, ValidationRule } from "graphql";
import type { ExecutorPlugin } from "../governance/executor";

export interface GatewayPlugin {
  name: string;
  /** Registers Fastify hooks on the gateway's app (before the GraphQL route is declared). */
  http?(app: FastifyInstance): void;
  /** Hooks into Apollo Server's request lifecycle. */
  apollo?: ApolloServerPlugin;
  /** Validation rules run with the standard ones (results are cached per document by Apollo). */
  validationRules?: ValidationRule[];
  /** Options for the parser (e.g. the token limit). */
  parseOptions?: ParseOptions;
  /** Governance around the gateway's executor. */
  executor?: ExecutorPlugin;
}

export { errorBody } from "../../../subgraphs/kit/contract/errors";

export const JSON_TYPE = "application/json; charset=utf-8";
