/* CRC-32, .npy files (round trips, NumPy's own bytes, malformed files) and layer data. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tetris.h"

/* A fresh temporary file name (the file exists, empty). */
static void tmp_path(char path[64])
{
    strcpy(path, "/tmp/tetris_test_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
}

static void write_bytes(const char *path, const void *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(buf, 1, len, f), len);
    cr_assert_eq(fclose(f), 0);
}

static size_t read_bytes(const char *path, uint8_t *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* A .npy version 1.0 or 2.0 file image as NumPy writes it: the dict padded
 * with spaces and a newline so the header is a multiple of align bytes. */
static size_t npy_image(uint8_t *out, int major, const char *dict, size_t align, const void *data,
                        size_t len)
{
    size_t pre = major == 1 ? 10 : 12, dl = strlen(dict);
    size_t total = (pre + dl + 1 + align - 1) / align * align, hlen = total - pre;
    memcpy(out, "\x93NUMPY", 6);
    out[6] = (uint8_t)major;
    out[7] = 0;
    for (size_t i = 0; i < pre - 8; i++)
        out[8 + i] = (uint8_t)(hlen >> (8 * i));
    memcpy(out + pre, dict, dl);
    memset(out + pre + dl, ' ', total - pre - dl - 1);
    out[total - 1] = '\n';
    memcpy(out + total, data, len);
    return total + len;
}

/* The read fails with EINVAL and one message line that starts with the path. */
static void expect_einval(const char *path, const void *buf, size_t len, const char *what)
{
    write_bytes(path, buf, len);
    tetris_tensor t;
    tetris_error err = {""};
    int st = tetris_npy_read(path, &t, &err);
    cr_assert_eq(st, TETRIS_EINVAL, "%s: status %d (%s)", what, st, err.msg);
    cr_assert_null(t.data, "%s", what);
    char head[80];
    snprintf(head, sizeof head, "%s: ", path);
    cr_assert_eq(strncmp(err.msg, head, strlen(head)), 0, "%s: message '%s'", what, err.msg);
    cr_assert_null(strchr(err.msg, '\n'), "%s: one line", what);
}

/* 2 x 3 int16 values, little-endian: -32768, -1, 0, 1, 32767, 258 */
static const uint8_t I16_DATA[12] = {0x00, 0x80, 0xFF, 0xFF, 0x00, 0x00,
                                     0x01, 0x00, 0xFF, 0x7F, 0x02, 0x01};
static const int16_t I16_VALUES[6] = {-32768, -1, 0, 1, 32767, 258};
static const char I16_DICT[] = "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }";

Test(crc32, check_values)
{
    cr_assert_eq(tetris_crc32("123456789", 9), 0xCBF43926u);
    cr_assert_eq(tetris_crc32("", 0), 0u);
    cr_assert_eq(tetris_crc32("a", 1), 0xE8B7BE43u);
    const char *fox = "The quick brown fox jumps over the lazy dog";
    cr_assert_eq(tetris_crc32(fox, strlen(fox)), 0x414FA339u);
}

Test(tensor, count)
{
    tetris_tensor t = {TETRIS_I16, 3, {2, 3, 4, 99}, NULL};
    cr_assert_eq(tetris_tensor_count(&t), 24);
    t.ndim = 0;
    cr_assert_eq(tetris_tensor_count(&t), 1);
    t.ndim = 4;
    t.dims[1] = 0;
    cr_assert_eq(tetris_tensor_count(&t), 0);
}

Test(npy, round_trip_1_to_4_dims)
{
    const int64_t shapes[5][4] = {{7}, {2, 3}, {2, 3, 4}, {2, 1, 3, 5}, {0}};
    const int ndims[5] = {1, 2, 3, 4, 0};
    char path[64];
    tmp_path(path);
    for (int dt = 0; dt < 2; dt++) {
        for (int k = 0; k < 5; k++) {
            tetris_tensor t = {dt ? TETRIS_I32 : TETRIS_I16, ndims[k], {0}, NULL};
            memcpy(t.dims, shapes[k], sizeof t.dims);
            size_t n = tetris_tensor_count(&t);
            t.data = malloc(n * 4);
            for (size_t i = 0; i < n; i++) {
                /* extremes first, then a spread of both signs */
                int64_t v = i == 0 ? (dt ? INT32_MIN : INT16_MIN)
                          : i == 1 ? (dt ? INT32_MAX : INT16_MAX)
                                   : (int64_t)(i * 7919 % 2001) - 1000;
                if (dt)
                    ((int32_t *)t.data)[i] = (int32_t)(v * (i > 1 ? 100003 : 1));
                else
                    ((int16_t *)t.data)[i] = (int16_t)v;
            }
            tetris_error err = {""};
            cr_assert_eq(tetris_npy_write(path, &t, &err), 0, "%s", err.msg);
            tetris_tensor u;
            cr_assert_eq(tetris_npy_read(path, &u, &err), 0, "%s", err.msg);
            cr_assert_eq(u.dtype, t.dtype);
            cr_assert_eq(u.ndim, t.ndim);
            for (int i = 0; i < t.ndim; i++)
                cr_assert_eq(u.dims[i], t.dims[i]);
            cr_assert_eq(memcmp(u.data, t.data, n * (dt ? 4 : 2)), 0, "dtype %d shape %d", dt, k);
            tetris_tensor_free(&u);
            cr_assert_null(u.data);
            free(t.data);
        }
    }
    unlink(path);
}

Test(npy, zero_sized_dimension)
{
    char path[64];
    tmp_path(path);
    tetris_tensor t = {TETRIS_I32, 2, {3, 0}, NULL}, u;
    tetris_error err = {""};
    cr_assert_eq(tetris_npy_write(path, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(tetris_npy_read(path, &u, &err), 0, "%s", err.msg);
    cr_assert_eq(u.ndim, 2);
    cr_assert_eq(u.dims[0], 3);
    cr_assert_eq(tetris_tensor_count(&u), 0);
    tetris_tensor_free(&u);
    unlink(path);
}

/* The writer produces NumPy's bytes exactly (numpy.save of a (2, 3) int16). */
Test(npy, writes_numpy_bytes)
{
    char path[64];
    tmp_path(path);
    tetris_tensor t = {TETRIS_I16, 2, {2, 3}, (void *)I16_VALUES};
    tetris_error err = {""};
    cr_assert_eq(tetris_npy_write(path, &t, &err), 0, "%s", err.msg);
    uint8_t want[256], got[256];
    size_t wn = npy_image(want, 1, I16_DICT, 64, I16_DATA, sizeof I16_DATA);
    cr_assert_eq(wn, 128 + 12);
    cr_assert_eq(want[8], 'v'); /* header length 118, as numpy writes it */
    cr_assert_eq(read_bytes(path, got, sizeof got), wn);
    cr_assert_eq(memcmp(got, want, wn), 0);
    unlink(path);
}

Test(npy, reads_numpy_files)
{
    char path[64];
    tmp_path(path);
    uint8_t img[512];
    tetris_error err = {""};
    tetris_tensor t;
    /* current NumPy (64-byte alignment), old NumPy (16), version 2.0, and
     * Python 2 NumPy's long-integer shape */
    const char *dicts[4] = {I16_DICT, I16_DICT,
                            "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), }",
                            "{'descr': '<i2', 'fortran_order': False, 'shape': (2L, 3L), }"};
    const int major[4] = {1, 1, 2, 1};
    const size_t align[4] = {64, 16, 64, 16};
    for (int k = 0; k < 4; k++) {
        size_t n = npy_image(img, major[k], dicts[k], align[k], I16_DATA, sizeof I16_DATA);
        write_bytes(path, img, n);
        cr_assert_eq(tetris_npy_read(path, &t, &err), 0, "case %d: %s", k, err.msg);
        cr_assert_eq(t.dtype, TETRIS_I16);
        cr_assert_eq(t.ndim, 2);
        cr_assert_eq(t.dims[0], 2);
        cr_assert_eq(t.dims[1], 3);
        cr_assert_eq(memcmp(t.data, I16_VALUES, sizeof I16_VALUES), 0, "case %d", k);
        tetris_tensor_free(&t);
    }
    /* int32, one dimension, keys in another order with double quotes */
    const uint8_t i32[12] = {0x00, 0x00, 0x00, 0x80, 0xFE, 0xFF, 0xFF, 0xFF, 0x04, 0x03, 0x02, 0x01};
    size_t n = npy_image(img, 1, "{\"shape\": (3,), \"fortran_order\": False, \"descr\": \"<i4\"}", 64,
                         i32, sizeof i32);
    write_bytes(path, img, n);
    cr_assert_eq(tetris_npy_read(path, &t, &err), 0, "%s", err.msg);
    cr_assert_eq(t.dtype, TETRIS_I32);
    cr_assert_eq(t.ndim, 1);
    cr_assert_eq(t.dims[0], 3);
    const int32_t *v = t.data;
    cr_assert_eq(v[0], INT32_MIN);
    cr_assert_eq(v[1], -2);
    cr_assert_eq(v[2], 0x01020304);
    tetris_tensor_free(&t);
    unlink(path);
}

Test(npy, malformed_files)
{
    char path[64];
    tmp_path(path);
    uint8_t img[512];
    size_t n;

    expect_einval(path, "", 0, "empty file");
    n = npy_image(img, 1, I16_DICT, 64, I16_DATA, sizeof I16_DATA);
    img[1] = 'X';
    expect_einval(path, img, n, "bad magic");
    n = npy_image(img, 1, I16_DICT, 64, I16_DATA, sizeof I16_DATA);
    img[6] = 3;
    expect_einval(path, img, n, "version 3.0");
    expect_einval(path, img, 9, "truncated preamble");
    n = npy_image(img, 1, I16_DICT, 64, I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, 60, "truncated header");
    img[8] = 0xFF;
    img[9] = 0x7F;
    expect_einval(path, img, n, "header length past the end");
    n = npy_image(img, 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "dtype <f4");
    n = npy_image(img, 1, "{'descr': '>i2', 'fortran_order': False, 'shape': (2, 3), }", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "big-endian dtype");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': True, 'shape': (2, 3), }", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "Fortran order");
    n = npy_image(img, 1, I16_DICT, 64, I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n - 1, "truncated data");
    n = npy_image(img, 1, I16_DICT, 64, I16_DATA, sizeof I16_DATA);
    img[n] = 0;
    expect_einval(path, img, n + 1, "trailing data");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (1, 1, 1, 1, 6), }",
                  64, I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "5 dimensions");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (6), }", 64, I16_DATA,
                  sizeof I16_DATA);
    expect_einval(path, img, n, "shape not a tuple");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (-6,), }", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "negative dimension");
    n = npy_image(img, 1,
                  "{'descr': '<i2', 'fortran_order': False, 'shape': (99999999999, 99999999999), }",
                  64, I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "huge shape");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': False}", 64, I16_DATA,
                  sizeof I16_DATA);
    expect_einval(path, img, n, "missing shape");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), 'x': 1}", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "unknown key");
    n = npy_image(img, 1, "{'descr': '<i2', 'descr': '<i2', 'fortran_order': False, 'shape': (2, 3)}",
                  64, I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "repeated key");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), } x", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "text after the dict");
    n = npy_image(img, 1, "{'descr': '<i2', 'fortran_order': False, 'shape': (2, 3), ", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "unterminated dict");
    n = npy_image(img, 1, "{'descr: '<i2', 'fortran_order': False, 'shape': (2, 3)}", 64,
                  I16_DATA, sizeof I16_DATA);
    expect_einval(path, img, n, "unbalanced quotes");
    unlink(path);
}

