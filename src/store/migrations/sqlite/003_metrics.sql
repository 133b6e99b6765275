-- 003_metrics: inputs the OMS cannot see (traffic, costs) and the rollups behind the metrics
-- (docs/METRICS.md). Every rollup row is changed in the same transaction as what it counts.

-- Traffic and carts per channel and day, as reported (a new report replaces the day's).
CREATE TABLE channel_traffic (
    channel         TEXT NOT NULL REFERENCES channels (code),
    day             INTEGER NOT NULL,
    visitors        INTEGER NOT NULL CHECK (visitors >= 0),
    carts_created   INTEGER NOT NULL CHECK (carts_created >= 0),
    carts_abandoned INTEGER NOT NULL CHECK (carts_abandoned >= 0 AND carts_abandoned <= carts_created),
    updated_at      INTEGER NOT NULL,
    PRIMARY KEY (day, channel)
) WITHOUT ROWID;

-- Operational costs; location '' when the cost belongs to no location.
CREATE TABLE costs (
    id         INTEGER PRIMARY KEY,
    day        INTEGER NOT NULL,
    location   TEXT NOT NULL,
    category   TEXT NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount >= 0),
    created_at INTEGER NOT NULL
);
CREATE INDEX costs_day ON costs (day, location);

-- One order's share of the order counters: location '' holds the order-level counters;
-- a location's row holds the shipping counters of its shipments (shipped_any, shipping_cost).
-- The flags are what the order's history recorded (backordered, short picked, cancelled lines).
CREATE TABLE metrics_order_facts (
    order_id          TEXT NOT NULL,
    location          TEXT NOT NULL,
    day               INTEGER NOT NULL,
    channel           TEXT NOT NULL,
    unfilled          INTEGER NOT NULL DEFAULT 0,
    merchant_fault    INTEGER NOT NULL DEFAULT 0,
    orders            INTEGER NOT NULL DEFAULT 0,
    total_sum         INTEGER NOT NULL DEFAULT 0,
    shipped_full      INTEGER NOT NULL DEFAULT 0,
    ship_cycle_ms     INTEGER NOT NULL DEFAULT 0,
    on_time           INTEGER NOT NULL DEFAULT 0,
    filled            INTEGER NOT NULL DEFAULT 0,
    delivered_full    INTEGER NOT NULL DEFAULT 0,
    delivery_cycle_ms INTEGER NOT NULL DEFAULT 0,
    perfect           INTEGER NOT NULL DEFAULT 0,
    shipped_any       INTEGER NOT NULL DEFAULT 0,
    shipping_cost     INTEGER NOT NULL DEFAULT 0,
    returned_any      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, location)
) WITHOUT ROWID;

-- The sums of metrics_order_facts per (order created day, channel, location).
CREATE TABLE metrics_daily (
    day               INTEGER NOT NULL,
    channel           TEXT NOT NULL,
    location          TEXT NOT NULL,
    orders            INTEGER NOT NULL DEFAULT 0,
    total_sum         INTEGER NOT NULL DEFAULT 0,
    shipped_full      INTEGER NOT NULL DEFAULT 0,
    ship_cycle_ms     INTEGER NOT NULL DEFAULT 0,
    on_time           INTEGER NOT NULL DEFAULT 0,
    filled            INTEGER NOT NULL DEFAULT 0,
    delivered_full    INTEGER NOT NULL DEFAULT 0,
    delivery_cycle_ms INTEGER NOT NULL DEFAULT 0,
    perfect           INTEGER NOT NULL DEFAULT 0,
    shipped_any       INTEGER NOT NULL DEFAULT 0,
    shipping_cost     INTEGER NOT NULL DEFAULT 0,
    returned_any      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, location, channel)
) WITHOUT ROWID;

-- Counters of the period's events per (event day, location): pick lists completed, ledger
-- units scrapped and come in, operational costs (location '' for costs of no location).
CREATE TABLE metrics_events_daily (
    day      INTEGER NOT NULL,
    location TEXT NOT NULL,
    pick_ms  INTEGER NOT NULL DEFAULT 0,
    scrapped INTEGER NOT NULL DEFAULT 0,
    came_in  INTEGER NOT NULL DEFAULT 0,
    costs    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, location)
) WITHOUT ROWID;

-- Distinct counts over any range: one row per (key, day) with n occurrences and the key's
-- previous day (NULL: none). The distinct keys of [from, to] are the rows of that range
-- whose prev_day is NULL or before from. kind 1: customers of counted orders (scope '' or
-- the channel); kind 2: orders on completed pick lists (scope '' or the location).
CREATE TABLE metrics_distinct (
    kind     INTEGER NOT NULL,
    scope    TEXT NOT NULL,
    key      TEXT NOT NULL,
    day      INTEGER NOT NULL,
    n        INTEGER NOT NULL,
    prev_day INTEGER,
    PRIMARY KEY (kind, scope, key, day)
) WITHOUT ROWID;
CREATE INDEX metrics_distinct_range ON metrics_distinct (kind, scope, day, prev_day);
