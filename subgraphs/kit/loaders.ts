/**
 * Per-request DataLoader registry. Every entity reference and every per-parent list goes through a loader
 * created here for one request, so N parents cost one SQL query per batch, never N.
 */
import DataLoader from "dataloader";

export class LoaderRegistry {
  private readonly loaders = new Map<string, DataLoader<string, unknown>>();

  /**
   * The loader named `name` for these arguments (lists with arguments, such as `subsidies(status:)`, get one
   * loader per distinct argument set, each still one query per batch).
   */
  get<V>(name: string, args: unknown, batch: (keys: readonly string[]) => Promise<V[]>): DataLoader<string, V> {
    const id = args === undefined ? name : `${name}:${JSON.stringify(args)}`;
    let l = this.loaders.get(id);
    if (!l) {
      l = new DataLoader<string, unknown>(batch as (keys: readonly string[]) => Promise<unknown[]>, { maxBatchSize: 5000 });
      this.loaders.set(id, l);
    }
    return l as DataLoader<string, V>;
  }
}
