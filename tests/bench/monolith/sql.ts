/**
 * Measurement 3's monolith baseline: the priority-elder page and the person file computed by one
 * PostgreSQL statement each, over one database that holds all four departments' tables (one schema per
 * department, see ./database.ts). Each statement builds the whole GraphQL response (`{"data": …}`) as JSON
 * text inside PostgreSQL, so the Node process only passes text through: the physical limit of this data
 * on this machine. Same fields, order and formatting as the federated system returns (checked by the
 * harness against our gateway, values masked by governance aside); no governance.
 *
 * Cursors of the monolith are the citizen id itself (keyset pagination on elder_profile's primary key).
 */

/** ISO 8601 text of a `timestamp(3)` column, as the departments' resolvers print it (Date#toISOString). */
const iso = (col: string) => `to_char(${col}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const day = (col: string) => `to_char(${col}, 'YYYY-MM-DD')`;
/** Cents as a yuan string with two decimals ("-12.50"). */
const yuan = (col: string) => `(CASE WHEN ${col} < 0 THEN '-' ELSE '' END || (abs(${col}) / 100)::text || '.' || lpad((abs(${col}) % 100)::text, 2, '0'))`;
const age = (col: string) => `date_part('year', age((now() AT TIME ZONE 'UTC')::date, ${col}))::int`;

/** $1 grid id, $2 page size, $3 cursor (citizen id after which the page starts, or null). */
export const PRIORITY_ELDER_PAGE = `
WITH page AS (
  SELECT e.citizen_id, e.care_level, e.living_arrangement, e.categories
  FROM elderly_care.elder_profile e
  WHERE e.grid_id = $1 AND e.status = 'ACTIVE' AND e.is_priority AND ($3::text IS NULL OR e.citizen_id > $3::text)
  ORDER BY e.citizen_id
  LIMIT $2::int + 1
), shown AS (
  SELECT * FROM page ORDER BY citizen_id LIMIT $2::int
)
SELECT json_build_object('data', json_build_object('grid', (
  SELECT json_build_object(
    'id', g.id, 'name', g.name,
    'community', json_build_object('name', c.name),
    'worker', json_build_object('name', g.worker_name, 'phone', g.worker_phone),
    'priorityElders', json_build_object(
      'totalCount', (SELECT count(*)::int FROM elderly_care.elder_profile WHERE grid_id = $1 AND status = 'ACTIVE' AND is_priority),
      'pageInfo', json_build_object('hasNextPage', (SELECT count(*) FROM page) > $2::int, 'endCursor', (SELECT max(citizen_id) FROM shown)),
      'edges', COALESCE((
        SELECT json_agg(json_build_object('cursor', s.citizen_id, 'node', json_build_object(
          'careLevel', s.care_level,
          'livingArrangement', s.living_arrangement,
          'categories', to_json(s.categories::text[]),
          'emergencyContacts', COALESCE((SELECT json_agg(json_build_object('name', ec.name, 'relation', ec.relation, 'phone', ec.phone) ORDER BY ec.priority)
                                         FROM elderly_care.emergency_contact ec WHERE ec.citizen_id = s.citizen_id), '[]'),
          'lastVisit', (SELECT json_build_object('visitedAt', ${iso("v.visited_at")}, 'visitorName', v.visitor_name)
                        FROM elderly_care.visit v WHERE v.citizen_id = s.citizen_id ORDER BY v.visited_at DESC, v.id LIMIT 1),
          'unansweredAlarmCalls', COALESCE((SELECT json_agg(json_build_object('kind', a.kind, 'raisedAt', ${iso("a.raised_at")}) ORDER BY a.raised_at DESC, a.id)
                                            FROM (SELECT * FROM elderly_care.alarm_call a WHERE a.citizen_id = s.citizen_id AND a.handled_at IS NULL ORDER BY a.raised_at DESC, a.id LIMIT 20) a), '[]'),
          'citizen', (SELECT json_build_object(
              'id', p.citizen_id, 'name', p.name, 'age', ${age("p.birth_date")}, 'gender', p.gender, 'phone', p.phone,
              'subsidies', COALESCE((SELECT json_agg(json_build_object('type', sb.type, 'monthlyAmount', ${yuan("sb.monthly_amount_cents")}) ORDER BY sb.start_date DESC, sb.id)
                                     FROM civil_affairs.subsidy sb WHERE sb.citizen_id = p.citizen_id AND sb.status = 'ACTIVE'), '[]'),
              'residences', COALESCE((SELECT json_agg(json_build_object('unit', json_build_object('id', u.id, 'number', u.number, 'floor', u.floor,
                                        'building', json_build_object('id', b.id, 'name', b.name, 'address', b.address, 'hasElevator', b.has_elevator))) ORDER BY r.moved_in DESC, r.id)
                                      FROM property_management.residence r JOIN property_management.unit u ON u.id = r.unit_id JOIN property_management.building b ON b.id = u.building_id
                                      WHERE r.citizen_id = p.citizen_id AND r.moved_out IS NULL), '[]'),
              'repairRequests', COALESCE((SELECT json_agg(json_build_object('category', rr.category, 'description', rr.description, 'status', rr.status, 'openedAt', ${iso("rr.opened_at")}) ORDER BY rr.opened_at DESC, rr.id)
                                          FROM (SELECT * FROM property_management.repair_request rr WHERE rr.citizen_id = p.citizen_id AND rr.status <> 'CLOSED' ORDER BY rr.opened_at DESC, rr.id LIMIT 20) rr), '[]'))
            FROM public_security.person p WHERE p.citizen_id = s.citizen_id)
        )) ORDER BY s.citizen_id) FROM shown s), '[]')
    ))
  FROM civil_affairs.grid g JOIN civil_affairs.community c ON c.id = g.community_id
  WHERE g.id = $1
)))::text AS body`;

/** $1 citizen id. */
export const PERSON_FILE = `
SELECT json_build_object('data', json_build_object('citizen', (
  SELECT json_build_object(
    'id', p.citizen_id, 'name', p.name, 'gender', p.gender, 'birthDate', ${day("p.birth_date")}, 'age', ${age("p.birth_date")},
    'ethnicity', p.ethnicity, 'idNumber', p.id_number, 'phone', p.phone,
    'registrationStatus', p.status, 'registrationStatusDate', ${day("p.status_date")}, 'relationToHead', p.relation_to_head,
    'household', (SELECT json_build_object('id', h.id, 'number', h.number, 'address', h.address) FROM public_security.household h WHERE h.id = p.household_id),
    'residencePermits', COALESCE((SELECT json_agg(json_build_object('number', rp.number, 'address', rp.address, 'validUntil', ${day("rp.valid_until")},
                                    'valid', rp.valid_until >= (now() AT TIME ZONE 'UTC')::date - 1) ORDER BY rp.issued_at DESC)
                                  FROM public_security.residence_permit rp WHERE rp.citizen_id = p.citizen_id), '[]'),
    'maritalStatus', (SELECT cr.marital_status FROM civil_affairs.civil_record cr WHERE cr.citizen_id = p.citizen_id),
    'subsidies', COALESCE((SELECT json_agg(json_build_object('type', sb.type, 'monthlyAmount', ${yuan("sb.monthly_amount_cents")}, 'startDate', ${day("sb.start_date")},
                             'endDate', ${day("sb.end_date")}, 'status', sb.status) ORDER BY sb.start_date DESC, sb.id)
                           FROM civil_affairs.subsidy sb WHERE sb.citizen_id = p.citizen_id), '[]'),
    'disabilityCertificate', (SELECT json_build_object('number', d.number, 'category', d.category, 'grade', d.grade, 'issuedAt', ${day("d.issued_at")})
                              FROM civil_affairs.disability_certificate d WHERE d.citizen_id = p.citizen_id),
    'elderProfile', (SELECT json_build_object(
        'careLevel', e.care_level, 'livingArrangement', e.living_arrangement, 'categories', to_json(e.categories::text[]), 'status', e.status,
        'grid', (SELECT json_build_object('id', g.id, 'name', g.name, 'worker', json_build_object('name', g.worker_name, 'phone', g.worker_phone)) FROM civil_affairs.grid g WHERE g.id = e.grid_id),
        'emergencyContacts', COALESCE((SELECT json_agg(json_build_object('name', ec.name, 'relation', ec.relation, 'phone', ec.phone) ORDER BY ec.priority)
                                       FROM elderly_care.emergency_contact ec WHERE ec.citizen_id = e.citizen_id), '[]'),
        'lastVisit', (SELECT json_build_object('visitedAt', ${iso("v.visited_at")}, 'visitorName', v.visitor_name, 'notes', v.notes)
                      FROM elderly_care.visit v WHERE v.citizen_id = e.citizen_id ORDER BY v.visited_at DESC, v.id LIMIT 1),
        'unansweredAlarmCalls', COALESCE((SELECT json_agg(json_build_object('kind', a.kind, 'raisedAt', ${iso("a.raised_at")}) ORDER BY a.raised_at DESC, a.id)
                                          FROM (SELECT * FROM elderly_care.alarm_call a WHERE a.citizen_id = e.citizen_id AND a.handled_at IS NULL ORDER BY a.raised_at DESC, a.id LIMIT 20) a), '[]'))
      FROM elderly_care.elder_profile e WHERE e.citizen_id = p.citizen_id),
    'serviceOrders', COALESCE((SELECT json_agg(json_build_object('type', o.type, 'provider', o.provider, 'scheduledAt', ${iso("o.scheduled_at")}, 'status', o.status, 'rating', o.rating) ORDER BY o.scheduled_at DESC, o.id)
                               FROM (SELECT * FROM elderly_care.service_order o WHERE o.citizen_id = p.citizen_id ORDER BY o.scheduled_at DESC, o.id LIMIT 10) o), '[]'),
    'visits', COALESCE((SELECT json_agg(json_build_object('visitedAt', ${iso("v.visited_at")}, 'visitorName', v.visitor_name, 'visitorRole', v.visitor_role, 'notes', v.notes) ORDER BY v.visited_at DESC, v.id)
                        FROM (SELECT * FROM elderly_care.visit v WHERE v.citizen_id = p.citizen_id ORDER BY v.visited_at DESC, v.id LIMIT 5) v), '[]'),
    'alarmCalls', COALESCE((SELECT json_agg(json_build_object('kind', a.kind, 'raisedAt', ${iso("a.raised_at")}, 'handledAt', ${iso("a.handled_at")}, 'outcome', a.outcome) ORDER BY a.raised_at DESC, a.id)
                            FROM (SELECT * FROM elderly_care.alarm_call a WHERE a.citizen_id = p.citizen_id ORDER BY a.raised_at DESC, a.id LIMIT 5) a), '[]'),
    'residences', COALESCE((SELECT json_agg(json_build_object('role', r.role, 'movedIn', ${day("r.moved_in")}, 'movedOut', ${day("r.moved_out")},
                              'unit', json_build_object('id', u.id, 'address', b.address || u.number,
                                'building', json_build_object('name', b.name, 'hasElevator', b.has_elevator, 'company', json_build_object('name', pc.name, 'phone', pc.phone))))
                              ORDER BY r.moved_out IS NOT NULL, r.moved_in DESC, r.id)
                            FROM property_management.residence r JOIN property_management.unit u ON u.id = r.unit_id
                              JOIN property_management.building b ON b.id = u.building_id JOIN property_management.property_company pc ON pc.id = b.company_id
                            WHERE r.citizen_id = p.citizen_id), '[]'),
    'feeAccounts', COALESCE((SELECT json_agg(json_build_object('balance', ${yuan("f.balance_cents")}, 'monthsInArrears', f.months_in_arrears,
                               'unit', json_build_object('address', b.address || u.number)) ORDER BY f.id)
                             FROM property_management.fee_account f JOIN property_management.unit u ON u.id = f.unit_id JOIN property_management.building b ON b.id = u.building_id
                             WHERE f.citizen_id = p.citizen_id), '[]'),
    'repairRequests', COALESCE((SELECT json_agg(json_build_object('category', rr.category, 'description', rr.description, 'status', rr.status,
                                  'openedAt', ${iso("rr.opened_at")}, 'closedAt', ${iso("rr.closed_at")}) ORDER BY rr.opened_at DESC, rr.id)
                                FROM (SELECT * FROM property_management.repair_request rr WHERE rr.citizen_id = p.citizen_id ORDER BY rr.opened_at DESC, rr.id LIMIT 10) rr), '[]'))
  FROM public_security.person p WHERE p.citizen_id = $1
)))::text AS body`;
