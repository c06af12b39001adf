/** The planted cross-department inconsistencies of a data set (what `findings` must find exactly), and progress counting. */
import type { DatasetChunk } from "./chunk";
import { generate, type SyntheticOptions } from "./generate";

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
