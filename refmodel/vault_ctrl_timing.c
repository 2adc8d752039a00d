/*
 * The DRAM side of tetris_vault_ctrl (docs/vault.md): DRAM timings in engine
 * cycles, the address mapping, the near-bank adder (tetris_dram_accum), a
 * checker of the DRAM command stream, and a functional vault memory that the
 * unit testbench uses as its expected memory.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tetris.h"

int tetris_dram_cycles(const tetris_config *cfg, int n)
{
    /* n * tck_ps / (1e6 / clock_mhz), rounded up; the 1e-9 relative slack
     * keeps an exact product (e.g. 2 * 1000 ps at 1000 MHz) from being rounded
     * up by floating-point error. */
    double x = (double)n * cfg->dram_tck_ps * cfg->clock_mhz / 1e6;
    return (int)ceil(x * (1.0 - 1e-9));
}

void tetris_dram_timing_of(const tetris_config *cfg, tetris_dram_timing *t)
{
    t->trcd = tetris_dram_cycles(cfg, cfg->dram_trcd);
    t->tcl = tetris_dram_cycles(cfg, cfg->dram_tcl);
    t->trp = tetris_dram_cycles(cfg, cfg->dram_trp);
    t->tras = tetris_dram_cycles(cfg, cfg->dram_tras);
    t->tccd = tetris_dram_cycles(cfg, cfg->dram_tccd);
    t->tacc = t->tcl + t->tccd;
}

int tetris_vault_addr_decode(const tetris_config *cfg, uint64_t addr, int *bank, int *row,
                             int *col)
{
    uint64_t burst = (uint64_t)cfg->dram_burst_bytes;
    uint64_t cols = (uint64_t)(cfg->dram_row_bytes / cfg->dram_burst_bytes);
    uint64_t blk = addr / burst;
    /* the controller's request address is 32 bits wide */
    if (addr % burst || addr > UINT32_MAX || blk / cols / (uint64_t)cfg->dram_banks >=
                                                 (uint64_t)cfg->dram_rows)
        return TETRIS_EINVAL;
    *col = (int)(blk % cols);
    *bank = (int)(blk / cols % (uint64_t)cfg->dram_banks);
    *row = (int)(blk / cols / (uint64_t)cfg->dram_banks);
    return TETRIS_OK;
}

/* Bit i of a request mask (bit i % 8 of byte i / 8; NULL: every bit). Mask
 * bits are 16-bit lanes: bit i covers bytes 2i and 2i + 1 of the burst. */
static int mask_bit(const uint8_t *mask, int i)
{
    return !mask || (mask[i / 8] >> (i % 8)) & 1;
}

void tetris_dram_accum(const tetris_arith *a, int burst_bytes, uint8_t *mem, const uint8_t *data,
                       const uint8_t *mask)
{
    /* 32-bit lane i adds when mask bit 2i (its low half) is set; bit 2i + 1 is
     * ignored, as in the RTL adder */
    for (int i = 0; i < burst_bytes / 4; i++) {
        if (!mask_bit(mask, 2 * i))
            continue;
        uint8_t *m = mem + 4 * i;
        const uint8_t *d = data + 4 * i;
        uint32_t old = 0, add = 0;
        for (int k = 0; k < 4; k++) {
            old |= (uint32_t)m[k] << (8 * k);
            add |= (uint32_t)d[k] << (8 * k);
        }
        uint32_t sum = (uint32_t)tetris_acc_add(a, (int32_t)old, (int32_t)add);
        for (int k = 0; k < 4; k++)
            m[k] = (uint8_t)(sum >> (8 * k));
    }
}

/* Name of an accum.location value, from the parameter table. */
static const char *accum_name(int v)
{
    size_t n;
    const tetris_param *p = tetris_params(&n);
    for (size_t i = 0; i < n; i++)
        if (p[i].offset == offsetof(tetris_config, accum))
            return p[i].enum_names[v];
    return "?";
}

/* ------------------------------------------------------------------------ */
/* Checker                                                                   */
/* ------------------------------------------------------------------------ */

/* A time long before any command, so that "cycle - NEVER" passes every rule. */
#define NEVER (INT64_MIN / 4)

static const char *const cmd_names[] = {"NOP", "ACT", "RD", "WR", "PRE", "ACC"};

typedef struct bank_state {
    int open, row;    /* open row, when open */
    int64_t act, pre; /* cycles of the last ACT and PRE */
    int64_t col;      /* cycle of the last RD or WR */
    int col_cmd;      /* which of the two */
    int64_t acc;      /* cycle of the last ACC */
} bank_state;

struct tetris_dram_checker {
    tetris_dram_timing t;
    int banks, rows, cols;
    int accum;        /* enum tetris_accum_loc */
    int64_t last;     /* cycle of the last command on the bus */
    int64_t last_col; /* cycle of the last column command, any bank */
    int last_col_cmd, last_col_bank;
    bank_state *b;
    char msg[200];
};

