-- 004_metrics_distinct_counts (PostgreSQL; as migrations/sqlite/004_...). Exact distinct counts
-- (customers for purchase frequency, orders for picked per hour) in time
-- proportional to days, not to customer-days. A row of metrics_distinct is one key on one day
-- with the key's previous day; the distinct keys of [from, to] are the rows in range whose
-- previous day is before `from` (or none). metrics_distinct_counts keeps, per day and previous
-- day, how many rows there are, and metrics_distinct_days how many per day, both maintained by
-- the triggers below in the same statement as the row they count.
CREATE TABLE metrics_distinct_counts (
    kind     BIGINT NOT NULL,
    scope    TEXT COLLATE "C" NOT NULL,
    prev_day BIGINT NOT NULL, -- -1 when the key had no earlier day
    day      BIGINT NOT NULL,
    n        BIGINT NOT NULL,
    PRIMARY KEY (kind, scope, prev_day, day)
);

-- A range query reads the smaller of two sets: by previous day (the rows whose previous day is
-- before `from`, few when `from` is early) or by day (the rows in [from, to], few when short).
CREATE INDEX metrics_distinct_counts_by_day ON metrics_distinct_counts (kind, scope, day, prev_day);

CREATE TABLE metrics_distinct_days (
    kind  BIGINT NOT NULL,
    scope TEXT COLLATE "C" NOT NULL,
    day   BIGINT NOT NULL,
    n     BIGINT NOT NULL,
    PRIMARY KEY (kind, scope, day)
);

INSERT INTO metrics_distinct_counts (kind, scope, prev_day, day, n)
SELECT kind, scope, coalesce(prev_day, -1), day, count(*) FROM metrics_distinct
GROUP BY kind, scope, coalesce(prev_day, -1), day;

INSERT INTO metrics_distinct_days (kind, scope, day, n)
SELECT kind, scope, day, count(*) FROM metrics_distinct GROUP BY kind, scope, day;

-- SQLite's triggers, as PL/pgSQL trigger functions.
CREATE FUNCTION metrics_distinct_counted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO metrics_distinct_counts AS c (kind, scope, prev_day, day, n)
    VALUES (NEW.kind, NEW.scope, coalesce(NEW.prev_day, -1), NEW.day, 1)
    ON CONFLICT (kind, scope, prev_day, day) DO UPDATE SET n = c.n + 1;
    INSERT INTO metrics_distinct_days AS d (kind, scope, day, n)
    VALUES (NEW.kind, NEW.scope, NEW.day, 1)
    ON CONFLICT (kind, scope, day) DO UPDATE SET n = d.n + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER metrics_distinct_counted AFTER INSERT ON metrics_distinct
FOR EACH ROW EXECUTE FUNCTION metrics_distinct_counted();

CREATE FUNCTION metrics_distinct_uncounted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE metrics_distinct_counts SET n = n - 1
    WHERE kind = OLD.kind AND scope = OLD.scope AND prev_day = coalesce(OLD.prev_day, -1)
      AND day = OLD.day;
    UPDATE metrics_distinct_days SET n = n - 1
    WHERE kind = OLD.kind AND scope = OLD.scope AND day = OLD.day;
    RETURN NULL;
END
$$;

CREATE TRIGGER metrics_distinct_uncounted AFTER DELETE ON metrics_distinct
FOR EACH ROW EXECUTE FUNCTION metrics_distinct_uncounted();

CREATE FUNCTION metrics_distinct_relinked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE metrics_distinct_counts SET n = n - 1
    WHERE kind = OLD.kind AND scope = OLD.scope AND prev_day = coalesce(OLD.prev_day, -1)
      AND day = OLD.day;
    INSERT INTO metrics_distinct_counts AS c (kind, scope, prev_day, day, n)
    VALUES (NEW.kind, NEW.scope, coalesce(NEW.prev_day, -1), NEW.day, 1)
    ON CONFLICT (kind, scope, prev_day, day) DO UPDATE SET n = c.n + 1;
    RETURN NULL;
END
$$;

CREATE TRIGGER metrics_distinct_relinked AFTER UPDATE OF prev_day ON metrics_distinct
FOR EACH ROW WHEN (OLD.prev_day IS DISTINCT FROM NEW.prev_day)
EXECUTE FUNCTION metrics_distinct_relinked();
