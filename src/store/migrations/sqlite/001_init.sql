-- 001_init.sql — Ordo's first schema on SQLite: catalog, inventory and its ledger, customers,
-- orders with lines and allocations, shipments, the event outbox, idempotency and API keys.
-- Enums are stored as their names, times as INTEGER milliseconds since the epoch (NULL when
-- unknown), money as INTEGER minor units. migration_now_ms() is the now_ms given to
-- store_migrate (a function the migration runner registers on its connection).

CREATE TABLE channels (
    code       TEXT PRIMARY KEY,
    kind       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) WITHOUT ROWID;

INSERT INTO channels (code, kind, name, created_at) VALUES
    ('web', 'web', 'Web', migration_now_ms()),
    ('marketplace', 'marketplace', 'Marketplace', migration_now_ms()),
    ('pos', 'pos', 'POS', migration_now_ms()),
    ('mobile', 'mobile', 'Mobile', migration_now_ms()),
    ('b2b', 'b2b', 'B2B', migration_now_ms()),
    ('edi', 'edi', 'EDI', migration_now_ms());

CREATE TABLE locations (
    id               INTEGER PRIMARY KEY,
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    kind             TEXT NOT NULL,
    addr_name        TEXT,
    addr_company     TEXT,
    addr_line1       TEXT,
    addr_line2       TEXT,
    addr_city        TEXT,
    addr_region      TEXT,
    addr_postal_code TEXT,
    addr_country     TEXT,
    addr_phone       TEXT,
    addr_lat         REAL,
    addr_lon         REAL,
    capabilities     INTEGER NOT NULL CHECK (capabilities >= 0), -- LOCATION_CAP_* bits
    capacity_per_day INTEGER NOT NULL,
    handling_cost    INTEGER NOT NULL,
    priority         INTEGER NOT NULL,
    active           INTEGER NOT NULL,
    cutoff_minute    INTEGER NOT NULL,
    handling_days    INTEGER NOT NULL,
    version          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);

CREATE TABLE products (
    id                INTEGER PRIMARY KEY,
    sku               TEXT NOT NULL UNIQUE,
    name              TEXT NOT NULL,
    price             INTEGER NOT NULL,
    currency          TEXT NOT NULL,
    weight_grams      INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    dropship_supplier TEXT, -- a location code
    bin_location      TEXT,
    customizable      INTEGER NOT NULL,
    active            INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL
);

-- A kit's bill of materials; position keeps the order the components were given in.
CREATE TABLE kit_components (
    kit_id       INTEGER NOT NULL REFERENCES products (id),
    component_id INTEGER NOT NULL REFERENCES products (id),
    position     INTEGER NOT NULL,
    qty          INTEGER NOT NULL CHECK (qty > 0),
    PRIMARY KEY (kit_id, component_id)
) WITHOUT ROWID;

CREATE INDEX kit_components_by_component ON kit_components (component_id);

-- The balances: a projection of inventory_ledger (recomputing it from the ledger must agree).
CREATE TABLE inventory (
    product_id   INTEGER NOT NULL REFERENCES products (id),
    location_id  INTEGER NOT NULL REFERENCES locations (id),
    on_hand      INTEGER NOT NULL,
    reserved     INTEGER NOT NULL,
    safety_stock INTEGER NOT NULL DEFAULT 0,
    inbound      INTEGER NOT NULL DEFAULT 0,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (product_id, location_id),
    CHECK (on_hand >= 0 AND reserved >= 0 AND reserved <= on_hand),
    CHECK (safety_stock >= 0 AND inbound >= 0)
) WITHOUT ROWID;

