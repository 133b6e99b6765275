-- 019_distinct_range_dropped.sql — metrics_distinct_range (003) has had no reader since 004:
-- ranges of distinct keys are summed from metrics_distinct_counts and metrics_distinct_days,
-- and metrics_distinct itself is read by its key (a key's previous and next day) or whole
-- (ordo check). Each order still wrote two of its entries.
DROP INDEX metrics_distinct_range;
