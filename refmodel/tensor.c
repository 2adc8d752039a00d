/*
 * Tensors: element counts, CRC-32, NumPy .npy files, and the per-layer data
 * buffers with their deterministic pseudo-random contents (docs/arith.md).
 *
 * The .npy reader is written to be fed arbitrary bytes: every length is
 * checked against the file size before anything is allocated, and every
 * malformed file gives TETRIS_EINVAL with one line "FILE: message".
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Counts and CRC                                                            */
/* ------------------------------------------------------------------------ */

size_t tetris_tensor_count(const tetris_tensor *t)
{
    size_t n = 1;
    for (int i = 0; i < t->ndim && i < 4; i++)
        n *= (size_t)t->dims[i];
    return n;
}

void tetris_tensor_free(tetris_tensor *t)
{
    free(t->data);
    t->data = NULL;
}

/*
 * CRC-32 of the reflected polynomial 0xEDB88320 (zlib, IEEE 802.3), one
 * nibble at a time: entry i is the CRC register after shifting the 4-bit
 * value i through the polynomial bit by bit. A 16-word table does in two
 * steps what the bit-serial loop does in eight.
 */
static const uint32_t crc32_nibble[16] = {
    0x00000000u, 0x1DB71064u, 0x3B6E20C8u, 0x26D930ACu, 0x76DC4190u, 0x6B6B51F4u,
    0x4DB26158u, 0x5005713Cu, 0xEDB88320u, 0xF00F9344u, 0xD6D6A3E8u, 0xCB61B38Cu,
    0x9B64C2B0u, 0x86D3D2D4u, 0xA00AE278u, 0xBDBDF21Cu,
};

uint32_t tetris_crc32(const void *buf, size_t len)
{
    const uint8_t *p = buf;
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        crc = (crc >> 4) ^ crc32_nibble[crc & 15u];
        crc = (crc >> 4) ^ crc32_nibble[crc & 15u];
    }
    return crc ^ 0xFFFFFFFFu;
}

/* ------------------------------------------------------------------------ */
/* .npy files                                                                */
/* ------------------------------------------------------------------------ */

#define NPY_MAGIC "\x93NUMPY"
#define NPY_MAGIC_LEN 6
/* Longest header dict accepted from a version 2.0 file (NumPy itself refuses
 * headers over 10000 bytes by default); bounds the allocation on garbage. */
#define NPY_MAX_HEADER (1u << 20)

static size_t dtype_size(enum tetris_dtype dt)
{
    return dt == TETRIS_I32 ? 4 : 2;
}

int tetris_npy_write(const char *path, const tetris_tensor *t, tetris_error *err)
{
    if (t->dtype != TETRIS_I16 && t->dtype != TETRIS_I32)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "unsupported tensor dtype %d",
                           (int)t->dtype);
    if (t->ndim < 0 || t->ndim > 4)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "tensor has %d dimensions (0..4)",
                           t->ndim);
    for (int i = 0; i < t->ndim; i++)
        if (t->dims[i] < 0)
            return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "negative dimension %" PRId64,
                               t->dims[i]);
    size_t count = tetris_tensor_count(t);
    if (count > 0 && !t->data)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "tensor has no data");

    /* The dict exactly as numpy.save formats it (shape is repr(tuple)). */
    char shape[128] = "(";
    for (int i = 0; i < t->ndim; i++) {
        size_t k = strlen(shape);
        snprintf(shape + k, sizeof shape - k, "%s%" PRId64 "%s", i ? " " : "", t->dims[i],
                 (i < t->ndim - 1 || t->ndim == 1) ? "," : "");
    }
    strcat(shape, ")");
    char dict[256];
    int dlen = snprintf(dict, sizeof dict, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }",
                        t->dtype == TETRIS_I32 ? "<i4" : "<i2", shape);
    /* Version 1.0: 10-byte prefix (magic, version, u16 length); spaces and a
     * final newline pad the whole header to a multiple of 64 bytes. */
    char head[320];
    size_t total = ((size_t)10 + (size_t)dlen + 1 + 63) / 64 * 64;
    size_t hlen = total - 10;
    memcpy(head, NPY_MAGIC, NPY_MAGIC_LEN);
    head[6] = 1;
    head[7] = 0;
    head[8] = (char)(hlen & 0xFF);
    head[9] = (char)(hlen >> 8);
    memcpy(head + 10, dict, (size_t)dlen);
    memset(head + 10 + dlen, ' ', total - 11 - (size_t)dlen);
    head[total - 1] = '\n';

    FILE *f = fopen(path, "wb");
    if (!f)
        return tetris_fail(err, TETRIS_EIO, path, 0, NULL, "cannot open for writing: %s",
                           strerror(errno));
    int ok = fwrite(head, 1, total, f) == total;
    /* Little-endian bytes whatever the host order, through a small buffer. */
    uint8_t chunk[4096];
    size_t es = dtype_size(t->dtype), per = sizeof chunk / es;
    for (size_t i = 0; ok && i < count; i += per) {
        size_t k = count - i < per ? count - i : per;
        for (size_t j = 0; j < k; j++) {
            uint32_t v = t->dtype == TETRIS_I32 ? (uint32_t)((const int32_t *)t->data)[i + j]
                                                : (uint16_t)((const int16_t *)t->data)[i + j];
            for (size_t b = 0; b < es; b++)
                chunk[j * es + b] = (uint8_t)(v >> (8 * b));
        }
        ok = fwrite(chunk, es, k, f) == k;
    }
    int saved = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        saved = errno;
    }
    if (!ok)
        return tetris_fail(err, TETRIS_EIO, path, 0, NULL, "write failed: %s", strerror(saved));
    return TETRIS_OK;
}

