/*
 * The vault traffic of one pass of tetris_stream, the pass unit, through its
 * word ports (docs/rtl.md, "tetris_rdport and tetris_wrport"): which bursts
 * the readers fetch and the writer sends, in stream order, and how long the
 * vault controller (its cycle model, tetris_vault_sched) takes for them.
 *
 * The port policies make the requests independent of timing: a reader is a
 * FIFO cache of LINES bursts, cleared at the start of a pass; the writer
 * keeps LINES open bursts of 16-bit lanes, sends a line when all its lanes
 * are set, when a word cannot join it, when its slot is taken by a new line
 * (round robin), and at the end of the pass (flush). Each request carries the
 * output column x whose words caused it, which orders the streams' requests
 * against each other the way the array consumes them.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

typedef struct vreq {
    uint64_t addr; /* burst address */
    int op;        /* enum tetris_vault_op */
    int x;         /* output column; wo: the final flush */
    int order;     /* stream rank within a column: filter, ifmap, psum in, psum out */
    size_t seq;    /* issue order within a stream */
} vreq;

typedef struct reqs {
    vreq *v;
    size_t n, cap;
    int fail;
} reqs;

static void push(reqs *r, uint64_t addr, int op, int x, int order)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 256;
        vreq *v = realloc(r->v, cap * sizeof *v);
        if (!v) {
            r->fail = 1;
            return;
        }
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n] = (vreq){addr, op, x, order, r->n};
    r->n++;
}

/* A reader's vault lines: a FIFO cache of bursts, with a hash set of the
 * held bursts (open addressing, linear probing) for the lookups. */
#define RD_HASH (4 * TETRIS_PORT_MAX_LINES)
typedef struct rd_lines {
    uint64_t tag[TETRIS_PORT_MAX_LINES];
    uint64_t set[RD_HASH]; /* burst + 1; 0: empty */
    int n, used, next;
} rd_lines;

static size_t rd_slot(uint64_t burst)
{
    return (size_t)((burst * 0x9e3779b97f4a7c15u) >> 56) % RD_HASH;
}

static int rd_has(const rd_lines *l, uint64_t burst)
{
    for (size_t i = rd_slot(burst); l->set[i]; i = (i + 1) % RD_HASH)
        if (l->set[i] == burst + 1)
            return 1;
    return 0;
}

static void rd_insert(rd_lines *l, uint64_t burst)
{
    size_t i = rd_slot(burst);
    while (l->set[i])
        i = (i + 1) % RD_HASH;
    l->set[i] = burst + 1;
}

/* Remove a held burst, shifting back the entries its slot displaced. */
static void rd_remove(rd_lines *l, uint64_t burst)
{
    size_t i = rd_slot(burst);
    while (l->set[i] != burst + 1)
        i = (i + 1) % RD_HASH;
    l->set[i] = 0;
    for (size_t j = (i + 1) % RD_HASH; l->set[j]; j = (j + 1) % RD_HASH) {
        size_t h = rd_slot(l->set[j] - 1);
        /* move entry j into the hole i unless its home lies cyclically in (i, j] */
        if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
            l->set[i] = l->set[j];
            l->set[j] = 0;
            i = j;
        }
    }
}

static void rd_read(rd_lines *l, reqs *r, uint64_t burst, uint64_t bb, int x, int order)
{
    if (rd_has(l, burst))
        return;
    if (l->used < l->n)
        l->used++;
    else
        rd_remove(l, l->tag[l->next]);
    l->tag[l->next] = burst;
    rd_insert(l, burst);
    l->next = (l->next + 1) % l->n;
    push(r, burst * bb, TETRIS_VAULT_RD, x, order);
}

/* The writer's open vault lines. */
typedef struct wr_line {
    int open, acc;
    uint64_t burst, mask;
} wr_line;

typedef struct wr_lines {
    wr_line slot[TETRIS_PORT_MAX_LINES];
    int n, next, lanes;
    uint64_t all;
} wr_lines;

static void wr_send(wr_line *l, reqs *r, uint64_t bb, int x)
{
    push(r, l->burst * bb, l->acc ? TETRIS_VAULT_ACC : TETRIS_VAULT_WR, x, 3);
    l->open = 0;
}

