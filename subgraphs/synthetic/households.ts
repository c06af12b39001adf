/**
 * Household shapes: who lives together (relation to the head, gender, age, spouse) for each kind of household.
 * Ages are drawn so that the district's age pyramid comes out right (see plan.ts for the mix of kinds).
 */
import type { PlanItem } from "./plan";
import type { Rng } from "./rng";

/** A person to be created: relation, gender, age, spouse index and whose surname to carry. */
export interface Spec {
  rel: string | null;
  male: boolean;
  age: number;
  spouse?: number;
  ownSurname?: boolean; // spouses, in-laws, mothers keep their own surname
}

const ELDER_BANDS: readonly (readonly [number, number, number])[] = [
  [60, 64, 30], [65, 69, 26], [70, 74, 19], [75, 79, 10], [80, 84, 11.6], [85, 89, 7.1], [90, 94, 2.5], [95, 100, 0.5],
];
const ELDER_WEIGHTS = ELDER_BANDS.map((b) => b[2]);

export function elderAge(rng: Rng): number {
  const [lo, hi] = ELDER_BANDS[rng.weightedIndex(ELDER_WEIGHTS)]!;
  return rng.int(lo, hi);
}

const clamp = (v: number, lo: number, hi: number): number => Math.max(lo, Math.min(hi, v));
const childRel = (male: boolean): string => (male ? "子" : "女");
const grandRel = (male: boolean): string => (male ? "孙子" : "孙女");

/** A couple: head first, then the spouse (wives usually a little younger). */
function couple(rng: Rng, headAge: number, maleHead: boolean, minAge = 18): Spec[] {
  const spouseAge = clamp(headAge + (maleHead ? rng.int(-5, 2) : rng.int(-2, 5)), minAge, 100);
  return [
    { rel: "户主", male: maleHead, age: headAge, spouse: 1 },
    { rel: "配偶", male: !maleHead, age: spouseAge, spouse: 0, ownSurname: true },
  ];
}

function kids(rng: Rng, n: number, maxAge: number, rel: (male: boolean) => string): Spec[] {
  const out: Spec[] = [];
  for (let i = 0; i < n; i++) {
    const male = rng.chance(0.51);
    out.push({ rel: rel(male), male, age: rng.int(0, Math.max(0, maxAge)) });
  }
  return out;
}

export function localSpecs(rng: Rng, item: PlanItem): Spec[] {
  switch (item.kind) {
    case "SINGLE_ELDER":
      return [{ rel: "户主", male: rng.chance(0.35), age: elderAge(rng) }];
    case "ELDER_COUPLE":
      return couple(rng, elderAge(rng), rng.chance(0.85), 60);
    case "ELDER_WITH_CHILD":
    case "ELDER_WITH_DAUGHTER": {
      const a = Math.max(64, elderAge(rng));
      const head: Spec = { rel: "户主", male: rng.chance(0.35), age: a };
      if (item.kind === "ELDER_WITH_CHILD") {
        const male = rng.chance(0.55);
        return [head, { rel: childRel(male), male, age: clamp(a - rng.int(24, 34), 28, 70) }];
      }
      const d = clamp(a - rng.int(24, 34), 28, 70);
      return [head, { rel: "女", male: false, age: d }, { rel: "女婿", male: true, age: clamp(d + rng.int(-1, 4), 28, 72), ownSurname: true }];
    }
    case "COUPLE_KIDS": {
      const h = rng.int(27, 54);
      const c = couple(rng, h, rng.chance(0.85));
      const mother = Math.min(c[0]!.age, c[1]!.age);
      return [...c, ...kids(rng, item.kids, Math.min(mother - 23, 24), childRel)];
    }
    case "THREE_GEN_PARENTS": {
      const h = rng.int(32, 56);
      const c = couple(rng, h, rng.chance(0.85));
      const k = kids(rng, item.kids, Math.min(Math.min(c[0]!.age, c[1]!.age) - 23, 20), childRel);
      const father = clamp(h + rng.int(25, 34), 58, 100);
      const mother = clamp(father + rng.int(-5, 1), 56, 100);
      const elders: Spec[] =
        item.elders === 2
          ? [{ rel: "父亲", male: true, age: father, spouse: 3 + item.kids }, { rel: "母亲", male: false, age: mother, spouse: 2 + item.kids, ownSurname: true }]
          : rng.chance(0.65)
            ? [{ rel: "母亲", male: false, age: mother, ownSurname: true }]
            : [{ rel: "父亲", male: true, age: father }];
      return [...c, ...k, ...elders];
    }
    case "THREE_GEN_GRANDKIDS": {
      const a = rng.int(58, 84);
      const head: Spec[] = item.spouse ? couple(rng, a, rng.chance(0.75), 55) : [{ rel: "户主", male: rng.chance(0.3), age: a }];
      const base = head.length;
      const son = clamp(a - rng.int(24, 32), 25, 60);
      const mid: Spec[] = [
        { rel: "子", male: true, age: son, spouse: base + 1 },
        { rel: "儿媳", male: false, age: clamp(son + rng.int(-4, 2), 23, 60), spouse: base, ownSurname: true },
      ];
      return [...head, ...mid, ...kids(rng, item.kids, Math.min(son - 22, 17), grandRel)];
    }
    case "COUPLE_ADULT_CHILD": {
      const h = rng.int(46, 66);
      const c = couple(rng, h, rng.chance(0.85), 40);
      const maxKid = Math.min(Math.min(c[0]!.age, c[1]!.age) - 22, 36);
      return [...c, ...kids(rng, item.kids, maxKid, childRel).map((s) => ({ ...s, age: Math.max(18, s.age) }))];
    }
    case "MIDDLE_COUPLE":
      return couple(rng, rng.int(42, 66), rng.chance(0.85), 38);
    case "YOUNG_SINGLE":
      return [{ rel: "户主", male: rng.chance(0.55), age: rng.int(20, 44) }];
    case "YOUNG_COUPLE":
      return couple(rng, rng.int(23, 40), rng.chance(0.8), 21);
    case "SINGLE_PARENT": {
      const h = rng.int(28, 52);
      return [{ rel: "户主", male: rng.chance(0.25), age: h }, ...kids(rng, item.kids, Math.min(h - 22, 20), childRel)];
    }
    case "FLOATING": {
      if (item.spouse) {
        const c = couple(rng, rng.int(22, 45), true, 20).map((s) => ({ ...s, rel: null, ownSurname: true }));
        return item.size === 3 ? [...c, { rel: null, male: rng.chance(0.5), age: rng.int(0, 12) }] : c;
      }
      const out: Spec[] = [];
      for (let i = 0; i < item.size; i++) out.push({ rel: null, male: rng.chance(0.55), age: rng.int(19, item.size > 1 ? 35 : 48), ownSurname: true });
      return out;
    }
  }
}
