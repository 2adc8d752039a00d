/*
 * Cycle model of one pass of tetris_pe_array fed by the pass unit
 * (docs/rtl.md, "tetris_pe"): every PE loads its new ifmap words, computes,
 * then drains its psums, one output column x at a time, without overlap;
 * one in-order ifmap bus multicasts each word to the PEs of its ifmap row
 * and replica and waits until all of them are loading that column; the
 * columns' psum chains drain one at a time in [x][width replica][column]
 * order, one psum per cycle. At x = 0 the filters arrive on their own bus
 * during the first computation. Word sources are taken as ideal (one word
 * per cycle); the vault's share of a pass is added by the caller.
 *
 * The steady state repeats per output column, so passes wider than a few
 * columns are simulated over their first columns and extrapolated by the
 * measured period (exact while the period is constant, as it is for equal
 * column work).
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

enum { PE_LOAD, PE_COMP, PE_DONE0, PE_DRAIN, PE_IDLE };

typedef struct pe_t {
    int a, i, b, jj, y, ca, mb;
    uint64_t macs;
    uint64_t need0, need; /* words to receive at x = 0 and later */
    int st, xx;
    uint64_t got, left;
} pe_t;

typedef struct word_t {
    int x;     /* output column */
    int group; /* index into the target lists; -1: an unused row (one cycle) */
} word_t;

/* Cycles of the pass simulated over its first wo output columns. */
static uint64_t simulate(const pe_timing *p, int wo, pe_t *pes, int npe, const char *used,
                         const int *tstart, const int *tlist, const int *colstart,
                         const int *collist)
{
    int pool = p->pool, nb = p->nb, ee = p->ee, rr = p->rr, na = p->na;
    int step = tetris_imin(p->u, p->s);
    for (int k = 0; k < npe; k++) {
        pes[k].st = PE_LOAD;
        pes[k].xx = 0;
        pes[k].got = 0;
        pes[k].left = 0;
    }
    uint64_t t = (uint64_t)(p->setup + p->bias + 1);
    uint64_t f0 = t + (uint64_t)p->lat;
    /* the ifmap bus walk [x][ch][n][y][q], generated on the fly */
    int nch = pool ? p->nm : p->nc;
    int x = 0, ch = 0, n = 0, yy = 0, q = 0, words_left = 1;
    /* the drain walk [x][b][jj] */
    int dx = 0, db = 0, djj = 0;
    uint64_t dcnt = 0;
    uint64_t avail = t + (uint64_t)p->lat;
    while (dx < wo) {
        /* bus: one word per cycle when every target PE loads this column */
        if (words_left && t >= avail) {
            int g = used[yy] ? ch * p->ny + yy : -1;
            int newq = x == 0 ? p->s : step;
            if (g < 0) {
                q = newq; /* skipped row: one cycle of the address generator */
            } else {
                int ok = 1;
                for (int k = tstart[g]; k < tstart[g + 1] && ok; k++)
                    ok = pes[tlist[k]].st == PE_LOAD && pes[tlist[k]].xx == x;
                if (ok) {
                    for (int k = tstart[g]; k < tstart[g + 1]; k++) {
                        pe_t *e = &pes[tlist[k]];
                        uint64_t nd = x == 0 ? e->need0 : e->need;
                        if (++e->got == nd) {
                            e->st = PE_COMP;
                            e->got = 0;
                            e->left = e->macs + 1;
                            if (x == 0 && !pool) {
                                /* the first MACs wait for their filter words: the
                                 * filter bus sends [m][a][i][c][k] from f0 */
                                uint64_t tt = t;
                                for (int ml = 0; ml < e->mb; ml++) {
                                    int m = e->b * p->bm + ml;
                                    for (int c = 0; c < e->ca; c++) {
                                        uint64_t base = (((uint64_t)m * (uint64_t)na + (uint64_t)e->a) *
                                                             (uint64_t)rr + (uint64_t)e->i) *
                                                            (uint64_t)p->bc * (uint64_t)p->s +
                                                        (uint64_t)c * (uint64_t)p->s;
                                        for (int nn = 0; nn < p->nn; nn++)
                                            for (int kk = 0; kk < p->s; kk++) {
                                                uint64_t arr = f0 + base + (uint64_t)kk;
                                                tt = tt + 1 > arr + 1 ? tt + 1 : arr + 1;
                                            }
                                    }
                                }
                                e->left = tt + 1 - t;
                            }
                        }
                    }
                    q++;
                }
            }
            if (q == newq) {
                q = 0;
                if (++yy == p->ny) {
                    yy = 0;
                    if (++n == p->nn) {
                        n = 0;
                        if (++ch == nch) {
                            ch = 0;
                            if (++x == wo)
                                words_left = 0;
                        }
                    }
                }
            }
        }
        /* compute */
        for (int k = 0; k < npe; k++)
            if (pes[k].st == PE_COMP && --pes[k].left == 0)
                pes[k].st = PE_DONE0;
        /* drain: the column (db, djj) of output column dx */
        int col = db * ee + djj;
        int ready = 1;
        for (int k = colstart[col]; k < colstart[col + 1] && ready; k++)
            ready = pes[collist[k]].st == PE_DRAIN && pes[collist[k]].xx == dx;
        if (ready) {
            uint64_t mb = (uint64_t)tetris_imin(p->bm, p->nm - db * p->bm);
            if (++dcnt == mb * (uint64_t)p->nn) {
                dcnt = 0;
                for (int k = colstart[col]; k < colstart[col + 1]; k++) {
                    pe_t *e = &pes[collist[k]];
                    e->xx++;
                    e->st = e->xx < wo ? PE_LOAD : PE_IDLE;
                }
                if (++djj == ee) {
                    djj = 0;
                    if (++db == nb) {
                        db = 0;
                        dx++;
                    }
                }
            }
        }
        for (int k = 0; k < npe; k++)
            if (pes[k].st == PE_DONE0)
                pes[k].st = PE_DRAIN;
        t++;
    }
    return t + (uint64_t)p->tail;
}

