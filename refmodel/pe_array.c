/*
 * PE array model (tetris_pe_array): one row-stationary processing pass.
 *
 * Array row i holds filter row r = fh*rows + i%rows of height replica
 * a = i/rows (ifmap channels c0 + a*bc ...); array column j computes ofmap
 * row e = fw*cols + j%cols of width replica b = j/cols (ofmap channels
 * m0 + b*bm ...). PE (i, j) convolves its filter rows with ifmap row
 * y = e*stride + r - pad for every (c, m, n) of its RF block; psums flow down
 * the column and leave at the bottom. For pooling the channel is m and there
 * are no height replicas.
 *
 * Data reach the PEs through the multicast buses: one bus word per distinct
 * (tensor element) and one register-file write per PE that takes it. The
 * model stages the distinct words once (that is the bus), then computes.
 */
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "engine_internal.h"
#include "internal.h"


static int grow(void **p, size_t *cap, size_t need)
{
    if (need <= *cap)
        return TETRIS_OK;
    void *q = realloc(*p, need);
    if (!q)
        return TETRIS_ENOMEM;
    *p = q;
    *cap = need;
    return TETRIS_OK;
}

static int setup(tetris_engine *e, const isa_insn *d, pass_geom *g, tetris_error *err)
{
    const uint32_t *r = e->reg;
    memset(g, 0, sizeof *g);
    g->opk = (int)r[REG_OPK];
    g->rows = (int)r[REG_ROWS];
    g->cols = (int)r[REG_COLS];
    g->bc = (int)r[REG_BC];
    g->bm = (int)r[REG_BM];
    g->nn = d->nn;
    g->s = (int)r[REG_S];
    g->u = (int)r[REG_STRIDE];
    g->pad = (int)r[REG_PAD];
    g->wo = (int)r[REG_WO];
    int pool = g->opk != OPK_MAC;
    g->rr = tetris_imin(g->rows, (int)r[REG_R] - d->fh * g->rows);
    g->ee = tetris_imin(g->cols, (int)r[REG_HO] - d->fw * g->cols);
    g->na = pool ? 1 : tetris_ceil_div(d->nc, g->bc);
    g->nb = tetris_ceil_div(d->nm, g->bm);
    if (g->rr <= 0 || g->ee <= 0 || g->na > (int)r[REG_REPH] || g->nb > (int)r[REG_REPW] ||
        d->nn > (int)r[REG_BN] || d->nn < 1 || d->nm < 1 || (!pool && d->nc < 1) ||
        g->rows * (int)r[REG_REPH] > e->cfg.array_h || g->cols * (int)r[REG_REPW] > e->cfg.array_w ||
        g->s > e->cfg.max_kernel)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "pass",
                           "fold (%d,%d) c[%d+%d] m[%d+%d] n[%d+%d] does not fit the array mapping",
                           d->fh, d->fw, d->c0, d->nc, d->m0, d->nm, d->n0, d->nn);
    g->span = (g->wo - 1) * g->u + g->s;
    g->needed = g->u <= g->s ? g->span : g->wo * g->s;
    int e0 = d->fw * g->cols, r0 = d->fh * g->rows;
    g->ylo = e0 * g->u + r0 - g->pad;
    g->ny = (e0 + g->ee - 1) * g->u + r0 + g->rr - 1 - g->pad - g->ylo + 1;
    g->ch0 = pool ? d->m0 : d->c0;
    g->nch = pool ? d->nm : d->nc;
    g->k = pool ? 0 : d->nc * g->rr * g->s;
    g->kp = (g->k + 7) & ~7;
    return TETRIS_OK;
}

/* Is ifmap row y (absolute) read by some active PE of the pass? */
static int row_used(const pass_geom *g, const isa_insn *d, int y)
{
    int e0 = d->fw * g->cols, r0 = d->fh * g->rows;
    for (int i = 0; i < g->rr; i++) {
        int t = y + g->pad - r0 - i; /* = e * u */
        if (t >= e0 * g->u && t % g->u == 0 && t / g->u < e0 + g->ee)
            return 1;
    }
    return 0;
}

