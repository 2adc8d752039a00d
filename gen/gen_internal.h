/*
 * Private interface of the generator: one emitter per block file
 * (gen/<block>.c writes tetris_<block>.v) and the Verilog writing helpers
 * they share.
 */
#ifndef TETRIS_GEN_INTERNAL_H
#define TETRIS_GEN_INTERNAL_H

#include <stdio.h>

#include "internal.h"
#include "tetris_gen.h"

/* Block emitters: write one module for cfg; 0 or TETRIS_E*. */
int gen_pe(const tetris_config *cfg, FILE *out);
int gen_pe_array(const tetris_config *cfg, FILE *out);
/* The PE array with PE (row, col)'s psum output broken (tetris_gen_options). */
int gen_pe_array_fault(const tetris_config *cfg, int row, int col, FILE *out);
int gen_seq(const tetris_config *cfg, FILE *out);
int gen_dram_accum(const tetris_config *cfg, FILE *out);
int gen_vault_ctrl(const tetris_config *cfg, FILE *out);
int gen_sram(const tetris_config *cfg, FILE *out);
int gen_gbuf(const tetris_config *cfg, FILE *out);
int gen_vault_arb(const tetris_config *cfg, FILE *out);
#define GEN_VAULT_QDEPTH TETRIS_VAULT_QDEPTH /* sizes the arbiter's id FIFO too */
int gen_out_stage(const tetris_config *cfg, FILE *out);
int gen_rdport(const tetris_config *cfg, FILE *out);
int gen_wrport(const tetris_config *cfg, FILE *out);

/* Port widths shared by tetris_pe, tetris_pe_array and tetris_stream. */
typedef struct gen_array_widths {
    int sw;  /* cfg_s, cfg_u: 0..KMAX */
    int xw;  /* cfg_wo: output columns per pass */
    int bcw; /* cfg_bc: 1..min(FW, IW) */
    int bmw; /* cfg_bm: 1..PW */
    int bnw; /* cfg_bn: 1..min(IW, PW) */
    int hw;  /* counts of array rows, 0..H */
    int ww;  /* counts of array columns, 0..W */
    int rw;  /* an array row, 0..H-1 (filter bus tag) */
    int cw;  /* a width replica, 0..W-1 (filter bus tag) */
    int yw;  /* an ifmap row relative to the pass (ifmap bus tag) */
    int gw;  /* a replica, 0..max(H, W)-1 (ifmap bus tag) */
    int tw;  /* word-reader tags: the widest of the above pairs */
} gen_array_widths;

/* One line "parameter NAME = value,  // doc" of a module's parameter list
 * (no comma after the last one), comments aligned. */
void gen_param(FILE *out, const char *name, int value, int last, const char *doc);

/* Verilog text of `name` (from bits) zero-extended to `to` bits, in buf. */
const char *gen_zext(char *buf, size_t len, const char *name, int from, int to);

/* Write text with every '`' replaced by prefix: for loop nests that a unit
 * runs twice under different names (a read side and a write side). */
void gen_emit_sub(FILE *out, const char *text, const char *prefix);

void gen_array_widths_of(const tetris_config *cfg, gen_array_widths *w);
int gen_stream(const tetris_config *cfg, FILE *out);
int gen_dma(const tetris_config *cfg, FILE *out);
int gen_perf(const tetris_config *cfg, FILE *out);
int gen_engine(const tetris_config *cfg, FILE *out);
/* The engine's block diagram in Graphviz syntax (tetris_engine.dot). */
int gen_engine_dot(const tetris_config *cfg, FILE *out);
/* Bits of a tetris_perf increment input (events per cycle, up to H*W). */
int gen_perf_inc_bits(const tetris_config *cfg);

#endif
