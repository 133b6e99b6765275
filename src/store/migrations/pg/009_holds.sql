-- 009_holds.sql — soft holds for carts (issue 3: availability and holds) and the version of the
-- locations table that the availability cache of each process checks.
--
-- A hold reserves stock like an order does (inventory.reserved, with ledger rows `reserve` and
-- `release` whose ref_type is 'hold'), so ATP, the conditional reservation and ordo check's
-- ledger = balance hold unchanged. hold_stock keeps what an active hold reserves (kits through
-- their components): the rows a release moves back, the units of expired holds that
-- availability adds back before the jobs release them, and ordo check's expected reservation.
-- Its rows are deleted when the hold ends; hold_lines stay to show where the units were held.

CREATE TABLE holds (
    id          TEXT COLLATE "C" PRIMARY KEY,
    channel     TEXT COLLATE "C" NOT NULL REFERENCES channels (code),
    status      TEXT COLLATE "C" NOT NULL, -- active | released | consumed | expired
    ttl_seconds BIGINT NOT NULL CHECK (ttl_seconds > 0),
    expires_at  BIGINT NOT NULL,
    order_id    TEXT COLLATE "C", -- the order that consumed it
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX holds_active_by_expiry ON holds (expires_at) WHERE status = 'active';

CREATE TABLE hold_lines (
    hold_id     TEXT COLLATE "C" NOT NULL REFERENCES holds (id),
    line_no     BIGINT NOT NULL,
    product_id  BIGINT NOT NULL REFERENCES products (id),
    location_id BIGINT NOT NULL REFERENCES locations (id),
    qty         BIGINT NOT NULL CHECK (qty > 0),
    PRIMARY KEY (hold_id, line_no, location_id)
);

CREATE TABLE hold_stock (
    hold_id     TEXT COLLATE "C" NOT NULL REFERENCES holds (id),
    product_id  BIGINT NOT NULL REFERENCES products (id),
    location_id BIGINT NOT NULL REFERENCES locations (id),
    qty         BIGINT NOT NULL CHECK (qty > 0),
    expires_at  BIGINT NOT NULL,
    PRIMARY KEY (hold_id, product_id, location_id)
);

-- Availability reads the units of holds that expired but are not released yet by time: almost
-- always none, one probe.
CREATE INDEX hold_stock_by_expiry ON hold_stock (expires_at);

-- Moves on with every change to a location; a process keeps its copy of the locations while
-- the number it read is still the stored one.
CREATE TABLE availability_versions (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);

INSERT INTO availability_versions (name, value) VALUES ('locations', 1);

-- SQLite's three triggers, as one PL/pgSQL trigger function, per statement: a change of the
-- table moves the version on, which is all a process's cached copy needs to know.
CREATE FUNCTION availability_location_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE availability_versions SET value = value + 1 WHERE name = 'locations';
    RETURN NULL;
END
$$;

CREATE TRIGGER availability_location_changed AFTER INSERT OR UPDATE OR DELETE ON locations
FOR EACH STATEMENT EXECUTE FUNCTION availability_location_changed();
