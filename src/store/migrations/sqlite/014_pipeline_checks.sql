-- 014_pipeline_checks.sql — nothing on SQLite: PostgreSQL's 014 adds ordo_require(), the
-- condition its pipelined writer checks without waiting (src/store/pg_pipeline.c); SQLite's one
-- writer checks conditions as it goes. The number is kept so that both backends list the same
-- migrations.
SELECT 1;
