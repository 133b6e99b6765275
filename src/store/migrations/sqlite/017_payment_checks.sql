-- 017_payment_checks.sql — payment_transactions again, its kind and status checked with '='
-- instead of IN: SQLite checks `x IN (a list of more than two constants)` by building a
-- temporary index of the list each time a row is written (two per payment recorded, one in
-- every order capture: ~20 malloc() and two page caches). Same columns, rows, rowids (the
-- order of recording, which the lists rely on) and indexes as before.

CREATE TABLE payment_transactions_checked (
    id             TEXT PRIMARY KEY, -- ULID: time-ordered
    order_id       TEXT NOT NULL REFERENCES orders (id),
    kind           TEXT NOT NULL
        CHECK (kind = 'authorize' OR kind = 'capture' OR kind = 'void' OR kind = 'refund'),
    amount         INTEGER NOT NULL CHECK (amount >= 0),
    currency       TEXT NOT NULL,
    status         TEXT NOT NULL
        CHECK (status = 'pending' OR status = 'succeeded' OR status = 'failed'),
    provider       TEXT NOT NULL, -- manual | sandbox | stripe
    provider_ref   TEXT,          -- the provider's id (a Stripe PaymentIntent or refund id)
    shipment_id    TEXT,          -- a capture's shipment
    return_id      TEXT,          -- a refund's return
    error          TEXT,          -- why a failed call failed (the provider's code)
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    payment_method TEXT           -- 013: stripe's PaymentMethod id of an authorization
);
INSERT INTO payment_transactions_checked (rowid, id, order_id, kind, amount, currency, status,
    provider, provider_ref, shipment_id, return_id, error, created_at, updated_at, payment_method)
SELECT rowid, id, order_id, kind, amount, currency, status, provider, provider_ref, shipment_id,
    return_id, error, created_at, updated_at, payment_method
FROM payment_transactions ORDER BY rowid;
DROP TABLE payment_transactions;
ALTER TABLE payment_transactions_checked RENAME TO payment_transactions;
CREATE INDEX payment_transactions_by_order ON payment_transactions (order_id);
CREATE INDEX payment_transactions_pending ON payment_transactions (status) WHERE status = 'pending';
