/**
 * @file tetris_gen.h
 * @brief The Verilog generator: one emitter per hardware block, all driven by
 * the configuration (the parameter table of libtetris). It writes text and
 * never simulates.
 */
#ifndef TETRIS_GEN_H
#define TETRIS_GEN_H

#include <stdio.h>

#include "tetris.h"

#ifdef __cplusplus
extern "C" {
#endif

/** One generated module: its name (file NAME.v) and its emitter. */
typedef struct tetris_gen_block {
    const char *name; /**< module name, e.g. "tetris_pe" */
    const char *doc;  /**< one line: what the block is */
    /** Write the module (after the common file header) for cfg; 0 or TETRIS_E*. */
    int (*emit)(const tetris_config *cfg, FILE *out);
} tetris_gen_block;

/** The generated blocks in dependency order; *n receives the count. */
const tetris_gen_block *tetris_gen_blocks(size_t *n);

/** Write the header every generated file starts with (comment syntax: Verilog and C alike). */
void tetris_gen_file_header(const tetris_config *cfg, const char *file, FILE *out);

/**
 * Generate every file into dir (created if missing): one NAME.v per block,
 * tetris_params.vh, tetris_params.h, config.yaml (the configuration as
 * generated) and manifest.txt (file, bytes, CRC-32).
 */
int tetris_gen_write(const tetris_config *cfg, const char *dir, tetris_error *err);

/** Generator options beyond the configuration: aids for testing testbenches. */
typedef struct tetris_gen_options {
    /** A deliberately broken PE, -1 for none: bit acc_bits/2 of the psums
     *  leaving PE (fault_row, fault_col) is inverted. */
    int fault_row, fault_col;
} tetris_gen_options;

/** tetris_gen_write with options (NULL: none); a fault outside the array is TETRIS_EINVAL. */
int tetris_gen_write_opts(const tetris_config *cfg, const tetris_gen_options *opts, const char *dir,
                          tetris_error *err);

#ifdef __cplusplus
}
#endif

#endif
