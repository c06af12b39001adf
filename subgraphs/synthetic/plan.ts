/**
 * The household plan: an independent random stream that decides, flat by flat, what kind of household lives
 * there and how many people it has. It is replayed twice — once to count the flats needed (so the structure
 * can be laid out first) and once while generating — and must therefore draw only from its own stream.
 */
import { Rng } from "./rng";

export type HouseholdKind =
  | "SINGLE_ELDER" // 独居老人
  | "ELDER_COUPLE" // 老年夫妇（空巢）
  | "ELDER_WITH_CHILD" // 老人与成年子女
  | "ELDER_WITH_DAUGHTER" // 老人与女儿、女婿
  | "COUPLE_KIDS" // 夫妻与未成年/成年子女
  | "THREE_GEN_PARENTS" // 户主一家与父母同住
  | "THREE_GEN_GRANDKIDS" // 老年户主与儿子儿媳、孙辈
  | "COUPLE_ADULT_CHILD" // 中年夫妇与成年子女
  | "MIDDLE_COUPLE" // 中年夫妇
  | "YOUNG_SINGLE"
  | "YOUNG_COUPLE"
  | "SINGLE_PARENT"
  | "FLOATING"; // 租住的流动人口（无本地户口）

export interface PlanItem {
  kind: HouseholdKind;
  /** Members of the household (or tenants of a FLOATING flat), after trimming. */
  size: number;
  /** Children / grandchildren count, parents count, spouse present: the shape inputs. */
  kids: number;
  elders: number;
  spouse: boolean;
  /** SINGLE_ELDER only: a non-local lodger shares the flat (planted finding "aloneButSharedFlat"). */
  lodger: boolean;
}

const KINDS: readonly (readonly [HouseholdKind, number])[] = [
  ["SINGLE_ELDER", 7.3],
  ["ELDER_COUPLE", 8.5],
  ["ELDER_WITH_CHILD", 4.5],
  ["ELDER_WITH_DAUGHTER", 1.5],
  ["COUPLE_KIDS", 16.5],
  ["THREE_GEN_PARENTS", 4],
  ["THREE_GEN_GRANDKIDS", 3.5],
  ["COUPLE_ADULT_CHILD", 10],
  ["MIDDLE_COUPLE", 11],
  ["YOUNG_SINGLE", 11.5],
  ["YOUNG_COUPLE", 9.6],
  ["SINGLE_PARENT", 3],
  ["FLOATING", 10.5],
];
const KIND_WEIGHTS = KINDS.map(([, w]) => w);

/** Share of single elders with a lodger: with the stale ALONE records this gives ~8% of ALONE elders. */
export const LODGER_RATE = 0.035;

function draw(rng: Rng): PlanItem {
  const kind = KINDS[rng.weightedIndex(KIND_WEIGHTS)]![0];
  const item: PlanItem = { kind, size: 1, kids: 0, elders: 0, spouse: false, lodger: false };
  switch (kind) {
    case "SINGLE_ELDER":
      item.lodger = rng.chance(LODGER_RATE);
      break;
    case "ELDER_COUPLE":
    case "ELDER_WITH_CHILD":
    case "MIDDLE_COUPLE":
    case "YOUNG_COUPLE":
      item.size = 2;
      break;
    case "ELDER_WITH_DAUGHTER":
      item.size = 3;
      break;
    case "COUPLE_KIDS":
      item.kids = rng.chance(0.62) ? 1 : 2;
      item.size = 2 + item.kids;
      break;
    case "THREE_GEN_PARENTS":
      item.kids = rng.chance(0.6) ? 1 : 2;
      item.elders = rng.chance(0.55) ? 1 : 2;
      item.size = 2 + item.kids + item.elders;
      break;
    case "THREE_GEN_GRANDKIDS":
      item.spouse = rng.chance(0.65);
      item.kids = rng.chance(0.7) ? 1 : 2;
      item.size = (item.spouse ? 2 : 1) + 2 + item.kids;
      break;
    case "COUPLE_ADULT_CHILD":
      item.kids = rng.chance(0.85) ? 1 : 2;
      item.size = 2 + item.kids;
      break;
    case "YOUNG_SINGLE":
      break;
    case "SINGLE_PARENT":
      item.kids = rng.chance(0.8) ? 1 : 2;
      item.size = 1 + item.kids;
      break;
    case "FLOATING": {
      const r = rng.next();
      item.size = r < 0.5 ? 1 : r < 0.75 ? 2 : 3;
      item.spouse = item.size >= 2 && rng.chance(0.6); // couple (+ child) rather than flat-sharers
      break;
    }
  }
  return item;
}

/** Number of people an item adds (members plus a lodger). */
export const personsOf = (item: PlanItem): number => item.size + (item.lodger ? 1 : 0);

/** Replayable stream of plan items whose persons add up to exactly `citizens`. */
export class PlanStream {
  private readonly rng: Rng;
  private remaining: number;

  constructor(seed: number, citizens: number) {
    this.rng = new Rng(seed, 7);
    this.remaining = citizens;
  }

  /** The next household, trimmed to the citizens still to place; null when all are placed. */
  next(): PlanItem | null {
    if (this.remaining <= 0) return null;
    const item = draw(this.rng);
    if (personsOf(item) > this.remaining) {
      item.lodger = false;
      item.size = Math.min(item.size, this.remaining);
    }
    this.remaining -= personsOf(item);
    return item;
  }
}

/** First pass: how many flats will be occupied. */
export function countOccupied(seed: number, citizens: number): number {
  const stream = new PlanStream(seed, citizens);
  let n = 0;
  while (stream.next()) n++;
  return n;
}
