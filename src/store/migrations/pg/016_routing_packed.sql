-- 016_routing_packed.sql — an order's routing explanation is stored packed (lib/zdoc: zlib,
-- about 30% of its JSON text): bytea. Rows kept before become their JSON text's bytes; the
-- reader takes both.
ALTER TABLE order_routing ALTER COLUMN routing TYPE bytea USING convert_to(routing, 'UTF8');
