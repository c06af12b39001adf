/**
 * Deterministic synthetic "citizen graph" of one street office in 北京市朝阳区: four department databases
 * (public security, civil affairs, elderly care, property management) that refer to the same people by citizen id,
 * with a few planted cross-department inconsistencies whose ids are known.
 *
 *   for (const chunk of generateDataset(DEFAULT_SYNTHETIC)) insert(chunk);
 */
export type { DatasetChunk } from "./chunk";
export type { SyntheticOptions } from "./generate";
export { DEFAULT_SYNTHETIC, generateDataset } from "./dataset";
export { idNumberCheckChar, isValidIdNumber } from "./id-number";
export { plantedFindings, countCitizens, type PlantedFindings } from "./planted";
