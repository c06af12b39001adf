/**
 * The streaming generator: structure first, then flat by flat (≈500 per chunk) every row of the people living
 * there in all four departments. State kept between chunks is O(structure): buildings, counters, quotas.
 */
import { ChunkRows, type DatasetChunk, newSequences } from "./chunk";
import { civilAffairs, endSubsidiesAfterDeath } from "./civil";
import { addYears, dateOf, dayOf, timeOf, beijing, ymdOf } from "./dates";
import { type Arrangement, elderCare, type ElderFacts } from "./elderly";
import { IdNumberAllocator } from "./id-number";
import { countOccupied, PlanStream, type PlanItem } from "./plan";
import { makeLodger, makeMembers, type Member, type PeopleContext } from "./population";
import { feesAndRepairs, residence } from "./property";
import { Quota, Rng } from "./rng";
import { type BuildingInfo, buildingAddress, buildingName, buildStructure, STREET_OFFICE, type UnitInfo, unitsOf } from "./structure";
import { DECEASED_CANCEL_NOTE } from "./texts";

export interface SyntheticOptions {
  citizens: number;
  seed: number;
  asOf: Date;
}

export interface PlantedSink {
  deceasedWithActiveBenefits(citizenId: string): void;
  aloneButSharedFlat(citizenId: string): void;
  alarmWithoutVisit(citizenId: string): void;
}

export const HOUSEHOLDS_PER_CHUNK = 500;
const UNITS_PER_CHUNK = 10_000;
const DECEASED_PLANT_RATE = 0.1;
const ALARM_PLANT_RATE = 0.1;
const ALONE_PLANT_SHARE = 0.08;
const INSTITUTION_RATE = 0.01;
const NO_FAMILY_RATE = 0.15;
const DIBAO_RATE = 0.02;

const pad = (n: number, w: number): string => String(n).padStart(w, "0");