/* Stage the pass's ifmap rows (the ifmap bus): zeros at padding, which the
 * stream unit inserts without a memory read. */
static int stage_ifmap(tetris_engine *e, const isa_insn *d, const pass_geom *g, tetris_error *err)
{
    const uint32_t *r = e->reg;
    size_t words = (size_t)g->nch * (size_t)g->nn * (size_t)g->ny * (size_t)g->span;
    if (grow((void **)&e->stage_ifmap, &e->stage_ifmap_cap, words * sizeof(int16_t)))
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, "pass", "out of memory");
    int hi = (int)r[REG_HI], wi = (int)r[REG_WI];
    int x0 = -g->pad;
    /* the in-range columns of a staged row */
    int xa = x0 < 0 ? 0 : x0, xb = tetris_imin(wi, x0 + g->span);
    uint64_t bus = 0, reads = 0;
    for (int ch = 0; ch < g->nch; ch++)
        for (int n = 0; n < g->nn; n++)
            for (int yi = 0; yi < g->ny; yi++) {
                int16_t *row = e->stage_ifmap + (((size_t)ch * (size_t)g->nn + (size_t)n) *
                                                     (size_t)g->ny + (size_t)yi) * (size_t)g->span;
                int y = g->ylo + yi;
                memset(row, 0, (size_t)g->span * sizeof *row);
                if (!row_used(g, d, y))
                    continue;
                bus += (uint64_t)g->needed;
                if (y < 0 || y >= hi || xb <= xa)
                    continue;
                int c = g->ch0 + ch, nn = d->n0 + n;
                /* the in-range part of the row is contiguous in the GBUF and the vault */
                const uint8_t *src;
                if (d->src_ifmap_gbuf) {
                    int64_t off = gbuf_ifmap_off(e, nn, c, y, xa);
                    if (off < 0)
                        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "pass",
                                           "ifmap n%d c%d not resident in the GBUF", nn, c);
                    src = e->gbuf + off;
                } else {
                    uint64_t a = vault_ifmap_addr(e, nn, c, y, xa);
                    int rc = vault_check(e, a, 2 * (uint64_t)(xb - xa), err);
                    if (rc)
                        return rc;
                    src = e->vault + a;
                }
                for (int x = xa; x < xb; x++) {
                    int q = x - x0;
                    if (g->u > g->s && q % g->u >= g->s)
                        continue; /* a column no window reads is never fetched */
                    row[q] = ld16(src + 2 * (x - xa));
                    reads++;
                }
            }
    e->cnt.v[TETRIS_CNT_BUS_IFMAP] += bus;
    e->cnt.v[d->src_ifmap_gbuf ? TETRIS_CNT_GBUF_RD_IFMAP : TETRIS_CNT_VAULT_RD_IFMAP] += reads;
    return TETRIS_OK;
}

/* Stage the pass's filter rows (the filter bus) in the order in which a
 * column reduces them: [m][k], k running over (height replica a, filter row
 * i, channel of the replica, filter column s). */
static int stage_filter(tetris_engine *e, const isa_insn *d, const pass_geom *g, tetris_error *err)
{
    size_t words = (size_t)d->nm * (size_t)g->k;
    size_t stored = (size_t)d->nm * (size_t)g->kp;
    if (grow((void **)&e->stage_filter, &e->stage_filter_cap, stored * sizeof(int16_t)))
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, "pass", "out of memory");
    /* zeros pad each row to kp, so the dot products need no scalar tail */
    memset(e->stage_filter, 0, stored * sizeof(int16_t));
    int r0 = d->fh * g->rows;
    for (int m = 0; m < d->nm; m++) {
        int16_t *w = e->stage_filter + (size_t)m * (size_t)g->kp;
        for (int a = 0; a < g->na; a++) {
            int c_lo = a * g->bc, c_n = tetris_imin(g->bc, d->nc - c_lo);
            for (int i = 0; i < g->rr; i++)
                for (int c = 0; c < c_n; c++) {
                    /* one filter row: s contiguous words in the GBUF and the vault */
                    int mm = d->m0 + m, cc = d->c0 + c_lo + c, rr = r0 + i;
                    const uint8_t *src;
                    if (d->src_filter_gbuf) {
                        int64_t off = gbuf_filter_off(e, mm, cc, rr, 0);
                        if (off < 0)
                            return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "pass",
                                               "filter m%d c%d not resident in the GBUF", mm, cc);
                        src = e->gbuf + off;
                    } else {
                        uint64_t addr = vault_filter_addr(e, mm, cc, rr, 0);
                        int rc = vault_check(e, addr, 2 * (uint64_t)g->s, err);
                        if (rc)
                            return rc;
                        src = e->vault + addr;
                    }
                    for (int s = 0; s < g->s; s++)
                        *w++ = ld16(src + 2 * s);
                }
        }
    }
    e->cnt.v[TETRIS_CNT_BUS_FILTER] += words;
    e->cnt.v[d->src_filter_gbuf ? TETRIS_CNT_GBUF_RD_FILTER : TETRIS_CNT_VAULT_RD_FILTER] += words;
    return TETRIS_OK;
}

