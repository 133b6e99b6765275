-- 020_external_id_key.sql — the unique key of an order's (channel, external_id) led by
-- external_id. The look-up by external id (pg_orders.c, SQL_ORDER_FIND_EXTERNAL) then has one
-- index it can use: led by channel, the key competed with orders_by_channel and
-- orders_by_channel_status, which a generic plan made while orders held a few hundred rows and no
-- statistics could take instead (each index one row, the key one level deeper as its random keys
-- split it first); that plan walked the whole channel for each order until autovacuum's next
-- ANALYZE (96 to 173 us per order in make bench-pg). Same name, so a violation still names it.
ALTER TABLE orders DROP CONSTRAINT orders_channel_external_id_key;
ALTER TABLE orders ADD CONSTRAINT orders_channel_external_id_key UNIQUE (external_id, channel);
