/*
 * Golden model: the layer computations of docs/arith.md written for speed
 * on a host CPU, independent of the engine model (it shares only the
 * arithmetic primitives of tetris.h).
 *
 * Convolution. Sums are kept in uint32_t and wrapped to acc_bits once, at
 * the end: addition modulo 2^32 is associative and commutative and 2^acc_bits
 * divides 2^32, so any order of the same products gives the bits of the
 * engine's per-step tetris_acc_add. The ifmap of one image and group is
 * copied once into a zeroed scratch buffer (the padding) split into
 * stride x stride phase planes: plane (py, px) holds the padded pixels
 * (i*stride + py, j*stride + px). Filter tap (r, s) then reads, for output
 * (oy, ox), plane (r % stride, s % stride) at (oy + r/stride, ox + s/stride):
 * a fixed offset from the output position. So each output channel is one
 * flat vector indexed oy*wq + ox (wq the plane width), and one tap is one
 * contiguous multiply-add of a plane slice into it, with no bounds checks.
 * Columns ox >= wo of the flat vector are computed and thrown away (they
 * read the next row's pixels). Channels are interleaved in pairs so that
 * one SSE2 PMADDWD does two channels' products for four pixels; four output
 * channels share each input load; the flat vector is cut into row chunks
 * whose sums stay in the L1 cache.
 *
 * A convolution with a single output whose filter covers the whole unpadded
 * ifmap (a fully connected layer) is a dot product of contiguous vectors.
 */
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "tetris.h"

/* Output channels updated together (shares each input load 4 ways). */
#define MB 4
/* Accumulator words per output channel in one chunk: 4 x 2 KiB in L1. */
#define CHUNK 512

/* Checks every field the computation depends on; shapes that overflow the
 * scratch sizes computed below are refused. */
static int layer_valid(const tetris_layer *l, const tetris_arith *a, int shift,
                       const tetris_layer_data *d)
{
    if (!l || !a || !d || !d->ifmap || !d->ofmap || d->n < 1)
        return 0;
    if (a->word_bits < 2 || a->word_bits > 16 || a->acc_bits < a->word_bits || a->acc_bits > 32)
        return 0;
    if (shift < 0 || shift > 62)
        return 0;
    if (l->c < 1 || l->hi < 1 || l->wi < 1 || l->m < 1 || l->ho < 1 || l->wo < 1 || l->r < 1 ||
        l->s < 1 || l->stride < 1 || l->pad < 0)
        return 0;
    /* padded extents read by the outputs, the padding and the window area
     * at most 2^24 (keeps the int and size_t arithmetic below exact) */
    const int64_t lim = (int64_t)1 << 24;
    if ((int64_t)(l->ho - 1) * l->stride + l->r > lim || (int64_t)(l->wo - 1) * l->stride + l->s > lim ||
        l->pad > lim || (int64_t)l->r * l->s > lim)
        return 0;
    switch (l->type) {
    case TETRIS_LAYER_CONV:
    case TETRIS_LAYER_FC:
        return l->groups >= 1 && l->c % l->groups == 0 && l->m % l->groups == 0 && d->filter &&
               (!l->bias || d->bias);
    case TETRIS_LAYER_MAXPOOL:
    case TETRIS_LAYER_AVGPOOL:
    case TETRIS_LAYER_RELU:
        return l->m == l->c;
    }
    return 0;
}

/* Geometry of the phase-split, zero-padded copy of one ifmap channel. */
typedef struct phases {
    int st;       /* stride = phases per axis */
    int hq, wq;   /* rows and columns of one phase plane */
    size_t plane; /* hq * wq, int16 words */
    size_t chan;  /* st * st * plane, int16 words per channel */
} phases;

/* Planes covering the padded rows [0, (ho-1)*st + r) and columns
 * [0, (wo-1)*st + s): exactly what the outputs read. */
static phases phases_of(const tetris_layer *l, int st)
{
    phases p;
    int hn = (l->ho - 1) * l->stride + l->r, wn = (l->wo - 1) * l->stride + l->s;
    p.st = st;
    p.hq = (hn + st - 1) / st;
    p.wq = (wn + st - 1) / st;
    p.plane = (size_t)p.hq * (size_t)p.wq;
    p.chan = (size_t)st * (size_t)st * p.plane;
    return p;
}