int tetris_dram_checker_create(const tetris_config *cfg, tetris_dram_checker **out)
{
    *out = NULL;
    if (tetris_config_validate(cfg, NULL, NULL))
        return TETRIS_EINVAL;
    tetris_dram_checker *c = calloc(1, sizeof *c);
    bank_state *b = calloc((size_t)cfg->dram_banks, sizeof *b);
    if (!c || !b) {
        free(c);
        free(b);
        return TETRIS_ENOMEM;
    }
    tetris_dram_timing_of(cfg, &c->t);
    c->banks = cfg->dram_banks;
    c->rows = cfg->dram_rows;
    c->cols = cfg->dram_row_bytes / cfg->dram_burst_bytes;
    c->accum = cfg->accum;
    c->last = c->last_col = NEVER;
    for (int i = 0; i < c->banks; i++)
        b[i].act = b[i].pre = b[i].col = b[i].acc = NEVER;
    c->b = b;
    *out = c;
    return TETRIS_OK;
}

void tetris_dram_checker_destroy(tetris_dram_checker *c)
{
    if (!c)
        return;
    free(c->b);
    free(c);
}

const char *tetris_dram_checker_msg(const tetris_dram_checker *c)
{
    return c->msg;
}

static int violation(tetris_dram_checker *c, int code, uint64_t cycle, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int violation(tetris_dram_checker *c, int code, uint64_t cycle, const char *fmt, ...)
{
    int n = snprintf(c->msg, sizeof c->msg, "cycle %llu: ", (unsigned long long)cycle);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg + n, sizeof c->msg - (size_t)n, fmt, ap);
    va_end(ap);
    return code;
}

/* A minimum distance from an earlier command of the bank: 0, or the violation
 * "bank B: CMD D cycles after EARLIER, RULE is MIN". */
static int gap(tetris_dram_checker *c, uint64_t cycle, int bank, int cmd, int64_t since, int min,
               int code, const char *earlier, const char *rule)
{
    int64_t d = (int64_t)cycle - since;
    if (d >= min)
        return TETRIS_DRAM_LEGAL;
    return violation(c, code, cycle, "bank %d: %s %lld cycles after %s, %s is %d", bank,
                     cmd_names[cmd], (long long)d, earlier, rule, min);
}

int tetris_dram_checker_cmd(tetris_dram_checker *c, uint64_t cycle, int cmd, int bank, int row,
                            int col)
{
    if (cmd < TETRIS_DRAM_ACT || cmd > TETRIS_DRAM_ACC)
        return violation(c, TETRIS_DRAM_V_CMD, cycle, "unknown DRAM command %d", cmd);
    const char *name = cmd_names[cmd];
    int column = cmd == TETRIS_DRAM_RD || cmd == TETRIS_DRAM_WR || cmd == TETRIS_DRAM_ACC;
    if (bank < 0 || bank >= c->banks)
        return violation(c, TETRIS_DRAM_V_CMD, cycle, "%s to bank %d, the vault has %d banks",
                         name, bank, c->banks);
    if (cmd != TETRIS_DRAM_PRE && (row < 0 || row >= c->rows))
        return violation(c, TETRIS_DRAM_V_CMD, cycle, "bank %d: %s to row %d, banks have %d rows",
                         bank, name, row, c->rows);
    if (column && (col < 0 || col >= c->cols))
        return violation(c, TETRIS_DRAM_V_CMD, cycle,
                         "bank %d: %s to column %d, rows have %d bursts", bank, name, col, c->cols);
    int64_t now = (int64_t)cycle;
    if (now <= c->last)
        return violation(c, TETRIS_DRAM_V_BUS, cycle,
                         "bank %d: %s on the command bus with the command of cycle %lld", bank,
                         name, (long long)c->last);
    if (cmd == TETRIS_DRAM_ACC && c->accum != TETRIS_ACCUM_DRAM_DIE &&
        c->accum != TETRIS_ACCUM_BANK)
        return violation(c, TETRIS_DRAM_V_NOACC, cycle,
                         "bank %d: ACC but accum.location is %s: the DRAM has no adder", bank,
                         accum_name(c->accum));
    bank_state *b = &c->b[bank];
    const tetris_dram_timing *t = &c->t;
    int v;
    if (cmd == TETRIS_DRAM_ACT) {
        if (b->open)
            return violation(c, TETRIS_DRAM_V_STATE, cycle,
                             "bank %d: ACT of row %d while row %d is open", bank, row, b->row);
        if ((v = gap(c, cycle, bank, cmd, b->pre, t->trp, TETRIS_DRAM_V_TRP, "PRE", "tRP")))
            return v;
        b->open = 1;
        b->row = row;
        b->act = now;
    } else if (!b->open) {
        return violation(c, TETRIS_DRAM_V_STATE, cycle, "bank %d: %s to a closed bank", bank,
                         name);
    } else if (cmd == TETRIS_DRAM_PRE) {
        if ((v = gap(c, cycle, bank, cmd, b->act, t->tras, TETRIS_DRAM_V_TRAS, "ACT", "tRAS")) ||
            (v = gap(c, cycle, bank, cmd, b->col, t->tccd, TETRIS_DRAM_V_TCCD,
                     cmd_names[b->col_cmd], "its burst (tCCD)")) ||
            (v = gap(c, cycle, bank, cmd, b->acc, t->tacc, TETRIS_DRAM_V_TACC, "ACC",
                     "tACC (tCL + tCCD)")))
            return v;
        b->open = 0;
        b->pre = now;
    } else {
        if (row != b->row)
            return violation(c, TETRIS_DRAM_V_STATE, cycle, "bank %d: %s to row %d, row %d is open",
                             bank, name, row, b->row);
        if ((v = gap(c, cycle, bank, cmd, b->act, t->trcd, TETRIS_DRAM_V_TRCD, "ACT", "tRCD")) ||
            (v = gap(c, cycle, bank, cmd, b->acc, t->tacc, TETRIS_DRAM_V_TACC, "ACC",
                     "tACC (tCL + tCCD)")))
            return v;
        if (now - c->last_col < t->tccd)
            return violation(c, TETRIS_DRAM_V_TCCD, cycle,
                             "bank %d: %s %lld cycles after %s to bank %d, tCCD is %d", bank, name,
                             (long long)(now - c->last_col), cmd_names[c->last_col_cmd],
                             c->last_col_bank, t->tccd);
        if (cmd == TETRIS_DRAM_ACC) {
            b->acc = now;
        } else {
            b->col = now;
            b->col_cmd = cmd;
        }
        c->last_col = now;
        c->last_col_cmd = cmd;
        c->last_col_bank = bank;
    }
    c->last = now;
    return TETRIS_DRAM_LEGAL;
}