/* A cursor over the header dict text. */
typedef struct npy_cursor {
    const char *p, *end;
} npy_cursor;

static void npy_skip_ws(npy_cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

/* Consume ch after optional white space; 1 when it was there. */
static int npy_accept(npy_cursor *c, char ch)
{
    npy_skip_ws(c);
    if (c->p < c->end && *c->p == ch) {
        c->p++;
        return 1;
    }
    return 0;
}

/* A Python string literal in ' or " quotes without escapes, into out[cap]. */
static int npy_string(npy_cursor *c, char *out, size_t cap)
{
    npy_skip_ws(c);
    if (c->p >= c->end || (*c->p != '\'' && *c->p != '"'))
        return -1;
    char q = *c->p++;
    size_t n = 0;
    while (c->p < c->end && *c->p != q) {
        if (*c->p == '\\' || n + 1 >= cap)
            return -1;
        out[n++] = *c->p++;
    }
    if (c->p >= c->end)
        return -1;
    c->p++;
    out[n] = '\0';
    return 0;
}

/* A Python word (True, False): letters only. */
static int npy_word(npy_cursor *c, char *out, size_t cap)
{
    npy_skip_ws(c);
    size_t n = 0;
    while (c->p < c->end && ((*c->p >= 'A' && *c->p <= 'Z') || (*c->p >= 'a' && *c->p <= 'z'))) {
        if (n + 1 >= cap)
            return -1;
        out[n++] = *c->p++;
    }
    out[n] = '\0';
    return n ? 0 : -1;
}

/* A non-negative decimal dimension (Python 2 NumPy wrote a long suffix L). */
static int npy_dim(npy_cursor *c, int64_t *out)
{
    npy_skip_ws(c);
    int64_t v = 0;
    const char *start = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9') {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (*c->p++ - '0');
    }
    if (c->p == start)
        return -1;
    if (c->p < c->end && *c->p == 'L')
        c->p++;
    *out = v;
    return 0;
}

/* A shape tuple: (), (a,), (a, b), (a, b,) ... of at most 4 entries. */
static int npy_shape(npy_cursor *c, tetris_tensor *t, const char **why)
{
    *why = "shape is not a tuple of non-negative integers";
    if (!npy_accept(c, '('))
        return -1;
    int n = 0, trailing_comma = 0;
    while (!npy_accept(c, ')')) {
        if (n == 4) {
            *why = "shape has more than 4 dimensions";
            return -1;
        }
        if (npy_dim(c, &t->dims[n]) < 0)
            return -1;
        n++;
        trailing_comma = npy_accept(c, ',');
        if (!trailing_comma) {
            if (!npy_accept(c, ')'))
                return -1;
            break;
        }
    }
    if (n == 1 && !trailing_comma) /* Python reads (3) as the integer 3 */
        return -1;
    t->ndim = n;
    return 0;
}