-- Append-only. The index on product_id carries the rowid, so it also serves
-- "newest first" (ORDER BY id DESC) and the id cursor of one product's movements.
CREATE TABLE inventory_ledger (
    id             INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL REFERENCES products (id),
    location_id    INTEGER NOT NULL REFERENCES locations (id),
    kind           TEXT NOT NULL,
    on_hand_delta  INTEGER NOT NULL,
    reserved_delta INTEGER NOT NULL,
    reason         TEXT,
    ref_type       TEXT,
    ref_id         TEXT,
    created_at     INTEGER NOT NULL
);

CREATE INDEX inventory_ledger_by_product ON inventory_ledger (product_id);

CREATE TABLE customers (
    id                 TEXT PRIMARY KEY,
    email              TEXT NOT NULL UNIQUE, -- lower case
    name               TEXT,
    phone              TEXT,
    type               TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL DEFAULT 0,
    credit_limit       INTEGER, -- NULL: no limit set
    version            INTEGER NOT NULL,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL
) WITHOUT ROWID;

-- Ids are time-ordered ULIDs, so WITHOUT ROWID keeps inserts at the right edge of the tree.
-- An address that was not given has all its columns NULL.
CREATE TABLE orders (
    id                     TEXT PRIMARY KEY,
    number                 TEXT NOT NULL UNIQUE,
    status                 TEXT NOT NULL,
    channel                TEXT NOT NULL REFERENCES channels (code),
    external_id            TEXT,
    customer_id            TEXT REFERENCES customers (id),
    customer_email         TEXT, -- lower case
    customer_name          TEXT,
    customer_type          TEXT NOT NULL,
    currency               TEXT NOT NULL,
    method                 TEXT NOT NULL,
    pickup_location        TEXT,
    delivery_day           INTEGER NOT NULL DEFAULT 0,
    ship_policy            TEXT NOT NULL,
    backorder              INTEGER NOT NULL,
    payment_provider       TEXT,
    hold_reason            TEXT,
    cancel_reason          TEXT,
    notes                  TEXT,
    subtotal               INTEGER NOT NULL,
    discount               INTEGER NOT NULL,
    shipping               INTEGER NOT NULL,
    tax                    INTEGER NOT NULL,
    total                  INTEGER NOT NULL,
    promised_ship_by       INTEGER,
    promised_ship_by_given INTEGER NOT NULL,
    version                INTEGER NOT NULL,
    created_at             INTEGER NOT NULL,
    updated_at             INTEGER NOT NULL,
    allocated_at           INTEGER,
    shipped_at             INTEGER,
    delivered_at           INTEGER,
    cancelled_at           INTEGER,
    ship_name              TEXT,
    ship_company           TEXT,
    ship_line1             TEXT,
    ship_line2             TEXT,
    ship_city              TEXT,
    ship_region            TEXT,
    ship_postal_code       TEXT,
    ship_country           TEXT,
    ship_phone             TEXT,
    ship_lat               REAL,
    ship_lon               REAL,
    bill_name              TEXT,
    bill_company           TEXT,
    bill_line1             TEXT,
    bill_line2             TEXT,
    bill_city              TEXT,
    bill_region            TEXT,
    bill_postal_code       TEXT,
    bill_country           TEXT,
    bill_phone             TEXT,
    bill_lat               REAL,
    bill_lon               REAL,
    UNIQUE (channel, external_id)
) WITHOUT ROWID;

CREATE INDEX orders_by_status ON orders (status, id);
CREATE INDEX orders_by_customer ON orders (customer_id, id);
-- No index on created_at: ids are time-ordered, so lists walk the key newest first and
-- filter on created_at as they go.

-- A customer's order count is counted from orders_by_customer when read, so that taking an
-- order does not also rewrite the customer row.

