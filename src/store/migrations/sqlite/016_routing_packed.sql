-- 016_routing_packed.sql — an order's routing explanation is stored packed (lib/zdoc: zlib,
-- about 30% of its JSON text, a third of the bytes an order used to write), in a table keyed by
-- the order alone (WITHOUT ROWID: one B-tree to write, not a table and its key's index). Rows
-- kept before stay JSON text; the reader takes both.
CREATE TABLE order_routing_packed (
    order_id TEXT PRIMARY KEY REFERENCES orders (id),
    routing  BLOB NOT NULL
) WITHOUT ROWID;
INSERT INTO order_routing_packed (order_id, routing) SELECT order_id, routing FROM order_routing;
DROP TABLE order_routing;
ALTER TABLE order_routing_packed RENAME TO order_routing;
