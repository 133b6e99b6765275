-- 002_fulfillment.sql — pick lists, and what shipments and locations need for pick, pack,
-- ship, deliver and BOPIS hand-over. A shipment's units stay its allocations (shipment_id);
-- a pick list line copies what was to be picked and records what was shorted.

-- Days a BOPIS order waits at the counter after it is ready, then `ordo jobs run` cancels it.
ALTER TABLE locations ADD COLUMN hold_days INTEGER NOT NULL DEFAULT 7;

ALTER TABLE shipments ADD COLUMN pick_list_id TEXT;
ALTER TABLE shipments ADD COLUMN packages TEXT; -- a JSON array [{"weight_grams": 900}]
ALTER TABLE shipments ADD COLUMN ready_at INTEGER;
ALTER TABLE shipments ADD COLUMN picked_up_at INTEGER;

-- Waves are built from a location's pending shipments, earliest promise first; lists by
-- status and the late list read the same index.
CREATE INDEX shipments_by_location ON shipments (location_id, status, promised_ship_by);
CREATE INDEX shipments_by_status ON shipments (status, promised_ship_by);

CREATE TABLE pick_lists (
    id           TEXT PRIMARY KEY,
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    status       TEXT NOT NULL, -- open | completed
    picker       TEXT,
    started_at   INTEGER NOT NULL,
    completed_at INTEGER,
    version      INTEGER NOT NULL
) WITHOUT ROWID;

-- One line per allocation picked, in pick order (bin location, then SKU).
CREATE TABLE pick_list_lines (
    pick_list_id  TEXT NOT NULL REFERENCES pick_lists (id),
    line_no       INTEGER NOT NULL,
    shipment_id   TEXT NOT NULL,
    order_id      TEXT NOT NULL,
    order_line_id TEXT NOT NULL,
    allocation_id TEXT NOT NULL,
    sku           TEXT NOT NULL,
    bin_location  TEXT,
    qty           INTEGER NOT NULL CHECK (qty >= 0),
    qty_shorted   INTEGER NOT NULL DEFAULT 0 CHECK (qty_shorted >= 0 AND qty_shorted <= qty),
    PRIMARY KEY (pick_list_id, line_no)
) WITHOUT ROWID;

-- Backorders are filled oldest first per SKU when stock arrives.
CREATE INDEX order_lines_backordered ON order_lines (product_id, order_id)
    WHERE qty_backordered > 0;
