/*
 * Cycle model of one pass of tetris_pe_array fed by the pass unit and its
 * word ports (docs/rtl.md, "tetris_pe", "tetris_rdport and tetris_wrport",
 * "tetris_vault_arb"), cycle by cycle:
 *
 * - every PE loads its new ifmap words and computes, one output column x at
 *   a time, into psum bank x mod 2; column x drains from its bank while
 *   column x+1 loads and computes, and column x+2's computation waits until
 *   it has drained; at x = 0 the filters arrive on their own bus, one word
 *   per cycle, during the first computation;
 * - a PE takes ifmap words into a staging FIFO: column x's while column x
 *   loads, column x+1's (from the cycle after column x's last word reached
 *   the scratchpad) while column x computes; a load copies one staged word
 *   per cycle into the scratchpad, from the cycle after it was taken;
 * - one in-order ifmap bus multicasts each word to the PEs of its ifmap row
 *   and replica once all of them can take it;
 * - the columns' psum chains drain one at a time in [x][width replica]
 *   [column] order, one psum per cycle, each with its psum-in word;
 * - the readers look words up ahead of the bus (at most TETRIS_PORT_QDEPTH
 *   words), fetch missing bursts (at most TETRIS_PORT_OUTS outstanding), and
 *   the writer's sends go out in order as the psums drain and in the final
 *   flush; a psum that opens a line waits until the send of its slot's last
 *   line has left the writer;
 * - the vault arbiter grants the clients round robin into one register in
 *   front of the vault controller, whose cycle model (tetris_vault_sched)
 *   decides when each request is taken and each read answered; the
 *   controller is the engine's, so requests an earlier pass left queued
 *   (its last writes) are still ahead of this pass's.
 *
 * Which words each port fetches or sends comes from the pass's traffic
 * (refmodel/stream.c); it does not depend on timing.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"
#include "internal.h"

enum { PE_LOAD, PE_COMP };
/* the arbiter's clients in the round-robin order of tetris_engine's
 * (filter, ifmap, psum read, psum write) */
enum { C_FILTER, C_IFMAP, C_PSUM_IN, C_WRITER, CLIENTS };
/* reads in flight: the controller's queue, its reads awaiting data, the
 * arbiter's register, with room to spare */
#define RD_RING (4 * TETRIS_VAULT_QDEPTH + 64)
#define NOT_YET UINT64_MAX
#define STALL_LIMIT 1000000 /* cycles without a word moving: the model is stuck */

typedef struct pe_t {
    int a, i, b, jj, y, ca, mb;
    uint64_t macs;
    uint64_t need0, need; /* words to receive at x = 0 and later */
    int st, xx;       /* PE_LOAD or PE_COMP, of column xx */
    int dn;           /* its columns drained */
    uint64_t dt[2];   /* the cycle column c's bank was drained, at [c mod 2] */
    int bankwait;     /* PE_COMP: waits for column xx-2 to drain (ready NOT_YET) */
    uint64_t got;     /* PE_LOAD: words of column xx taken */
    uint64_t staged;  /* PE_COMP: words of column xx+1 taken */
    uint64_t wt;      /* PE_LOAD: the cycle its last taken word reaches the
                         scratchpad */
    uint64_t ready;   /* PE_COMP: first cycle it can drain and load column xx+1
                         (NOT_YET: column 0 waits for filters, or bankwait) */
    uint64_t loaded;  /* the cycle its ifmap words of column xx were in */
    size_t last_filter; /* its last filter word on the filter bus */
} pe_t;

/* A reader: its lookup pointer over its words and its fetches' arrival. */
typedef struct reader {
    size_t look;     /* next word to look up */
    uint64_t *at;    /* per word: first cycle its data can be used (NOT_YET) */
    uint64_t *done;  /* per fetch: cycle its data reached the reader (NOT_YET) */
    size_t issued;   /* fetches requested so far */
    int outs;        /* fetches outstanding */
} reader;

typedef struct arb {
    int pend[CLIENTS];          /* a request waits at the client */
    size_t what[CLIENTS];       /* its fetch or send index */
    int last;                   /* client granted last */
    int reg_valid, reg_client;  /* the registered request toward the vault */
    size_t reg_what;
    int rd_client[RD_RING];     /* reads in flight, in order */
    size_t rd_what[RD_RING];
    size_t rd_head, rd_n;
    size_t w_avail;             /* the writer's closed lines: sends [0, w_avail) */
    size_t w_next;              /* the next send it offers the arbiter */
} arb;

