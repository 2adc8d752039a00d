/*
 * The vault traffic of one pass of tetris_stream, the pass unit, through its
 * word ports (docs/rtl.md, "tetris_rdport and tetris_wrport"): for every
 * word the streams move, which vault fetch it waits for or which writer
 * sends it causes, in the order the array consumes and produces them.
 *
 * The port policies make this independent of timing: a reader is a FIFO
 * cache of LINES bursts, cleared at the start of a pass, that fetches on a
 * miss; the writer keeps up to LINES - 1 open bursts of 16-bit lanes in
 * LINES slots and closes a line when all its lanes are set, when a word
 * cannot join it, when a new line opens in the slot before it (round robin),
 * and at the end of the pass (flush), and sends the closed lines in that
 * order; a word that opens a line waits until the line its slot held has
 * left (`wait`). The array's timing model (refmodel/pe_array_timing.c)
 * plays the lists against the vault controller's cycle model.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

static int grow_to(void **p, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return TETRIS_OK;
    size_t c = *cap ? 2 * *cap : 256;
    while (c <= n)
        c *= 2;
    void *q = realloc(*p, c * size);
    if (!q)
        return TETRIS_ENOMEM;
    *p = q;
    *cap = c;
    return TETRIS_OK;
}

/* ------------------------------------------------------------ reader lines */

/* A reader's vault lines: a FIFO cache of bursts, with a hash set of the
 * held bursts (open addressing, linear probing) for the lookups. */
#define RD_HASH (4 * TETRIS_PORT_MAX_LINES)
typedef struct rd_lines {
    uint64_t tag[TETRIS_PORT_MAX_LINES];
    int32_t fetch[TETRIS_PORT_MAX_LINES]; /* the fetch that brought each line */
    uint64_t set[RD_HASH];                /* burst + 1; 0: empty */
    int8_t where[RD_HASH];                /* the line slot of each set entry */
    int n, used, next;
} rd_lines;

static size_t rd_home(uint64_t burst)
{
    return (size_t)((burst * 0x9e3779b97f4a7c15u) >> 56) % RD_HASH;
}

/* The line slot holding burst, or -1. */
static int rd_find(const rd_lines *l, uint64_t burst)
{
    for (size_t i = rd_home(burst); l->set[i]; i = (i + 1) % RD_HASH)
        if (l->set[i] == burst + 1)
            return l->where[i];
    return -1;
}

static void rd_insert(rd_lines *l, uint64_t burst, int slot)
{
    size_t i = rd_home(burst);
    while (l->set[i])
        i = (i + 1) % RD_HASH;
    l->set[i] = burst + 1;
    l->where[i] = (int8_t)slot;
}

/* Remove a held burst, shifting back the entries its slot displaced. */
static void rd_remove(rd_lines *l, uint64_t burst)
{
    size_t i = rd_home(burst);
    while (l->set[i] != burst + 1)
        i = (i + 1) % RD_HASH;
    l->set[i] = 0;
    for (size_t j = (i + 1) % RD_HASH; l->set[j]; j = (j + 1) % RD_HASH) {
        size_t h = rd_home(l->set[j] - 1);
        /* move entry j into the hole i unless its home lies cyclically in (i, j] */
        if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
            l->set[i] = l->set[j];
            l->where[i] = l->where[j];
            l->set[j] = 0;
            i = j;
        }
    }
}

/* Look up a word of burst: the fetch it waits for (a new one on a miss). */
static int32_t rd_lookup(rd_lines *l, stream_reader *r, uint64_t burst, uint64_t bb)
{
    int slot = rd_find(l, burst);
    if (slot >= 0)
        return l->fetch[slot];
    if (grow_to((void **)&r->addr, &r->addr_cap, r->nfetch, sizeof *r->addr))
        return -2;
    if (l->used < l->n)
        l->used++;
    else
        rd_remove(l, l->tag[l->next]);
    l->tag[l->next] = burst;
    l->fetch[l->next] = (int32_t)r->nfetch;
    rd_insert(l, burst, l->next);
    l->next = (l->next + 1) % l->n;
    r->addr[r->nfetch] = burst * bb;
    return (int32_t)r->nfetch++;
}

/* Append word w (its fetch, or -1) to reader r; -1 on ENOMEM. */
static int rd_word(stream_reader *r, int32_t fetch)
{
    if (fetch < -1 || grow_to((void **)&r->word, &r->word_cap, r->nwords, sizeof *r->word))
        return -1;
    r->word[r->nwords++] = fetch;
    return 0;
}

/* ------------------------------------------------------------ writer lines */

typedef struct wr_line {
    int open, acc;
    uint64_t burst, mask;
    int32_t sent; /* the send of the slot's last closed line, -1: none */
} wr_line;

