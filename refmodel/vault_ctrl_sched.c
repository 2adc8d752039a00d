/*
 * Cycle model of tetris_vault_ctrl's request queue and command scheduler
 * (docs/vault.md, "Scheduling"). The RTL counts each timer down from T - 1 to
 * 0; here every timer is the first cycle at which its command may issue,
 * which is the same rule. The engine model times its vault traffic with this
 * model, and tb_vault_ctrl checks the RTL against it command by command.
 */
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"
#include "tetris.h"

#define QD TETRIS_VAULT_QDEPTH

/* Controller accumulate: RD issued, sum pending, sum ready for the WR. */
enum { A_IDLE, A_WAIT };

typedef struct sched_bank {
    int open, row;
    uint64_t ta; /* first cycle of the next ACT (closed) or column command (open) */
    uint64_t tp; /* first cycle of the next PRE */
} sched_bank;

struct tetris_vault_sched {
    tetris_config cfg;
    tetris_dram_timing t;
    int nbanks, open_page, acc_ctrl;
    uint64_t cyc;
    int q_op[QD], q_bank[QD], q_row[QD], q_col[QD];
    int head, count;
    sched_bank *bk;
    uint64_t ccd;        /* first cycle of the next column command (tCCD) */
    /* RDs in flight: at most one per cycle over the tCL + 2 cycles each stays */
    uint64_t *rd; /* issue cycles of RDs whose data is not back, oldest first */
    int nrd;
    uint64_t *rsp_at; /* cycles of the pending read responses, in order */
    int nrsp;
    int acc_st;
    uint64_t acc_ready; /* A_WAIT: first cycle the sum is ready for the WR */
};

int tetris_vault_sched_create(const tetris_config *cfg, tetris_vault_sched **out)
{
    tetris_vault_sched *s = calloc(1, sizeof *s);
    if (!s)
        return TETRIS_ENOMEM;
    s->cfg = *cfg;
    tetris_dram_timing_of(cfg, &s->t);
    size_t inflight = (size_t)s->t.tcl + 3;
    s->bk = calloc((size_t)cfg->dram_banks, sizeof *s->bk);
    s->rd = calloc(inflight, sizeof *s->rd);
    s->rsp_at = calloc(inflight, sizeof *s->rsp_at);
    if (!s->bk || !s->rd || !s->rsp_at) {
        tetris_vault_sched_destroy(s);
        return TETRIS_ENOMEM;
    }
    s->nbanks = cfg->dram_banks;
    s->open_page = cfg->dram_page_policy == TETRIS_PAGE_OPEN;
    s->acc_ctrl = cfg->accum == TETRIS_ACCUM_CONTROLLER;
    *out = s;
    return TETRIS_OK;
}

void tetris_vault_sched_destroy(tetris_vault_sched *s)
{
    if (s) {
        free(s->bk);
        free(s->rd);
        free(s->rsp_at);
    }
    free(s);
}

int tetris_vault_sched_ready(const tetris_vault_sched *s)
{
    return s->count < QD;
}

int tetris_vault_sched_idle(const tetris_vault_sched *s)
{
    return s->count == 0 && s->nrd == 0 && s->nrsp == 0;
}

uint64_t tetris_vault_sched_cycle(const tetris_vault_sched *s)
{
    return s->cyc;
}

void tetris_vault_sched_wait(tetris_vault_sched *s, uint64_t n)
{
    tetris_vault_step st;
    for (; n && !tetris_vault_sched_idle(s); n--)
        tetris_vault_sched_step(s, 0, 0, 0, &st);
    s->cyc += n;
}

/* Queue slot of the k-th oldest request. */
static int slot(const tetris_vault_sched *s, int k)
{
    return (s->head + k) % QD;
}

/* Some queued request targets bank b's open row (the head included). */
static int wanted(const tetris_vault_sched *s, int b)
{
    for (int k = 0; k < s->count; k++) {
        int i = slot(s, k);
        if (s->q_bank[i] == b && s->q_row[i] == s->bk[b].row)
            return 1;
    }
    return 0;
}

/* The head's column command this cycle, or NOP; *pop when it completes the head. */
static int head_column(const tetris_vault_sched *s, int *pop)
{
    *pop = 0;
    if (!s->count)
        return TETRIS_DRAM_NOP;
    int h = s->head;
    const sched_bank *b = &s->bk[s->q_bank[h]];
    if (!b->open || b->row != s->q_row[h] || s->cyc < b->ta || s->cyc < s->ccd)
        return TETRIS_DRAM_NOP;
    switch (s->q_op[h]) {
    case TETRIS_VAULT_RD:
        *pop = 1;
        return TETRIS_DRAM_RD;
    case TETRIS_VAULT_WR:
        *pop = 1;
        return TETRIS_DRAM_WR;
    default:
        if (!s->acc_ctrl) {
            *pop = 1;
            return TETRIS_DRAM_ACC;
        }
        if (s->acc_st == A_IDLE && s->nrd == 0)
            return TETRIS_DRAM_RD; /* its data is the next to return */
        if (s->acc_st == A_WAIT && s->cyc >= s->acc_ready) {
            *pop = 1;
            return TETRIS_DRAM_WR;
        }
        return TETRIS_DRAM_NOP;
    }
}

