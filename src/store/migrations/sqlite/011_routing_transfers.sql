-- 011_routing_transfers.sql — BOPIS ship-to-store (issue 3, round 2). A pickup order whose
-- store cannot fill it, when the order allows a transfer, is reserved at a warehouse whose
-- shipment (shipment_id) carries the units to the store instead of the customer. Shipping it
-- moves the units out of the warehouse (release + transfer_out); delivering it to the store
-- receives them there (transfer_in + reserve) onto a new pickup shipment (pickup_shipment_id),
-- which the store makes ready and hands over as any pickup.

CREATE TABLE routing_transfers (
    shipment_id        TEXT PRIMARY KEY,
    order_id           TEXT NOT NULL REFERENCES orders (id),
    from_id            INTEGER NOT NULL REFERENCES locations (id),
    to_id              INTEGER NOT NULL REFERENCES locations (id),
    ready_by           INTEGER NOT NULL, -- promised: when the units should be at the store
    pickup_shipment_id TEXT,             -- the store's pickup shipment, made on receipt
    created_at         INTEGER NOT NULL,
    received_at        INTEGER
) WITHOUT ROWID;

CREATE INDEX routing_transfers_by_order ON routing_transfers (order_id);