/* Scatter one hi x wi channel into its phase planes at dst, element k of
 * the planes at dst[k * es] (es = 2 interleaves two channels). Words that
 * receive no pixel (padding, rows or columns past the ifmap) are left as
 * they are: the caller zeroes the buffer first. */
static void fill_phases(const phases *p, const int16_t *src, int hi, int wi, int pad, size_t es,
                        int16_t *dst)
{
    int st = p->st;
    for (int y = 0; y < hi; y++) {
        int py = y + pad; /* padded row */
        if (py >= p->hq * st)
            break;
        for (int px0 = 0; px0 < st; px0++) {
            /* the columns x with (x + pad) % st == px0 land in plane px0 */
            int x0 = ((px0 - pad) % st + st) % st;
            int16_t *row = dst + (((size_t)(py % st) * st + (size_t)px0) * p->plane +
                                  (size_t)(py / st) * p->wq) * es;
            for (int x = x0; x < wi; x += st) {
                size_t j = (size_t)(x + pad) / st;
                if (j >= (size_t)p->wq)
                    break;
                row[j * es] = src[(size_t)y * wi + x];
            }
        }
    }
}

/*
 * a_k[i] += w[2k] * x[2i] + w[2k+1] * x[2i+1] modulo 2^32 for k = 0..3: one
 * tap of a channel pair (interleaved in x and w) into four output channels.
 * With SSE2, PMADDWD forms both products and their sum in one step; its sum
 * wraps at 32 bits, which modulo 2^32 is the exact result. Products of two
 * int16 are at most 2^30, so the scalar products never overflow.
 */
static void mac4x2(uint32_t *restrict a0, uint32_t *restrict a1, uint32_t *restrict a2,
                   uint32_t *restrict a3, const int16_t *restrict x, const int16_t *restrict w,
                   size_t len)
{
    size_t i = 0;
#ifdef __SSE2__
    const __m128i v0 = _mm_set_epi16(w[1], w[0], w[1], w[0], w[1], w[0], w[1], w[0]);
    const __m128i v1 = _mm_set_epi16(w[3], w[2], w[3], w[2], w[3], w[2], w[3], w[2]);
    const __m128i v2 = _mm_set_epi16(w[5], w[4], w[5], w[4], w[5], w[4], w[5], w[4]);
    const __m128i v3 = _mm_set_epi16(w[7], w[6], w[7], w[6], w[7], w[6], w[7], w[6]);
    for (; i + 4 <= len; i += 4) {
        __m128i xv = _mm_loadu_si128((const __m128i *)(x + 2 * i));
        __m128i *p0 = (__m128i *)(a0 + i), *p1 = (__m128i *)(a1 + i);
        __m128i *p2 = (__m128i *)(a2 + i), *p3 = (__m128i *)(a3 + i);
        _mm_storeu_si128(p0, _mm_add_epi32(_mm_loadu_si128(p0), _mm_madd_epi16(xv, v0)));
        _mm_storeu_si128(p1, _mm_add_epi32(_mm_loadu_si128(p1), _mm_madd_epi16(xv, v1)));
        _mm_storeu_si128(p2, _mm_add_epi32(_mm_loadu_si128(p2), _mm_madd_epi16(xv, v2)));
        _mm_storeu_si128(p3, _mm_add_epi32(_mm_loadu_si128(p3), _mm_madd_epi16(xv, v3)));
    }
#endif
    for (; i < len; i++) {
        int32_t xa = x[2 * i], xb = x[2 * i + 1];
        a0[i] += (uint32_t)(w[0] * xa) + (uint32_t)(w[1] * xb);
        a1[i] += (uint32_t)(w[2] * xa) + (uint32_t)(w[3] * xb);
        a2[i] += (uint32_t)(w[4] * xa) + (uint32_t)(w[5] * xb);
        a3[i] += (uint32_t)(w[6] * xa) + (uint32_t)(w[7] * xb);
    }
}

/* Bias, wrap to acc_bits, output stage: one output word. */
static int16_t finish(const tetris_arith *a, uint32_t sum, uint32_t bias, int shift, int relu)
{
    return tetris_out_stage(a, tetris_wrap(a, sum + bias), shift, relu);
}

