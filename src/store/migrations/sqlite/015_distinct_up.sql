-- 015_distinct_up.sql — nothing on SQLite: PostgreSQL's 015 adds ordo_distinct_up(), a key's
-- lock, upsert and relink in one statement for its pipelined writer; SQLite's one writer runs
-- them as it goes. The number is kept so that both backends list the same migrations.
SELECT 1;
