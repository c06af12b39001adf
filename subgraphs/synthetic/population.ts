/**
 * People: members of a household (ages, names, relations, registration status, marital status) and the
 * floating population renting flats.
 */
import { addYears, ageAt, dayFromYmd, ymdOf } from "./dates";
import { IdNumberAllocator, LOCAL_REGIONS, OTHER_REGIONS } from "./id-number";
import { ETHNICITIES, givenName, mobile, surname as drawSurname } from "./names";
import type { PlanItem } from "./plan";
import type { Rng } from "./rng";
import { localSpecs } from "./households";

export type Status = "REGISTERED" | "DECEASED" | "MOVED_OUT" | "NON_LOCAL";
export type Marital = "UNMARRIED" | "MARRIED" | "DIVORCED" | "WIDOWED";

export interface Member {
  citizenId: string;
  idNumber: string;
  name: string;
  surname: string;
  male: boolean;
  birthDay: number;
  age: number; // at asOf (as if alive)
  ethnicity: string;
  phone: string | null;
  relation: string | null; // relationToHead, null for the floating population
  status: Status;
  statusDay: number | null;
  spouse: number; // index of the spouse within the same group, -1 if none
  movedIn: number;
  marital: Marital;
}

export interface PeopleContext {
  rng: Rng;
  asOfDay: number;
  ids: IdNumberAllocator;
  nextCitizen: () => string;
}

function marital(rng: Rng, m: Member, members: Member[], alone: boolean): Marital {
  if (m.spouse >= 0) return members[m.spouse]!.status === "DECEASED" && m.status !== "DECEASED" ? "WIDOWED" : "MARRIED";
  if (m.age < 20) return "UNMARRIED";
  const r = rng.next();
  if (m.age >= 60) return r < (alone ? 0.76 : 0.85) ? "WIDOWED" : r < 0.94 ? "DIVORCED" : "UNMARRIED";
  if (m.relation === "户主" && members.length > 1) return r < 0.7 ? "DIVORCED" : r < 0.85 ? "WIDOWED" : "UNMARRIED";
  if (m.age < 30) return r < 0.93 ? "UNMARRIED" : "DIVORCED";
  return r < 0.66 ? "UNMARRIED" : r < 0.97 ? "DIVORCED" : "WIDOWED";
}

const DEATH_RATE = (age: number): number => (age < 62 ? 0 : age < 70 ? 0.013 : age < 80 ? 0.03 : age < 90 ? 0.085 : 0.19);
const MOVABLE = new Set(["子", "女", "孙子", "孙女", "儿媳", "女婿"]);
export const MOVE_OUT_RATE = 0.15;

/**
 * Creates the people of one flat. Local groups get relations, statuses and a household registration date;
 * floating groups are NON_LOCAL, from a region outside Beijing, and `registeredAt` is when they moved in.
 */
