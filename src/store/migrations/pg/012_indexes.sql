-- 012_indexes.sql — indexes for the web console's order list on a large database (issue 8;
-- README "Web console", "Paging on a million orders"). A list walks an index newest first and
-- filters as it goes (sqlite_orders.c ORDER_LIST_SQL); without this one a channel filter
-- walked every order, so a channel with few orders read the whole table (0.4 s on 1,000,000).
-- The order number already has its unique index (001), status and customer theirs, and the
-- created_at range is a range on the key (ids are time-ordered).

CREATE INDEX orders_by_channel ON orders (channel, id);
-- A channel and a status together: without it, status=in_fulfillment&channel=edi walked the
-- 845,000 orders in fulfilment to find none of edi's (0.5 s).
CREATE INDEX orders_by_channel_status ON orders (channel, status, id);