typedef struct sim {
    const pe_timing *p;
    const stream_traffic *tr;
    tetris_vault_sched *vs;
    uint64_t cap; /* vault_span(): addresses fold into it */
    reader rd[3];
    arb ab;
    uint64_t *farr; /* per filter bus word: the cycle it was on the bus */
} sim;

static const stream_reader *reader_of(const sim *s, int c)
{
    return c == C_IFMAP ? &s->tr->ifmap : c == C_FILTER ? &s->tr->filter : &s->tr->psum_in;
}

/* The fetch the k-th word of reader c waits for (-1: none). */
static int32_t word_fetch(const sim *s, int c, size_t k)
{
    return c == C_IFMAP ? s->tr->slot[k].fetch : reader_of(s, c)->word[k];
}

static size_t reader_words(const sim *s, int c)
{
    return c == C_IFMAP ? s->tr->nslot : reader_of(s, c)->nwords;
}

/* One cycle of the vault side: the controller takes the registered request,
 * answers reads; the arbiter refills the register round robin. */
static int vault_cycle(sim *s, uint64_t t)
{
    arb *a = &s->ab;
    int op = 0;
    uint64_t addr = 0;
    if (a->reg_valid) {
        if (a->reg_client == C_WRITER) {
            const stream_send *w = &s->tr->out.send[a->reg_what];
            op = w->op;
            addr = w->addr;
        } else {
            op = TETRIS_VAULT_RD;
            addr = reader_of(s, a->reg_client)->addr[a->reg_what];
        }
    }
    tetris_vault_step st;
    if (tetris_vault_sched_step(s->vs, a->reg_valid, op, addr % s->cap, &st))
        return TETRIS_EINVAL;
    if (st.taken) {
        if (a->reg_client != C_WRITER) {
            size_t k = (a->rd_head + a->rd_n) % RD_RING;
            a->rd_client[k] = a->reg_client;
            a->rd_what[k] = a->reg_what;
            a->rd_n++;
        }
        a->reg_valid = 0;
    }
    if (st.rsp && a->rd_n) {
        int c = a->rd_client[a->rd_head];
        s->rd[c].done[a->rd_what[a->rd_head]] = t + STREAM_RSP_PIPE;
        s->rd[c].outs--;
        a->rd_head = (a->rd_head + 1) % RD_RING;
        a->rd_n--;
    }
    if (!a->reg_valid)
        for (int k = 1; k <= CLIENTS; k++) {
            int c = (a->last + k) % CLIENTS;
            if (a->pend[c]) {
                a->reg_valid = 1;
                a->reg_client = c;
                a->reg_what = a->what[c];
                a->pend[c] = 0;
                a->last = c;
                break;
            }
        }
    if (!a->pend[C_WRITER] && a->w_next < a->w_avail) {
        a->pend[C_WRITER] = 1;
        a->what[C_WRITER] = a->w_next++;
    }
    return TETRIS_OK;
}

/* One lookup of reader c, at most TETRIS_PORT_QDEPTH words ahead of `used`. */
static void reader_cycle(sim *s, int c, size_t used, uint64_t t)
{
    reader *r = &s->rd[c];
    if (r->look >= reader_words(s, c) || r->look >= used + TETRIS_PORT_QDEPTH)
        return;
    int32_t f = word_fetch(s, c, r->look);
    if (f >= 0 && (size_t)f == r->issued) { /* a miss: fetch the burst */
        if (r->outs >= TETRIS_PORT_OUTS || s->ab.pend[c])
            return;
        s->ab.pend[c] = 1;
        s->ab.what[c] = (size_t)f;
        r->issued++;
        r->outs++;
    }
    r->at[r->look++] = t + (uint64_t)s->p->lat;
}

/* Can the k-th word of reader c be used in cycle t? */
static int word_ready(const sim *s, int c, size_t k, uint64_t t)
{
    const reader *r = &s->rd[c];
    if (k >= r->look || r->at[k] > t)
        return 0;
    int32_t f = word_fetch(s, c, k);
    return f < 0 || (r->done[f] != NOT_YET && r->done[f] < t);
}