int pe_timing_cycles(const pe_timing *p, uint64_t *cycles)
{
    int pool = p->pool;
    int npe = p->nb * p->ee * p->na * p->rr;
    int nch = pool ? p->nm : p->nc, bcr = pool ? p->bm : p->bc;
    int ngroups = nch * p->ny;
    int ncols = p->nb * p->ee;
    int step = tetris_imin(p->u, p->s);
    pe_t *pes = calloc((size_t)npe, sizeof *pes);
    int *tstart = calloc((size_t)ngroups + 1, sizeof *tstart);
    int *colstart = calloc((size_t)ncols + 1, sizeof *colstart);
    int *collist = calloc((size_t)npe, sizeof *collist);
    char *used = calloc((size_t)p->ny, 1);
    int *tlist = NULL;
    int rc = TETRIS_ENOMEM;
    if (!pes || !tstart || !colstart || !collist || !used)
        goto out;
    int k = 0;
    for (int b = 0; b < p->nb; b++) {
        int mb = tetris_imin(p->bm, p->nm - b * p->bm);
        for (int jj = 0; jj < p->ee; jj++)
            for (int a = 0; a < p->na; a++) {
                int ca = pool ? 1 : tetris_imin(p->bc, p->nc - a * p->bc);
                for (int i = 0; i < p->rr; i++, k++) {
                    pe_t *e = &pes[k];
                    e->a = a;
                    e->i = i;
                    e->b = b;
                    e->jj = jj;
                    e->y = jj * p->u + i;
                    used[e->y] = 1;
                    e->ca = ca;
                    e->mb = mb;
                    int chs = pool ? mb : ca;
                    e->macs = (uint64_t)(pool ? mb : mb * ca) * (uint64_t)p->nn * (uint64_t)p->s;
                    e->need0 = (uint64_t)chs * (uint64_t)p->nn * (uint64_t)p->s;
                    e->need = (uint64_t)chs * (uint64_t)p->nn * (uint64_t)step;
                    colstart[b * p->ee + jj + 1]++;
                }
            }
    }
    /* targets of bus word (ch, y): the PEs of row y and of replica ch / bcr */
    size_t nt = 0;
    for (int g = 0; g < ngroups; g++) {
        int ch = g / p->ny, y = g % p->ny, rep = ch / bcr;
        for (k = 0; k < npe; k++)
            if (pes[k].y == y && (pool ? pes[k].b : pes[k].a) == rep)
                nt++;
        tstart[g + 1] = (int)nt;
    }
    tlist = calloc(nt ? nt : 1, sizeof *tlist);
    if (!tlist)
        goto out;
    nt = 0;
    for (int g = 0; g < ngroups; g++) {
        int ch = g / p->ny, y = g % p->ny, rep = ch / bcr;
        for (k = 0; k < npe; k++)
            if (pes[k].y == y && (pool ? pes[k].b : pes[k].a) == rep)
                tlist[nt++] = k;
    }
    for (int c = 0; c < ncols; c++)
        colstart[c + 1] += colstart[c];
    {
        int *fill = calloc((size_t)ncols, sizeof *fill);
        if (!fill)
            goto out;
        for (k = 0; k < npe; k++) {
            int c = pes[k].b * p->ee + pes[k].jj;
            collist[colstart[c] + fill[c]++] = k;
        }
        free(fill);
    }
    /* columns 0 and 1 differ from the rest (filters, the first load); from
     * the third on, each column adds the same period */
    if (p->wo <= 4) {
        *cycles = simulate(p, p->wo, pes, npe, used, tstart, tlist, colstart, collist);
    } else {
        uint64_t t3 = simulate(p, 3, pes, npe, used, tstart, tlist, colstart, collist);
        uint64_t t4 = simulate(p, 4, pes, npe, used, tstart, tlist, colstart, collist);
        *cycles = t4 + (uint64_t)(p->wo - 4) * (t4 - t3);
    }
    rc = TETRIS_OK;
out:
    free(used);
    free(pes);
    free(tstart);
    free(tlist);
    free(colstart);
    free(collist);
    return rc;
}