/* Dot products for a single-output convolution covering the whole ifmap. */
static void conv_dot(const tetris_layer *l, const tetris_arith *a, int shift, tetris_layer_data *d)
{
    int cg = l->c / l->groups, mg = l->m / l->groups;
    size_t k = (size_t)cg * (size_t)l->hi * (size_t)l->wi;
    for (int n = 0; n < d->n; n++) {
        for (int m = 0; m < l->m; m++) {
            const int16_t *x = d->ifmap + ((size_t)n * l->c + (size_t)(m / mg) * cg) * l->hi * l->wi;
            const int16_t *w = d->filter + (size_t)m * k;
            uint32_t sum = 0;
            for (size_t i = 0; i < k; i++)
                sum += (uint32_t)((int32_t)x[i] * w[i]);
            uint32_t b = l->bias ? (uint32_t)d->bias[m] : 0;
            d->ofmap[(size_t)n * l->m + m] = finish(a, sum, b, shift, l->relu);
        }
    }
}

/* General convolution (stride, padding, groups) by the phase-plane scheme. */
static int conv_planes(const tetris_layer *l, const tetris_arith *a, int shift, tetris_layer_data *d)
{
    const int st = l->stride, cg = l->c / l->groups, mg = l->m / l->groups;
    const int pairs = (cg + 1) / 2, taps = l->r * l->s, mblocks = (mg + MB - 1) / MB;
    const phases p = phases_of(l, st);
    const size_t flat = (size_t)(l->ho - 1) * p.wq + (size_t)l->wo;
    const int rows_per_chunk = p.wq >= CHUNK ? 1 : CHUNK / p.wq;
    /* ifmap of one image and group: [pair][phase plane words][2] */
    const size_t xwords = (size_t)pairs * p.chan * 2;
    /* weights of one group: [mblock][pair][tap][MB][2]; zero for the missing
     * channel of an odd last pair and for output channels past mg in the last
     * block (whose sums are never stored) */
    const size_t wwords = (size_t)mblocks * pairs * taps * MB * 2;
    /* sums of one chunk, MB rows of acc_len words; a row longer than CHUNK
     * makes a chunk of its own */
    const size_t acc_len = (size_t)rows_per_chunk * p.wq;

    int16_t *x = malloc(xwords * sizeof *x);
    int16_t *wp = malloc(wwords * sizeof *wp);
    size_t *off = malloc((size_t)taps * sizeof *off);
    uint32_t *acc = malloc(MB * acc_len * sizeof *acc);
    int status = x && wp && off && acc ? TETRIS_OK : TETRIS_ENOMEM;
    for (int r = 0; status == TETRIS_OK && r < l->r; r++)
        for (int s = 0; s < l->s; s++)
            off[r * l->s + s] = ((size_t)(r % st) * st + (size_t)(s % st)) * p.plane +
                                (size_t)(r / st) * p.wq + (size_t)(s / st);

    for (int g = 0; status == TETRIS_OK && g < l->groups; g++) {
        memset(wp, 0, wwords * sizeof *wp);
        for (int mm = 0; mm < mg; mm++)
            for (int c = 0; c < cg; c++)
                for (int t = 0; t < taps; t++)
                    wp[((((size_t)(mm / MB) * pairs + c / 2) * taps + t) * MB + mm % MB) * 2 + c % 2] =
                        d->filter[(((size_t)g * mg + mm) * cg + c) * taps + t];
        for (int n = 0; n < d->n; n++) {
            const int16_t *src = d->ifmap + ((size_t)n * l->c + (size_t)g * cg) * l->hi * l->wi;
            memset(x, 0, xwords * sizeof *x);
            for (int c = 0; c < cg; c++)
                fill_phases(&p, src + (size_t)c * l->hi * l->wi, l->hi, l->wi, l->pad, 2,
                            x + (size_t)(c / 2) * p.chan * 2 + c % 2);
            for (int mb = 0; mb < mblocks; mb++) {
                for (int oy0 = 0; oy0 < l->ho; oy0 += rows_per_chunk) {
                    int oy1 = oy0 + rows_per_chunk < l->ho ? oy0 + rows_per_chunk : l->ho;
                    size_t i0 = (size_t)oy0 * p.wq;
                    size_t len = (oy1 == l->ho ? flat : (size_t)oy1 * p.wq) - i0;
                    memset(acc, 0, MB * acc_len * sizeof *acc);
                    for (int cp = 0; cp < pairs; cp++) {
                        const int16_t *xc = x + ((size_t)cp * p.chan + i0) * 2;
                        const int16_t *wc = wp + ((size_t)mb * pairs + cp) * taps * MB * 2;
                        for (int t = 0; t < taps; t++)
                            mac4x2(acc, acc + acc_len, acc + 2 * acc_len, acc + 3 * acc_len,
                                   xc + off[t] * 2, wc + (size_t)t * MB * 2, len);
                    }
                    for (int k = 0; k < MB && mb * MB + k < mg; k++) {
                        int m = g * mg + mb * MB + k;
                        uint32_t b = l->bias ? (uint32_t)d->bias[m] : 0;
                        int16_t *out = d->ofmap + ((size_t)n * l->m + m) * l->ho * l->wo;
                        for (int oy = oy0; oy < oy1; oy++) {
                            const uint32_t *sum = acc + (size_t)k * acc_len + (size_t)(oy - oy0) * p.wq;
                            for (int ox = 0; ox < l->wo; ox++)
                                out[(size_t)oy * l->wo + ox] = finish(a, sum[ox], b, shift, l->relu);
                        }
                    }
                }
            }
        }
    }
    free(x);
    free(wp);
    free(off);
    free(acc);
    return status;
}

