/**
 * Deterministic synthetic "citizen graph" of one street office in 北京市朝阳区: four department databases
 * (public security, civil affairs, elderly care, property management) that refer to the same people by citizen id,
 * with a few planted cross-department inconsistencies whose ids are known.
 *
 *   for (const chunk of generateDataset(DEFAULT_SYNTHETIC)) insert(chunk);
 */
import type { DatasetChunk } from "./chunk";
import { generate, type SyntheticOptions } from "./generate";

export type { DatasetChunk } from "./chunk";
export type { SyntheticOptions } from "./generate";
export { idNumberCheckChar, isValidIdNumber } from "./id-number";

export const DEFAULT_SYNTHETIC: SyntheticOptions = { citizens: 5000, seed: 20261101, asOf: new Date("2026-11-01T00:00:00Z") };

/**
 * Streams the data set: first the structure (street office, communities, grids, companies, buildings, then flats in
 * slices), then chunks of about 500 households with every row of their people in all four departments. Within a
 * department, parents come before children (households before persons, flats before residences).
 */
export function* generateDataset(opts: SyntheticOptions): Generator<DatasetChunk> {
  yield* generate(opts);
}

export interface PlantedFindings {
  /** DECEASED in the registry, yet an ACTIVE subsidy or a SCHEDULED/IN_PROGRESS service order. */
  deceasedWithActiveBenefits: string[];
  /** ACTIVE elder profile saying ALONE, while someone else currently lives in the elder's flat. */
  aloneButSharedFlat: string[];
  /** Some alarm call with no visit in the 30 days after it was raised. */
  alarmWithoutVisit: string[];
}

/** Runs the generator and returns the citizen ids of the planted inconsistencies, sorted. */
export function plantedFindings(opts: SyntheticOptions): PlantedFindings {
  const found: PlantedFindings = { deceasedWithActiveBenefits: [], aloneButSharedFlat: [], alarmWithoutVisit: [] };
  const sink = {
    deceasedWithActiveBenefits: (id: string) => void found.deceasedWithActiveBenefits.push(id),
    aloneButSharedFlat: (id: string) => void found.aloneButSharedFlat.push(id),
    alarmWithoutVisit: (id: string) => void found.alarmWithoutVisit.push(id),
  };
  for (const chunk of generate(opts, sink)) void chunk;
  for (const list of Object.values(found) as string[][]) list.sort();
  return found;
}

/** Persons in a chunk (for progress output). */
export function countCitizens(chunk: DatasetChunk): number {
  return chunk["public-security"]?.person?.length ?? 0;
}
