-- 022_location_days_counted_by_writers.sql — a new shipment is counted in routing_location_days
-- by the store (pg_routing.c, pg_routing_shipment_counted), not by a trigger: inside a write batch
-- once per location and day, before its COMMIT, as the metrics counters (migration 021); the
-- writer's capacity checks add what its batch has not counted yet. A deleted shipment is still
-- counted by the trigger, which upserts its -1 since the row may be counted only at the commit.
DROP TRIGGER routing_shipment_counted ON shipments;
DROP FUNCTION routing_shipment_counted();

CREATE OR REPLACE FUNCTION routing_shipment_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO routing_location_days AS d (location_id, day, shipments)
    VALUES (OLD.location_id, OLD.created_at / 86400000, -1)
    ON CONFLICT (location_id, day) DO UPDATE SET shipments = d.shipments - 1;
    RETURN NULL;
END
$$;
