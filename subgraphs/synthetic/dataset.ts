/** The default data set and the stream of its chunks. */
import type { DatasetChunk } from "./chunk";
import { generate, type SyntheticOptions } from "./generate";

export const DEFAULT_SYNTHETIC: SyntheticOptions = { citizens: 5000, seed: 20261101, asOf: new Date("2026-11-01T00:00:00Z") };

/**
 * Streams the data set: first the structure (street office, communities, grids, companies, buildings, then flats in
 * slices), then chunks of about 500 households with every row of their people in all four departments. Within a
 * department, parents come before children (households before persons, flats before residences).
 */
export function* generateDataset(opts: SyntheticOptions): Generator<DatasetChunk> {
  yield* generate(opts);
}