export function makeMembers(ctx: PeopleContext, item: PlanItem, local: boolean, builtYear: number): { members: Member[]; registeredAt: number } {
  const { rng, asOfDay } = ctx;
  const specs = localSpecs(rng, item).slice(0, item.size);
  const headSurname = drawSurname(rng);
  const ethnicity = ETHNICITIES.draw(rng);
  const region = local ? "" : OTHER_REGIONS.draw(rng);
  const registeredAt = local
    ? householdRegisteredAt(rng, asOfDay, builtYear, specs[0]!.age)
    : Math.max(dayFromYmd(builtYear, 6, 1), asOfDay - rng.int(10, 1800));
  const members: Member[] = [];
  for (let i = 0; i < specs.length; i++) {
    const s = specs[i]!;
    const own = !!s.ownSurname && i > 0;
    const fam = own ? drawSurname(rng) : headSurname;
    const birth0 = asOfDay - Math.floor((s.age + rng.next()) * 365.2425);
    const reg = local ? (s.age < 30 && rng.chance(0.9) ? "110105" : LOCAL_REGIONS.draw(rng)) : rng.chance(0.8) ? region : OTHER_REGIONS.draw(rng);
    const { idNumber, birthDay } = ctx.ids.allocate(reg, birth0, s.male);
    const age = ageAt(birthDay, asOfDay);
    const noPhone = age < 14 || (age >= 85 && rng.chance(0.3));
    members.push({
      citizenId: ctx.nextCitizen(),
      idNumber,
      name: fam + givenName(rng, s.male, ymdOf(birthDay).y),
      surname: fam,
      male: s.male,
      birthDay,
      age,
      ethnicity: own && rng.chance(0.5) ? ETHNICITIES.draw(rng) : ethnicity,
      phone: noPhone ? null : mobile(rng),
      relation: local ? s.rel : null,
      status: local ? "REGISTERED" : "NON_LOCAL",
      statusDay: local ? null : registeredAt,
      spouse: s.spouse !== undefined && s.spouse < specs.length ? s.spouse : -1,
      movedIn: Math.max(registeredAt, birthDay),
      marital: "UNMARRIED",
    });
  }
  if (local) {
    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      if (m.relation === "父亲" || m.relation === "母亲") m.movedIn = registeredAt + rng.int(0, Math.max(0, asOfDay - 90 - registeredAt));
      if (m.status === "REGISTERED" && rng.chance(DEATH_RATE(m.age))) {
        m.status = "DECEASED";
        m.statusDay = asOfDay - rng.int(1, 730);
      } else if (m.status === "REGISTERED" && i > 0 && m.age >= 18 && m.age < 60 && MOVABLE.has(m.relation!) && rng.chance(MOVE_OUT_RATE)) {
        m.status = "MOVED_OUT";
        m.statusDay = asOfDay - rng.int(1, 1095);
        const partner = members[m.spouse]; // a married son moves away with his wife
        if (partner && partner.status === "REGISTERED" && MOVABLE.has(partner.relation!)) {
          partner.status = "MOVED_OUT";
          partner.statusDay = m.statusDay;
        }
      }
    }
    for (const m of members) {
      if (m.statusDay !== null && m.movedIn >= m.statusDay - 7) m.movedIn = Math.max(m.birthDay, m.statusDay - rng.int(30, 2000));
    }
  }
  for (const m of members) m.marital = marital(rng, m, members, members.length === 1);
  return { members, registeredAt };
}

/** Registration date of a household: after the building was built and the head turned 20. */
function householdRegisteredAt(rng: Rng, asOfDay: number, builtYear: number, headAge: number): number {
  const headBirth = asOfDay - Math.floor(headAge * 365.2425);
  const hi = asOfDay - 90;
  const lo = Math.min(hi - 30, Math.max(dayFromYmd(builtYear, 6, 1), addYears(headBirth, 20), dayFromYmd(1985, 1, 1)));
  return lo + Math.floor(Math.pow(rng.next(), 1.3) * (hi - lo));
}

/** The non-local lodger of a single elder: half unrelated tenants, half relatives from out of town. */
export function makeLodger(ctx: PeopleContext, elder: Member): { member: Member; relative: boolean } {
  const { rng, asOfDay } = ctx;
  const relative = rng.chance(0.5);
  const male = rng.chance(0.55);
  const fam = relative ? elder.surname : drawSurname(rng);
  const birth0 = asOfDay - Math.floor((rng.int(21, 48) + rng.next()) * 365.2425);
  const { idNumber, birthDay } = ctx.ids.allocate(OTHER_REGIONS.draw(rng), birth0, male);
  const age = ageAt(birthDay, asOfDay);
  const member: Member = {
    citizenId: ctx.nextCitizen(),
    idNumber,
    name: fam + givenName(rng, male, ymdOf(birthDay).y),
    surname: fam,
    male,
    birthDay,
    age,
    ethnicity: relative ? elder.ethnicity : ETHNICITIES.draw(rng),
    phone: mobile(rng),
    relation: null,
    status: "NON_LOCAL",
    statusDay: null,
    spouse: -1,
    movedIn: asOfDay - rng.int(20, 500),
    marital: age < 30 ? "UNMARRIED" : rng.chance(0.6) ? "MARRIED" : "UNMARRIED",
  };
  return { member, relative };
}
