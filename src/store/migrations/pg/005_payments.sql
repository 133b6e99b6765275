-- 005_payments.sql — payment transactions of an order (src/app/payments.c, README
-- "Payments"), as SQLite's 005. One row per call to a provider: authorize, capture (one per
-- shipment shipped), void (on cancel) and refund (returns). A row is written `pending` when the
-- call is made after the command commits, else directly `succeeded` or `failed`. Amounts are
-- minor units of currency.

CREATE TABLE payment_transactions (
    id           TEXT COLLATE "C" PRIMARY KEY, -- ULID: time-ordered
    -- The order of recording (SQLite's rowid; ULIDs made in one millisecond do not sort by
    -- creation), which the lists and "the newest authorization" rely on.
    seq          BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
    order_id     TEXT COLLATE "C" NOT NULL REFERENCES orders (id),
    kind         TEXT COLLATE "C" NOT NULL CHECK (kind IN ('authorize', 'capture', 'void', 'refund')),
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    currency     TEXT COLLATE "C" NOT NULL,
    status       TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    provider     TEXT COLLATE "C" NOT NULL, -- manual | sandbox | stripe
    provider_ref TEXT COLLATE "C",          -- the provider's id (a Stripe PaymentIntent or refund id)
    shipment_id  TEXT COLLATE "C",          -- a capture's shipment
    return_id    TEXT COLLATE "C",          -- a refund's return
    error        TEXT COLLATE "C",          -- why a failed call failed (the provider's code)
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

CREATE INDEX payment_transactions_by_order ON payment_transactions (order_id, seq);
-- The payments worker resumes these at start.
CREATE INDEX payment_transactions_pending ON payment_transactions (seq) WHERE status = 'pending';
