-- 008_routing.sql — the routing engine's data (issue 3): carriers with their services' rate
-- cards, the weights of the cost terms, per-channel stock hold-backs, and each location's
-- shipments per day (kept by triggers) for its daily capacity.

-- A carrier; its services keep their rate card as compact text ("max_km:days,..." and
-- "max_km:max_grams:price,..."): the card is always read whole, never searched by bracket.
CREATE TABLE carriers (
    code       TEXT COLLATE "C" PRIMARY KEY,
    name       TEXT COLLATE "C",
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE carrier_services (
    carrier  TEXT COLLATE "C" NOT NULL REFERENCES carriers (code) ON DELETE CASCADE,
    code     TEXT COLLATE "C" NOT NULL,
    position BIGINT NOT NULL,
    transit  TEXT COLLATE "C" NOT NULL,
    rates    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (carrier, code)
);

-- Settings by name (split_penalty, ...); a missing name keeps its default. The row
-- 'config_version' moves on with every change to carriers, settings or hold-backs, so that
-- a process's cached copy knows when it is stale.
CREATE TABLE routing_settings (
    name  TEXT COLLATE "C" PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO routing_settings (name, value) VALUES ('config_version', 1);

-- Units of every SKU at every location that orders of the channel may not take.
CREATE TABLE routing_channel_hold_back (
    channel TEXT COLLATE "C" PRIMARY KEY REFERENCES channels (code),
    units   BIGINT NOT NULL CHECK (units > 0)
);

-- Shipments created per location and UTC day (created_at / 86400000): one point read per
-- location with a daily capacity when routing, instead of counting the day's shipments.
CREATE TABLE routing_location_days (
    location_id BIGINT NOT NULL,
    day         BIGINT NOT NULL,
    shipments   BIGINT NOT NULL,
    PRIMARY KEY (location_id, day)
);

INSERT INTO routing_location_days (location_id, day, shipments)
SELECT location_id, created_at / 86400000, count(*) FROM shipments
GROUP BY location_id, created_at / 86400000;

-- SQLite's triggers, as PL/pgSQL trigger functions. Two processes creating shipments at one
-- location on one day both add 1: the upsert waits for the other's row lock, then increments the
-- committed count.
CREATE FUNCTION routing_shipment_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO routing_location_days AS d (location_id, day, shipments)
    VALUES (NEW.location_id, NEW.created_at / 86400000, 1)
    ON CONFLICT (location_id, day) DO UPDATE SET shipments = d.shipments + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER routing_shipment_counted AFTER INSERT ON shipments
FOR EACH ROW EXECUTE FUNCTION routing_shipment_counted();

CREATE FUNCTION routing_shipment_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE routing_location_days SET shipments = shipments - 1
    WHERE location_id = OLD.location_id AND day = OLD.created_at / 86400000;
    RETURN NULL;
END
$$;

CREATE TRIGGER routing_shipment_uncounted AFTER DELETE ON shipments
FOR EACH ROW EXECUTE FUNCTION routing_shipment_uncounted();
