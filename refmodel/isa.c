/*
 * Instruction encoding (docs/isa.md). Every instruction is four 32-bit words:
 *   w0[7:0] opcode, w0[31:8] opcode-specific fields;
 *   w1 = c0 | nc << 16, w2 = m0 | nm << 16, w3 = n0 | nn << 16 (16-bit ranges)
 *   except SET, whose w1 is the 32-bit register value.
 */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

static const char *const reg_names[REG_COUNT] = {
#define ISA_X_NAME(e, n) n,
    ISA_REGS(ISA_X_NAME)
#undef ISA_X_NAME
};

const char *isa_reg_name(int reg)
{
    return (reg >= 0 && reg < REG_COUNT) ? reg_names[reg] : "?";
}

static uint32_t range(int lo, int n)
{
    return ((uint32_t)lo & 0xFFFFu) | ((uint32_t)n & 0xFFFFu) << 16;
}

tetris_insn isa_encode(const isa_insn *d)
{
    tetris_insn w = {{(uint32_t)d->op & 0xFFu, 0, 0, 0}};
    switch (d->op) {
    case OP_SET:
        w.w[0] |= ((uint32_t)d->reg & 0xFFu) << 8;
        w.w[1] = d->value;
        return w;
    case OP_LOAD:
        w.w[0] |= ((uint32_t)d->kind & 3u) << 8 | ((uint32_t)d->window_only & 1u) << 10;
        break;
    case OP_STORE:
        w.w[0] |= ((uint32_t)d->mode & 3u) << 12;
        break;
    case OP_PASS:
        w.w[0] |= ((uint32_t)d->src_filter_gbuf & 1u) << 8 | ((uint32_t)d->src_ifmap_gbuf & 1u) << 9 |
                  ((uint32_t)d->psum_in & 3u) << 10 | ((uint32_t)d->psum_out & 3u) << 12 |
                  ((uint32_t)d->fh & 0xFFu) << 16 | ((uint32_t)d->fw & 0xFFu) << 24;
        break;
    default:
        return w;
    }
    w.w[1] = range(d->c0, d->nc);
    w.w[2] = range(d->m0, d->nm);
    w.w[3] = range(d->n0, d->nn);
    return w;
}

/* Bits of w0 each opcode defines (with the opcode byte); the rest are
 * reserved and must be zero, so that every bit of an instruction has a meaning. */
static uint32_t defined_bits(int op)
{
    switch (op) {
    case OP_SET: return 0x0000FFFFu;
    case OP_LOAD: return 0x000007FFu;
    case OP_STORE: return 0x000030FFu;
    case OP_PASS: return 0xFFFF3FFFu;
    default: return 0x000000FFu; /* SYNC, END */
    }
}

int isa_decode(const tetris_insn *w, isa_insn *d)
{
    memset(d, 0, sizeof *d);
    d->op = (int)(w->w[0] & 0xFFu);
    uint32_t f = w->w[0];
    if (d->op < OP_SET || d->op > OP_END || (f & ~defined_bits(d->op)))
        return TETRIS_EINVAL;
    switch (d->op) {
    case OP_SET:
        d->reg = (int)(f >> 8 & 0xFFu);
        d->value = w->w[1];
        return d->reg < REG_COUNT && !w->w[2] && !w->w[3] ? TETRIS_OK : TETRIS_EINVAL;
    case OP_SYNC:
    case OP_END:
        return !w->w[1] && !w->w[2] && !w->w[3] ? TETRIS_OK : TETRIS_EINVAL;
    case OP_LOAD:
        d->kind = (int)(f >> 8 & 3u);
        d->window_only = (int)(f >> 10 & 1u);
        if (d->kind > KIND_PSUM)
            return TETRIS_EINVAL;
        break;
    case OP_STORE:
        d->mode = (int)(f >> 12 & 3u);
        if (d->mode == POUT_GBUF)
            return TETRIS_EINVAL;
        break;
    default: /* OP_PASS */
        d->src_filter_gbuf = (int)(f >> 8 & 1u);
        d->src_ifmap_gbuf = (int)(f >> 9 & 1u);
        d->psum_in = (int)(f >> 10 & 3u);
        d->psum_out = (int)(f >> 12 & 3u);
        d->fh = (int)(f >> 16 & 0xFFu);
        d->fw = (int)(f >> 24 & 0xFFu);
        break;
    }
    d->c0 = (int)(w->w[1] & 0xFFFFu);
    d->nc = (int)(w->w[1] >> 16);
    d->m0 = (int)(w->w[2] & 0xFFFFu);
    d->nm = (int)(w->w[2] >> 16);
    d->n0 = (int)(w->w[3] & 0xFFFFu);
    d->nn = (int)(w->w[3] >> 16);
    return TETRIS_OK;
}

int isa_emit(tetris_program *p, const isa_insn *d)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 256;
        tetris_insn *q = realloc(p->insn, cap * sizeof *q);
        if (!q)
            return TETRIS_ENOMEM;
        p->insn = q;
        p->cap = cap;
    }
    p->insn[p->n++] = isa_encode(d);
    return TETRIS_OK;
}

void tetris_program_free(tetris_program *p)
{
    free(p->insn);
    memset(p, 0, sizeof *p);
}

static const char *const kind_names[] = {"ifmap", "filter", "psum"};
static const char *const pin_names[] = {"zero", "bias", "gbuf", "vault"};
static const char *const pout_names[] = {"gbuf", "wr", "acc", "final"};

int tetris_program_disasm(const tetris_program *p, FILE *out)
{
    for (size_t i = 0; i < p->n; i++) {
        isa_insn d;
        fprintf(out, "%6zu  %08x %08x %08x %08x  ", i, (unsigned)p->insn[i].w[0],
                (unsigned)p->insn[i].w[1], (unsigned)p->insn[i].w[2], (unsigned)p->insn[i].w[3]);
        if (isa_decode(&p->insn[i], &d)) {
            fprintf(out, ".word (invalid)\n");
            continue;
        }
        switch (d.op) {
        case OP_SET:
            fprintf(out, "set    %s, %u\n", isa_reg_name(d.reg), (unsigned)d.value);
            break;
        case OP_LOAD:
            fprintf(out, "load   %s%s c[%d+%d] m[%d+%d] n[%d+%d]\n", kind_names[d.kind],
                    d.window_only ? ".window" : "", d.c0, d.nc, d.m0, d.nm, d.n0, d.nn);
            break;
        case OP_STORE:
            fprintf(out, "store  psum.%s m[%d+%d] n[%d+%d]\n", pout_names[d.mode], d.m0, d.nm, d.n0,
                    d.nn);
            break;
        case OP_PASS:
            fprintf(out, "pass   f=%s i=%s pin=%s pout=%s fold(%d,%d) c[%d+%d] m[%d+%d] n[%d+%d]\n",
                    d.src_filter_gbuf ? "gbuf" : "vault", d.src_ifmap_gbuf ? "gbuf" : "vault",
                    pin_names[d.psum_in], pout_names[d.psum_out], d.fh, d.fw, d.c0, d.nc, d.m0, d.nm,
                    d.n0, d.nn);
            break;
        case OP_SYNC:
            fprintf(out, "sync\n");
            break;
        default:
            fprintf(out, "end\n");
            break;
        }
    }
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
