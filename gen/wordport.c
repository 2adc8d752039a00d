/*
 * Address decode shared by tetris_rdport and tetris_wrport: a word's byte
 * address names a GBUF row and a word in it (word address a is in row
 * a / (WIDTH/16), as tetris_gbuf_locate() has it) and a vault burst and a word
 * in it. The widths are the generator's, so that every emitted expression has
 * operands of equal width.
 */
#include <ctype.h>
#include <string.h>

#include "wordport.h"

static int is_pow2(long n)
{
    return n > 0 && (n & (n - 1)) == 0;
}

int wp_widths_of(const tetris_config *cfg, wp_widths *w)
{
    tetris_gbuf_geom g;
    tetris_gbuf_geom_of(cfg, &g);
    if (cfg->gbuf_bank_bits % 16 || !is_pow2(cfg->dram_burst_bytes) || cfg->dram_burst_bytes < 16 ||
        g.addr_bits > 31)
        return TETRIS_EINVAL;
    w->wpr = g.wpr;
    w->aw = g.addr_bits;
    w->gow = tetris_bits_for(g.wpr);
    w->vwpb = cfg->dram_burst_bytes / 2;
    w->bb = tetris_bits_for(cfg->dram_burst_bytes);
    w->vow = w->bb - 1;
    w->vlw = 32 - w->bb;
    w->lw = w->aw > w->vlw ? w->aw : w->vlw;
    w->ow = w->gow > w->vow ? w->gow : w->vow;
    return TETRIS_OK;
}

void wp_localparams(const wp_widths *w, FILE *out)
{
    fprintf(out,
            "    localparam WPR  = WIDTH / 16;  // words per GBUF row\n"
            "    localparam VWPB = BURST / 2;   // words per vault burst\n"
            "    // widths derived by the generator\n"
            "    localparam BB  = %d;   // byte-in-burst bits, log2(BURST)\n"
            "    localparam VLW = %d;  // burst number: 32 - BB bits\n"
            "    localparam GOW = %d;   // word in a GBUF row\n"
            "    localparam VOW = %d;   // word in a burst\n"
            "    localparam LW  = %d;  // line number of either memory: max(AW, VLW)\n"
            "    localparam OW  = %d;   // word in a line of either memory: max(GOW, VOW)\n"
            "    // the last word of a row at GOW bits (integer part-selects keep the\n"
            "    // widths exact with default and overridden parameters alike)\n"
            "    localparam integer GLASTW = WPR - 1;\n"
            "    localparam [GOW-1:0] G_LASTW = GLASTW[GOW-1:0];\n",
            w->bb, w->vlw, w->gow, w->vow, w->lw, w->ow);
}

void wp_decode(const wp_widths *w, const char *addr, FILE *out)
{
    fprintf(out,
            "    // ---- address decode: the word's line and place in each memory\n"
            "    wire [AW-1:0]  in_wa = %s[AW:1];        // GBUF word address\n",
            addr);
    if (w->wpr == 1)
        fputs("    wire [AW-1:0]  in_grow = in_wa;               // one word per row\n"
              "    wire [GOW-1:0] in_goff = 1'b0;\n",
              out);
    else if (is_pow2(w->wpr))
        fprintf(out,
                "    wire [AW-1:0]  in_grow = {%d'd0, in_wa[AW-1:GOW]};  // row: a / WPR\n"
                "    wire [GOW-1:0] in_goff = in_wa[GOW-1:0];            // word in the row\n",
                w->gow);
    else
        fputs("    localparam integer GWPR = WPR;\n"
              "    localparam [AW-1:0] NWPR = GWPR[AW-1:0];\n"
              "    wire [AW-1:0]  in_grow = in_wa / NWPR;        // row: a / WPR\n"
              "    wire [AW-1:0]  in_goff_full = in_wa % NWPR;   // word in the row, < WPR\n"
              "    wire [GOW-1:0] in_goff = in_goff_full[GOW-1:0];\n"
              "    wire unused_goff = &{1'b0, in_goff_full[AW-1:GOW]};\n",
              out);
    fprintf(out,
            "    wire [VLW-1:0] in_vline = %s[31:BB];     // burst number\n"
            "    wire [VOW-1:0] in_voff  = %s[BB-1:1];    // word in the burst\n"
            "    wire unused_addr_bit0 = %s[0];           // words are 2-byte aligned\n",
            addr, addr, addr);
}

void wp_emit(FILE *out, const char *text, const char *const *vars)
{
    for (const char *t = text; *t; t++) {
        size_t n = 0, best = 0;
        const char *value = NULL;
        if (*t == '@')
            while (isalnum((unsigned char)t[1 + n]) || t[1 + n] == '_')
                n++;
        for (size_t i = 0; n && vars[i]; i += 2) {
            size_t k = strlen(vars[i]);
            if (k <= n && k > best && strncmp(t + 1, vars[i], k) == 0) {
                best = k;
                value = vars[i + 1];
            }
        }
        if (value) {
            fputs(value, out);
            t += best; /* the name; the loop steps over the '@' */
        } else {
            fputc(*t, out);
        }
    }
}
