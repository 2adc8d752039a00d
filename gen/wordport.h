/*
 * Shared by the word ports tetris_rdport and tetris_wrport (gen/rdport.c,
 * gen/wrport.c): the widths of a word's place in a line (a GBUF row or a
 * vault burst) and the emitted decode of a byte address into both.
 */
#ifndef TETRIS_GEN_WORDPORT_H
#define TETRIS_GEN_WORDPORT_H

#include <stdio.h>

#include "gen_internal.h"

/* Widths of one configuration's word ports. */
typedef struct wp_widths {
    int wpr;  /* 16-bit words per GBUF row */
    int aw;   /* GBUF word address */
    int gow;  /* word in a GBUF row */
    int vwpb; /* 16-bit words per vault burst */
    int bb;   /* byte-in-burst bits: log2(BURST) */
    int vow;  /* word in a burst: bb - 1 */
    int vlw;  /* burst number: 32 - bb */
    int lw;   /* line number of either memory: max(aw, vlw) */
    int ow;   /* word in a line of either memory: max(gow, vow) */
} wp_widths;

/* The widths of cfg's word ports; TETRIS_EINVAL if the lines cannot be
 * decoded as emitted (rows of whole words, power-of-two bursts >= 16 bytes,
 * GBUF word addresses below 2^31). */
int wp_widths_of(const tetris_config *cfg, wp_widths *w);


/* localparams WPR, VWPB, BB, VLW, GOW, VOW, LW, OW and G_LASTW (the last word
 * of a row, GOW bits). */
void wp_localparams(const wp_widths *w, FILE *out);

/* The decode of byte address `addr` (a 32-bit port): in_wa (GBUF word
 * address), in_grow (its row), in_goff (its word in the row), in_vline (vault
 * burst number), in_voff (word in the burst). */
void wp_decode(const wp_widths *w, const char *addr, FILE *out);

/* Write text with every @name replaced by its value: vars holds name,
 * value pairs and ends with NULL (names are letters, digits and '_'; the
 * longest match wins). An unknown name is written as it is. */
void wp_emit(FILE *out, const char *text, const char *const *vars);

#endif