/* The column's ifmap windows in the same k order: [n][x][kp]. Every active PE
 * of the column contributes its s-word window per (channel, output column). */
static int pack_column(tetris_engine *e, const isa_insn *d, const pass_geom *g, int ey, tetris_error *err)
{
    size_t words = (size_t)g->nn * (size_t)g->wo * (size_t)g->kp;
    if (grow((void **)&e->pack, &e->pack_cap, words * sizeof(int16_t)))
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, "pass", "out of memory");
    if (g->kp > g->k) /* the zero tail of every row */
        for (size_t r = 0; r < (size_t)g->nn * (size_t)g->wo; r++)
            memset(e->pack + r * (size_t)g->kp + (size_t)g->k, 0,
                   (size_t)(g->kp - g->k) * sizeof(int16_t));
    for (int n = 0; n < g->nn; n++) {
        int k = 0;
        for (int a = 0; a < g->na; a++) {
            int c_lo = a * g->bc, c_n = tetris_imin(g->bc, d->nc - c_lo);
            for (int i = 0; i < g->rr; i++) {
                int yi = ey * g->u + d->fh * g->rows + i - g->pad - g->ylo;
                for (int c = 0; c < c_n; c++, k += g->s) {
                    const int16_t *row = e->stage_ifmap +
                        (((size_t)(c_lo + c) * (size_t)g->nn + (size_t)n) * (size_t)g->ny +
                         (size_t)yi) * (size_t)g->span;
                    int16_t *dst = e->pack + (size_t)n * (size_t)g->wo * (size_t)g->kp + (size_t)k;
                    /* windows are a few words: a loop beats a memcpy call */
                    for (int x = 0; x < g->wo; x++) {
                        int16_t *o = dst + (size_t)x * (size_t)g->kp;
                        const int16_t *in = row + x * g->u;
                        for (int t = 0; t < g->s; t++)
                            o[t] = in[t];
                    }
                }
            }
        }
    }
    return TETRIS_OK;
}

/*
 * out[x] += sum over i < kp of w[i] * x_rows[x][i] for nx (<= 4) consecutive
 * rows of the packed ifmap (row stride kp, a multiple of 8). The sums are
 * modulo 2^32; wrapping to acc_bits happens where psums leave the array,
 * which gives the same bits (docs/arith.md). With SSE2, pmaddwd adds pairs of
 * 16 x 16-bit products exactly modulo 2^32, and each weight load serves four
 * output columns.
 */
