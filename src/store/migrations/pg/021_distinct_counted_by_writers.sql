-- 021_distinct_counted_by_writers.sql — a new metrics_distinct row is counted in
-- metrics_distinct_counts and metrics_distinct_days by whoever inserts it, not by a trigger.
-- Every order of a new customer inserted two rows, and the trigger added to the same four rows
-- of the day for each (a row that one savepoint wrote and the next updates costs PostgreSQL a
-- multixact and a longer chain of versions, as metrics_daily did); the writer now adds a batch's
-- new rows to those counts once, before its COMMIT (pg_metrics.c), and ordo_distinct_up counts
-- the row it inserts itself. Deleting a row and relinking a day are still counted by triggers.
-- A row counted at the commit may be deleted (or relinked) before it: the triggers then take
-- one from a count that is not there yet, so they create it at -1, and the commit's +1 makes 0.
DROP TRIGGER metrics_distinct_counted ON metrics_distinct;
DROP FUNCTION metrics_distinct_counted();

CREATE OR REPLACE FUNCTION metrics_distinct_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metrics_distinct_counts AS c (kind, scope, prev_day, day, n)
    VALUES (OLD.kind, OLD.scope, coalesce(OLD.prev_day, -1), OLD.day, -1)
    ON CONFLICT (kind, scope, prev_day, day) DO UPDATE SET n = c.n - 1;
    INSERT INTO metrics_distinct_days AS d (kind, scope, day, n)
    VALUES (OLD.kind, OLD.scope, OLD.day, -1)
    ON CONFLICT (kind, scope, day) DO UPDATE SET n = d.n - 1;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION metrics_distinct_relinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metrics_distinct_counts AS c (kind, scope, prev_day, day, n)
    VALUES (OLD.kind, OLD.scope, coalesce(OLD.prev_day, -1), OLD.day, -1)
    ON CONFLICT (kind, scope, prev_day, day) DO UPDATE SET n = c.n - 1;
    INSERT INTO metrics_distinct_counts AS c (kind, scope, prev_day, day, n)
    VALUES (NEW.kind, NEW.scope, coalesce(NEW.prev_day, -1), NEW.day, 1)
    ON CONFLICT (kind, scope, prev_day, day) DO UPDATE SET n = c.n + 1;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION ordo_distinct_up(p_kind bigint, p_scope text, p_key text, p_day bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_n bigint;
    v_prev bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_kind || ' ' || p_scope || ' ' || p_key, 0));
    v_prev := (SELECT max(d.day) FROM metrics_distinct d
               WHERE d.kind = p_kind AND d.scope = p_scope AND d.key = p_key AND d.day < p_day);
    INSERT INTO metrics_distinct AS t (kind, scope, key, day, n, prev_day)
    VALUES (p_kind, p_scope, p_key, p_day, 1, v_prev)
    ON CONFLICT (kind, scope, key, day) DO UPDATE SET n = t.n + 1
    RETURNING t.n INTO v_n;
    IF v_n = 1 THEN
        INSERT INTO metrics_distinct_counts AS c (kind, scope, prev_day, day, n)
        VALUES (p_kind, p_scope, coalesce(v_prev, -1), p_day, 1)
        ON CONFLICT (kind, scope, prev_day, day) DO UPDATE SET n = c.n + 1;
        INSERT INTO metrics_distinct_days AS d (kind, scope, day, n)
        VALUES (p_kind, p_scope, p_day, 1)
        ON CONFLICT (kind, scope, day) DO UPDATE SET n = d.n + 1;
        UPDATE metrics_distinct SET prev_day = p_day
        WHERE kind = p_kind AND scope = p_scope AND key = p_key
          AND day = (SELECT min(d.day) FROM metrics_distinct d
                     WHERE d.kind = p_kind AND d.scope = p_scope AND d.key = p_key
                       AND d.day > p_day);
    END IF;
END
$$;
