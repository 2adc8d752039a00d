/*
 * tetris_perf: the engine's performance counters, one 64-bit counter per
 * event the engine model counts (TETRIS_COUNTERS in refmodel/tetris.h, in the
 * same order and under the same names), read over a CSR port. Each counter
 * adds its increment input every cycle.
 */
#include "gen_internal.h"

static const char *const names[] = {
#define PERF_X_NAME(e, n, d) n,
    TETRIS_COUNTERS(PERF_X_NAME)
#undef PERF_X_NAME
};

static const char *const docs[] = {
#define PERF_X_DOC(e, n, d) d,
    TETRIS_COUNTERS(PERF_X_DOC)
#undef PERF_X_DOC
};

/* Increment width: up to one event per PE per cycle. */
int gen_perf_inc_bits(const tetris_config *cfg)
{
    return tetris_bits_for((long)cfg->array_h * cfg->array_w + 1L);
}

int gen_perf(const tetris_config *cfg, FILE *out)
{
    int n = TETRIS_CNT_COUNT;
    tetris_derived der;
    tetris_config_derive(cfg, &der);
    fputs("// CSR map: counter i at address i (64 bits); csr_rdata is the counter\n"
          "// csr_addr named in the previous cycle. clear zeroes every counter.\n",
          out);
    for (int i = 0; i < n; i++)
        fprintf(out, "//   %2d %-16s %s\n", i, names[i], docs[i]);
    fprintf(out,
            "module tetris_perf #(\n"
            "    parameter EW = %d,   // increment bits: up to H*W events per cycle\n"
            "    parameter AW = %d     // counter address bits\n"
            ") (\n"
            "    input  wire          clk,\n"
            "    input  wire          rst_n,   // synchronous, active low: zeroes the counters\n"
            "    input  wire          clear,   // zero the counters\n",
            gen_perf_inc_bits(cfg), der.csr_addr_bits);
    for (int i = 0; i < n; i++)
        fprintf(out, "    input  wire [EW-1:0] inc_%s,\n", names[i]);
    fputs("    input  wire [AW-1:0] csr_addr,\n"
          "    output reg  [63:0]   csr_rdata\n"
          ");\n\n",
          out);
    fprintf(out, "    localparam N = %d;\n    reg [63:0] cnt [0:N-1];\n    wire [EW-1:0] inc [0:N-1];\n", n);
    for (int i = 0; i < n; i++)
        fprintf(out, "    assign inc[%d] = inc_%s;\n", i, names[i]);
    fputs("\n    integer i;\n"
          "    always @(posedge clk) begin\n"
          "        for (i = 0; i < N; i = i + 1)\n"
          "            cnt[i] <= !rst_n || clear ? 64'd0 : cnt[i] + {{(64-EW){1'b0}}, inc[i]};\n"
          "        csr_rdata <= {32'd0, csr_addr} < N ? cnt[csr_addr] : 64'd0;\n"
          "    end\n\n"
          "endmodule\n",
          out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
