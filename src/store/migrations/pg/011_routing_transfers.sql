-- 011_routing_transfers.sql — BOPIS ship-to-store (issue 3, round 2). A pickup order whose
-- store cannot fill it, when the order allows a transfer, is reserved at a warehouse whose
-- shipment (shipment_id) carries the units to the store instead of the customer. Shipping it
-- moves the units out of the warehouse (release + transfer_out); delivering it to the store
-- receives them there (transfer_in + reserve) onto a new pickup shipment (pickup_shipment_id),
-- which the store makes ready and hands over as any pickup.

CREATE TABLE routing_transfers (
    shipment_id        TEXT COLLATE "C" PRIMARY KEY,
    order_id           TEXT COLLATE "C" NOT NULL REFERENCES orders (id),
    from_id            BIGINT NOT NULL REFERENCES locations (id),
    to_id              BIGINT NOT NULL REFERENCES locations (id),
    ready_by           BIGINT NOT NULL, -- promised: when the units should be at the store
    pickup_shipment_id TEXT COLLATE "C",             -- the store's pickup shipment, made on receipt
    created_at         BIGINT NOT NULL,
    received_at        BIGINT
);

CREATE INDEX routing_transfers_by_order ON routing_transfers (order_id);
