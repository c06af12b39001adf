/** The schema registry's public surface, for the gateway process and tools. */
export { loadRegistryConfig, type RegistryConfig } from "./config";
export { openRegistry, type Registry, type RegistryOptions, type PublishInput, type PublishResult, type UsageReport } from "./registry";
export { createRegistryRoutes, type RegistryRoutesOptions } from "./http";
export { createSupergraphSource, readCache, type SupergraphSource, type SupergraphSourceOptions, type SupergraphFeed } from "./supergraph-source";
export { contractSchema, fieldCoordinates, type Contract, type ContractFilter } from "./contracts";
export { operationId, normaliseDocument, fieldsTouched } from "./operations";
export { withoutSecurityPurpose, apiSchemaOf } from "./composition";
export { RegistryError, publicError } from "./errors";
export type { UsageEntry, UsageRecorder, PersonalDataUse, ServedOperation } from "./usage";
export type { SafelistGuard, SafelistState } from "./safelist";
export type { Actor, CheckReport } from "./types";
