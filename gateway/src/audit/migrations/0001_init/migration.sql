-- Access log: one row per response that contained citizens' personal data. Append-only and hash-chained:
-- seq is 1, 2, 3… without gaps, prev_hash is the hash of record seq-1 (64 zeros for record 1) and hash is
-- sha256 of the canonical record (gateway/src/audit/hash.ts), so `npm run audit:verify` detects any altered,
-- deleted or truncated record even when the trigger below was bypassed by a superuser.
CREATE TABLE access_log (
  seq          bigint      PRIMARY KEY CHECK (seq >= 1),
  request_id   text        NOT NULL,
  at           timestamptz NOT NULL,
  caller_id    text        NOT NULL,
  caller_name  text        NOT NULL,
  organisation text        NOT NULL,
  role         text        NOT NULL,
  purpose      text        NULL,
  citizens     text[]      NOT NULL,
  fields       text[]      NOT NULL,
  prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
  hash         text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$')
);

-- "Who looked at citizen X?" (citizens @> ARRAY['X']), "what did caller Y see?" (by seq), time ranges.
CREATE INDEX access_log_citizens_idx ON access_log USING gin (citizens);
CREATE INDEX access_log_caller_seq_idx ON access_log (caller_id, seq);
CREATE INDEX access_log_at_idx ON access_log (at);

CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'access_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER access_log_no_update_delete
  BEFORE UPDATE OR DELETE ON access_log
  FOR EACH ROW EXECUTE FUNCTION access_log_append_only();

CREATE TRIGGER access_log_no_truncate
  BEFORE TRUNCATE ON access_log
  FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();