/* Parse the header dict into t (dtype, ndim, dims); *why explains a failure. */
static int npy_parse_header(const char *text, size_t len, tetris_tensor *t, const char **why)
{
    npy_cursor c = {text, text + len};
    int have_descr = 0, have_order = 0, have_shape = 0;
    *why = "header is not a Python dict";
    if (!npy_accept(&c, '{'))
        return -1;
    while (!npy_accept(&c, '}')) {
        char key[32], val[32];
        *why = "header is not a Python dict";
        if (npy_string(&c, key, sizeof key) < 0 || !npy_accept(&c, ':'))
            return -1;
        if (!strcmp(key, "descr") && !have_descr) {
            have_descr = 1;
            *why = "descr is not a string";
            if (npy_string(&c, val, sizeof val) < 0)
                return -1;
            if (!strcmp(val, "<i2")) {
                t->dtype = TETRIS_I16;
            } else if (!strcmp(val, "<i4")) {
                t->dtype = TETRIS_I32;
            } else {
                *why = "unsupported dtype (only '<i2' and '<i4')";
                return -1;
            }
        } else if (!strcmp(key, "fortran_order") && !have_order) {
            have_order = 1;
            *why = "fortran_order is not True or False";
            if (npy_word(&c, val, sizeof val) < 0)
                return -1;
            if (!strcmp(val, "True")) {
                *why = "Fortran-order arrays are not supported";
                return -1;
            }
            if (strcmp(val, "False"))
                return -1;
        } else if (!strcmp(key, "shape") && !have_shape) {
            have_shape = 1;
            if (npy_shape(&c, t, why) < 0)
                return -1;
        } else {
            *why = "unknown or repeated key in header";
            return -1;
        }
        if (!npy_accept(&c, ',')) {
            *why = "header is not a Python dict";
            if (!npy_accept(&c, '}'))
                return -1;
            break;
        }
    }
    npy_skip_ws(&c);
    if (c.p != c.end) {
        *why = "text after the header dict";
        return -1;
    }
    if (!have_descr || !have_order || !have_shape) {
        *why = "header lacks descr, fortran_order or shape";
        return -1;
    }
    return 0;
}

/* Read len bytes or report why not (EINVAL for a short file, EIO for errors). */
static int npy_read_exact(FILE *f, void *buf, size_t len, const char *path, const char *what,
                          tetris_error *err)
{
    if (fread(buf, 1, len, f) == len)
        return TETRIS_OK;
    if (ferror(f))
        return tetris_fail(err, TETRIS_EIO, path, 0, NULL, "read error: %s", strerror(errno));
    return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "truncated %s", what);
}

