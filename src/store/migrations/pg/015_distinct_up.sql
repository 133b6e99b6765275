-- 015_distinct_up.sql — one more occurrence of a key on its day in one statement (issue 7): the
-- lock that makes processes take turns on the key (the same key as pg_metrics.c's
-- SQL_DISTINCT_LOCK), the day's row inserted with the key's previous day or counted once more,
-- and, when the day is new, the key's next day linked to it. Three statements per key before;
-- an order of a returning customer moves two keys.

CREATE FUNCTION ordo_distinct_up(p_kind bigint, p_scope text, p_key text, p_day bigint)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_n bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended(p_kind || ' ' || p_scope || ' ' || p_key, 0));
    INSERT INTO metrics_distinct AS t (kind, scope, key, day, n, prev_day)
    VALUES (p_kind, p_scope, p_key, p_day, 1,
            (SELECT max(d.day) FROM metrics_distinct d
             WHERE d.kind = p_kind AND d.scope = p_scope AND d.key = p_key AND d.day < p_day))
    ON CONFLICT (kind, scope, key, day) DO UPDATE SET n = t.n + 1
    RETURNING t.n INTO v_n;
    IF v_n = 1 THEN
        UPDATE metrics_distinct SET prev_day = p_day
        WHERE kind = p_kind AND scope = p_scope AND key = p_key
          AND day = (SELECT min(d.day) FROM metrics_distinct d
                     WHERE d.kind = p_kind AND d.scope = p_scope AND d.key = p_key
                       AND d.day > p_day);
    END IF;
END
$$;