static void dot_rows(const int16_t *w, const int16_t *xr, size_t kp, int nx, uint32_t *out)
{
#if defined(__SSE2__)
    if (nx == 4) {
        __m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
        for (size_t i = 0; i < kp; i += 8) {
            __m128i wv = _mm_loadu_si128((const __m128i *)(w + i));
            a0 = _mm_add_epi32(a0, _mm_madd_epi16(wv, _mm_loadu_si128((const __m128i *)(xr + i))));
            a1 = _mm_add_epi32(a1, _mm_madd_epi16(wv, _mm_loadu_si128((const __m128i *)(xr + kp + i))));
            a2 = _mm_add_epi32(a2, _mm_madd_epi16(wv, _mm_loadu_si128((const __m128i *)(xr + 2 * kp + i))));
            a3 = _mm_add_epi32(a3, _mm_madd_epi16(wv, _mm_loadu_si128((const __m128i *)(xr + 3 * kp + i))));
        }
        /* transpose-and-add: lane j of the result is the sum of aj */
        __m128i t0 = _mm_add_epi32(_mm_unpacklo_epi32(a0, a1), _mm_unpackhi_epi32(a0, a1));
        __m128i t1 = _mm_add_epi32(_mm_unpacklo_epi32(a2, a3), _mm_unpackhi_epi32(a2, a3));
        __m128i sum = _mm_add_epi32(_mm_unpacklo_epi64(t0, t1), _mm_unpackhi_epi64(t0, t1));
        __m128i o = _mm_loadu_si128((const __m128i *)out);
        _mm_storeu_si128((__m128i *)out, _mm_add_epi32(o, sum));
        return;
    }
#endif
    for (int x = 0; x < nx; x++) {
        const int16_t *xv = xr + (size_t)x * kp;
        uint32_t sum = 0;
        for (size_t i = 0; i < kp; i++)
            sum += (uint32_t)((int32_t)w[i] * (int32_t)xv[i]);
        out[x] += sum;
    }
}

static void row_pool(uint32_t *restrict acc, const int16_t *restrict row, int s, int u, int wo, int max)
{
    for (int x = 0; x < wo; x++) {
        const int16_t *p = row + x * u;
        if (max) {
            int32_t v = (int32_t)acc[x];
            for (int k = 0; k < s; k++)
                v = p[k] > v ? p[k] : v;
            acc[x] = (uint32_t)v;
        } else {
            uint32_t v = acc[x];
            for (int k = 0; k < s; k++)
                v += (uint32_t)(int32_t)p[k];
            acc[x] = v;
        }
    }
}

int16_t engine_out_stage(const tetris_engine *e, uint32_t acc)
{
    const uint32_t *r = e->reg;
    int relu = (int)r[REG_RELU];
    switch (r[REG_OPK]) {
    case OPK_MAX:
        return tetris_out_stage(&e->arith, (int32_t)acc, 0, relu);
    case OPK_AVG:
        return tetris_avg_out(&e->arith, tetris_wrap(&e->arith, acc), (int)(r[REG_R] * r[REG_S]), relu);
    default:
        return tetris_out_stage(&e->arith, tetris_wrap(&e->arith, acc), (int)r[REG_SHIFT], relu);
    }
}

/* Where a psum row (n, m, ofmap row y, all wo columns) lives: GBUF or vault
 * bytes from *p, *step bytes apart (psums are channel-last, int16 ofmaps
 * row-major), bounds-checked once for the whole row. */
static int psum_row(tetris_engine *e, int in_gbuf, int final, int n, int m, int y, uint8_t **p,
                    size_t *step, tetris_error *err)
{
    int wo = (int)e->reg[REG_WO];
    *p = NULL; /* set on every path: callers read them only when rc is 0 */
    *step = 0;
    if (in_gbuf) {
        int64_t off = gbuf_psum_off(e, n, m, y, 0);
        if (off < 0)
            return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "pass",
                               "psum m%d n%d not resident in the GBUF", m, n);
        *p = e->gbuf + off;
        *step = (size_t)(gbuf_psum_off(e, n, m, y, 1) - off);
        return TETRIS_OK;
    }
    uint64_t a = final ? vault_ofmap_addr(e, n, m, y, 0) : vault_psum_addr(e, n, m, y, 0);
    uint64_t last = final ? vault_ofmap_addr(e, n, m, y, wo - 1) : vault_psum_addr(e, n, m, y, wo - 1);
    *p = e->vault + a;
    *step = final ? 2 : (size_t)(vault_psum_addr(e, n, m, y, 1) - a);
    if (final) /* callers with final set write the row */
        note_ofmap_write(e, ofmap_index(e, n, m, y, 0), (uint64_t)wo);
    int rc = vault_check(e, a, final ? 2u : 4u, err);
    return rc ? rc : vault_check(e, last, final ? 2u : 4u, err);
}