/* Rules 2 and 3 of the scheduler: a precharge or an activate, or NOP. */
static int row_command(const tetris_vault_sched *s, int *bank_out, int *row_out)
{
    if (!s->open_page)
        for (int b = 0; b < s->nbanks; b++)
            if (s->bk[b].open && s->cyc >= s->bk[b].tp && !wanted(s, b)) {
                *bank_out = b;
                return TETRIS_DRAM_PRE;
            }
    for (int k = 0; k < s->count; k++) {
        int i = slot(s, k), b = s->q_bank[i], first = 1;
        for (int j = 0; j < k && first; j++)
            first = s->q_bank[slot(s, j)] != b;
        if (!first)
            continue;
        const sched_bank *p = &s->bk[b];
        if (!p->open && s->cyc >= p->ta) {
            *bank_out = b;
            *row_out = s->q_row[i];
            return TETRIS_DRAM_ACT;
        }
        if (p->open && p->row != s->q_row[i] && s->cyc >= p->tp) {
            *bank_out = b;
            return TETRIS_DRAM_PRE;
        }
    }
    return TETRIS_DRAM_NOP;
}

int tetris_vault_sched_step(tetris_vault_sched *s, int valid, int op, uint64_t addr,
                            tetris_vault_step *st)
{
    int bank = 0, row = 0, col = 0;
    /* a request matters only in a cycle the queue can take it */
    valid = valid && s->count < QD;
    if (valid && (tetris_vault_addr_decode(&s->cfg, addr, &bank, &row, &col) ||
                  (op != TETRIS_VAULT_RD && op != TETRIS_VAULT_WR && op != TETRIS_VAULT_ACC) ||
                  (op == TETRIS_VAULT_ACC && s->cfg.accum == TETRIS_ACCUM_NONE)))
        return TETRIS_EINVAL;
    const tetris_dram_timing *t = &s->t;
    uint64_t c = s->cyc;
    /* reads whose data came back: the RTL decrements in the cycle of
     * dram_rvalid (RD cycle + 1 + tCL), seen one cycle later */
    while (s->nrd && s->rd[0] + (uint64_t)t->tcl + 2 <= c) {
        s->nrd--;
        for (int i = 0; i < s->nrd; i++)
            s->rd[i] = s->rd[i + 1];
    }
    *st = (tetris_vault_step){0};
    if (s->nrsp && s->rsp_at[0] == c) {
        st->rsp = 1;
        s->nrsp--;
        for (int i = 0; i < s->nrsp; i++)
            s->rsp_at[i] = s->rsp_at[i + 1];
    }
    int pop, h = s->head, hop = s->count ? s->q_op[h] : 0;
    int cmd = head_column(s, &pop), b = s->count ? s->q_bank[h] : 0, act_row = 0;
    if (cmd == TETRIS_DRAM_NOP)
        cmd = row_command(s, &b, &act_row);
    st->cmd = cmd;
    st->bank = b;
    if (cmd == TETRIS_DRAM_ACT) {
        st->row = act_row;
    } else if (cmd != TETRIS_DRAM_PRE && cmd != TETRIS_DRAM_NOP) {
        st->row = s->q_row[h];
        st->col = s->q_col[h];
    }
    st->done = pop;
    sched_bank *p = &s->bk[b];
    switch (cmd) {
    case TETRIS_DRAM_ACT:
        p->open = 1;
        p->row = act_row;
        p->ta = c + (uint64_t)t->trcd;
        p->tp = c + (uint64_t)t->tras;
        break;
    case TETRIS_DRAM_PRE:
        p->open = 0;
        p->ta = c + (uint64_t)t->trp;
        break;
    case TETRIS_DRAM_ACC:
        s->ccd = c + (uint64_t)t->tccd;
        p->ta = c + (uint64_t)t->tacc;
        p->tp = tetris_later(p->tp, c + (uint64_t)t->tacc);
        break;
    case TETRIS_DRAM_RD:
    case TETRIS_DRAM_WR:
        s->ccd = c + (uint64_t)t->tccd;
        p->tp = tetris_later(p->tp, c + (uint64_t)t->tccd);
        if (cmd == TETRIS_DRAM_RD) {
            s->rd[s->nrd++] = c;
            if (hop == TETRIS_VAULT_ACC) {
                /* dram_rvalid at c + 1 + tCL, the adder's sum one cycle later */
                s->acc_st = A_WAIT;
                s->acc_ready = c + (uint64_t)t->tcl + 2;
            } else {
                s->rsp_at[s->nrsp++] = c + (uint64_t)t->tcl + 2;
            }
        } else if (hop == TETRIS_VAULT_ACC) {
            s->acc_st = A_IDLE;
        }
        break;
    default:
        break;
    }
    if (pop) {
        s->head = (s->head + 1) % QD;
        s->count--;
    }
    /* the push lands after this cycle's scheduling, as in the RTL; a slot
     * freed by this cycle's pop is not free until the next cycle */
    if (valid) {
        int i = (s->head + s->count) % QD;
        s->q_op[i] = op;
        s->q_bank[i] = bank;
        s->q_row[i] = row;
        s->q_col[i] = col;
        s->count++;
        st->taken = 1;
    }
    s->cyc++;
    return TETRIS_OK;
}
