/** Elderly care (养老): elder profile, emergency contacts, service orders, visits and alarm calls of one elder. */
import type { AlarmCallRow, ChunkRows, ElderProfileRow, Sequences, ServiceOrderRow, VisitRow } from "./chunk";
import { addYears, beijing, dateOf, DAY_MS, dayFromYmd, MINUTE_MS, timeOf, ymdOf } from "./dates";
import { givenName, mobile, surname as drawSurname } from "./names";
import type { Member } from "./population";
import type { Quota, Rng } from "./rng";
import type { CommunityInfo } from "./structure";
import { ALARM_FOLLOW_UP_NOTES, ALARM_OUTCOMES, CANCEL_NOTES, PHONE_ONLY_OUTCOME, SERVICE_NOTES, VISIT_NOTES } from "./texts";

export type Arrangement = ElderProfileRow["livingArrangement"];
type Category = "LIVING_ALONE_OR_EMPTY_NEST" | "AGED_80_PLUS" | "DISABLED_OR_PARTLY_DISABLED" | "ECONOMIC_HARDSHIP" | "NO_FAMILY";
type ServiceType = ServiceOrderRow["type"];
type AlarmKind = AlarmCallRow["kind"];

export interface ElderInput {
  rng: Rng;
  asOfDay: number;
  seq: Sequences;
  rows: ChunkRows;
  gridId: string;
  buildingId: string;
  community: CommunityInfo;
  gridWorker: string;
  alarmQuota: Quota;
  onPlantedAlarm: (citizenId: string) => void;
}

export interface ElderFacts {
  profile: ElderProfileRow;
  orders: ServiceOrderRow[];
}

const CARE_WEIGHTS = (age: number): number[] =>
  age < 70 ? [72, 21, 4, 2, 1] : age < 80 ? [52, 30, 11, 5, 2] : age < 90 ? [28, 36, 20, 11, 5] : [12, 28, 28, 19, 13];
const SERVICES: readonly ServiceType[] = ["MEAL_DELIVERY", "CLEANING", "BATHING", "MEDICAL_ESCORT", "HOME_VISIT"];
const ALARM_KINDS: readonly AlarmKind[] = ["SOS_BUTTON", "FALL_DETECTED", "SMOKE", "GAS_LEAK", "INACTIVITY"];
const ALARM_WEIGHTS = [35, 22, 8, 5, 30];
const daytime = (rng: Rng): number => beijing(rng.int(8, 16), rng.int(0, 59));