/* Column-top psums of one row from the pass's psum source. */
static int psum_in(tetris_engine *e, const isa_insn *d, int m, int n, int y, uint32_t *acc,
                   tetris_error *err)
{
    int wo = (int)e->reg[REG_WO];
    if (d->psum_in == PIN_GBUF || d->psum_in == PIN_VAULT) {
        uint8_t *p;
        size_t step;
        int rc = psum_row(e, d->psum_in == PIN_GBUF, 0, n, m, y, &p, &step, err);
        if (rc)
            return rc;
        for (int x = 0; x < wo; x++)
            acc[x] = (uint32_t)ld32(p + step * (size_t)x);
        return TETRIS_OK;
    }
    uint32_t v = d->psum_in == PIN_BIAS        ? (uint32_t)ld32(e->vault + vault_bias_addr(e, m))
                 : e->reg[REG_OPK] == OPK_MAX ? (uint32_t)(int32_t)tetris_word_min(&e->arith)
                                              : 0;
    for (int x = 0; x < wo; x++)
        acc[x] = v;
    return TETRIS_OK;
}

/* Column-bottom psums of one row to the pass's destination, wrapped to the
 * accumulator width (max values are words, which the wrap leaves alone). */
static int psum_out(tetris_engine *e, const isa_insn *d, int m, int n, int y, const uint32_t *acc,
                    tetris_error *err)
{
    int wo = (int)e->reg[REG_WO];
    int final = d->psum_out == POUT_FINAL;
    uint8_t *p;
    size_t step;
    int rc = psum_row(e, d->psum_out == POUT_GBUF, final, n, m, y, &p, &step, err);
    if (rc)
        return rc;
    /* locals: the byte stores below may alias the engine state */
    const tetris_arith ar = e->arith;
    if (final) {
        for (int x = 0; x < wo; x++)
            st16(p + step * (size_t)x, engine_out_stage(e, acc[x]));
    } else if (d->psum_out == POUT_VAULT_ACC) {
        for (int x = 0; x < wo; x++) {
            uint8_t *q = p + step * (size_t)x;
            st32(q, tetris_acc_add(&ar, ld32(q), tetris_wrap(&ar, acc[x])));
        }
    } else {
        for (int x = 0; x < wo; x++)
            st32(p + step * (size_t)x, tetris_wrap(&ar, acc[x]));
    }
    return TETRIS_OK;
}

/* One column: psum in, every active PE of the column, psum out. */
static int run_column(tetris_engine *e, const isa_insn *d, const pass_geom *g, int b, int jj,
                      uint32_t *acc, tetris_error *err)
{
    int pool = g->opk != OPK_MAC;
    int ey = d->fw * g->cols + jj; /* ofmap row of this column */
    int m_lo = b * g->bm, m_n = tetris_imin(g->bm, d->nm - m_lo);
    size_t plane = (size_t)g->wo;
    int rc;
    for (int m = 0; m < m_n; m++)
        for (int n = 0; n < g->nn; n++)
            if ((rc = psum_in(e, d, d->m0 + m_lo + m, d->n0 + n, ey,
                              acc + ((size_t)m * (size_t)g->nn + (size_t)n) * plane, err)))
                return rc;
    if (pool) {
        for (int i = 0; i < g->rr; i++) {
            int yi = ey * g->u + d->fh * g->rows + i - g->pad - g->ylo;
            for (int m = 0; m < m_n; m++)
                for (int n = 0; n < g->nn; n++) {
                    const int16_t *row = e->stage_ifmap +
                        ((((size_t)(m_lo + m)) * (size_t)g->nn + (size_t)n) * (size_t)g->ny +
                         (size_t)yi) * (size_t)g->span;
                    row_pool(acc + ((size_t)m * (size_t)g->nn + (size_t)n) * plane, row, g->s, g->u,
                             g->wo, g->opk == OPK_MAX);
                }
        }
    } else {
        if ((rc = pack_column(e, d, g, ey, err)))
            return rc;
        size_t kp = (size_t)g->kp;
        for (int m = 0; m < m_n; m++) {
            const int16_t *w = e->stage_filter + (size_t)(m_lo + m) * kp;
            for (int n = 0; n < g->nn; n++) {
                uint32_t *out = acc + ((size_t)m * (size_t)g->nn + (size_t)n) * plane;
                const int16_t *x = e->pack + (size_t)n * (size_t)g->wo * kp;
                for (int ox = 0; ox < g->wo; ox += 4)
                    dot_rows(w, x + (size_t)ox * kp, kp, tetris_imin(4, g->wo - ox), out + ox);
            }
        }
    }
    for (int m = 0; m < m_n; m++)
        for (int n = 0; n < g->nn; n++)
            if ((rc = psum_out(e, d, d->m0 + m_lo + m, d->n0 + n, ey,
                               acc + ((size_t)m * (size_t)g->nn + (size_t)n) * plane, err)))
                return rc;
    return TETRIS_OK;
}

