-- 002_fulfillment.sql (PostgreSQL; as migrations/sqlite/002_fulfillment.sql) — pick lists, and what shipments and locations need for pick, pack,
-- ship, deliver and BOPIS hand-over. A shipment's units stay its allocations (shipment_id);
-- a pick list line copies what was to be picked and records what was shorted.

-- Days a BOPIS order waits at the counter after it is ready, then `ordo jobs run` cancels it.
ALTER TABLE locations ADD COLUMN hold_days BIGINT NOT NULL DEFAULT 7;

ALTER TABLE shipments ADD COLUMN pick_list_id TEXT COLLATE "C";
ALTER TABLE shipments ADD COLUMN packages TEXT COLLATE "C"; -- a JSON array [{"weight_grams": 900}]
ALTER TABLE shipments ADD COLUMN ready_at BIGINT;
ALTER TABLE shipments ADD COLUMN picked_up_at BIGINT;

-- Waves are built from a location's pending shipments, earliest promise first; lists by
-- status and the late list read the same index.
CREATE INDEX shipments_by_location ON shipments (location_id, status, promised_ship_by);
CREATE INDEX shipments_by_status ON shipments (status, promised_ship_by);

CREATE TABLE pick_lists (
    id           TEXT COLLATE "C" PRIMARY KEY,
    location_id  BIGINT NOT NULL REFERENCES locations (id),
    status       TEXT COLLATE "C" NOT NULL, -- open | completed
    picker       TEXT COLLATE "C",
    started_at   BIGINT NOT NULL,
    completed_at BIGINT,
    version      BIGINT NOT NULL
);

-- One line per allocation picked, in pick order (bin location, then SKU).
CREATE TABLE pick_list_lines (
    pick_list_id  TEXT COLLATE "C" NOT NULL REFERENCES pick_lists (id),
    line_no       BIGINT NOT NULL,
    shipment_id   TEXT COLLATE "C" NOT NULL,
    order_id      TEXT COLLATE "C" NOT NULL,
    order_line_id TEXT COLLATE "C" NOT NULL,
    allocation_id TEXT COLLATE "C" NOT NULL,
    sku           TEXT COLLATE "C" NOT NULL,
    bin_location  TEXT COLLATE "C",
    qty           BIGINT NOT NULL CHECK (qty >= 0),
    qty_shorted   BIGINT NOT NULL DEFAULT 0 CHECK (qty_shorted >= 0 AND qty_shorted <= qty),
    PRIMARY KEY (pick_list_id, line_no)
);

-- Backorders are filled oldest first per SKU when stock arrives.
CREATE INDEX order_lines_backordered ON order_lines (product_id, order_id)
    WHERE qty_backordered > 0;