/* Max pool, stand-alone ReLU (a max window with ReLU forced on) and average
 * pool over the zero-padded ifmap. */
/* Pooling and ReLU take no output shift (docs/arith.md). */
static int pool(const tetris_layer *l, const tetris_arith *a, tetris_layer_data *d)
{
    const int st = l->stride, area = l->r * l->s;
    const int relu = l->relu || l->type == TETRIS_LAYER_RELU;
    phases p = phases_of(l, 1); /* one phase: the plain padded plane */
    int16_t *x = malloc(p.chan * sizeof *x);
    if (!x)
        return TETRIS_ENOMEM;
    for (int n = 0; n < d->n; n++) {
        for (int c = 0; c < l->c; c++) {
            memset(x, 0, p.chan * sizeof *x);
            fill_phases(&p, d->ifmap + ((size_t)n * l->c + c) * l->hi * l->wi, l->hi, l->wi, l->pad,
                        1, x);
            int16_t *out = d->ofmap + ((size_t)n * l->c + c) * l->ho * l->wo;
            for (int oy = 0; oy < l->ho; oy++) {
                for (int ox = 0; ox < l->wo; ox++) {
                    const int16_t *w = x + (size_t)oy * st * p.wq + (size_t)ox * st;
                    int16_t y;
                    if (l->type == TETRIS_LAYER_AVGPOOL) {
                        uint32_t sum = 0;
                        for (int r = 0; r < l->r; r++)
                            for (int s = 0; s < l->s; s++)
                                sum += (uint32_t)(int32_t)w[(size_t)r * p.wq + s];
                        y = tetris_avg_out(a, tetris_wrap(a, sum), area, relu);
                    } else {
                        int16_t mx = tetris_word_min(a);
                        for (int r = 0; r < l->r; r++)
                            for (int s = 0; s < l->s; s++)
                                if (w[(size_t)r * p.wq + s] > mx)
                                    mx = w[(size_t)r * p.wq + s];
                        y = tetris_out_stage(a, mx, 0, relu);
                    }
                    out[(size_t)oy * l->wo + ox] = y;
                }
            }
        }
    }
    free(x);
    return TETRIS_OK;
}

int tetris_golden_layer(const tetris_layer *l, const tetris_arith *a, int shift, tetris_layer_data *d)
{
    if (!layer_valid(l, a, shift, d))
        return TETRIS_EINVAL;
    switch (l->type) {
    case TETRIS_LAYER_CONV:
    case TETRIS_LAYER_FC:
        if (l->ho == 1 && l->wo == 1 && l->pad == 0 && l->r == l->hi && l->s == l->wi) {
            conv_dot(l, a, shift, d);
            return TETRIS_OK;
        }
        return conv_planes(l, a, shift, d);
    case TETRIS_LAYER_MAXPOOL:
    case TETRIS_LAYER_AVGPOOL:
    case TETRIS_LAYER_RELU:
        return pool(l, a, d);
    }
    return TETRIS_EINVAL;
}