/* Event counts of the pass, PE by PE and column by column. */
static void count_pass(tetris_engine *e, const isa_insn *d, const pass_geom *g)
{
    uint64_t *v = e->cnt.v;
    int pool = g->opk != OPK_MAC;
    uint64_t wo = (uint64_t)g->wo, nn = (uint64_t)g->nn, s = (uint64_t)g->s;
    for (int b = 0; b < g->nb; b++) {
        uint64_t mb = (uint64_t)tetris_imin(g->bm, d->nm - b * g->bm);
        uint64_t psums = mb * nn * wo; /* per column, in and out */
        for (int a = 0; a < g->na; a++) {
            uint64_t ca = pool ? 1 : (uint64_t)tetris_imin(g->bc, d->nc - a * g->bc);
            uint64_t pe_macs = ca * mb * nn * s * wo;
            uint64_t pes = (uint64_t)g->rr * (uint64_t)g->ee;
            v[TETRIS_CNT_MACS] += pes * pe_macs;
            if (!pool) {
                v[TETRIS_CNT_RF_RD_FILTER] += pes * pe_macs;
                v[TETRIS_CNT_RF_WR_FILTER] += pes * ca * mb * s;
            }
            v[TETRIS_CNT_RF_RD_IFMAP] += pes * pe_macs;
            v[TETRIS_CNT_RF_WR_IFMAP] += pes * (pool ? mb : ca) * nn * (uint64_t)g->needed;
            v[TETRIS_CNT_RF_RD_PSUM] += pes * pe_macs;
            v[TETRIS_CNT_RF_WR_PSUM] += pes * pe_macs;
        }
        uint64_t depth = (uint64_t)(g->na * g->rr);
        uint64_t cols = (uint64_t)g->ee;
        v[TETRIS_CNT_PSUM_HOPS] += cols * (depth - 1) * psums;
        v[TETRIS_CNT_BUS_PSUM_OUT] += cols * psums;
        if (d->psum_in == PIN_GBUF || d->psum_in == PIN_VAULT) {
            v[TETRIS_CNT_BUS_PSUM_IN] += cols * psums;
            v[d->psum_in == PIN_GBUF ? TETRIS_CNT_GBUF_RD_PSUM : TETRIS_CNT_VAULT_RD_PSUM] += cols * psums;
        }
        static const int out_cnt[4] = {TETRIS_CNT_GBUF_WR_PSUM, TETRIS_CNT_VAULT_WR_PSUM,
                                       TETRIS_CNT_VAULT_ACC_PSUM, TETRIS_CNT_VAULT_WR_OFMAP};
        v[out_cnt[d->psum_out]] += cols * psums;
    }
    if (d->psum_in == PIN_BIAS)
        v[TETRIS_CNT_VAULT_RD_BIAS] += (uint64_t)d->nm;
}

/* The pass's cycles: the timing model fed by the pass's traffic; passes
 * without vault traffic repeat by geometry, so those come from the memo. */
