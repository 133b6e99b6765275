-- 005_payments.sql — payment transactions of an order (src/app/payments.c, README
-- "Payments"). One row per call to a provider: authorize, capture (one per shipment
-- shipped), void (on cancel) and refund (returns). A row is written `pending` when the call
-- is made after the command commits (stripe: the payments worker performs it and records
-- the outcome), else directly `succeeded` or `failed`. Amounts are minor units of currency.

CREATE TABLE payment_transactions (
    id           TEXT PRIMARY KEY, -- ULID: time-ordered
    order_id     TEXT NOT NULL REFERENCES orders (id),
    kind         TEXT NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
    amount       INTEGER NOT NULL CHECK (amount >= 0),
    currency     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider     TEXT NOT NULL, -- manual | sandbox | stripe
    provider_ref TEXT,          -- the provider's id (a Stripe PaymentIntent or refund id)
    shipment_id  TEXT,          -- a capture's shipment
    return_id    TEXT,          -- a refund's return
    error        TEXT,          -- why a failed call failed (the provider's code)
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- A rowid table: rowid is the order of recording (ULIDs made in one millisecond do not sort
-- by creation), which the lists and "the newest authorization" rely on.
CREATE INDEX payment_transactions_by_order ON payment_transactions (order_id);
-- The payments worker resumes these at start.
CREATE INDEX payment_transactions_pending ON payment_transactions (status) WHERE status = 'pending';