/* Everything of the reader that needs the open file; t->data is set on success. */
static int npy_read_file(FILE *f, const char *path, tetris_tensor *t, tetris_error *err)
{
    if (fseeko(f, 0, SEEK_END) != 0)
        return tetris_fail(err, TETRIS_EIO, path, 0, NULL, "cannot seek: %s", strerror(errno));
    off_t fsize = ftello(f);
    if (fsize < 0 || fseeko(f, 0, SEEK_SET) != 0)
        return tetris_fail(err, TETRIS_EIO, path, 0, NULL, "cannot seek: %s", strerror(errno));

    uint8_t pre[12];
    if (fsize < NPY_MAGIC_LEN + 2)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "not a .npy file (too short)");
    int st = npy_read_exact(f, pre, NPY_MAGIC_LEN + 2, path, "preamble", err);
    if (st)
        return st;
    if (memcmp(pre, NPY_MAGIC, NPY_MAGIC_LEN) != 0)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "not a .npy file (bad magic)");
    if ((pre[6] != 1 && pre[6] != 2) || pre[7] != 0)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL,
                           "unsupported .npy version %u.%u (1.0 and 2.0)", pre[6], pre[7]);
    /* Version 1.0 has a u16 header length, 2.0 a u32 (both little-endian). */
    size_t lenbytes = pre[6] == 1 ? 2 : 4;
    st = npy_read_exact(f, pre + 8, lenbytes, path, "header", err);
    if (st)
        return st;
    uint32_t hlen = 0;
    for (size_t i = 0; i < lenbytes; i++)
        hlen |= (uint32_t)pre[8 + i] << (8 * i);
    uint64_t data_off = 8 + lenbytes + (uint64_t)hlen;
    if (hlen > NPY_MAX_HEADER)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "header of %" PRIu32 " bytes is too long",
                           hlen);
    if ((uint64_t)fsize < data_off)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "truncated header");

    char *text = malloc((size_t)hlen + 1);
    if (!text)
        return tetris_fail(err, TETRIS_ENOMEM, path, 0, NULL, "out of memory");
    st = npy_read_exact(f, text, hlen, path, "header", err);
    const char *why = NULL;
    if (!st && npy_parse_header(text, hlen, t, &why) < 0)
        st = tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "%s", why);
    free(text);
    if (st)
        return st;

    /* Element count and byte size, checked against the file before allocating. */
    size_t es = dtype_size(t->dtype);
    uint64_t avail = (uint64_t)fsize - data_off, maxcount = avail / es, count = 1;
    int zero = 0, too_big = 0;
    for (int i = 0; i < t->ndim; i++) {
        uint64_t dim = (uint64_t)t->dims[i];
        if (dim == 0)
            zero = 1;
        else if (count > maxcount / dim)
            too_big = 1;
        else
            count *= dim;
    }
    if (zero)
        count = 0;
    else if (too_big)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL,
                           "truncated data: the shape needs more than the %" PRIu64
                           " bytes after the header",
                           avail);
    uint64_t nbytes = count * es;
    if (nbytes < avail)
        return tetris_fail(err, TETRIS_EINVAL, path, 0, NULL, "%" PRIu64 " bytes after the data",
                           avail - nbytes);
    if (nbytes > SIZE_MAX)
        return tetris_fail(err, TETRIS_ENOMEM, path, 0, NULL, "data does not fit in memory");

    uint8_t *raw = malloc(nbytes ? (size_t)nbytes : 1);
    if (!raw)
        return tetris_fail(err, TETRIS_ENOMEM, path, 0, NULL, "out of memory");
    st = npy_read_exact(f, raw, (size_t)nbytes, path, "data", err);
    if (st) {
        free(raw);
        return st;
    }
    /* Little-endian bytes to host words, in place (each word is read before
     * it is overwritten, and host words are the same size). */
    for (size_t i = 0; i < (size_t)count; i++) {
        const uint8_t *b = raw + i * es;
        if (es == 4) {
            uint32_t v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                         (uint32_t)b[3] << 24;
            int32_t w = v > INT32_MAX ? (int32_t)(v - 0x80000000u) - INT32_MAX - 1 : (int32_t)v;
            memcpy(raw + i * 4, &w, 4);
        } else {
            uint16_t v = (uint16_t)(b[0] | b[1] << 8);
            int16_t w = (int16_t)(v > INT16_MAX ? (int32_t)v - 65536 : (int32_t)v);
            memcpy(raw + i * 2, &w, 2);
        }
    }
    t->data = raw;
    return TETRIS_OK;
}

