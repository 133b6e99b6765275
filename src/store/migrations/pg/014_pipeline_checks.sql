-- 014_pipeline_checks.sql — a condition the writer's group commit checks without waiting for
-- its answer (issue 7, libpq's pipeline: src/store/pg_pipeline.c). A reservation made on a plan
-- from a read snapshot, or a location's daily capacity, is sent as one statement that fails
-- when the condition does not hold; the failure (SQLSTATE OR001, "Ordo requirement") is the
-- answer of the command's next wait, and the command is planned again on current stock.

CREATE FUNCTION ordo_require(ok boolean, what text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    IF ok IS NOT TRUE THEN
        RAISE EXCEPTION USING ERRCODE = 'OR001', MESSAGE = what;
    END IF;
    RETURN true;
END
$$;
