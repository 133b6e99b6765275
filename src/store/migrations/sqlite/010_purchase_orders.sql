-- 010_purchase_orders.sql — drop-ship (issue 3, round 2): a purchase order asks a supplier
-- location to ship an order's units straight to the customer. Its lines are the allocations of
-- its shipment (a shipment at the supplier), so cancels and edits need no second copy; its
-- status is that shipment's (pending = open, shipped, delivered, cancelled). No stock of Ordo
-- moves for it: allocations at a location of kind supplier reserve nothing.

CREATE TABLE purchase_orders (
    id          TEXT PRIMARY KEY,
    number      TEXT NOT NULL UNIQUE,
    supplier_id INTEGER NOT NULL REFERENCES locations (id),
    order_id    TEXT NOT NULL REFERENCES orders (id),
    shipment_id TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE INDEX purchase_orders_by_supplier ON purchase_orders (supplier_id, id);
CREATE INDEX purchase_orders_by_order ON purchase_orders (order_id);

INSERT INTO sequences (name, value) VALUES ('purchase_order_number', 1000);