/* ------------------------------------------------------------------------ */
/* Functional vault memory                                                   */
/* ------------------------------------------------------------------------ */

struct tetris_vault_mem {
    tetris_config cfg; /* for the address mapping */
    tetris_arith a;
    uint8_t *bytes;
};

int tetris_vault_mem_create(const tetris_config *cfg, tetris_vault_mem **out)
{
    *out = NULL;
    if (tetris_config_validate(cfg, NULL, NULL))
        return TETRIS_EINVAL;
    tetris_derived d;
    tetris_config_derive(cfg, &d);
    if (d.vault_capacity > SIZE_MAX)
        return TETRIS_ENOMEM;
    tetris_vault_mem *m = calloc(1, sizeof *m);
    uint8_t *bytes = calloc((size_t)d.vault_capacity, 1); /* untouched pages stay unmapped */
    if (!m || !bytes) {
        free(m);
        free(bytes);
        return TETRIS_ENOMEM;
    }
    m->cfg = *cfg;
    tetris_arith_from_config(cfg, &m->a);
    m->bytes = bytes;
    *out = m;
    return TETRIS_OK;
}

void tetris_vault_mem_destroy(tetris_vault_mem *m)
{
    if (!m)
        return;
    free(m->bytes);
    free(m);
}

/* The burst at addr, or NULL when the controller rejects the address. */
static uint8_t *burst_at(const tetris_vault_mem *m, uint64_t addr)
{
    int bank, row, col;
    if (tetris_vault_addr_decode(&m->cfg, addr, &bank, &row, &col))
        return NULL;
    return m->bytes + addr;
}

int tetris_vault_mem_read(const tetris_vault_mem *m, uint64_t addr, uint8_t *data)
{
    const uint8_t *p = burst_at(m, addr);
    if (!p)
        return TETRIS_EINVAL;
    memcpy(data, p, (size_t)m->cfg.dram_burst_bytes);
    return TETRIS_OK;
}

int tetris_vault_mem_write(tetris_vault_mem *m, uint64_t addr, const uint8_t *data,
                           const uint8_t *mask)
{
    uint8_t *p = burst_at(m, addr);
    if (!p)
        return TETRIS_EINVAL;
    for (int i = 0; i < m->cfg.dram_burst_bytes / 2; i++) /* 16-bit lanes */
        if (mask_bit(mask, i))
            memcpy(p + 2 * i, data + 2 * i, 2);
    return TETRIS_OK;
}

int tetris_vault_mem_accum(tetris_vault_mem *m, uint64_t addr, const uint8_t *data,
                           const uint8_t *mask)
{
    uint8_t *p = burst_at(m, addr);
    if (!p || m->cfg.accum == TETRIS_ACCUM_NONE)
        return TETRIS_EINVAL;
    tetris_dram_accum(&m->a, m->cfg.dram_burst_bytes, p, data, mask);
    return TETRIS_OK;
}