/* One 16-bit half (or a whole word's lanes, mask) on burst. */
static void wr_half(wr_lines *w, reqs *r, uint64_t burst, uint64_t bb, int acc, uint64_t mask,
                    int x)
{
    for (int i = 0; i < w->n; i++) {
        wr_line *l = &w->slot[i];
        if (!l->open || l->burst != burst)
            continue;
        if (l->acc == acc && !(acc && (l->mask & mask))) {
            l->mask |= mask;
            if (l->mask == w->all)
                wr_send(l, r, bb, x);
            return;
        }
        wr_send(l, r, bb, x); /* sent before the word */
    }
    wr_line *l = &w->slot[w->next];
    if (l->open)
        wr_send(l, r, bb, x); /* evicted */
    *l = (wr_line){1, acc, burst, mask};
    if (mask == w->all)
        wr_send(l, r, bb, x);
    w->next = (w->next + 1) % w->n;
}

/* A word of `bytes` (2 or 4) at addr; a 32-bit word may straddle two bursts. */
static void wr_word(wr_lines *w, reqs *r, uint64_t addr, int bytes, int acc, uint64_t bb, int x)
{
    uint64_t burst = addr / bb;
    int lane = (int)(addr % bb / 2);
    if (bytes == 4 && lane == w->lanes - 1) {
        wr_half(w, r, burst, bb, acc, 1ull << lane, x);
        wr_half(w, r, burst + 1, bb, acc, 1ull, x);
    } else {
        wr_half(w, r, burst, bb, acc, (bytes == 4 ? 3ull : 1ull) << lane, x);
    }
}

/* Some active PE reads bus row yi (rows jj * u + i of the pass's window). */
static int row_used(const pass_geom *g, int yi)
{
    for (int i = 0; i < g->rr; i++)
        if (yi >= i && (yi - i) % g->u == 0 && (yi - i) / g->u < g->ee)
            return 1;
    return 0;
}

static int by_column(const void *a, const void *b)
{
    const vreq *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->order != q->order)
        return p->order < q->order ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

/*
 * Serve rq in order from cycle 0 of an idle controller, each request as soon
 * as the queue takes it, except that a reader keeps at most TETRIS_PORT_OUTS
 * fetches outstanding: a fetch counts from its request until STREAM_RD_PIPE
 * cycles after its response. Returns the cycle after the last request has
 * completed (0: none).
 */
static uint64_t serve(const tetris_engine *e, const vreq *rq, size_t n)
{
    tetris_vault_sched *s;
    if (!n || tetris_vault_sched_create(&e->cfg, &s))
        return 0;
    uint64_t cap = e->der.vault_capacity < (1ull << 32) ? e->der.vault_capacity : (1ull << 32);
    size_t sent = 0, done = 0;
    /* reads in flight, in request order (responses come in that order) */
    enum { RING = 4 * TETRIS_PORT_OUTS };
    int fl_order[RING], outs[3] = {0};
    uint64_t rel_at[RING];
    int rel_order[RING];
    size_t fl_head = 0, fl_n = 0, rel_head = 0, rel_n = 0;
    tetris_vault_step st;
    while (done < n) {
        uint64_t now = tetris_vault_sched_cycle(s);
        while (rel_n && rel_at[rel_head] <= now) {
            outs[rel_order[rel_head]]--;
            rel_head = (rel_head + 1) % RING;
            rel_n--;
        }
        int valid = sent < n;
        int op = valid ? rq[sent].op : 0, ord = valid ? rq[sent].order : 0;
        int rd = valid && op == TETRIS_VAULT_RD && ord < 3;
        if (rd && outs[ord] >= TETRIS_PORT_OUTS)
            valid = 0;
        if (tetris_vault_sched_step(s, valid, op, valid ? rq[sent].addr % cap : 0, &st))
            break;
        if (st.taken) {
            if (rd) {
                outs[ord]++;
                fl_order[(fl_head + fl_n) % RING] = ord;
                fl_n++;
            }
            sent++;
        }
        if (st.rsp && fl_n) {
            rel_at[(rel_head + rel_n) % RING] = now + STREAM_RD_PIPE;
            rel_order[(rel_head + rel_n) % RING] = fl_order[fl_head];
            rel_n++;
            fl_head = (fl_head + 1) % RING;
            fl_n--;
        }
        done += (size_t)st.done;
    }
    uint64_t t = tetris_vault_sched_cycle(s);
    tetris_vault_sched_destroy(s);
    return t;
}

