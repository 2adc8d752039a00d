/*
 * A layer's tensors as NumPy files, so users can run real data through the
 * models and compare an FPGA's outputs with the golden ones:
 * DIR/LAYER.{ifmap,filter,bias,ofmap}.npy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void tensor_path(char *path, size_t size, const char *dir, const tetris_layer *l,
                        const char *what)
{
    snprintf(path, size, "%s/%s.%s.npy", dir, l->name, what);
}

static int save(const char *dir, const tetris_layer *l, const char *what, enum tetris_dtype t,
                int ndim, const int64_t *dims, void *data, tetris_error *err)
{
    char path[4096];
    tensor_path(path, sizeof path, dir, l, what);
    tetris_tensor ts = {.dtype = t, .ndim = ndim, .data = data};
    memcpy(ts.dims, dims, (size_t)ndim * sizeof *dims);
    return tetris_npy_write(path, &ts, err);
}

int tetris_layer_data_save(const tetris_layer *l, const tetris_layer_data *d, const char *dir,
                           tetris_error *err)
{
    const int64_t in[4] = {d->n, l->c, l->hi, l->wi};
    const int64_t w[4] = {l->m, l->c / l->groups, l->r, l->s};
    const int64_t b[1] = {l->m};
    const int64_t out[4] = {d->n, l->m, l->ho, l->wo};
    int rc = save(dir, l, "ifmap", TETRIS_I16, 4, in, d->ifmap, err);
    if (!rc && d->filter)
        rc = save(dir, l, "filter", TETRIS_I16, 4, w, d->filter, err);
    if (!rc && d->bias)
        rc = save(dir, l, "bias", TETRIS_I32, 1, b, d->bias, err);
    if (!rc)
        rc = save(dir, l, "ofmap", TETRIS_I16, 4, out, d->ofmap, err);
    return rc;
}

/* Read DIR/LAYER.WHAT.npy and check its type and shape; dims[0] < 0 accepts any first size. */
static int load(const char *dir, const tetris_layer *l, const char *what, enum tetris_dtype t,
                int ndim, const int64_t *dims, tetris_tensor *ts, tetris_error *err)
{
    char path[4096];
    tensor_path(path, sizeof path, dir, l, what);
    int rc = tetris_npy_read(path, ts, err);
    if (rc)
        return rc;
    int ok = ts->dtype == t && ts->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++)
        ok = ts->dims[i] == dims[i] || (i == 0 && dims[0] < 0 && ts->dims[0] >= 1);
    if (ok)
        return TETRIS_OK;
    char want[96];
    size_t n = 0;
    for (int i = 0; i < ndim; i++)
        n += (size_t)(i == 0 && dims[0] < 0
                          ? snprintf(want + n, sizeof want - n, "n")
                          : snprintf(want + n, sizeof want - n, "%s%lld", i ? ", " : "",
                                     (long long)dims[i]));
    tetris_tensor_free(ts);
    return tetris_fail(err, TETRIS_EINVAL, path, 0, l->name, "expected %s %dD tensor (%s)",
                       t == TETRIS_I16 ? "int16" : "int32", ndim, want);
}

int tetris_layer_data_load(const tetris_layer *l, const char *dir, tetris_layer_data *d,
                           tetris_error *err)
{
    memset(d, 0, sizeof *d);
    tetris_tensor in, w = {0}, b = {0};
    const int64_t din[4] = {-1, l->c, l->hi, l->wi};
    int rc = load(dir, l, "ifmap", TETRIS_I16, 4, din, &in, err);
    if (rc)
        return rc;
    int has_filter = l->type == TETRIS_LAYER_CONV || l->type == TETRIS_LAYER_FC;
    const int64_t dw[4] = {l->m, l->c / l->groups, l->r, l->s};
    const int64_t db[1] = {l->m};
    if (has_filter)
        rc = load(dir, l, "filter", TETRIS_I16, 4, dw, &w, err);
    if (!rc && has_filter && l->bias)
        rc = load(dir, l, "bias", TETRIS_I32, 1, db, &b, err);
    if (!rc && (rc = tetris_layer_data_alloc(l, (int)in.dims[0], d)))
        tetris_fail(err, rc, NULL, 0, l->name, "out of memory for the layer data");
    if (!rc) {
        memcpy(d->ifmap, in.data, tetris_tensor_count(&in) * sizeof *d->ifmap);
        if (d->filter)
            memcpy(d->filter, w.data, tetris_tensor_count(&w) * sizeof *d->filter);
        if (d->bias)
            memcpy(d->bias, b.data, tetris_tensor_count(&b) * sizeof *d->bias);
    }
    tetris_tensor_free(&in);
    tetris_tensor_free(&w);
    tetris_tensor_free(&b);
    return rc;
}