Test(npy, missing_and_unwritable_files)
{
    tetris_tensor t;
    tetris_error err = {""};
    cr_assert_eq(tetris_npy_read("/nonexistent/x.npy", &t, &err), TETRIS_EIO);
    cr_assert_eq(strncmp(err.msg, "/nonexistent/x.npy: ", 20), 0, "%s", err.msg);
    tetris_tensor w = {TETRIS_I16, 2, {2, 3}, (void *)I16_VALUES};
    cr_assert_eq(tetris_npy_write("/nonexistent/y.npy", &w, &err), TETRIS_EIO);
    cr_assert_eq(strncmp(err.msg, "/nonexistent/y.npy: ", 20), 0, "%s", err.msg);
    w.ndim = 5;
    cr_assert_eq(tetris_npy_write("/nonexistent/y.npy", &w, &err), TETRIS_EINVAL);
}

/* Random corruptions of a valid file are read or refused, never crash. */
Test(npy, corrupted_files_never_crash)
{
    char path[64];
    tmp_path(path);
    uint8_t good[512], img[512];
    size_t n = npy_image(good, 1, I16_DICT, 64, I16_DATA, sizeof I16_DATA);
    uint64_t s = 1;
    for (int trial = 0; trial < 2000; trial++) {
        memcpy(img, good, n);
        size_t len = n;
        for (int k = 0; k < 1 + trial % 4; k++) {
            s = s * 6364136223846793005u + 1442695040888963407u;
            img[(s >> 33) % n] = (uint8_t)(s >> 17);
        }
        if (trial % 5 == 0)
            len = (s >> 40) % (n + 1);
        write_bytes(path, img, len);
        tetris_tensor t;
        tetris_error err = {""};
        int st = tetris_npy_read(path, &t, &err);
        cr_assert(st == TETRIS_OK || st == TETRIS_EINVAL, "trial %d: status %d", trial, st);
        if (st == TETRIS_OK)
            tetris_tensor_free(&t);
        else
            cr_assert_null(t.data);
    }
    unlink(path);
}