typedef struct wr_lines {
    wr_line slot[TETRIS_PORT_MAX_LINES];
    int n, next, lanes;
    uint64_t all;
} wr_lines;

/* The line closes: its request joins the writer's queue. */
static int wr_send(wr_line *l, stream_writer *w, uint64_t bb)
{
    if (grow_to((void **)&w->send, &w->send_cap, w->nsend, sizeof *w->send))
        return -1;
    l->sent = (int32_t)w->nsend;
    w->send[w->nsend++] = (stream_send){l->burst * bb, l->acc ? TETRIS_VAULT_ACC : TETRIS_VAULT_WR};
    l->open = 0;
    return 0;
}

/* One 16-bit half (or a whole word's lanes, mask) on burst; *wait becomes
 * the send it waits for when it opens a line. */
static int wr_half(wr_lines *wl, stream_writer *w, uint64_t burst, uint64_t bb, int acc,
                   uint64_t mask, int32_t *wait)
{
    for (int i = 0; i < wl->n; i++) {
        wr_line *l = &wl->slot[i];
        if (!l->open || l->burst != burst)
            continue;
        if (l->acc == acc && !(acc && (l->mask & mask))) {
            l->mask |= mask;
            return l->mask == wl->all ? wr_send(l, w, bb) : 0;
        }
        if (wr_send(l, w, bb)) /* it cannot join: closed before the word */
            return -1;
    }
    /* the slot's line was closed when the line before it opened */
    wr_line *l = &wl->slot[wl->next];
    if (l->sent > *wait)
        *wait = l->sent;
    *l = (wr_line){1, acc, burst, mask, l->sent};
    wl->next = (wl->next + 1) % wl->n;
    /* a new line is never full: a half sets at most 2 of the burst's >= 8 lanes */
    wr_line *ahead = &wl->slot[wl->next]; /* closed ahead: the next new line's slot */
    return ahead->open ? wr_send(ahead, w, bb) : 0;
}

/* A drained word of `bytes` (2 or 4) at addr; a 32-bit word may straddle two bursts. */
static int wr_word(wr_lines *wl, stream_writer *w, uint64_t addr, int bytes, int acc, uint64_t bb)
{
    uint64_t burst = addr / bb;
    int lane = (int)(addr % bb / 2);
    int32_t *wait = &w->wait[w->nwords - 1];
    if (bytes == 4 && lane == wl->lanes - 1)
        return wr_half(wl, w, burst, bb, acc, 1ull << lane, wait) ||
               wr_half(wl, w, burst + 1, bb, acc, 1, wait);
    return wr_half(wl, w, burst, bb, acc, (bytes == 4 ? 3ull : 1ull) << lane, wait);
}

/* ------------------------------------------------------------------ a pass */

/* Some active PE reads bus row yi (rows jj * u + i of the pass's window). */
static int row_used(const pass_geom *g, int yi)
{
    for (int i = 0; i < g->rr; i++)
        if (yi >= i && (yi - i) % g->u == 0 && (yi - i) / g->u < g->ee)
            return 1;
    return 0;
}

static void reset(stream_traffic *t)
{
    t->ifmap.nwords = t->ifmap.nfetch = 0;
    t->filter.nwords = t->filter.nfetch = 0;
    t->psum_in.nwords = t->psum_in.nfetch = 0;
    t->out.nsend = 0;
    t->out.nwords = 0;
    t->nslot = 0;
}