export function* generate(opts: SyntheticOptions, sink?: PlantedSink): Generator<DatasetChunk> {
  const { citizens, seed } = opts;
  if (!Number.isInteger(citizens) || citizens < 0) throw new Error(`citizens must be a non-negative integer, got ${citizens}`);
  if (!Number.isInteger(seed)) throw new Error(`seed must be an integer, got ${seed}`);
  const asOfDay = dayOf(opts.asOf);
  if (!Number.isFinite(asOfDay)) throw new Error("asOf must be a valid date");

  const occupied = countOccupied(seed, citizens);
  const s = buildStructure(seed, citizens, occupied);
  yield {
    "civil-affairs": {
      streetOffice: [{ ...STREET_OFFICE }],
      community: s.communities.map((c) => ({ id: c.id, name: c.name, address: c.address, streetOfficeId: STREET_OFFICE.id })),
      grid: s.grids.map((g) => ({ ...g })),
    },
    "property-management": {
      propertyCompany: s.companies.map((c) => ({ ...c })),
      building: s.buildings.map((b) => ({
        id: b.id, name: buildingName(b), address: buildingAddress(b), communityId: b.community.id, gridId: b.gridId,
        companyId: b.companyId, floors: b.floors, hasElevator: b.hasElevator, builtYear: b.builtYear,
      })),
    },
  };
  let units: NonNullable<NonNullable<DatasetChunk["property-management"]>["unit"]> = [];
  for (const b of s.buildings) {
    for (const u of unitsOf(b, seed)) {
      units.push({ id: u.id, buildingId: b.id, number: u.number, floor: u.floor, areaSqm: u.areaSqm });
      if (units.length >= UNITS_PER_CHUNK) {
        yield { "property-management": { unit: units } };
        units = [];
      }
    }
  }
  if (units.length > 0) yield { "property-management": { unit: units } };

  // Household phase.
  const rng = new Rng(seed, 13);
  const occupancy = new Rng(seed, 17);
  const quotas = new Rng(seed, 19);
  const plan = new PlanStream(seed, citizens);
  const seq = newSequences();
  let citizenNo = 0;
  let householdNo = 0;
  const people: PeopleContext = {
    rng, asOfDay, ids: new IdNumberAllocator(asOfDay, seed), nextCitizen: () => `P${pad(++citizenNo, 8)}`,
  };
  const deceasedQuota = new Quota(DECEASED_PLANT_RATE, quotas.next());
  const alarmQuota = new Quota(ALARM_PLANT_RATE, quotas.next());
  const workers = new Map(s.grids.map((g) => [g.id, g.workerName]));
  const landlords: string[] = []; // recent local owners, who let the flats of the floating population
  let activeAlone = 0;
  let plantedAlone = 0;
  let rows = new ChunkRows();
  let inChunk = 0;

  const place = (item: PlanItem, b: BuildingInfo, u: UnitInfo): void => {
    const local = item.kind !== "FLOATING";
    const { members, registeredAt } = makeMembers(people, item, local, b.builtYear);
    const head = members[0]!;
    const dibao = local && rng.chance(DIBAO_RATE);
    const noFamily = item.kind === "SINGLE_ELDER" && rng.chance(NO_FAMILY_RATE);
    if (noFamily) head.marital = rng.chance(0.4) ? "UNMARRIED" : "WIDOWED";
    const tenants: Member[] = local ? [] : [...members];
    let lodger: { member: Member; relative: boolean } | null = null;
    if (item.lodger) {
      lodger = makeLodger(people, head);
      tenants.push(lodger.member);
    }
    if (local) {
      const number = `110105${pad(++householdNo, 9)}`;
      rows.household.push({ id: number, number, address: u.address, communityId: b.community.id, headCitizenId: head.citizenId, kind: "FAMILY", registeredAt: dateOf(registeredAt) });
    }
    for (const m of [...members, ...(lodger ? [lodger.member] : [])]) {
      rows.person.push({
        citizenId: m.citizenId, idNumber: m.idNumber, name: m.name, gender: m.male ? "MALE" : "FEMALE", birthDate: dateOf(m.birthDay),
        ethnicity: m.ethnicity, phone: m.phone, status: m.status, statusDate: m.statusDay === null ? null : dateOf(m.statusDay),
        householdId: local && m !== lodger?.member ? `110105${pad(householdNo, 9)}` : null, relationToHead: m.relation,
        gridId: b.gridId, communityId: b.community.id, buildingId: b.id,
      });
    }
    for (const t of tenants) {
      const issued = Math.min(asOfDay - 1, t.movedIn + rng.int(0, 60));
      let years = Math.floor((asOfDay - issued) / 365.25) + 1;
      if (years > 1 && rng.chance(0.1)) years--; // not renewed: expired
      rows.residencePermit.push({
        id: seq.permit.next(), citizenId: t.citizenId, number: `110105${ymdOf(issued).y}${pad(seq.permit.n, 8)}`, address: u.address,
        issuedAt: dateOf(issued), validUntil: dateOf(addYears(issued, years)),
      });
    }

    for (let i = 0; i < members.length; i++) {
      const m = members[i]!;
      const civil = civilAffairs({ rng, asOfDay, seq, rows, dibao, noFamily: noFamily && i === 0, area: { gridId: b.gridId, communityId: b.community.id, buildingId: b.id } }, m);
      let care: ElderFacts | null = null;
      if (local && m.age >= 60 && (m.status === "REGISTERED" || m.status === "DECEASED")) {
        const death = m.statusDay;
        const others = members.filter((o) => o !== m && (o.status === "REGISTERED" || (death !== null && o.statusDay !== null && o.statusDay > death)));
        let arrangement: Arrangement = others.length === 0 ? "ALONE" : others.every((o) => o === members[m.spouse]) ? "EMPTY_NEST" : "WITH_FAMILY";
        if (rng.chance(INSTITUTION_RATE)) arrangement = "INSTITUTION";
        let shared = arrangement === "ALONE" && lodger !== null && i === 0;
        if (m.status === "REGISTERED" && arrangement === "WITH_FAMILY" && others.length === 1 && others[0] !== members[m.spouse]) {
          // A relative moved back in, but the elder-care record still says ALONE (planted).
          if (plantedAlone + 1 <= ALONE_PLANT_SHARE * (activeAlone + 1)) {
            arrangement = "ALONE";
            shared = true;
          }
        }
        if (m.status === "REGISTERED" && arrangement === "ALONE") {
          activeAlone++;
          if (shared) {
            plantedAlone++;
            sink?.aloneButSharedFlat(m.citizenId);
          }
        }
        care = elderCare(
          { rng, asOfDay, seq, rows, gridId: b.gridId, buildingId: b.id, community: b.community, gridWorker: workers.get(b.gridId)!, alarmQuota, onPlantedAlarm: (id) => sink?.alarmWithoutVisit(id) },
          m,
          arrangement,
          { noFamily: noFamily && i === 0, hardship: civil.hardship, disabilityGrade: civil.disabilityGrade },
        );
      }
      if (m.status === "DECEASED") {
        const orders = care?.orders ?? [];
        if ((civil.subsidies.length > 0 || orders.length > 0) && deceasedQuota.take()) {
          // Planted: the death has not reached civil affairs / elderly care.
          const live = civil.subsidies.some((r) => r.status === "ACTIVE") || orders.some((o) => o.status === "SCHEDULED" || o.status === "IN_PROGRESS");
          if (!live && civil.subsidies.length > 0) Object.assign(civil.subsidies[civil.subsidies.length - 1]!, { status: "ACTIVE", endDate: null });
          else if (!live) {
            rows.serviceOrder.push({
              id: seq.order.next(), citizenId: m.citizenId, type: "HOME_VISIT", provider: b.community.provider,
              scheduledAt: timeOf(asOfDay + rng.int(1, 20), beijing(9, 30)), status: "SCHEDULED", rating: null, note: null,
            });
          }
          if (care) Object.assign(care.profile, { status: "ACTIVE", closedAt: null });
          sink?.deceasedWithActiveBenefits(m.citizenId);
        } else {
          endSubsidiesAfterDeath(rng, asOfDay, m.statusDay!, civil.subsidies);
          for (const o of orders) if (o.status === "SCHEDULED" || o.status === "IN_PROGRESS") Object.assign(o, { status: "CANCELLED", rating: null, note: DECEASED_CANCEL_NOTE });
        }
      }
    }
    if (lodger) civilAffairs({ rng, asOfDay, seq, rows, dibao: false, noFamily: false, area: { gridId: b.gridId, communityId: b.community.id, buildingId: b.id } }, lodger.member);

    for (const m of members) residence({ rng, asOfDay, seq, rows }, m, u, !local ? "TENANT" : m === head ? "OWNER" : "FAMILY_MEMBER");
    if (lodger) residence({ rng, asOfDay, seq, rows }, lodger.member, u, lodger.relative ? "FAMILY_MEMBER" : "TENANT");
    let owner = head.citizenId;
    if (local) {
      if (landlords.length < 64) landlords.push(head.citizenId);
      else landlords[householdNo % 64] = head.citizenId;
    } else if (landlords.length > 0) {
      owner = landlords[rng.int(0, landlords.length - 1)]!;
    }
    feesAndRepairs({ rng, asOfDay, seq, rows }, b, u, owner, [...members, ...(lodger ? [lodger.member] : [])]);
  };

  let remainingUnits = s.totalUnits;
  let remainingOccupied = occupied;
  for (const b of s.buildings) {
    for (const u of unitsOf(b, seed)) {
      // Selection sampling: exactly `occupied` of the flats are taken, spread uniformly.
      const take = occupancy.next() * remainingUnits < remainingOccupied;
      remainingUnits--;
      if (!take) continue;
      remainingOccupied--;
      place(plan.next()!, b, u);
      if (++inChunk >= HOUSEHOLDS_PER_CHUNK) {
        yield rows.toChunk();
        rows = new ChunkRows();
        inChunk = 0;
      }
    }
  }
  if (inChunk > 0) yield rows.toChunk();
}