static tetris_layer conv_layer(int bias)
{
    tetris_layer l;
    memset(&l, 0, sizeof l);
    l.type = TETRIS_LAYER_CONV;
    l.c = 6, l.hi = 9, l.wi = 7, l.m = 4, l.r = 3, l.s = 3, l.stride = 1, l.pad = 1, l.groups = 2;
    l.ho = 9, l.wo = 7, l.bias = bias;
    return l;
}

Test(layer_data, alloc_conv_and_pool)
{
    tetris_layer l = conv_layer(1);
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 2, &d), 0);
    cr_assert_eq(d.n, 2);
    cr_assert(d.ifmap && d.filter && d.bias && d.ofmap);
    for (int i = 0; i < 2 * 6 * 9 * 7; i++)
        cr_assert_eq(d.ifmap[i], 0);
    for (int i = 0; i < 4 * 3 * 3 * 3; i++) /* [m][c/groups][r][s] */
        cr_assert_eq(d.filter[i], 0);
    for (int i = 0; i < 2 * 4 * 9 * 7; i++)
        cr_assert_eq(d.ofmap[i], 0);
    tetris_layer_data_free(&d);
    cr_assert_null(d.ifmap);

    l = conv_layer(0);
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    cr_assert_null(d.bias);
    tetris_layer_data_free(&d);

    l.type = TETRIS_LAYER_MAXPOOL;
    l.m = l.c;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);
    cr_assert_null(d.filter);
    cr_assert_null(d.bias);
    tetris_layer_data_free(&d);

    cr_assert_eq(tetris_layer_data_alloc(&l, 0, &d), TETRIS_EINVAL);
    cr_assert_null(d.ifmap);
}