CREATE TABLE order_lines (
    order_id         TEXT NOT NULL REFERENCES orders (id),
    line_no          INTEGER NOT NULL,
    id               TEXT NOT NULL,
    product_id       INTEGER NOT NULL REFERENCES products (id),
    sku              TEXT NOT NULL,
    name             TEXT NOT NULL,
    qty              INTEGER NOT NULL,
    unit_price       INTEGER NOT NULL,
    unit_price_given INTEGER NOT NULL,
    weight_grams     INTEGER NOT NULL,
    is_kit           INTEGER NOT NULL,
    customization    TEXT, -- a JSON object as text
    qty_allocated    INTEGER NOT NULL,
    qty_shipped      INTEGER NOT NULL,
    qty_cancelled    INTEGER NOT NULL,
    qty_returned     INTEGER NOT NULL,
    qty_backordered  INTEGER NOT NULL,
    PRIMARY KEY (order_id, line_no)
) WITHOUT ROWID;

-- alloc_no is the allocation's position in the order (ids made in the same millisecond do
-- not sort by creation). shipment_id has no foreign key: capture writes allocations before
-- the shipments they name.
CREATE TABLE allocations (
    order_id    TEXT NOT NULL,
    alloc_no    INTEGER NOT NULL,
    id          TEXT NOT NULL,
    line_id     TEXT NOT NULL,
    line_no     INTEGER NOT NULL,
    sku         TEXT NOT NULL,
    location_id INTEGER NOT NULL REFERENCES locations (id),
    qty         INTEGER NOT NULL CHECK (qty >= 0),
    shipment_id TEXT,
    distance_km REAL, -- NULL when unknown
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (order_id, alloc_no),
    FOREIGN KEY (order_id, line_no) REFERENCES order_lines (order_id, line_no)
) WITHOUT ROWID;

-- The routing explanation of an order (JSON text), apart from the order row to keep it small.
CREATE TABLE order_routing (
    order_id TEXT PRIMARY KEY REFERENCES orders (id),
    routing  TEXT NOT NULL
);

CREATE TABLE shipments (
    id               TEXT PRIMARY KEY,
    order_id         TEXT NOT NULL REFERENCES orders (id),
    location_id      INTEGER NOT NULL REFERENCES locations (id),
    status           TEXT NOT NULL,
    is_pickup        INTEGER NOT NULL,
    carrier          TEXT,
    service          TEXT,
    tracking_number  TEXT,
    cost             INTEGER NOT NULL DEFAULT 0,
    pickup_code      TEXT,
    promised_ship_by INTEGER,
    version          INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    shipped_at       INTEGER,
    delivered_at     INTEGER,
    cancelled_at     INTEGER
) WITHOUT ROWID;

CREATE INDEX shipments_by_order ON shipments (order_id);

-- The outbox: every change of an order, shipment or stock level, in the transaction that
-- made it. delivered_at is set by whatever relays events (webhooks, e-mail).
CREATE TABLE events (
    id           INTEGER PRIMARY KEY,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    kind         TEXT NOT NULL,
    data         TEXT NOT NULL, -- a JSON object as text
    created_at   INTEGER NOT NULL,
    delivered_at INTEGER
);

CREATE INDEX events_by_entity ON events (entity_type, entity_id);

-- A rowid table (not WITHOUT ROWID): bodies of a few KB then stay on the table's leaf page.
CREATE TABLE idempotency (
    id           INTEGER PRIMARY KEY,
    scope        TEXT NOT NULL, -- the API key id
    key          TEXT NOT NULL,
    request_hash BLOB NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (scope, key)
);

CREATE TABLE api_keys (
    id             TEXT PRIMARY KEY,
    prefix         TEXT NOT NULL UNIQUE,
    secret_hash    BLOB NOT NULL, -- BLAKE2b-256 of the secret part
    role           TEXT NOT NULL,
    scope_channel  TEXT,
    scope_location TEXT,
    scope_customer TEXT,
    name           TEXT,
    created_at     INTEGER NOT NULL,
    revoked_at     INTEGER -- NULL: active
) WITHOUT ROWID;

CREATE TABLE sequences (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL -- the last number handed out
) WITHOUT ROWID;

INSERT INTO sequences (name, value) VALUES ('order_number', 1000);
