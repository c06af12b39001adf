/** Civil affairs (民政): marital status, disability certificates and subsidies of one person. */
import type { ChunkRows, DisabilityCertificateRow, Sequences, SubsidyRow } from "./chunk";
import { addYears, dateOf, dayFromYmd, ymdOf } from "./dates";
import type { Member } from "./population";
import type { Rng } from "./rng";

type SubsidyType = SubsidyRow["type"];
type DisabilityCategory = DisabilityCertificateRow["category"];

/** Monthly amounts in cents (Beijing standards, rounded). */
export const AMOUNTS = {
  MINIMUM_LIVING_ALLOWANCE: 139_500, // 低保 1,395 元/人·月
  EXTREME_POVERTY_SUPPORT: 181_400, // 特困供养
  DISABILITY_LIVING_ALLOWANCE: 30_000, // 困难残疾人生活补贴
  OLD_AGE_80: 10_000, // 高龄津贴 80–89 岁
  OLD_AGE_90: 50_000, // 90 岁及以上
} as const;

const CATEGORIES: readonly (readonly [DisabilityCategory, number, number])[] = [
  // category, code on the certificate, weight
  ["VISUAL", 1, 15], ["HEARING", 2, 20], ["SPEECH", 3, 2], ["PHYSICAL", 4, 40], ["INTELLECTUAL", 5, 7], ["MENTAL", 6, 8], ["MULTIPLE", 7, 8],
];
const CATEGORY_WEIGHTS = CATEGORIES.map((c) => c[2]);

const disabilityRate = (age: number): number => (age < 15 ? 0.005 : age < 45 ? 0.01 : age < 60 ? 0.022 : age < 80 ? 0.045 : 0.09);

export interface CivilFacts {
  /** Subsidy rows of the person (mutable until the chunk is yielded: the deceased are resolved later). */
  subsidies: SubsidyRow[];
  disabilityGrade: number | null;
  /** An active minimum-living or extreme-poverty subsidy. */
  hardship: boolean;
}

export interface CivilInput {
  rng: Rng;
  asOfDay: number;
  seq: Sequences;
  rows: ChunkRows;
  dibao: boolean; // the household receives the minimum living allowance
  noFamily: boolean; // 孤老
  area: { gridId: string; communityId: string; buildingId: string }; // where the person lives
}

/** Writes the civil record, a disability certificate (maybe) and the subsidies of a local person. */
export function civilAffairs(inp: CivilInput, m: Member): CivilFacts {
  const { rng, asOfDay, seq, rows } = inp;
  rows.civilRecord.push({ citizenId: m.citizenId, maritalStatus: m.marital, ...inp.area });
  const facts: CivilFacts = { subsidies: [], disabilityGrade: null, hardship: false };
  if (m.status === "NON_LOCAL") return facts;
  const until = m.statusDay ?? asOfDay; // last day the person was entitled here
  const add = (type: SubsidyType, cents: number, start: number): SubsidyRow | null => {
    if (start >= until) return null;
    const row: SubsidyRow = { id: seq.subsidy.next(), citizenId: m.citizenId, type, monthlyAmountCents: cents, startDate: dateOf(start), endDate: null, status: "ACTIVE" };
    facts.subsidies.push(row);
    rows.subsidy.push(row);
    return row;
  };
  const end = (row: SubsidyRow | null, day: number): void => {
    if (row) {
      row.status = "ENDED";
      row.endDate = dateOf(Math.max(day, (row.startDate as Date).getTime() / 86_400_000 + 1));
    }
  };

  const first = Math.max(m.birthDay + 365, asOfDay - 15 * 365);
  if (rng.chance(disabilityRate(m.age)) && first < until - 60) {
    const [category, code] = CATEGORIES[rng.weightedIndex(CATEGORY_WEIGHTS)]!;
    const grade = rng.weightedIndex([15, 25, 30, 30]) + 1;
    const issued = first + Math.floor(rng.next() * Math.max(1, until - 30 - first));
    rows.disabilityCertificate.push({
      id: seq.disability.next(),
      citizenId: m.citizenId,
      number: `${m.idNumber}${code}${grade}`,
      category,
      grade,
      issuedAt: dateOf(issued),
    });
    facts.disabilityGrade = grade;
    const start = issued + rng.int(30, 200);
    if (grade <= 2) {
      const r = add("DISABILITY_CARE_ALLOWANCE", grade === 1 ? 40_000 : 30_000, start);
      if (rng.chance(0.05)) end(r, Math.min(asOfDay, start + rng.int(180, 1500)));
    }
    if (inp.dibao || rng.chance(0.25)) add("DISABILITY_LIVING_ALLOWANCE", AMOUNTS.DISABILITY_LIVING_ALLOWANCE, start + rng.int(0, 90));
  }

  if (m.age >= 80 && rng.chance(0.9)) {
    const b80 = ymdOf(addYears(m.birthDay, 80));
    const start = Math.max(dayFromYmd(b80.y, b80.m, 1) + 31, dayFromYmd(2016, 1, 1));
    const firstOfMonth = ymdOf(start);
    add("OLD_AGE_ALLOWANCE", m.age >= 90 ? AMOUNTS.OLD_AGE_90 : AMOUNTS.OLD_AGE_80, dayFromYmd(firstOfMonth.y, firstOfMonth.m, 1));
  }
  if (inp.dibao) {
    const r = add("MINIMUM_LIVING_ALLOWANCE", AMOUNTS.MINIMUM_LIVING_ALLOWANCE, Math.max(m.birthDay, asOfDay - rng.int(60, 3000)));
    if (r && m.status === "REGISTERED") {
      if (rng.chance(0.12)) end(r, asOfDay - rng.int(1, 400));
      else if (rng.chance(0.02)) r.status = "SUSPENDED";
      else facts.hardship = true;
    } else if (r && m.status === "DECEASED") facts.hardship = true;
  }
  if (inp.noFamily && rng.chance(0.6)) {
    const r = add("EXTREME_POVERTY_SUPPORT", AMOUNTS.EXTREME_POVERTY_SUPPORT, asOfDay - rng.int(100, 3000));
    if (r && m.status !== "MOVED_OUT") facts.hardship = true;
  }

  // Moved away: every benefit here ends. (The deceased are resolved with their care orders, see generate.ts.)
  if (m.status === "MOVED_OUT") for (const r of facts.subsidies) if (r.status !== "ENDED") end(r, Math.min(asOfDay, until + rng.int(0, 60)));
  return facts;
}

/** Ends every subsidy of a deceased person shortly after death (the normal, consistent case). */
export function endSubsidiesAfterDeath(rng: Rng, asOfDay: number, deathDay: number, subsidies: SubsidyRow[]): void {
  for (const r of subsidies) {
    if (r.status === "ENDED") continue;
    const start = (r.startDate as Date).getTime() / 86_400_000;
    r.status = "ENDED";
    r.endDate = dateOf(Math.max(start + 1, Math.min(asOfDay, deathDay + rng.int(0, 45))));
  }
}
