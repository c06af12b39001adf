-- The gateway generates its own request id for every record; the id a client sent in x-request-id is kept
-- beside it, labelled as the client's (NULL when none was sent). Covered by the record's hash when present.
ALTER TABLE access_log ADD COLUMN client_request_id text NULL;