/* The filter bus index of word (local filter m, replica a, row i, local
 * channel c, column k): the bus sends [m][a][i][c][k], and only the last
 * replica may hold fewer than bc channels. */
static size_t filter_index(const pe_timing *p, int m, int a, int i, int ca, int c, int k)
{
    return (((size_t)m * (size_t)p->rr * (size_t)p->nc + (size_t)a * (size_t)p->bc * (size_t)p->rr +
             (size_t)i * (size_t)ca + (size_t)c) *
            (size_t)p->s) +
           (size_t)k;
}

/* The cycle after a PE's MACs of column 0, its ifmap words in at t and the
 * filter words on the bus at farr[]: each MAC waits for its filter word. */
static uint64_t first_compute(const pe_timing *p, const pe_t *e, uint64_t t, const uint64_t *farr)
{
    uint64_t tt = t;
    for (int ml = 0; ml < e->mb; ml++) {
        int m = e->b * p->bm + ml;
        for (int c = 0; c < e->ca; c++)
            for (int nn = 0; nn < p->nn; nn++)
                for (int kk = 0; kk < p->s; kk++)
                    tt = tetris_later(tt + 1, farr[filter_index(p, m, e->a, e->i, e->ca, c, kk)] + 1);
    }
    return tt + 1;
}

/* A PE of column 0 whose filter words are all on the bus gets its end cycle. */
static void settle(const pe_timing *p, pe_t *e, size_t fb, const uint64_t *farr)
{
    if (e->xx == 0 && e->ready == NOT_YET && e->last_filter < fb)
        e->ready = first_compute(p, e, e->loaded, farr);
}

/* Column xx's words are all in the scratchpad at e->wt: the PE computes,
 * once its filters have arrived (x = 0) or its bank has drained column xx-2. */
static void load_done(const pe_timing *p, pe_t *e, size_t fb, const uint64_t *farr)
{
    e->st = PE_COMP;
    e->got = 0;
    e->loaded = e->wt;
    if (e->xx == 0 && !p->pool) {
        e->ready = NOT_YET;
        settle(p, e, fb, farr);
    } else if (e->dn < e->xx - 1) { /* its bank still drains */
        e->ready = NOT_YET;
        e->bankwait = 1;
    } else {
        uint64_t bank = e->xx >= 2 ? e->dt[e->xx & 1] : 0; /* column xx-2 left */
        e->ready = tetris_later(e->loaded, bank) + e->macs + 1;
    }
}

/* A PE whose column xx has computed loads column xx+1, first the words it
 * staged (its drain is the other side's business). */
static void advance(const pe_timing *p, pe_t *e, uint64_t t, size_t fb, const uint64_t *farr)
{
    while (e->st == PE_COMP && e->ready != NOT_YET && e->ready <= t && e->xx + 1 < p->wo) {
        e->xx++;
        e->st = PE_LOAD;
        e->got = e->staged;
        e->staged = 0;
        e->wt = e->ready - 1 + e->got;
        if (e->got == e->need)
            load_done(p, e, fb, farr);
    }
}

/* Can PE e take a word of column x in cycle t? */
static int can_take(const pe_t *e, int x, uint64_t t)
{
    if (e->st == PE_LOAD)
        return e->xx == x;
    return e->xx + 1 == x && t > e->loaded && e->staged < e->need;
}

