-- 006_returns.sql — returns (RMA) with their lines and every receipt's disposition, the
-- return settings and disposition rules, and invoices and credit notes (README "Returns and
-- exchanges", "Invoices and credit notes"; src/app/returns.c, src/app/invoices.c).

CREATE TABLE returns (
    id                TEXT PRIMARY KEY, -- ULID: time-ordered
    number            TEXT NOT NULL UNIQUE, -- "RMA-1001"
    order_id          TEXT NOT NULL REFERENCES orders (id),
    location_id       INTEGER NOT NULL REFERENCES locations (id), -- where it is received
    status            TEXT NOT NULL CHECK (status IN ('requested', 'partially_received', 'received')),
    resolution        TEXT NOT NULL CHECK (resolution IN ('refund', 'exchange')),
    exchange_order_id TEXT, -- the replacement order, once created
    refunded          INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0), -- minor units, so far
    shipping_refunded INTEGER NOT NULL DEFAULT 0 CHECK (shipping_refunded >= 0), -- part of refunded
    amount_due        INTEGER NOT NULL DEFAULT 0 CHECK (amount_due >= 0), -- exchange dearer
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    received_at       INTEGER -- the last receipt
) WITHOUT ROWID;

CREATE INDEX returns_by_order ON returns (order_id, id);

CREATE TABLE return_lines (
    return_id     TEXT NOT NULL REFERENCES returns (id),
    line_no       INTEGER NOT NULL, -- position in the return
    order_line_id TEXT NOT NULL,
    order_line_no INTEGER NOT NULL,
    sku           TEXT NOT NULL,
    qty           INTEGER NOT NULL CHECK (qty > 0),
    reason        TEXT NOT NULL,
    qty_received  INTEGER NOT NULL DEFAULT 0 CHECK (qty_received >= 0 AND qty_received <= qty),
    qty_sellable  INTEGER NOT NULL DEFAULT 0,
    qty_damaged   INTEGER NOT NULL DEFAULT 0,
    refunded      INTEGER NOT NULL DEFAULT 0, -- minor units refunded for this line's units
    shipping_units INTEGER NOT NULL DEFAULT 0, -- received units whose shipping share was refunded
    PRIMARY KEY (return_id, line_no)
) WITHOUT ROWID;

CREATE INDEX return_lines_by_order_line ON return_lines (order_line_id);

-- Every decision made when units were received: one row per (receipt, line, condition).
CREATE TABLE return_dispositions (
    return_id       TEXT NOT NULL REFERENCES returns (id),
    seq             INTEGER NOT NULL,
    line_no         INTEGER NOT NULL,
    qty             INTEGER NOT NULL CHECK (qty > 0),
    condition       TEXT NOT NULL CHECK (condition IN ('sellable', 'damaged')),
    disposition     TEXT NOT NULL,
    target_location TEXT, -- transfer: where the units go
    rule_id         INTEGER, -- NULL: the default rule
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (return_id, seq)
) WITHOUT ROWID;

CREATE TABLE return_exchange_lines (
    return_id  TEXT NOT NULL REFERENCES returns (id),
    line_no    INTEGER NOT NULL,
    sku        TEXT NOT NULL,
    qty        INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (return_id, line_no)
) WITHOUT ROWID;

-- Settings of returns: window_days, shipping_refund_reasons (comma-separated reasons),
-- cross_ship_channels and cross_ship_customers (comma-separated channel codes / e-mails).
CREATE TABLE return_settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

INSERT INTO return_settings (name, value) VALUES
    ('window_days', '30'),
    ('shipping_refund_reasons', 'damaged,defective,wrong_item,late'),
    ('cross_ship_channels', ''),
    ('cross_ship_customers', '');

-- Disposition rules: NULL members match anything; the most specific match wins, then the
-- lower priority, then the lower id. No match: sellable restocks, damaged is scrapped.
CREATE TABLE return_rules (
    id              INTEGER PRIMARY KEY,
    priority        INTEGER NOT NULL DEFAULT 100,
    reason          TEXT,
    condition       TEXT,
    sku             TEXT,
    location        TEXT,
    disposition     TEXT NOT NULL
        CHECK (disposition IN ('restock', 'transfer', 'refurbish', 'return_to_vendor', 'scrap')),
    target_location TEXT,
    created_at      INTEGER NOT NULL
);

-- Invoices and credit notes: numbered per kind and year without gaps (seq is the previous
-- one's + 1 in the same transaction), immutable once issued (the triggers refuse changes).
CREATE TABLE invoices (
    id         TEXT PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('invoice', 'credit_note')),
    number     TEXT NOT NULL UNIQUE, -- INV-2026-000001, CN-2026-000001
    year       INTEGER NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq > 0),
    order_id   TEXT NOT NULL REFERENCES orders (id),
    return_id  TEXT, -- credit notes: the return refunded
    amount     INTEGER NOT NULL CHECK (amount >= 0), -- minor units
    shipping   INTEGER NOT NULL DEFAULT 0, -- part of amount
    currency   TEXT NOT NULL,
    issued_at  INTEGER NOT NULL,
    UNIQUE (kind, year, seq)
) WITHOUT ROWID;

CREATE INDEX invoices_by_order ON invoices (order_id, id);
CREATE INDEX invoices_by_return ON invoices (return_id) WHERE return_id IS NOT NULL;

CREATE TRIGGER invoices_immutable_update BEFORE UPDATE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable once issued');
END;

CREATE TRIGGER invoices_immutable_delete BEFORE DELETE ON invoices
BEGIN
    SELECT RAISE(ABORT, 'invoices are immutable once issued');
END;

INSERT INTO sequences (name, value) VALUES ('return_number', 1000);