/** Profile and, for priority elders, the care history. Everything happens before `until` (death) and asOf. */
export function elderCare(
  inp: ElderInput,
  m: Member,
  arrangement: Arrangement,
  f: { noFamily: boolean; hardship: boolean; disabilityGrade: number | null },
): ElderFacts {
  const { rng, asOfDay, seq, rows } = inp;
  const until = Math.min(asOfDay, m.statusDay ?? asOfDay);
  let careLevel = rng.weightedIndex(CARE_WEIGHTS(m.age));
  if (arrangement === "INSTITUTION") careLevel = Math.max(careLevel, rng.int(2, 4));
  if (f.disabilityGrade !== null && f.disabilityGrade <= 2) careLevel = Math.max(careLevel, 2);
  const categories: Category[] = [];
  if (arrangement === "ALONE" || arrangement === "EMPTY_NEST") categories.push("LIVING_ALONE_OR_EMPTY_NEST");
  if (m.age >= 80) categories.push("AGED_80_PLUS");
  if (careLevel >= 2) categories.push("DISABLED_OR_PARTLY_DISABLED");
  if (f.hardship) categories.push("ECONOMIC_HARDSHIP");
  if (f.noFamily) categories.push("NO_FAMILY");
  const b60 = addYears(m.birthDay, 60);
  const registered = Math.min(Math.max(b60, dayFromYmd(2012, 1, 1) + rng.int(0, 1500)), Math.max(b60, until - 30));
  const deceased = m.status === "DECEASED";
  const profile: ElderProfileRow = {
    citizenId: m.citizenId,
    gridId: inp.gridId,
    buildingId: inp.buildingId,
    communityId: inp.community.id,
    careLevel,
    livingArrangement: arrangement,
    categories,
    isPriority: categories.length > 0,
    status: deceased ? "CLOSED" : "ACTIVE",
    registeredAt: dateOf(registered),
    closedAt: deceased ? dateOf(Math.min(asOfDay, until + rng.int(0, 30))) : null,
  };
  rows.elderProfile.push(profile);
  const orders: ServiceOrderRow[] = [];
  if (!profile.isPriority) return { profile, orders };

  // Emergency contacts (紧急联系人).
  const contacts = rng.weightedIndex([50, 35, 15]) + 1;
  const born = ymdOf(m.birthDay).y;
  for (let i = 0; i < contacts; i++) {
    const rel = f.noFamily ? rng.pick(["侄子", "侄女", "外甥", "邻居", "楼门长"]) : rng.pick(["儿子", "女儿", "儿子", "女儿", "儿媳", "女婿", "孙子", "孙女", "侄子", "邻居"]);
    const male = ["儿子", "女婿", "孙子", "侄子", "外甥"].includes(rel) || (!["女儿", "儿媳", "孙女", "侄女"].includes(rel) && rng.chance(0.5));
    const kin = ["儿子", "女儿", "孙子", "孙女", "侄子", "侄女"].includes(rel) && m.male;
    const year = rel.startsWith("孙") ? born + rng.int(48, 60) : rel === "邻居" || rel === "楼门长" ? rng.int(1950, 1990) : born + rng.int(22, 34);
    const name = (kin ? m.surname : drawSurname(rng)) + givenName(rng, male, year);
    rows.emergencyContact.push({ id: seq.contact.next(), citizenId: m.citizenId, name, relation: rel, phone: mobile(rng), priority: i + 1 });
  }

  // Service orders for ~40% of priority elders: a year of history, and upcoming ones for the living.
  if (rng.chance(0.4)) {
    const types = [rng.pick(SERVICES), rng.pick(SERVICES)];
    const provider = rng.chance(0.8) ? inp.community.provider : "朝阳区养老助残服务中心";
    const order = (type: ServiceType, day: number, status: ServiceOrderRow["status"]): ServiceOrderRow => {
      const row: ServiceOrderRow = {
        id: seq.order.next(),
        citizenId: m.citizenId,
        type,
        provider,
        scheduledAt: timeOf(day, daytime(rng)),
        status,
        rating: status === "COMPLETED" ? rng.weightedIndex([15, 40, 45]) + 3 : null,
        note: status === "CANCELLED" ? rng.pick(CANCEL_NOTES) : rng.chance(0.6) ? rng.pick(SERVICE_NOTES[type]!) : null,
      };
      orders.push(row);
      return row;
    };
    const from = Math.max(registered, asOfDay - 365);
    if (until - 1 > from) {
      const days: number[] = [];
      for (let n = rng.int(1, 8); n > 0; n--) days.push(rng.int(from, until - 1));
      days.sort((a, b) => a - b);
      for (const d of days) order(rng.pick(types), d, rng.chance(0.88) ? "COMPLETED" : "CANCELLED");
    }
    if (!deceased) {
      if (rng.chance(0.05)) order(types[0]!, asOfDay - 1, "IN_PROGRESS");
      if (rng.chance(0.6)) for (let n = rng.int(1, 2); n > 0; n--) order(rng.pick(types), asOfDay + rng.int(1, 30), "SCHEDULED");
    } else if (rng.chance(0.5)) {
      order(types[0]!, until + rng.int(1, 30), "SCHEDULED"); // booked before death; resolved by the caller
    }
    rows.serviceOrder.push(...orders);
  }

  // Regular visits every 1–3 months, never after asOf (nor after death).
  const visits: VisitRow[] = [];
  const visit = (at: Date, notes: string, role: VisitRow["visitorRole"]): void => {
    const visitorName = role === "GRID_WORKER" ? inp.gridWorker : rng.pick(inp.community.socialWorkers);
    visits.push({ id: "", citizenId: m.citizenId, visitedAt: at, visitorName, visitorRole: role, notes });
  };
  for (let d = Math.max(registered, asOfDay - 730) + rng.int(0, 60); d <= until - 1; d += rng.int(30, 90)) {
    visit(timeOf(d, daytime(rng)), rng.pick(VISIT_NOTES), rng.chance(0.7) ? "GRID_WORKER" : "SOCIAL_WORKER");
  }

  // Alarm calls for ~15% of priority elders: 1–3 in the last year, raised at least 8 days before asOf.
  const lo = Math.max(registered, asOfDay - 365);
  const hi = until - 9;
  if (hi > lo && rng.chance(0.15)) {
    const planted = inp.alarmQuota.take();
    const days: number[] = [];
    for (let n = rng.weightedIndex([60, 30, 10]) + 1, tries = 0; days.length < n && tries < 30; tries++) {
      const d = rng.int(lo, hi);
      if (!planted || days.length === 0 || Math.abs(d - days[0]!) > 41) days.push(d);
    }
    const plantedDay = days[0]!;
    days.sort((a, b) => a - b);
    let plantedDone = false;
    for (const d of days) {
      const raisedAt = timeOf(d, rng.int(0, 1439));
      const kind = ALARM_KINDS[rng.weightedIndex(ALARM_WEIGHTS)]!;
      const row: AlarmCallRow = { id: seq.alarm.next(), citizenId: m.citizenId, kind, raisedAt, handledAt: null, handledBy: null, outcome: null };
      const unanswered = planted && d === plantedDay && !plantedDone;
      if (unanswered) {
        plantedDone = true;
        if (rng.chance(0.5)) {
          row.handledAt = new Date(raisedAt.getTime() + rng.int(2, 40) * MINUTE_MS);
          row.handledBy = "平台值班员";
          row.outcome = PHONE_ONLY_OUTCOME;
        }
        // No visit in the following month: drop the routine visits of that window.
        const t0 = raisedAt.getTime();
        for (let i = visits.length - 1; i >= 0; i--) {
          const t = (visits[i]!.visitedAt as Date).getTime();
          if (t >= t0 - DAY_MS && t <= t0 + 32 * DAY_MS) visits.splice(i, 1);
        }
      } else {
        if (rng.chance(0.975)) {
          row.handledAt = new Date(raisedAt.getTime() + rng.int(1, 30) * MINUTE_MS);
          row.handledBy = rng.chance(0.6) ? "平台值班员" : inp.gridWorker;
          row.outcome = rng.pick(ALARM_OUTCOMES[kind]!);
        }
        visit(new Date(raisedAt.getTime() + rng.int(20, 7 * 1440 - 1) * MINUTE_MS), rng.pick(ALARM_FOLLOW_UP_NOTES), "GRID_WORKER");
      }
      rows.alarmCall.push(row);
    }
    if (planted) inp.onPlantedAlarm(m.citizenId);
  }
  visits.sort((a, b) => (a.visitedAt as Date).getTime() - (b.visitedAt as Date).getTime());
  for (const v of visits) {
    v.id = seq.visit.next();
    rows.visit.push(v);
  }
  return { profile, orders };
}