static int run(sim *s, pe_t *pes, const int *tstart, const int *tlist,
               const int *colstart, const int *collist, uint64_t *cycles)
{
    const pe_timing *p = s->p;
    const stream_traffic *tr = s->tr;
    int nb = p->nb, ee = p->ee;
    uint64_t t = (uint64_t)(p->setup + p->bias + 1);
    size_t bi = 0, pd = 0, fb = 0; /* ifmap bus slot, drained psums, filter bus word */
    int dx = 0, db = 0, djj = 0;
    uint64_t dcnt = 0;
    uint64_t moved = t; /* the last cycle in which a word moved */
    int rc;
    /* the controller works on what earlier passes left while this one sets up */
    for (uint64_t t0 = 0; t0 < t; t0++)
        if ((rc = vault_cycle(s, t0)))
            return rc;
    for (;; t++) {
        /* a model that no longer moves is a bug, not a long pass */
        if (t - moved > STALL_LIMIT)
            return TETRIS_EINVAL;
        if ((rc = vault_cycle(s, t)))
            return rc;
        int drained = dx >= p->wo;
        /* the writer's flush after the last drained psum: its open lines */
        if (drained && s->ab.w_avail < tr->out.nsend) {
            s->ab.w_avail = tr->out.nsend;
            moved = t;
        }
        if (drained && s->ab.w_next == tr->out.nsend && !s->ab.pend[C_WRITER] &&
            !(s->ab.reg_valid && s->ab.reg_client == C_WRITER))
            break;
        reader_cycle(s, C_IFMAP, bi, t);
        reader_cycle(s, C_FILTER, fb, t);
        reader_cycle(s, C_PSUM_IN, pd, t);
        /* the filter bus, one word per cycle in order */
        if (fb < tr->filter.nwords && word_ready(s, C_FILTER, fb, t)) {
            s->farr[fb++] = t;
            moved = t;
        }
        /* bus */
        if (bi < tr->nslot && word_ready(s, C_IFMAP, bi, t)) {
            const stream_slot *sl = &tr->slot[bi];
            int ok = 1;
            if (sl->group >= 0)
                for (int k = tstart[sl->group]; k < tstart[sl->group + 1] && ok; k++) {
                    pe_t *e = &pes[tlist[k]];
                    if (e->st == PE_COMP)
                        settle(p, e, fb, s->farr);
                    advance(p, e, t, fb, s->farr);
                    ok = can_take(e, sl->x, t);
                }
            if (ok) {
                if (sl->group >= 0)
                    for (int k = tstart[sl->group]; k < tstart[sl->group + 1]; k++) {
                        pe_t *e = &pes[tlist[k]];
                        if (e->st == PE_COMP) {
                            e->staged++;
                            continue;
                        }
                        e->wt = tetris_later(e->wt + 1, t + 1);
                        if (++e->got == (sl->x == 0 ? e->need0 : e->need))
                            load_done(p, e, fb, s->farr);
                    }
                bi++;
                moved = t;
            }
        }
        /* drain: the column (db, djj) of output column dx, one psum per cycle */
        if (!drained) {
            int col = db * ee + djj;
            int ready = word_ready(s, C_PSUM_IN, pd, t) || !tr->psum_in.nwords;
            for (int k = colstart[col]; k < colstart[col + 1] && ready; k++) {
                pe_t *e = &pes[collist[k]];
                if (e->st == PE_COMP)
                    settle(p, e, fb, s->farr);
                advance(p, e, t, fb, s->farr); /* staged words load without the bus */
                ready = e->xx > dx || (e->st == PE_COMP && e->ready <= t && e->xx == dx);
            }
            /* the writer takes the psum once the line its new line's slot
             * held has left it (to the arbiter) */
            int32_t wait = tr->out.wait[pd];
            size_t left = s->ab.w_next - (size_t)s->ab.pend[C_WRITER];
            if (ready && (wait < 0 || (size_t)wait < left)) {
                s->ab.w_avail = tr->out.first[pd + 1];
                pd++;
                moved = t;
                uint64_t mb = (uint64_t)tetris_imin(p->bm, p->nm - db * p->bm);
                if (++dcnt == mb * (uint64_t)p->nn) {
                    dcnt = 0;
                    /* the bank is free: a computation waiting for it starts */
                    for (int k = colstart[col]; k < colstart[col + 1]; k++) {
                        pe_t *e = &pes[collist[k]];
                        e->dt[e->dn & 1] = t;
                        if (++e->dn >= e->xx - 1 && e->bankwait) {
                            e->bankwait = 0;
                            e->ready = tetris_later(e->loaded, t) + e->macs + 1;
                        }
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
        }
    }
    *cycles = t + (uint64_t)p->tail;
    return TETRIS_OK;
}

int pe_timing_cycles(const tetris_engine *e, const pe_timing *p, const stream_traffic *tr,
                     tetris_vault_sched *vs, uint64_t *cycles)
{
    int pool = p->pool;
    int npe = p->nb * p->ee * p->na * p->rr;
    int nch = pool ? p->nm : p->nc, bcr = pool ? p->bm : p->bc;
    int ngroups = nch * p->ny;
    int ncols = p->nb * p->ee;
    int step = tetris_imin(p->u, p->s);
    sim s = {.p = p, .tr = tr, .vs = vs, .ab = {.last = CLIENTS - 1}};
    s.cap = vault_span(e);
    pe_t *pes = calloc((size_t)npe, sizeof *pes);
    int *tstart = calloc((size_t)ngroups + 1, sizeof *tstart);
    int *colstart = calloc((size_t)ncols + 1, sizeof *colstart);
    int *collist = calloc((size_t)npe, sizeof *collist);
    int *fill = calloc((size_t)ncols, sizeof *fill);
    int *tlist = NULL;
    int rc = TETRIS_ENOMEM;
    for (int c = 0; c < 3; c++) {
        int cl = c == 0 ? C_IFMAP : c == 1 ? C_FILTER : C_PSUM_IN;
        size_t nw = reader_words(&s, cl), nf = reader_of(&s, cl)->nfetch;
        s.rd[cl].at = malloc((nw ? nw : 1) * sizeof *s.rd[cl].at);
        s.rd[cl].done = malloc((nf ? nf : 1) * sizeof *s.rd[cl].done);
        if (!s.rd[cl].at || !s.rd[cl].done)
            goto out;
        for (size_t k = 0; k < nf; k++)
            s.rd[cl].done[k] = NOT_YET;
    }
    s.farr = malloc((tr->filter.nwords ? tr->filter.nwords : 1) * sizeof *s.farr);
    if (!s.farr || !pes || !tstart || !colstart || !collist || !fill)
        goto out;
    int k = 0;
    for (int b = 0; b < p->nb; b++) {
        int mb = tetris_imin(p->bm, p->nm - b * p->bm);
        for (int jj = 0; jj < p->ee; jj++)
            for (int a = 0; a < p->na; a++) {
                int ca = pool ? 1 : tetris_imin(p->bc, p->nc - a * p->bc);
                for (int i = 0; i < p->rr; i++, k++) {
                    int chs = pool ? mb : ca;
                    pes[k] = (pe_t){.a = a, .i = i, .b = b, .jj = jj, .y = jj * p->u + i,
                                    .ca = ca, .mb = mb,
                                    .macs = (uint64_t)(pool ? mb : mb * ca) * (uint64_t)p->nn *
                                            (uint64_t)p->s,
                                    .need0 = (uint64_t)chs * (uint64_t)p->nn * (uint64_t)p->s,
                                    .need = (uint64_t)chs * (uint64_t)p->nn * (uint64_t)step,
                                    .st = PE_LOAD,
                                    .last_filter = pool ? 0
                                                        : filter_index(p, b * p->bm + mb - 1, a,
                                                                       i, ca, ca - 1, p->s - 1)};
                    colstart[b * p->ee + jj + 1]++;
                }
            }
    }
    /* targets of bus word (ch, y): the PEs of row y and of replica ch / bcr */
    size_t nt = 0;
    for (int pass = 0; pass < 2; pass++) {
        nt = 0;
        for (int g = 0; g < ngroups; g++) {
            int ch = g / p->ny, y = g % p->ny, rep = ch / bcr;
            for (k = 0; k < npe; k++)
                if (pes[k].y == y && (pool ? pes[k].b : pes[k].a) == rep) {
                    if (pass)
                        tlist[nt] = k;
                    nt++;
                }
            tstart[g + 1] = (int)nt;
        }
        if (!pass && !(tlist = calloc(nt ? nt : 1, sizeof *tlist)))
            goto out;
    }
    for (int c = 0; c < ncols; c++)
        colstart[c + 1] += colstart[c];
    for (k = 0; k < npe; k++) {
        int c = pes[k].b * p->ee + pes[k].jj;
        collist[colstart[c] + fill[c]++] = k;
    }
    rc = run(&s, pes, tstart, tlist, colstart, collist, cycles);
out:
    for (int c = 0; c < 3; c++) {
        free(s.rd[c].at);
        free(s.rd[c].done);
    }
    free(s.farr);
    free(pes);
    free(tstart);
    free(tlist);
    free(colstart);
    free(collist);
    free(fill);
    return rc;
}
