-- 010_purchase_orders.sql — drop-ship (issue 3, round 2): a purchase order asks a supplier
-- location to ship an order's units straight to the customer. Its lines are the allocations of
-- its shipment (a shipment at the supplier), so cancels and edits need no second copy; its
-- status is that shipment's (pending = open, shipped, delivered, cancelled). No stock of Ordo
-- moves for it: allocations at a location of kind supplier reserve nothing.

CREATE TABLE purchase_orders (
    id          TEXT COLLATE "C" PRIMARY KEY,
    number      TEXT COLLATE "C" NOT NULL UNIQUE,
    supplier_id BIGINT NOT NULL REFERENCES locations (id),
    order_id    TEXT COLLATE "C" NOT NULL REFERENCES orders (id),
    shipment_id TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);

CREATE INDEX purchase_orders_by_supplier ON purchase_orders (supplier_id, id);
CREATE INDEX purchase_orders_by_order ON purchase_orders (order_id);

-- Purchase order numbers from 1001: a sequence (SQLite: a row of `sequences`), so that several
-- processes never hand out the same number; a rolled back transaction leaves a gap.
CREATE SEQUENCE purchase_order_number START WITH 1001 MINVALUE 1001 NO CYCLE;