int stream_vault_cycles(const tetris_engine *e, const isa_insn *d, const pass_geom *g,
                        uint64_t *body, uint64_t *flush)
{
    const tetris_config *cfg = &e->cfg;
    uint64_t bb = (uint64_t)cfg->dram_burst_bytes;
    int pool = g->opk != OPK_MAC;
    int step = tetris_imin(g->u, g->s);
    reqs r = {0};
    rd_lines ifm = {.n = tetris_rdport_lines(cfg)}, fil = ifm, pin = ifm;
    wr_lines out = {.n = tetris_wrport_lines(cfg), .lanes = (int)(bb / 2)};
    out.all = out.lanes >= 64 ? ~0ull : (1ull << out.lanes) - 1;
    const uint32_t *reg = e->reg;
    int hi = (int)reg[REG_HI], wi = (int)reg[REG_WI];
    int e0 = d->fw * g->cols, r0 = d->fh * g->rows;
    /* filters, at x = 0: [m][a][i][c][k] */
    if (!pool && !d->src_filter_gbuf)
        for (int m = 0; m < d->nm; m++)
            for (int a = 0; a < g->na; a++)
                for (int i = 0; i < g->rr; i++)
                    for (int c = a * g->bc; c < tetris_imin(d->nc, (a + 1) * g->bc); c++)
                        for (int k = 0; k < g->s; k++)
                            rd_read(&fil, &r,
                                    vault_filter_addr(e, d->m0 + m, d->c0 + c, r0 + i, k) / bb, bb,
                                    0, 0);
    for (int x = 0; x < g->wo; x++) {
        /* ifmap words of column x: [ch][n][y][new columns], padding read from nowhere */
        if (!d->src_ifmap_gbuf) {
            int q0 = x == 0 ? 0 : g->s - step;
            for (int ch = 0; ch < g->nch; ch++)
                for (int n = 0; n < g->nn; n++)
                    for (int yi = 0; yi < g->ny; yi++) {
                        int y = g->ylo + yi;
                        if (y < 0 || y >= hi || !row_used(g, yi))
                            continue;
                        for (int q = q0; q < g->s; q++) {
                            int xi = x * g->u + q - g->pad;
                            if (xi >= 0 && xi < wi)
                                rd_read(&ifm, &r,
                                        vault_ifmap_addr(e, d->n0 + n, g->ch0 + ch, y, xi) / bb, bb,
                                        x, 1);
                        }
                    }
        }
        /* psums of column x into the column tops and out of the bottoms: [b][jj][m][n] */
        for (int b = 0; b < g->nb; b++)
            for (int jj = 0; jj < g->ee; jj++) {
                int ey = e0 + jj;
                for (int m = d->m0 + b * g->bm; m < d->m0 + tetris_imin(d->nm, (b + 1) * g->bm); m++)
                    for (int n = d->n0; n < d->n0 + g->nn; n++) {
                        if (d->psum_in == PIN_VAULT) {
                            uint64_t a = vault_psum_addr(e, n, m, ey, x);
                            rd_read(&pin, &r, a / bb, bb, x, 2);
                            rd_read(&pin, &r, (a + 2) / bb, bb, x, 2);
                        }
                        if (d->psum_out == POUT_VAULT_WR || d->psum_out == POUT_VAULT_ACC)
                            wr_word(&out, &r, vault_psum_addr(e, n, m, ey, x), 4,
                                    d->psum_out == POUT_VAULT_ACC, bb, x);
                        else if (d->psum_out == POUT_FINAL)
                            wr_word(&out, &r, vault_ofmap_addr(e, n, m, ey, x), 2, 0, bb, x);
                    }
            }
    }
    for (int i = 0; i < out.n; i++)
        if (out.slot[i].open)
            wr_send(&out.slot[i], &r, bb, g->wo);
    if (r.fail) {
        free(r.v);
        return TETRIS_ENOMEM;
    }
    qsort(r.v, r.n, sizeof *r.v, by_column);
    size_t nb = 0;
    while (nb < r.n && r.v[nb].x < g->wo)
        nb++;
    *body = serve(e, r.v, nb);
    *flush = serve(e, r.v + nb, r.n - nb);
    free(r.v);
    return TETRIS_OK;
}
