/*
 * One layer run as `tetris run` does it: seeded data, the golden model, the
 * compiled program on the engine model, and a bit-for-bit comparison.
 */
#include <string.h>
#include <time.h>

#include "internal.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/*
 * The body of a layer run. A job also keeps the program and layout (prog,
 * lay), the engine after the run (*kept) with its ofmap writers tracked, and
 * the vault before the run (*before, lay->end bytes); callers that pass NULL
 * for kept get neither.
 */
int run_layer_keep(const tetris_config *cfg, const tetris_layer *l, tetris_layer_data *d,
                   tetris_layer_result *res, tetris_program *prog, tetris_vault_layout *lay,
                   tetris_engine **kept, uint8_t **before, tetris_error *err)
{
    memset(res, 0, sizeof *res);
    memset(prog, 0, sizeof *prog);
    res->first_diff = -1;
    if (kept)
        *kept = NULL, *before = NULL;
    int batch = d->n;
    if (batch < 1)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "batch", "must be at least 1");
    tetris_arith a;
    tetris_arith_from_config(cfg, &a);
    int shift = tetris_layer_shift(l, cfg);
    int rc = tetris_map_layer(l, cfg, &res->mapping, err);
    if (!rc)
        rc = tetris_blocking_default(l, batch, cfg, &res->blocking, err);
    if (rc)
        return rc;
    if ((rc = tetris_compile(l, batch, cfg, shift, &res->blocking, prog, lay, err)))
        return rc;
    size_t n = (size_t)batch * (size_t)l->m * (size_t)l->ho * (size_t)l->wo;
    tetris_layer_data eng = {0};
    tetris_engine *e = NULL;
    if (tetris_layer_data_alloc(l, batch, &eng) || tetris_engine_create(cfg, lay->end, &e) ||
        (kept && (tetris_engine_track_ofmap(e, n) || tetris_engine_track_insns(e, prog->n) ||
                  !(*before = malloc(lay->end ? lay->end : 1))))) {
        rc = tetris_fail(err, TETRIS_ENOMEM, NULL, 0, l->name, "out of memory for the layer data");
        goto out;
    }
    double t0 = now();
    if ((rc = tetris_golden_layer(l, &a, shift, d))) {
        tetris_fail(err, rc, NULL, 0, l->name, "golden model failed: %s", tetris_strerror(rc));
        goto out;
    }
    double t1 = now();
    if ((rc = tetris_vault_put_inputs(e, l, lay, d)))
        goto out;
    if (kept)
        memcpy(*before, tetris_engine_vault(e, NULL), lay->end);
    double t2 = now();
    if ((rc = tetris_engine_run(e, prog, err)))
        goto out;
    double t3 = now();
    tetris_vault_get_ofmap(e, l, lay, &eng);
    res->crc_golden = tetris_crc32(d->ofmap, n * sizeof *d->ofmap);
    res->crc_engine = tetris_crc32(eng.ofmap, n * sizeof *eng.ofmap);
    for (size_t i = 0; i < n && res->first_diff < 0; i++)
        if (d->ofmap[i] != eng.ofmap[i])
            res->first_diff = (int64_t)i;
    res->pass = res->first_diff < 0;
    res->counts = *tetris_engine_counters(e);
    res->macs = tetris_layer_macs(l, batch);
    uint64_t cyc = res->counts.v[TETRIS_CNT_CYCLES];
    tetris_derived der;
    tetris_config_derive(cfg, &der);
    res->utilization = cyc ? (double)res->macs / ((double)cyc * der.pes) : 0.0;
    tetris_energy_of(cfg, &res->counts, &res->energy);
    res->golden_seconds = t1 - t0;
    res->engine_seconds = t3 - t2;
out:
    if (kept && !rc) {
        *kept = e;
        e = NULL;
    } else if (kept) {
        free(*before);
        *before = NULL;
    }
    tetris_engine_destroy(e);
    tetris_layer_data_free(&eng);
    return rc;
}

int tetris_run_layer_data(const tetris_config *cfg, const tetris_layer *l, tetris_layer_data *d,
                          tetris_layer_result *res, tetris_error *err)
{
    tetris_program prog;
    tetris_vault_layout lay;
    int rc = run_layer_keep(cfg, l, d, res, &prog, &lay, NULL, NULL, err);
    tetris_program_free(&prog);
    return rc;
}

int tetris_run_layer(const tetris_config *cfg, const tetris_layer *l, int batch, uint64_t seed,
                     uint64_t stream, tetris_layer_result *res, tetris_error *err)
{
    memset(res, 0, sizeof *res);
    res->first_diff = -1;
    if (batch < 1)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "batch", "must be at least 1");
    tetris_layer_data d;
    if (tetris_layer_data_alloc(l, batch, &d))
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, l->name, "out of memory for the layer data");
    tetris_arith a;
    tetris_arith_from_config(cfg, &a);
    tetris_layer_data_random(l, &a, seed, stream, &d);
    int rc = tetris_run_layer_data(cfg, l, &d, res, err);
    tetris_layer_data_free(&d);
    return rc;
}
