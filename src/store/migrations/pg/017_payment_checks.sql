-- 017_payment_checks.sql — SQLite's 017 writes payment_transactions' kind and status checks
-- with '=' instead of IN (SQLite builds a temporary index for an IN list on every row it
-- checks); PostgreSQL checks an IN list as it is, so its table stays. The rule, for the record:
COMMENT ON TABLE payment_transactions IS
    'One row per call to a payment provider: authorize, capture, void, refund (README "Payments")';
