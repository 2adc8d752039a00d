/*
 * Private helpers of libtetris: error formatting and the libyaml document
 * wrapper shared by the configuration and network loaders. Not installed.
 */
#ifndef TETRIS_INTERNAL_H
#define TETRIS_INTERNAL_H

#include <yaml.h>

#include "tetris.h"

/* Format "FILE:LINE: FIELD: message" into err (any of file/field may be NULL,
 * line <= 0 omits the line). Returns status so callers can `return tetris_fail(...)`. */
int tetris_fail(tetris_error *err, int status, const char *file, int line, const char *field,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* Pooling and ReLU layers: no filters, no cross-channel sum (channel = m). */
static inline int tetris_layer_is_pool(const tetris_layer *l)
{
    return l->type == TETRIS_LAYER_MAXPOOL || l->type == TETRIS_LAYER_AVGPOOL ||
           l->type == TETRIS_LAYER_RELU;
}

static inline int tetris_ceil_div(int a, int b)
{
    return (a + b - 1) / b;
}

static inline int tetris_imin(int a, int b)
{
    return a < b ? a : b;
}

/* The later of two cycles. */
static inline uint64_t tetris_later(uint64_t a, uint64_t b)
{
    return a > b ? a : b;
}

/* Bits to hold values 0 .. n-1, at least 1 (a Verilog vector needs a bit). */
static inline int tetris_bits_for(long n)
{
    int b = 1;
    while ((1L << b) < n)
        b++;
    return b;
}

/* A loaded YAML document with the path it came from. */
typedef struct tetris_yaml {
    yaml_document_t doc;
    const char *path;
    int loaded;
} tetris_yaml;

/* Parse path into y; a syntax error, an empty or truncated file, or an
 * unreadable file gives one error line and a negative status. */
int tetris_yaml_open(const char *path, tetris_yaml *y, tetris_error *err);

/* Free the document. */
void tetris_yaml_close(tetris_yaml *y);

/* Root node, or NULL for an empty document. */
yaml_node_t *tetris_yaml_root(tetris_yaml *y);

/* Node by id (from a mapping pair or sequence item). */
yaml_node_t *tetris_yaml_node(tetris_yaml *y, int id);

/* 1-based line where a node starts. */
int tetris_yaml_line(const yaml_node_t *n);

/* Scalar text of a node, or NULL when it is not a scalar. */
const char *tetris_yaml_scalar(const yaml_node_t *n);

/* Strict conversions of text (decimal integers; finite numbers); 0 or TETRIS_EINVAL. */
int tetris_text_long(const char *s, long *out);
int tetris_text_double(const char *s, double *out);

/* Strict conversions of a scalar node; field names the key in messages. */
int tetris_yaml_long(tetris_yaml *y, const yaml_node_t *n, const char *field, long *out,
                     tetris_error *err);
int tetris_yaml_double(tetris_yaml *y, const yaml_node_t *n, const char *field, double *out,
                       tetris_error *err);
int tetris_yaml_bool(tetris_yaml *y, const yaml_node_t *n, const char *field, int *out,
                     tetris_error *err);

/* Require a node of a kind (YAML_MAPPING_NODE, ...); message names field. */
int tetris_yaml_expect(tetris_yaml *y, const yaml_node_t *n, yaml_node_type_t kind,
                       const char *field, tetris_error *err);

/* run.c: a layer run that can keep its program, layout, engine and the
 * vault before the run (job.c); tetris_run_layer_data is it without keeping. */
int run_layer_keep(const tetris_config *cfg, const tetris_layer *l, tetris_layer_data *d,
                   tetris_layer_result *res, tetris_program *prog, tetris_vault_layout *lay,
                   tetris_engine **kept, uint8_t **before, tetris_error *err);

#endif
