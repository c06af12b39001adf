/**
 * The three cross-department checks. Each pages through a federated query run as the caller — with the
 * caller's row scope, scopes, purpose, masks and access record, exactly as if they had sent it — and keeps
 * the citizens for whom the departments disagree. A fact the caller may not read comes back null and is
 * neither evidence nor grounds for a finding, so a finding never tells a caller more than they could read.
 */
import type { FindingKind, FindingRecord, Execute, Labels } from "./types";

const PAGE = 1000;

async function* pages<T>(execute: Execute, query: string, field: string, vars: Record<string, unknown> = {}): AsyncGenerator<T[]> {
  let after: string | null = null;
  for (;;) {
    const data = (await execute(query, { ...vars, first: PAGE, after })) as Record<string, { edges: { node: T | null }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } | null>;
    const conn = data[field];
    if (!conn) return;
    yield conn.edges.map((e) => e.node).filter((n): n is T => n !== null);
    if (!conn.pageInfo.hasNextPage) return;
    after = conn.pageInfo.endCursor;
  }
}


const DECEASED = `query InsightsDeceased($first: Int, $after: String) {
  citizensByStatus(status: DECEASED, first: $first, after: $after) {
    edges { node { id registrationStatusDate subsidies(status: ACTIVE) { type startDate } serviceOrders(statuses: [SCHEDULED, IN_PROGRESS]) { type scheduledAt } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface DeceasedNode {
  id: string;
  registrationStatusDate: string | null;
  subsidies: { type: string; startDate: string }[] | null;
  serviceOrders: { type: string; scheduledAt: string }[] | null;
}

async function deceasedWithActiveBenefits(execute: Execute, labels: Labels): Promise<FindingRecord[]> {
  const out: FindingRecord[] = [];
  for await (const nodes of pages<DeceasedNode>(execute, DECEASED, "citizensByStatus")) {
    for (const n of nodes) {
      if (!n.subsidies?.length && !n.serviceOrders?.length) continue;
      const evidence = [{ department: "public-security", fact: `户籍状态：死亡注销（${n.registrationStatusDate ?? "日期不详"}）` }];
      if (n.subsidies?.length) evidence.push({ department: "civil-affairs", fact: `仍在发放：${n.subsidies.map((s) => labels("SubsidyType", s.type)).join("、")}` });
      if (n.serviceOrders?.length) evidence.push({ department: "elderly-care", fact: `未完成的服务工单 ${n.serviceOrders.length} 个` });
      out.push({ kind: "DECEASED_WITH_ACTIVE_BENEFITS", citizenId: n.id, summary: "已死亡注销，但仍在享受补贴或服务", evidence });
    }
  }
  return out;
}

const ALONE = `query InsightsAlone($first: Int, $after: String) {
  elders(filter: { livingArrangement: ALONE }, first: $first, after: $after) {
    edges { node { citizen { id residences(currentOnly: true) { unit { id address currentResidents { role citizen { id } } } } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface AloneNode {
  citizen: { id: string; residences: { unit: { id: string; address: string; currentResidents: { role: string; citizen: { id: string } | null }[] | null } }[] | null } | null;
}

async function livingAloneWithOthers(execute: Execute): Promise<FindingRecord[]> {
  const out: FindingRecord[] = [];
  for await (const nodes of pages<AloneNode>(execute, ALONE, "elders")) {
    for (const { citizen } of nodes) {
      if (!citizen?.residences) continue;
      const others = citizen.residences.flatMap((r) => (r.unit.currentResidents ?? []).filter((x) => x.citizen && x.citizen.id !== citizen.id).map((x) => ({ unit: r.unit, x })));
      if (!others.length) continue;
      const address = others[0].unit.address;
      out.push({
        kind: "LIVING_ALONE_WITH_OTHER_RESIDENTS",
        citizenId: citizen.id,
        summary: "养老档案登记为独居，但物业登记该房屋另有现住人员",
        evidence: [
          { department: "elderly-care", fact: "居住状况：独居" },
          { department: "property-management", fact: `${address} 另有现住人员 ${others.length} 人` },
        ],
      });
    }
  }
  return out;
}

const ALARMS = `query InsightsAlarms($first: Int, $after: String) {
  eldersWithUnvisitedAlarms(days: 30, first: $first, after: $after) {
    edges { node { citizen { id alarmCalls(first: 50) { raisedAt } visits(first: 1) { visitedAt } } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

interface AlarmNode {
  citizen: { id: string; alarmCalls: { raisedAt: string }[] | null; visits: { visitedAt: string }[] | null } | null;
}

async function alarmWithoutVisit(execute: Execute): Promise<FindingRecord[]> {
  const out: FindingRecord[] = [];
  for await (const nodes of pages<AlarmNode>(execute, ALARMS, "eldersWithUnvisitedAlarms")) {
    for (const { citizen } of nodes) {
      // The alarms and the missing visit are the finding: without both facts the caller may not learn it.
      if (!citizen?.alarmCalls?.length || !citizen.visits) continue;
      const last = citizen.visits[0]?.visitedAt.slice(0, 10) ?? "无";
      out.push({
        kind: "ALARM_WITHOUT_VISIT",
        citizenId: citizen.id,
        summary: "紧急呼叫后 30 天内无走访记录",
        evidence: [{ department: "elderly-care", fact: `紧急呼叫 ${citizen.alarmCalls.length} 次，最近一次走访：${last}` }],
      });
    }
  }
  return out;
}

export const CHECKS: Record<FindingKind, (execute: Execute, labels: Labels) => Promise<FindingRecord[]>> = {
  DECEASED_WITH_ACTIVE_BENEFITS: deceasedWithActiveBenefits,
  LIVING_ALONE_WITH_OTHER_RESIDENTS: livingAloneWithOthers,
  ALARM_WITHOUT_VISIT: alarmWithoutVisit,
};