int tetris_npy_read(const char *path, tetris_tensor *t, tetris_error *err)
{
    memset(t, 0, sizeof *t);
    FILE *f = fopen(path, "rb");
    if (!f)
        return tetris_fail(err, TETRIS_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    int st = npy_read_file(f, path, t, err);
    fclose(f);
    if (st)
        memset(t, 0, sizeof *t);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Layer data                                                                */
/* ------------------------------------------------------------------------ */

static int is_conv(const tetris_layer *l)
{
    return l->type == TETRIS_LAYER_CONV || l->type == TETRIS_LAYER_FC;
}

/* a * b * ... with overflow (or a negative factor) reported as 0 = unusable. */
static size_t mul_sizes(const int64_t *f, int n)
{
    size_t p = 1;
    for (int i = 0; i < n; i++) {
        if (f[i] < 0 || (f[i] > 0 && p > SIZE_MAX / 4 / (size_t)f[i]))
            return 0;
        p *= (size_t)f[i];
    }
    return p;
}

int tetris_layer_data_alloc(const tetris_layer *l, int n, tetris_layer_data *d)
{
    memset(d, 0, sizeof *d);
    if (n < 1 || l->c < 1 || l->hi < 1 || l->wi < 1 || l->m < 1 || l->ho < 1 || l->wo < 1)
        return TETRIS_EINVAL;
    int conv = is_conv(l);
    if (conv && (l->groups < 1 || l->c % l->groups || l->r < 1 || l->s < 1))
        return TETRIS_EINVAL;
    int64_t in[4] = {n, l->c, l->hi, l->wi};
    int64_t out[4] = {n, l->m, l->ho, l->wo};
    int64_t w[4] = {l->m, conv ? l->c / l->groups : 0, l->r, l->s};
    size_t nin = mul_sizes(in, 4), nout = mul_sizes(out, 4), nw = mul_sizes(w, 4);
    if (!nin || !nout || (conv && !nw))
        return TETRIS_EINVAL;
    d->n = n;
    d->ifmap = calloc(nin, sizeof *d->ifmap);
    d->ofmap = calloc(nout, sizeof *d->ofmap);
    if (conv)
        d->filter = calloc(nw, sizeof *d->filter);
    if (conv && l->bias)
        d->bias = calloc((size_t)l->m, sizeof *d->bias);
    if (!d->ifmap || !d->ofmap || (conv && !d->filter) || (conv && l->bias && !d->bias)) {
        tetris_layer_data_free(d);
        return TETRIS_ENOMEM;
    }
    return TETRIS_OK;
}

void tetris_layer_data_free(tetris_layer_data *d)
{
    free(d->ifmap);
    free(d->filter);
    free(d->bias);
    free(d->ofmap);
    memset(d, 0, sizeof *d);
}

/* The splitmix64 output function (Steele, Lea, Flood 2014). */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* A splitmix64 sequence; only fixed-width unsigned arithmetic, so every
 * machine produces the same numbers. */
typedef struct rng {
    uint64_t state;
} rng;

/* The generator of one tensor (id 0 ifmap, 1 filter, 2 bias) of (seed, stream). */
static rng rng_for(uint64_t seed, uint64_t stream, uint64_t id)
{
    rng g = {mix64(mix64(mix64(seed) ^ stream) ^ id)};
    return g;
}

/* Uniform integer in [lo, hi] (hi - lo < 2^32): the high 32 bits of the next
 * number scaled by the range width (bias below 2^-32 per value). */
static int64_t rng_uniform(rng *g, int64_t lo, int64_t hi)
{
    g->state += 0x9E3779B97F4A7C15u;
    uint64_t u = mix64(g->state) >> 32;
    uint64_t width = (uint64_t)(hi - lo) + 1;
    return lo + (int64_t)((u * width) >> 32);
}

/* Largest r with r*r <= v (v >= 0), one result bit at a time from bit 31. */
static int64_t isqrt64(int64_t v)
{
    int64_t r = 0;
    for (int b = 31; b >= 0; b--) {
        int64_t t = r | ((int64_t)1 << b);
        if (t <= v / t)
            r = t;
    }
    return r;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

void tetris_layer_data_random(const tetris_layer *l, const tetris_arith *a, uint64_t seed,
                              uint64_t stream, tetris_layer_data *d)
{
    int64_t wmax = ((int64_t)1 << (a->word_bits - 1)) - 1, wmin = -wmax - 1;
    /* Exponents are capped at 40 so the shifts below stay defined for any
     * frac_bits; the word and accumulator clips then take over. */
    int f = a->frac_bits < 0 ? 0 : a->frac_bits > 40 ? 40 : a->frac_bits;
    int64_t one = (int64_t)1 << f; /* 1.0 in word scale */

    /* ifmap: [-1.0, 1.0) in real terms, within the word range. */
    rng g = rng_for(seed, stream, 0);
    int64_t lo = max64(-one, wmin), hi = min64(one - 1, wmax);
    size_t nin = (size_t)d->n * (size_t)l->c * (size_t)l->hi * (size_t)l->wi;
    for (size_t i = 0; i < nin; i++)
        d->ifmap[i] = (int16_t)rng_uniform(&g, lo, hi);

    if (d->filter) {
        /* weights: +-2/sqrt(fan_in) in real terms (at least one LSB), so
         * output magnitudes stay near 1.0 whatever the layer size. */
        int64_t fan_in = (int64_t)(l->c / l->groups) * l->r * l->s;
        int64_t b = max64(1, 2 * one / max64(1, isqrt64(fan_in)));
        b = min64(b, wmax);
        g = rng_for(seed, stream, 1);
        size_t nw = (size_t)l->m * (size_t)(l->c / l->groups) * (size_t)l->r * (size_t)l->s;
        for (size_t i = 0; i < nw; i++)
            d->filter[i] = (int16_t)rng_uniform(&g, -b, b);
    }
    if (d->bias) {
        /* bias at accumulator scale (2*frac fraction bits): +-1.0 in real
         * terms, within a quarter of the accumulator range. */
        int e = (int)min64(2 * f, a->acc_bits - 2);
        int64_t b = (int64_t)1 << e;
        g = rng_for(seed, stream, 2);
        for (int i = 0; i < l->m; i++)
            d->bias[i] = (int32_t)rng_uniform(&g, -b, b);
    }
}
