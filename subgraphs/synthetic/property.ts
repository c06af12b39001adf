/** Property management (物业): residences, the fee account and repair requests of one occupied flat. */
import type { ChunkRows, RepairRequestRow, ResidenceRow, Sequences } from "./chunk";
import { beijing, dateOf, DAY_MS, timeOf } from "./dates";
import type { Member } from "./population";
import type { Rng } from "./rng";
import type { BuildingInfo, UnitInfo } from "./structure";
import { REPAIRS } from "./texts";

type RepairCategory = RepairRequestRow["category"];
const CATEGORIES: readonly RepairCategory[] = ["PLUMBING", "ELECTRICAL", "ELEVATOR", "DOOR_AND_WINDOW", "HEATING", "LEAKAGE", "PUBLIC_AREA"];
const WEIGHTS_LIFT = [28, 12, 12, 12, 14, 10, 12];
const WEIGHTS_WALKUP = [30, 14, 0, 14, 16, 12, 14];

export interface PropertyInput {
  rng: Rng;
  asOfDay: number;
  seq: Sequences;
  rows: ChunkRows;
}

/** A residence row; the person's current residence unless they died or moved away. */
export function residence(inp: PropertyInput, m: Member, unit: UnitInfo, role: ResidenceRow["role"]): void {
  const gone = m.status === "DECEASED" || m.status === "MOVED_OUT";
  inp.rows.residence.push({
    id: inp.seq.residence.next(),
    citizenId: m.citizenId,
    unitId: unit.id,
    role,
    movedIn: dateOf(m.movedIn),
    movedOut: gone ? dateOf(m.statusDay!) : null,
  });
}

/** The fee account of an occupied flat (the owner's) and ~0.3 repair requests over the last two years. */
export function feesAndRepairs(inp: PropertyInput, b: BuildingInfo, unit: UnitInfo, ownerId: string, residents: Member[]): void {
  const { rng, asOfDay, seq, rows } = inp;
  const monthlyFee = Math.round(unit.areaSqm * (b.hasElevator ? rng.int(220, 320) : rng.int(60, 110)));
  const arrears = rng.chance(0.08) ? Math.min(12, 1 + Math.floor(-Math.log(1 - rng.next()) * 3)) : 0;
  const balanceCents = arrears > 0 ? -arrears * monthlyFee : rng.chance(0.3) ? rng.int(1, 12) * monthlyFee : 0;
  rows.feeAccount.push({ id: seq.fee.next(), citizenId: ownerId, unitId: unit.id, balanceCents, monthsInArrears: arrears });

  const current = residents.filter((m) => m.status === "REGISTERED" || m.status === "NON_LOCAL");
  if (current.length === 0) return;
  const r = rng.next();
  const count = r < 0.05 ? 2 : r < 0.25 ? 1 : 0;
  for (let i = 0; i < count; i++) {
    const who = rng.pick(current);
    const category = CATEGORIES[rng.weightedIndex(b.hasElevator ? WEIGHTS_LIFT : WEIGHTS_WALKUP)]!;
    const open = rng.chance(0.15);
    const first = Math.max(who.movedIn + 1, asOfDay - (open ? 45 : 730));
    if (first >= asOfDay) continue;
    const openedAt = timeOf(rng.int(first, asOfDay - 1), beijing(rng.int(7, 21), rng.int(0, 59)));
    let closedAt: Date | null = null;
    if (!open) closedAt = new Date(Math.min(asOfDay * DAY_MS, openedAt.getTime() + rng.int(2 * 60, 10 * 1440) * 60_000));
    rows.repairRequest.push({
      id: seq.repair.next(),
      citizenId: who.citizenId,
      unitId: unit.id,
      category,
      description: rng.pick(REPAIRS[category]!),
      status: open ? (rng.chance(0.5) ? "OPEN" : "IN_PROGRESS") : "CLOSED",
      openedAt,
      closedAt,
    });
  }
}
