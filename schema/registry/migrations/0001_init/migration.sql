-- Schema registry (the data stewards' control plane). History tables are append-only (a trigger refuses
-- UPDATE, DELETE and TRUNCATE): nothing is overwritten. The current supergraph is the one with the highest
-- version; a rollback is a new version equal to an earlier one.

-- Every published version of every subgraph, with the check report it passed.
CREATE TABLE subgraph_versions (
  id             bigserial   PRIMARY KEY,
  subgraph       text        NOT NULL,
  version        integer     NOT NULL CHECK (version >= 1),
  sdl            text        NOT NULL,
  sdl_sha256     text        NOT NULL,
  routing_url    text        NOT NULL,
  owner          text        NOT NULL,
  publisher_sub  text        NOT NULL,
  publisher_role text        NOT NULL,
  published_at   timestamptz NOT NULL DEFAULT now(),
  check_report   jsonb       NOT NULL,
  UNIQUE (subgraph, version)
);

-- Every composed supergraph; version increases by one per composition.
CREATE TABLE supergraph_versions (
  version         integer     PRIMARY KEY CHECK (version >= 1),
  sdl             text        NOT NULL,
  sdl_sha256      text        NOT NULL,
  reason          text        NOT NULL CHECK (reason IN ('seed', 'publish', 'compose', 'rollback')),
  rollback_of     integer     NULL REFERENCES supergraph_versions (version),
  created_by_sub  text        NOT NULL,
  created_by_role text        NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now()
);

-- Which subgraph versions each supergraph was composed from.
CREATE TABLE supergraph_inputs (
  supergraph_version  integer NOT NULL REFERENCES supergraph_versions (version),
  subgraph            text    NOT NULL,
  subgraph_version_id bigint  NOT NULL REFERENCES subgraph_versions (id),
  PRIMARY KEY (supergraph_version, subgraph)
);
CREATE INDEX supergraph_inputs_subgraph_idx ON supergraph_inputs (subgraph_version_id);

-- Stewards' approvals of downgrades, ownership transfers and contract exposures.
CREATE TABLE approvals (
  id           bigserial   PRIMARY KEY,
  subject      text        NOT NULL,
  kind         text        NOT NULL CHECK (kind IN ('downgrade', 'transfer', 'exposure')),
  steward_sub  text        NOT NULL,
  steward_role text        NOT NULL,
  reason       text        NOT NULL CHECK (length(reason) > 0),
  approved_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX approvals_subject_idx ON approvals (subject);

-- Every check and publish attempt with its report (refused ones too: their pending approvals are listed from here).
CREATE TABLE check_runs (
  id          bigserial   PRIMARY KEY,
  subgraph    text        NOT NULL,
  action      text        NOT NULL CHECK (action IN ('check', 'publish')),
  outcome     text        NOT NULL CHECK (outcome IN ('passed', 'refused')),
  code        text        NULL,
  report      jsonb       NOT NULL,
  caller_sub  text        NOT NULL,
  caller_role text        NOT NULL,
  at          timestamptz NOT NULL DEFAULT now()
);

-- Contract filters (name → @tag include/exclude); the latest row per name is in force.
CREATE TABLE contract_versions (
  id          bigserial   PRIMARY KEY,
  name        text        NOT NULL,
  description text        NOT NULL DEFAULT '',
  include     text[]      NOT NULL,
  exclude     text[]      NOT NULL,
  set_by_sub  text        NOT NULL,
  set_by_role text        NOT NULL,
  set_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX contract_versions_name_idx ON contract_versions (name, id);

-- Operation documents by id (sha256 of the normalised document) and which client versions registered them.
CREATE TABLE operations (
  id            text        PRIMARY KEY CHECK (id ~ '^[0-9a-f]{64}$'),
  name          text        NOT NULL,
  document      text        NOT NULL,
  registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE client_operations (
  client_name    text        NOT NULL,
  client_version text        NOT NULL,
  operation_id   text        NOT NULL REFERENCES operations (id),
  registered_by  text        NOT NULL,
  registered_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (client_name, client_version, operation_id)
);

-- Safelist mode per client; the latest row per client is in force.
CREATE TABLE safelist_changes (
  id              bigserial   PRIMARY KEY,
  client_name     text        NOT NULL,
  enabled         boolean     NOT NULL,
  changed_by_sub  text        NOT NULL,
  changed_by_role text        NOT NULL,
  changed_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX safelist_changes_client_idx ON safelist_changes (client_name, id);

-- Operations the gateway served: counts per operation, client, contract, purpose and hour. Never data.
CREATE TABLE operation_usage (
  operation_hash text        NOT NULL,
  operation_name text        NOT NULL,
  client_name    text        NOT NULL,
  client_version text        NOT NULL,
  contract       text        NOT NULL,
  purpose        text        NOT NULL,
  fields         text[]      NOT NULL,
  bucket         timestamptz NOT NULL,
  count          bigint      NOT NULL CHECK (count >= 0),
  PRIMARY KEY (operation_hash, client_name, client_version, contract, purpose, bucket)
);
CREATE INDEX operation_usage_bucket_idx ON operation_usage (bucket);

CREATE FUNCTION registry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'registry history is append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['subgraph_versions', 'supergraph_versions', 'supergraph_inputs', 'approvals', 'check_runs',
                           'contract_versions', 'operations', 'client_operations', 'safelist_changes'] LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION registry_append_only()', t || '_append_only', t);
    EXECUTE format('CREATE TRIGGER %I BEFORE TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION registry_append_only()', t || '_no_truncate', t);
  END LOOP;
END;
$$;
