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
int gen_seq(const tetris_config *cfg, FILE *out);
int gen_dram_accum(const tetris_config *cfg, FILE *out);
int gen_vault_ctrl(const tetris_config *cfg, FILE *out);
int gen_sram(const tetris_config *cfg, FILE *out);
int gen_gbuf(const tetris_config *cfg, FILE *out);


#endif