static uint32_t data_crc(const tetris_layer *l, const tetris_layer_data *d)
{
    uint32_t crc[3] = {
        tetris_crc32(d->ifmap, (size_t)d->n * l->c * l->hi * l->wi * 2),
        tetris_crc32(d->filter, (size_t)l->m * (l->c / l->groups) * l->r * l->s * 2),
        d->bias ? tetris_crc32(d->bias, (size_t)l->m * 4) : 0,
    };
    return tetris_crc32(crc, sizeof crc);
}

Test(layer_data, random_is_deterministic)
{
    tetris_layer l = conv_layer(1);
    tetris_arith a = {16, 32, 8};
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 2, &d), 0);
    tetris_layer_data_random(&l, &a, 1, 0, &d);
    uint32_t base = data_crc(&l, &d);
    tetris_layer_data_random(&l, &a, 1, 0, &d);
    cr_assert_eq(data_crc(&l, &d), base);
    /* pinned: the generator must give these values on every machine */
    cr_assert_eq(base, 0x185DC47Fu, "crc 0x%08X", base);
    tetris_layer_data_random(&l, &a, 2, 0, &d);
    cr_assert_neq(data_crc(&l, &d), base);
    tetris_layer_data_random(&l, &a, 1, 1, &d);
    cr_assert_neq(data_crc(&l, &d), base);
    tetris_layer_data_free(&d);
}