static int pass_cycles(tetris_engine *e, const isa_insn *d, const pass_geom *g,
                       const pe_timing *pt, uint64_t *cycles)
{
    stream_traffic *tr = &e->traffic;
    int rc = stream_traffic_build(e, d, g, tr);
    if (rc)
        return rc;
    if (tr->ifmap.nfetch || tr->filter.nfetch || tr->psum_in.nfetch || tr->out.nsend) {
        /* the controller has worked off what it could since the last pass */
        if (!e->vs && (rc = tetris_vault_sched_create(&e->cfg, &e->vs)))
            return rc;
        if (e->vs_t < e->dispatch_t)
            tetris_vault_sched_wait(e->vs, e->dispatch_t - e->vs_t);
        if ((rc = pe_timing_cycles(e, pt, tr, e->vs, cycles)))
            return rc;
        /* the timing model stepped the controller up to the pass's last
         * request; its tail and what follows are the next pass's wait */
        e->vs_t = e->dispatch_t + *cycles - (uint64_t)pt->tail + 1;
        return TETRIS_OK;
    }
    uint64_t h = 0xcbf29ce484222325u;
    const unsigned char *k = (const unsigned char *)pt;
    for (size_t i = 0; i < sizeof *pt; i++)
        h = (h ^ k[i]) * 0x100000001b3u;
    pe_timing_memo *m = &e->memo[h % PE_TIMING_MEMO];
    if (m->valid && !memcmp(&m->key, pt, sizeof *pt)) {
        *cycles = m->cycles;
        return TETRIS_OK;
    }
    /* no vault traffic: a controller of its own, which stays idle */
    tetris_vault_sched *vs;
    if ((rc = tetris_vault_sched_create(&e->cfg, &vs)))
        return rc;
    if (!(rc = pe_timing_cycles(e, pt, tr, vs, cycles)))
        *m = (pe_timing_memo){*pt, *cycles, 1};
    tetris_vault_sched_destroy(vs);
    return rc;
}

int pe_array_pass(tetris_engine *e, const isa_insn *d, uint64_t *cycles, tetris_error *err)
{
    pass_geom g;
    int rc = setup(e, d, &g, err);
    if (rc)
        return rc;
    if (d->psum_in == PIN_BIAS) {
        uint64_t a = vault_bias_addr(e, d->m0), z = vault_bias_addr(e, d->m0 + d->nm - 1);
        if ((rc = vault_check(e, a, 4, err)) || (rc = vault_check(e, z, 4, err)))
            return rc;
    }
    if ((rc = stage_ifmap(e, d, &g, err)))
        return rc;
    if (g.opk == OPK_MAC && (rc = stage_filter(e, d, &g, err)))
        return rc;
    size_t per_col = (size_t)g.bm * (size_t)g.nn * (size_t)g.wo;
    if (grow((void **)&e->colacc, &e->colacc_cap, per_col * sizeof(uint32_t)))
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, "pass", "out of memory");
    for (int b = 0; b < g.nb; b++)
        for (int jj = 0; jj < g.ee; jj++)
            if ((rc = run_column(e, d, &g, b, jj, e->colacc, err)))
                return rc;
    count_pass(e, d, &g);
    pe_timing pt = {.pool = g.opk != OPK_MAC, .nb = g.nb, .ee = g.ee, .na = g.na, .rr = g.rr,
                    .nc = d->nc, .nm = d->nm, .nn = g.nn, .bc = g.bc, .bm = g.bm, .s = g.s,
                    .u = g.u, .wo = g.wo, .ny = (g.ee - 1) * g.u + g.rr, .setup = PASS_SETUP,
                    .bias = d->psum_in == PIN_BIAS ? d->nm + PASS_BIAS : 0, .lat = PASS_LAT,
                    .tail = PASS_TAIL};
    if ((rc = pass_cycles(e, d, &g, &pt, cycles)))
        return tetris_fail(err, rc, NULL, 0, "pass",
                           rc == TETRIS_ENOMEM ? "out of memory" : "the timing model stalled");
    e->cnt.v[TETRIS_CNT_PASSES]++;
    return TETRIS_OK;
}
