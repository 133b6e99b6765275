/*
 * routing_cbc.c — the batch programme handed to COIN-OR CBC (routing_cbc.h): the rows are
 * turned into columns (CBC loads a column-major matrix), every column is an integer, the log
 * is silenced and the time limited; the best solution found is copied out.
 */
#include "app/routing_cbc.h"

/* Coin_C_defines.h tests COIN_BIG_INDEX without defining it (-Wundef); 0 is its default. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wundef"
#include <Cbc_C_Interface.h>
#pragma GCC diagnostic pop
#include <string.h>

#include "lib/clock.h"

#define CBC_INFINITY 1e30

const char *routing_cbc_status_name(enum routing_cbc_status status)
{
    switch (status) {
    case ROUTING_CBC_OPTIMAL:
        return "optimal";
    case ROUTING_CBC_FEASIBLE:
        return "feasible";
    case ROUTING_CBC_NO_SOLUTION:
        return "no_solution";
    }
    return "no_solution";
}

/* The column-major copy of the programme's rows. */
struct cbc_columns {
    int *start; /* [cols + 1] */
    int *index; /* row of each element */
    double *value;
};

static enum err_code cbc_columns(const struct routing_mip *mip, struct arena *arena,
                                 struct cbc_columns *out, struct err *err)
{
    size_t nz = mip->row_start[mip->rows];
    out->start = ARENA_NEW_ARRAY(arena, int, mip->cols + 1);
    out->index = ARENA_NEW_ARRAY(arena, int, nz + 1);
    out->value = ARENA_NEW_ARRAY(arena, double, nz + 1);
    size_t *fill = ARENA_NEW_ARRAY(arena, size_t, mip->cols + 1);
    if (out->start == NULL || out->index == NULL || out->value == NULL || fill == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached");
    }
    memset(fill, 0, (mip->cols + 1) * sizeof(*fill));
    for (size_t e = 0; e < nz; e++) {
        fill[mip->index[e]]++;
    }
    size_t at = 0;
    for (size_t c = 0; c < mip->cols; c++) {
        out->start[c] = (int)at;
        at += fill[c];
        fill[c] = (size_t)out->start[c];
    }
    out->start[mip->cols] = (int)at;
    for (size_t r = 0; r < mip->rows; r++) {
        for (size_t e = mip->row_start[r]; e < mip->row_start[r + 1]; e++) {
            size_t slot = fill[mip->index[e]]++;
            out->index[slot] = (int)r;
            out->value[slot] = mip->value[e];
        }
    }
    return ERR_OK;
}

static double cbc_now(void)
{
    return (double)clock_monotonic_ns() / 1e9;
}

/* Copies CBC's best solution and names its status. */
static enum err_code cbc_result(Cbc_Model *model, const struct routing_mip *mip,
                                struct arena *arena, struct routing_cbc_result *out,
                                struct err *err)
{
    const double *best = Cbc_bestSolution(model);
    if (best == NULL || Cbc_isProvenInfeasible(model) != 0) {
        out->status = ROUTING_CBC_NO_SOLUTION;
        return ERR_OK;
    }
    out->solution = ARENA_NEW_ARRAY(arena, double, mip->cols + 1);
    if (out->solution == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached");
    }
    memcpy(out->solution, best, mip->cols * sizeof(double));
    out->objective = Cbc_getObjValue(model) + mip->obj_offset;
    out->status = Cbc_isProvenOptimal(model) != 0 ? ROUTING_CBC_OPTIMAL : ROUTING_CBC_FEASIBLE;
    return ERR_OK;
}

/* The start solution's nonzero columns as CBC's MIP start. */
static enum err_code cbc_start(Cbc_Model *model, const struct routing_mip *mip, const double *start,
                               struct arena *arena, struct err *err)
{
    int *index = ARENA_NEW_ARRAY(arena, int, mip->cols + 1);
    double *value = ARENA_NEW_ARRAY(arena, double, mip->cols + 1);
    if (index == NULL || value == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached");
    }
    int count = 0;
    for (size_t c = 0; c < mip->cols; c++) {
        if (start[c] != 0) {
            index[count] = (int)c;
            value[count++] = start[c];
        }
    }
    Cbc_setMIPStartI(model, count, index, value);
    return ERR_OK;
}

enum err_code routing_cbc_solve(const struct routing_mip *mip, const double *start,
                                double seconds_max, struct arena *arena,
                                struct routing_cbc_result *out, struct err *err)
{
    ASSERT(mip != NULL && arena != NULL && out != NULL);
    ASSERT(seconds_max > 0);
    memset(out, 0, sizeof(*out));
    out->status = ROUTING_CBC_NO_SOLUTION;
    if (mip->cols == 0) {
        out->status = ROUTING_CBC_OPTIMAL;
        return ERR_OK;
    }
    struct cbc_columns columns;
    enum err_code code = cbc_columns(mip, arena, &columns, err);
    if (code != ERR_OK) {
        return code;
    }
    double started = cbc_now();
    Cbc_Model *model = Cbc_newModel();
    Cbc_loadProblem(model, (int)mip->cols, (int)mip->rows, columns.start, columns.index,
                    columns.value, mip->col_lower, mip->col_upper, mip->obj, mip->row_lower,
                    mip->row_upper);
    for (size_t c = 0; c < mip->cols; c++) {
        Cbc_setInteger(model, (int)c);
    }
    Cbc_setObjSense(model, 1);
    Cbc_setLogLevel(model, 0);
    Cbc_setMaximumSeconds(model, seconds_max);
    if (start != NULL) {
        code = cbc_start(model, mip, start, arena, err);
    }
    if (code != ERR_OK) {
        Cbc_deleteModel(model);
        return code;
    }
    (void)Cbc_solve(model);
    code = cbc_result(model, mip, arena, out, err);
    Cbc_deleteModel(model);
    out->seconds = cbc_now() - started;
    return code;
}