int stream_traffic_build(const tetris_engine *e, const isa_insn *d, const pass_geom *g,
                         stream_traffic *t)
{
    const tetris_config *cfg = &e->cfg;
    uint64_t bb = (uint64_t)cfg->dram_burst_bytes;
    int pool = g->opk != OPK_MAC;
    int step = tetris_imin(g->u, g->s);
    reset(t);
    rd_lines *ifm = calloc(3, sizeof *ifm), *fil = ifm + 1, *pin = ifm + 2;
    wr_lines *out = calloc(1, sizeof *out);
    int bad = !ifm || !out;
    if (bad)
        goto done;
    ifm->n = fil->n = pin->n = tetris_rdport_lines(cfg);
    out->n = tetris_wrport_lines(cfg);
    for (int i = 0; i < out->n; i++)
        out->slot[i].sent = -1;
    out->lanes = (int)(bb / 2);
    out->all = out->lanes >= 64 ? ~0ull : (1ull << out->lanes) - 1;
    const uint32_t *reg = e->reg;
    int hi = (int)reg[REG_HI], wi = (int)reg[REG_WI];
    int e0 = d->fw * g->cols, r0 = d->fh * g->rows;
    /* filters, in filter bus order [m][a][i][c][k] */
    if (!pool)
        for (int m = 0; m < d->nm && !bad; m++)
            for (int a = 0; a < g->na; a++)
                for (int i = 0; i < g->rr; i++)
                    for (int c = a * g->bc; c < tetris_imin(d->nc, (a + 1) * g->bc); c++)
                        for (int k = 0; k < g->s; k++)
                            bad |= rd_word(&t->filter,
                                           d->src_filter_gbuf
                                               ? -1
                                               : rd_lookup(fil, &t->filter,
                                                           vault_filter_addr(e, d->m0 + m, d->c0 + c,
                                                                             r0 + i, k) / bb,
                                                           bb));
    int nch = pool ? d->nm : d->nc;
    for (int x = 0; x < g->wo && !bad; x++) {
        /* the ifmap bus slots of column x: [ch][n][y][new columns]; an unused
         * row is one slot without a word, padding a word from nowhere */
        int q0 = x == 0 ? 0 : g->s - step;
        for (int ch = 0; ch < nch; ch++)
            for (int n = 0; n < g->nn; n++)
                for (int yi = 0; yi < g->ny; yi++) {
                    if (grow_to((void **)&t->slot, &t->slot_cap, t->nslot + (size_t)g->s,
                                sizeof *t->slot)) {
                        bad = 1;
                        goto done;
                    }
                    int y = g->ylo + yi;
                    if (!row_used(g, yi)) {
                        t->slot[t->nslot++] = (stream_slot){-1, -1, x};
                        continue;
                    }
                    for (int q = q0; q < g->s; q++) {
                        int xi = x * g->u + q - g->pad;
                        int32_t f = -1;
                        if (!d->src_ifmap_gbuf && y >= 0 && y < hi && xi >= 0 && xi < wi)
                            f = rd_lookup(ifm, &t->ifmap,
                                          vault_ifmap_addr(e, d->n0 + n, g->ch0 + ch, y, xi) / bb,
                                          bb);
                        if (f < -1) {
                            bad = 1;
                            goto done;
                        }
                        t->slot[t->nslot++] = (stream_slot){ch * g->ny + yi, f, x};
                    }
                }
        /* psums of column x into the column tops and out of the bottoms: [b][jj][m][n] */
        for (int b = 0; b < g->nb; b++)
            for (int jj = 0; jj < g->ee; jj++) {
                int ey = e0 + jj;
                for (int m = d->m0 + b * g->bm; m < d->m0 + tetris_imin(d->nm, (b + 1) * g->bm); m++)
                    for (int n = d->n0; n < d->n0 + g->nn; n++) {
                        int32_t f = -1;
                        if (d->psum_in == PIN_VAULT) {
                            uint64_t a = vault_psum_addr(e, n, m, ey, x);
                            f = rd_lookup(pin, &t->psum_in, a / bb, bb);
                            int32_t f2 = rd_lookup(pin, &t->psum_in, (a + 2) / bb, bb);
                            f = f < -1 || f2 < -1 ? -2 : f2 > f ? f2 : f;
                        }
                        bad |= rd_word(&t->psum_in, f);
                        if (grow_to((void **)&t->out.first, &t->out.first_cap, t->out.nwords + 1,
                                    sizeof *t->out.first) ||
                            grow_to((void **)&t->out.wait, &t->out.wait_cap, t->out.nwords,
                                    sizeof *t->out.wait)) {
                            bad = 1;
                            goto done;
                        }
                        t->out.wait[t->out.nwords] = -1;
                        t->out.first[t->out.nwords++] = (uint32_t)t->out.nsend;
                        if (d->psum_out == POUT_VAULT_WR || d->psum_out == POUT_VAULT_ACC)
                            bad |= wr_word(out, &t->out, vault_psum_addr(e, n, m, ey, x), 4,
                                           d->psum_out == POUT_VAULT_ACC, bb);
                        else if (d->psum_out == POUT_FINAL)
                            bad |= wr_word(out, &t->out, vault_ofmap_addr(e, n, m, ey, x), 2, 0, bb);
                    }
            }
    }
    /* the flush: the lines still open, after the last drained word */
    if (!bad && !grow_to((void **)&t->out.first, &t->out.first_cap, t->out.nwords + 1,
                         sizeof *t->out.first)) {
        t->out.first[t->out.nwords] = (uint32_t)t->out.nsend;
        for (int i = 0; i < out->n && !bad; i++)
            if (out->slot[i].open)
                bad |= wr_send(&out->slot[i], &t->out, bb);
    } else {
        bad = 1;
    }
done:
    free(ifm);
    free(out);
    return bad ? TETRIS_ENOMEM : TETRIS_OK;
}

void stream_traffic_free(stream_traffic *t)
{
    free(t->slot);
    free(t->ifmap.word);
    free(t->ifmap.addr);
    free(t->filter.word);
    free(t->filter.addr);
    free(t->psum_in.word);
    free(t->psum_in.addr);
    free(t->out.send);
    free(t->out.first);
    free(t->out.wait);
    memset(t, 0, sizeof *t);
}
