-- Approval kinds for data reached with @requires/@provides and for weakened governance arguments
-- (mask kinds, @requiresScopes, @policy, @authenticated).
ALTER TABLE approvals DROP CONSTRAINT approvals_kind_check;
ALTER TABLE approvals ADD CONSTRAINT approvals_kind_check
  CHECK (kind IN ('downgrade', 'transfer', 'exposure', 'requires', 'provides', 'mask', 'scopes', 'policy', 'authenticated'));