Test(layer_data, random_ranges)
{
    tetris_layer l = conv_layer(1);
    l.c = 64, l.groups = 1, l.hi = l.ho = 16, l.wi = l.wo = 16, l.m = 32;
    tetris_layer_data d;
    cr_assert_eq(tetris_layer_data_alloc(&l, 1, &d), 0);

    /* frac 8: ifmap in [-256, 256); fan_in 576, isqrt 24: weights +-512/24 = +-21;
     * bias +-2^16 */
    tetris_arith a = {16, 32, 8};
    tetris_layer_data_random(&l, &a, 5, 0, &d);
    int lo = 0, hi = 0;
    for (int i = 0; i < 64 * 16 * 16; i++) {
        lo = d.ifmap[i] < lo ? d.ifmap[i] : lo;
        hi = d.ifmap[i] > hi ? d.ifmap[i] : hi;
    }
    cr_assert(lo == -256 && hi == 255, "ifmap [%d, %d]", lo, hi);
    lo = hi = 0;
    for (int i = 0; i < 32 * 64 * 9; i++) {
        lo = d.filter[i] < lo ? d.filter[i] : lo;
        hi = d.filter[i] > hi ? d.filter[i] : hi;
    }
    cr_assert(lo == -21 && hi == 21, "filter [%d, %d]", lo, hi);
    for (int i = 0; i < 32; i++)
        cr_assert(d.bias[i] >= -65536 && d.bias[i] <= 65536);

    /* 8-bit words with frac 7: ifmap [-128, 127] is the whole word range;
     * acc 12 bits clips the bias to +-2^10 */
    tetris_arith b = {8, 12, 7};
    tetris_layer_data_random(&l, &b, 5, 0, &d);
    for (int i = 0; i < 64 * 16 * 16; i++)
        cr_assert(d.ifmap[i] >= -128 && d.ifmap[i] <= 127);
    for (int i = 0; i < 32 * 64 * 9; i++)
        cr_assert(d.filter[i] >= -10 && d.filter[i] <= 10); /* 256/24 */
    for (int i = 0; i < 32; i++)
        cr_assert(d.bias[i] >= -1024 && d.bias[i] <= 1024);

    /* frac 0 with a large fan-in: ifmap in {-1, 0}, weights +-1 */
    tetris_arith z = {16, 32, 0};
    tetris_layer_data_random(&l, &z, 5, 0, &d);
    for (int i = 0; i < 64 * 16 * 16; i++)
        cr_assert(d.ifmap[i] == -1 || d.ifmap[i] == 0);
    for (int i = 0; i < 32 * 64 * 9; i++)
        cr_assert(d.filter[i] >= -1 && d.filter[i] <= 1);
    tetris_layer_data_free(&d);
}
