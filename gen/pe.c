/*
 * tetris_pe: the row-stationary processing element. One pass: filter rows
 * into the filter scratchpad, one sliding ifmap window per (channel, image)
 * in the ifmap scratchpad, one MAC (or compare, add) per cycle into the psum
 * scratchpad, and the psums of every output column down the column's psum
 * chain. Its reference is tetris_pe_model() (refmodel/pe.c); tb/tb_pe.cpp
 * compares the two. Two event outputs (ev_mac, ev_fwr) feed the array's
 * event counts.
 *
 * The internal widths are computed here (tetris_bits_for), so that every
 * expression of the emitted Verilog has operands of equal width; the port
 * widths are $clog2 expressions of the module parameters with the same values.
 */
#include "gen_internal.h"

#define PE_XW 16 /* bits of cfg_wo: output columns per pass, up to 2^16 - 1 */
#define PE_WB 16 /* word container, bits */

/* Widths of one configuration's PE. */
typedef struct pe_widths {
    int sw;  /* cfg_s, cfg_u: 0..KMAX */
    int kw;  /* tap or column inside a window: 0..KMAX-1 */
    int bcw; /* cfg_bc: 1..min(FW, IW) (bc*bm*s <= FW, bc*bn*s <= IW) */
    int bmw; /* cfg_bm: 1..PW (bm*bn <= PW) */
    int bnw; /* cfg_bn: 1..min(IW, PW) */
    int chw; /* ifmap row channel: bc (MAC) or bm (pooling) */
    int faw, iaw, paw; /* scratchpad addresses */
} pe_widths;

static void header(const tetris_config *cfg, const pe_widths *w, FILE *out)
{
    fputs("// One pass (configured at start):\n"
          "//   1. filter words, [m][c][k] order (MAC passes), into the filter scratchpad;\n"
          "//   2. the ifmap stream: the s-word window of every row (ch, n) in [ch][n] order\n"
          "//      (ch over bc channels, pooling over bm), then for each output column\n"
          "//      x = 1..wo-1 the step = min(u, s) new words of every row. Row (ch, n) is a\n"
          "//      circular buffer of s words at (ch*bn + n)*s: logical column t at t mod s;\n"
          "//      window x, tap k is t = x*step + k;\n"
          "//   3. per column: psum[m][n] = sum over c < bc, k < s of filter[m][c][k] *\n"
          "//      window[c][n][k] (full 16x16 -> 32-bit products, sums modulo 2^ACC), or\n"
          "//      for pooling the max (op 1) or sum (op 2) of window[m][n][k];\n"
          "//   4. per column, for (m, n) in [m][n] order: psum_out = psum_in + psum modulo\n"
          "//      2^ACC (op 1: max(psum_in, psum)); psum_in comes from the PE above.\n"
          "// Phases of one column, one word, MAC or psum per cycle:\n"
          "//   LOAD  rows*new cycles (rows = bc*bn, pooling bm*bn; new = s for x = 0,\n"
          "//         min(u, s) after), more when i_valid has gaps: each word passes a\n"
          "//         staging FIFO, written in the cycle it is taken from the bus and\n"
          "//         copied into the scratchpad from the next; column x+1's words are\n"
          "//         taken while column x computes, so its LOAD copies them at once;\n"
          "//   COMP  bm*bc*bn*s + 1 cycles (pooling bm*bn*s + 1): a two-stage pipeline\n"
          "//         (read and multiply | accumulate) into psum bank x mod 2; a MAC whose\n"
          "//         filter word has not arrived yet waits for it, and the first waits\n"
          "//         until the bank's column x-2 has drained;\n"
          "//   DRAIN bm*bn cycles when p_in_valid and p_out_ready stay high, from the\n"
          "//         other bank while column x+1 loads and computes.\n"
          "// Without stalls a pass takes 2 + sum over x of (LOAD + COMP) cycles plus the\n"
          "// last column's DRAIN, as long as each drain fits in the next LOAD + COMP.\n"
          "// Filter and ifmap words are taken from the cycle after start; filters may\n"
          "// arrive during the ifmap load. A start during a pass abandons it.\n"
          "// Events (tetris_pe_array adds them up for the counters of docs/isa.md):\n"
          "// ev_mac is high in each cycle in which one MAC (compare, add) issues, i.e.\n"
          "// one macs and one read of each scratchpad; ev_fwr in each cycle in which a\n"
          "// filter word is written (rf_wr_filter).\n",
          out);
    fputs("module tetris_pe #(\n", out);
    gen_param(out, "FW", cfg->rf_filter_words, 0, "filter scratchpad, words (rf.filter_words)");
    gen_param(out, "IW", cfg->rf_ifmap_words, 0, "ifmap scratchpad, words (rf.ifmap_words)");
    gen_param(out, "PW", cfg->rf_psum_words, 0, "psum scratchpad, accumulator words (rf.psum_words)");
    gen_param(out, "ACC", cfg->acc_bits, 0, "accumulator bits (arith.acc_bits): sums wrap modulo 2^ACC");
    gen_param(out, "WB", PE_WB, 0, "word container bits (signed; saturation is elsewhere)");
    gen_param(out, "KMAX", cfg->max_kernel, 0, "widest window, words (array.max_kernel)");
    gen_param(out, "XW", PE_XW, 0, "cfg_wo bits: up to 2^XW - 1 output columns");
    fprintf(out,
            "    // port widths, from the values above (%d, %d, %d, %d bits)\n"
            "    parameter SW   = $clog2(KMAX + 1),                // cfg_s, cfg_u: 0..KMAX\n"
            "    parameter BCW  = $clog2((FW < IW ? FW : IW) + 1), // cfg_bc: 1..min(FW, IW)\n"
            "    parameter BMW  = $clog2(PW + 1),                  // cfg_bm: 1..PW\n"
            "    parameter BNW  = $clog2((IW < PW ? IW : PW) + 1)  // cfg_bn: 1..min(IW, PW)\n"
            ") (\n",
            w->sw, w->bcw, w->bmw, w->bnw);
    fputs("    input  wire           clk,\n"
          "    input  wire           rst_n,       // synchronous, active low\n"
          "    // pass configuration, latched while start is high (one cycle)\n"
          "    input  wire           start,\n"
          "    input  wire [1:0]     cfg_op,      // 0 MAC, 1 max pool, 2 add (average) pool\n"
          "    input  wire [SW-1:0]  cfg_s,       // window width s, 1..KMAX\n"
          "    input  wire [SW-1:0]  cfg_u,       // stride, >= 1; only min(u, s) matters,\n"
          "                                       // so a larger stride is passed as KMAX\n"
          "    input  wire [XW-1:0]  cfg_wo,      // output columns, >= 1\n"
          "    input  wire [BCW-1:0] cfg_bc,      // ifmap channels (ignored for pooling)\n"
          "    input  wire [BMW-1:0] cfg_bm,      // ofmap channels (pooling: the channels)\n"
          "    input  wire [BNW-1:0] cfg_bn,      // images\n"
          "    // filter words, [m][c][k] order, MAC passes only; no back-pressure\n"
          "    input  wire           f_valid,\n"
          "    input  wire [WB-1:0]  f_data,\n"
          "    // ifmap stream; ready while a column loads and, for the next column's\n"
          "    // words, while it computes (not after the last column)\n"
          "    input  wire           i_valid,\n"
          "    output wire           i_ready,\n"
          "    input  wire [WB-1:0]  i_data,\n"
          "    // psum chain: one psum_in joins the PE's own psum on its way down\n"
          "    input  wire           p_in_valid,\n"
          "    output wire           p_in_ready,\n"
          "    input  wire [ACC-1:0] p_in_data,\n"
          "    output wire           p_out_valid,\n"
          "    input  wire           p_out_ready,\n"
          "    output wire [ACC-1:0] p_out_data,\n"
          "    output wire           busy,        // from the cycle after start until the\n"
          "                                       // last psum of column wo-1 has left\n"
          "    // events for the performance counters, one cycle each\n"
          "    output wire           ev_mac,      // a MAC (max compare, pooling add) issues\n"
          "    output wire           ev_fwr       // a filter word is written to the scratchpad\n"
          ");\n\n",
          out);
}

static void declarations(const pe_widths *w, FILE *out)
{
    char bc[64], bm[64], srow[64];
    fprintf(out,
            "    // internal widths derived by the generator\n"
            "    localparam FAW = %d;  // filter scratchpad address, 0..FW-1\n"
            "    localparam IAW = %d;  // ifmap scratchpad address, 0..IW-1\n"
            "    localparam PAW = %d;  // psum scratchpad address, 0..PW-1\n"
            "    localparam KW  = %d;  // tap or column inside a window, 0..KMAX-1\n"
            "    localparam CHW = %d;  // channel of an ifmap row: < bc (MAC) or < bm (pooling)\n\n",
            w->faw, w->iaw, w->paw, w->kw, w->chw);
    fputs("    // The load and compute side; the drain side runs beside it (full, below)\n"
          "    localparam [1:0] S_IDLE  = 2'd0,  // no column left to load or compute\n"
          "                     S_LOAD  = 2'd1,  // take the new ifmap words of column x\n"
          "                     S_COMP  = 2'd2;  // the bm*bn psums of column x\n"
          "    reg [1:0] state;\n"
          "    reg [1:0] full;  // psum bank b holds a computed column not yet drained\n"
          "    assign busy = state != S_IDLE || full != 2'b00;\n\n"
          "    // ---- the pass, latched at start\n"
          "    reg           mac;        // op 0: filter x ifmap products; else pooling\n"
          "    reg           is_max;     // op 1: max instead of add (window and chain)\n"
          "    reg [KW-1:0]  s_last;     // s - 1\n"
          "    reg [KW-1:0]  step_last;  // min(u, s) - 1: new words per row, columns >= 1\n"
          "    reg [XW-1:0]  wo_last;    // wo - 1\n"
          "    reg [BCW-1:0] bc_last;    // bc - 1 (0 for pooling)\n"
          "    reg [BMW-1:0] bm_last;    // bm - 1\n"
          "    reg [BNW-1:0] bn_last;    // bn - 1\n"
          "    reg [XW-1:0]  x;          // output column in progress\n"
          "    wire [SW-1:0] cfg_s_m1 = cfg_s - 1'b1;\n"
          "    wire [SW-1:0] cfg_step_m1 = (cfg_u < cfg_s ? cfg_u : cfg_s) - 1'b1;\n",
          out);
    if (w->sw > w->kw) /* KMAX is a power of two: s - 1 needs one bit less than s */
        fputs("    // s - 1 and min(u, s) - 1 are below KMAX: their top bit is always 0\n"
              "    wire unused_cfg_top = cfg_s_m1[SW-1] | cfg_step_m1[SW-1];\n",
              out);
    fprintf(out,
            "    // the ifmap rows of one image: bc channels, pooling bm\n"
            "    wire [CHW-1:0] ch_last = mac ? %s : %s;\n",
            gen_zext(bc, sizeof bc, "bc_last", w->bcw, w->chw),
            gen_zext(bm, sizeof bm, "bm_last", w->bmw, w->chw));
    fprintf(out,
            "    // row pitch of the ifmap scratchpad, s words (kept modulo 2^IAW: a second\n"
            "    // row exists only when 2*s <= IW, so the pitch is exact wherever it is used)\n"
            "    wire [IAW-1:0] s_row = %s + %d'd1;\n\n",
            gen_zext(srow, sizeof srow, "s_last", w->kw, w->iaw), w->iaw);
    fputs("    // ---- scratchpads (no reset: synthesis maps them to memories)\n"
          "    reg [WB-1:0]  fmem [0:FW-1];  // filters: row (m, c) of s words at (m*bc + c)*s\n"
          "    reg [WB-1:0]  imem [0:IW-1];  // ifmap: row (ch, n) at (ch*bn + n)*s, circular\n"
          "    // psums: two banks, column x in bank x mod 2, so that column x drains\n"
          "    // while column x+1 computes; (m, n) at m*bn + n\n"
          "    reg [ACC-1:0] pmem0 [0:PW-1];\n"
          "    reg [ACC-1:0] pmem1 [0:PW-1];\n\n",
          out);
}

static void filter_load(const tetris_config *cfg, const pe_widths *w, FILE *out)
{
    fprintf(out,
            "    // ---- filter load: arrival order is the scratchpad order\n"
            "    reg [FAW:0] f_cnt;  // filter words received this pass (0..FW)\n"
            "    // words past FW cannot belong to a legal pass and are dropped\n"
            "    wire f_take = f_valid && busy && mac && f_cnt != %d'd%d;\n"
            "    assign ev_fwr = f_take;  // one rf_wr_filter event per word written\n"
            "    always @(posedge clk)\n"
            "        if (f_take) fmem[f_cnt[FAW-1:0]] <= f_data;\n"
            "    always @(posedge clk)\n"
            "        if (start) f_cnt <= {(FAW+1){1'b0}};\n"
            "        else if (f_take) f_cnt <= f_cnt + 1'b1;\n\n",
            w->faw + 1, cfg->rf_filter_words);
}

static void ifmap_load(const tetris_config *cfg, const pe_widths *w, FILE *out)
{
    char col[64];
    fputs("    // ---- ifmap input: the bus side takes the words of one column, in stream\n"
          "    // order, into a staging FIFO of IW words, each with two flags: the last\n"
          "    // word of its row and of its column. It takes column x's words while\n"
          "    // column x loads, then column x+1's while column x computes, so that the\n"
          "    // bus need not wait for the computation; it stops when it has a whole\n"
          "    // column that the scratchpad side has not finished (bwait). The FIFO never\n"
          "    // holds more than one column's new words: at most rows*s <= IW.\n"
          "    reg [KW-1:0]  bj;     // words of this row taken so far\n"
          "    reg [BNW-1:0] bn;     // image of the row\n"
          "    reg [CHW-1:0] bch;    // channel of the row\n"
          "    reg           bwait;  // it has taken a column the scratchpad still loads\n"
          "    assign i_ready = !bwait && (state == S_LOAD || (state == S_COMP && x != wo_last));\n"
          "    wire i_take = i_valid && i_ready;\n"
          "    // column 0 brings whole windows, later columns min(u, s) words per row;\n"
          "    // the bus side is on column 0 only while column 0 loads\n"
          "    wire [KW-1:0] b_new_last = state == S_LOAD && x == 0 ? s_last : step_last;\n"
          "    wire b_row_done = bj == b_new_last;\n"
          "    wire b_n_wrap = bn == bn_last;  // the row of the channel's last image\n"
          "    wire b_col_done = b_row_done && b_n_wrap && bch == ch_last;\n"
          "    reg [WB+1:0]  qmem [0:IW-1];  // {column end, row end, word}\n"
          "    reg [IAW-1:0] qw, qr;         // write and read pointers, wrapping at IW\n"
          "    reg [IAW:0]   qn;             // words staged, 0..IW\n",
          out);
    fprintf(out,
            "    wire [IAW-1:0] qw_next = qw == %d'd%d ? {IAW{1'b0}} : qw + 1'b1;\n"
            "    wire [IAW-1:0] qr_next = qr == %d'd%d ? {IAW{1'b0}} : qr + 1'b1;\n",
            w->iaw, cfg->rf_ifmap_words - 1, w->iaw, cfg->rf_ifmap_words - 1);
    fputs("    always @(posedge clk)\n"
          "        if (i_take) qmem[qw] <= {b_col_done, b_row_done, i_data};\n"
          "    always @(posedge clk)\n"
          "        if (start) begin\n"
          "            bj <= {KW{1'b0}};\n"
          "            bn <= {BNW{1'b0}};\n"
          "            bch <= {CHW{1'b0}};\n"
          "            qw <= {IAW{1'b0}};\n"
          "        end else if (i_take) begin\n"
          "            qw <= qw_next;\n"
          "            if (b_col_done) begin\n"
          "                bj <= {KW{1'b0}};\n"
          "                bn <= {BNW{1'b0}};\n"
          "                bch <= {CHW{1'b0}};\n"
          "            end else if (b_row_done) begin\n"
          "                bj <= {KW{1'b0}};\n"
          "                bn <= b_n_wrap ? {BNW{1'b0}} : bn + 1'b1;\n"
          "                bch <= b_n_wrap ? bch + 1'b1 : bch;\n"
          "            end else begin\n"
          "                bj <= bj + 1'b1;\n"
          "            end\n"
          "        end\n\n"
          "    // ---- ifmap load: the scratchpad side writes one staged word per cycle\n"
          "    // while the column loads, into its row's circular buffer\n"
          "    reg [KW-1:0]  head;  // physical column of tap 0 of window x (all rows alike)\n"
          "    reg [IAW-1:0] wrow;  // first word of the row being written\n"
          "    reg [KW-1:0]  wcol;  // physical column being written, wraps at s\n"
          "    wire r_take = state == S_LOAD && qn != {(IAW+1){1'b0}};\n"
          "    wire [WB+1:0] q_head = qmem[qr];\n"
          "    wire row_done = q_head[WB];\n"
          "    wire col_start = r_take && q_head[WB+1];  // the window is complete: compute\n"
          "    wire [KW-1:0] wcol_next = wcol == s_last ? {KW{1'b0}} : wcol + 1'b1;\n"
          "    always @(posedge clk)\n"
          "        if (start) begin\n"
          "            qr <= {IAW{1'b0}};\n"
          "            qn <= {(IAW+1){1'b0}};\n"
          "            bwait <= 1'b0;\n"
          "        end else begin\n"
          "            if (r_take) qr <= qr_next;\n"
          "            if (i_take && !r_take) qn <= qn + 1'b1;\n"
          "            else if (r_take && !i_take) qn <= qn - 1'b1;\n"
          "            // set and clear never meet: a column's last word is staged\n"
          "            // (bwait set) before the scratchpad side can write it\n"
          "            if (i_take && b_col_done) bwait <= 1'b1;\n"
          "            else if (col_start) bwait <= 1'b0;\n"
          "        end\n",
          out);
    fprintf(out,
            "    wire [IAW-1:0] wcol_a = %s;  // at address width\n"
            "    always @(posedge clk)\n"
            "        if (r_take) imem[wrow + wcol_a] <= q_head[WB-1:0];\n\n",
            gen_zext(col, sizeof col, "wcol", w->kw, w->iaw));
}

static void compute(const tetris_config *cfg, const pe_widths *w, FILE *out)
{
    char col[64], word[96];
    fputs("    // ---- compute, stage 1: read both scratchpads, multiply.\n"
          "    // Loop nest [m][c][n][k]: ifmap rows (c, n) come in scratchpad order, the\n"
          "    // filter row (m, c) is re-read for every image, and each window sum of\n"
          "    // (m, c, n) is added into psum (m, n): no address needs a multiplication.\n"
          "    reg           iss;    // stage 1 has MACs left in this column\n"
          "    reg [KW-1:0]  k;      // tap\n"
          "    reg [KW-1:0]  icol;   // physical column of tap k: (head + k) mod s\n"
          "    reg [BCW-1:0] c;\n"
          "    reg [BNW-1:0] n;\n"
          "    reg [BMW-1:0] m;\n"
          "    reg [FAW-1:0] faddr;  // filter word (m, c, k)\n"
          "    reg [FAW-1:0] frow;   // filter word (m, c, 0)\n"
          "    reg [IAW-1:0] irow;   // first word of ifmap row (c, n), pooling (m, n)\n"
          "    reg [PAW-1:0] paddr;  // psum (m, n)\n"
          "    reg [PAW-1:0] pm;     // psum (m, 0)\n"
          "    wire k_end = k == s_last;\n"
          "    wire n_end = n == bn_last;\n"
          "    wire c_end = c == bc_last;\n"
          "    wire m_end = m == bm_last;\n"
          "    wire last_mac = k_end && n_end && c_end && m_end;\n"
          "    // a MAC waits for its filter word (filters may still be arriving)\n"
          "    wire f_ok = !mac || {1'b0, faddr} < f_cnt;\n"
          "    wire cb = x[0];  // the column's psum bank\n"
          "    // and for its bank: column x-2 must have drained\n"
          "    wire issue = state == S_COMP && iss && f_ok && !full[cb];\n"
          "    assign ev_mac = issue;  // one rf_rd_* / macs event per issued operation\n",
          out);
    /* the word of a pooling window, sign-extended (or cut) to ACC bits */
    if (cfg->acc_bits > PE_WB)
        snprintf(word, sizeof word, "{{%d{i_word[WB-1]}}, i_word}", cfg->acc_bits - PE_WB);
    else if (cfg->acc_bits == PE_WB)
        snprintf(word, sizeof word, "i_word");
    else
        snprintf(word, sizeof word, "i_word[ACC-1:0]");
    fprintf(out,
            "    wire [IAW-1:0] icol_a = %s;  // at address width\n"
            "    wire signed [WB-1:0] f_word = fmem[faddr];\n"
            "    wire signed [WB-1:0] i_word = imem[irow + icol_a];\n"
            "    wire signed [2*WB-1:0] product = f_word * i_word;  // full 32-bit product\n"
            "    // what stage 2 accumulates, at ACC bits: the product modulo 2^ACC, or the\n"
            "    // word (words fit ACC bits: acc_bits >= word_bits)\n"
            "    wire [ACC-1:0] operand = mac ? product[ACC-1:0] : %s;\n",
            gen_zext(col, sizeof col, "icol", w->kw, w->iaw), word);
    if (cfg->acc_bits < 2 * PE_WB)
        fputs("    wire unused_product_top = ^product[2*WB-1:ACC];  // sums keep ACC bits\n", out);
    fputs("    always @(posedge clk)\n"
          "        if (!rst_n || start) begin\n"
          "            iss <= 1'b0;\n"
          "        end else if (col_start) begin\n"
          "            iss <= 1'b1;\n"
          "            k <= {KW{1'b0}};\n"
          "            icol <= wcol_next;  // = the new head\n"
          "            c <= {BCW{1'b0}};\n"
          "            n <= {BNW{1'b0}};\n"
          "            m <= {BMW{1'b0}};\n"
          "            faddr <= {FAW{1'b0}};\n"
          "            frow <= {FAW{1'b0}};\n"
          "            irow <= {IAW{1'b0}};\n"
          "            paddr <= {PAW{1'b0}};\n"
          "            pm <= {PAW{1'b0}};\n"
          "        end else if (issue && last_mac) begin\n"
          "            iss <= 1'b0;        // paddr stays at the last psum, bm*bn - 1\n"
          "        end else if (issue && !k_end) begin\n"
          "            k <= k + 1'b1;\n"
          "            icol <= icol == s_last ? {KW{1'b0}} : icol + 1'b1;\n"
          "            faddr <= faddr + 1'b1;\n"
          "        end else if (issue) begin\n"
          "            k <= {KW{1'b0}};\n"
          "            icol <= head;\n"
          "            if (!n_end) begin           // next image, same filter row\n"
          "                n <= n + 1'b1;\n"
          "                faddr <= frow;\n"
          "                paddr <= paddr + 1'b1;\n"
          "                irow <= irow + s_row;\n"
          "            end else begin\n"
          "                n <= {BNW{1'b0}};\n"
          "                faddr <= faddr + 1'b1;  // the next filter row follows\n"
          "                frow <= faddr + 1'b1;\n"
          "                if (!c_end) begin       // next channel: same psums again\n"
          "                    c <= c + 1'b1;\n"
          "                    paddr <= pm;\n"
          "                    irow <= irow + s_row;\n"
          "                end else begin          // next ofmap channel\n"
          "                    c <= {BCW{1'b0}};\n"
          "                    m <= m + 1'b1;\n"
          "                    paddr <= paddr + 1'b1;\n"
          "                    pm <= paddr + 1'b1;\n"
          "                    // MAC: the same ifmap rows again; pooling: row (m+1, 0)\n"
          "                    irow <= mac ? {IAW{1'b0}} : irow + s_row;\n"
          "                end\n"
          "            end\n"
          "        end\n\n",
          out);
    fputs("    // ---- compute, stage 2: window sum (max), then into the psum scratchpad\n"
          "    reg           v2;       // stage 2 holds an operand\n"
          "    reg [ACC-1:0] opnd2;\n"
          "    reg           first2;   // tap 0: starts the window sum\n"
          "    reg           k_end2;   // last tap: the window sum goes to psum (m, n)\n"
          "    reg           c0_2;     // channel 0: psum (m, n) starts from it\n"
          "    reg           last2;    // the column's last MAC\n"
          "    reg [PAW-1:0] paddr2;\n"
          "    reg [ACC-1:0] wsum;     // window sum (max) of the current (m, c, n)\n"
          "    reg           db;       // bank being drained (columns drain in order)\n"
          "    wire          draining = full[db];\n"
          "    reg [PAW-1:0] daddr;    // psum being drained\n"
          "    // Max starts from the window's first word, which equals starting from the\n"
          "    // smallest word (docs/arith.md) for every word in range.\n"
          "    wire [ACC-1:0] wsum_next = first2 ? opnd2\n"
          "                             : is_max ? ($signed(opnd2) > $signed(wsum) ? opnd2 : wsum)\n"
          "                             : wsum + opnd2;\n"
          "    // one read port per bank: the drain reads its bank, stage 2 bank cb (a\n"
          "    // bank being drained is full, so stage 2 is never in it)\n"
          "    wire [ACC-1:0] prd0 = pmem0[draining && !db ? daddr : paddr2];\n"
          "    wire [ACC-1:0] prd1 = pmem1[draining && db ? daddr : paddr2];\n"
          "    wire [ACC-1:0] prd = cb ? prd1 : prd0;  // psum (m, n) for stage 2\n"
          "    wire [ACC-1:0] drd = db ? prd1 : prd0;  // the psum being drained\n"
          "    wire [ACC-1:0] pwr = c0_2 ? wsum_next : prd + wsum_next;\n"
          "    always @(posedge clk)\n"
          "        if (v2 && k_end2 && !cb) pmem0[paddr2] <= pwr;\n"
          "    always @(posedge clk)\n"
          "        if (v2 && k_end2 && cb) pmem1[paddr2] <= pwr;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n || start) v2 <= 1'b0;\n"
          "        else v2 <= issue;\n"
          "        if (issue) begin\n"
          "            opnd2 <= operand;\n"
          "            first2 <= k == {KW{1'b0}};\n"
          "            k_end2 <= k_end;\n"
          "            c0_2 <= c == {BCW{1'b0}};\n"
          "            last2 <= last_mac;\n"
          "            paddr2 <= paddr;\n"
          "        end\n"
          "        if (v2) wsum <= wsum_next;\n"
          "    end\n\n",
          out);
}

static void chain_and_control(FILE *out)
{
    fputs("    // ---- drain: psum_out = psum_in + psum (op 1: the larger), [m][n] order,\n"
          "    // of the oldest full bank. A psum passes only when both sides allow:\n"
          "    // p_out_valid follows p_in_valid, p_in_ready follows p_out_ready.\n"
          "    reg [PAW-1:0] dlast;  // a column's last psum, bm*bn - 1\n"
          "    wire d_last = daddr == dlast;\n"
          "    assign p_out_valid = draining && p_in_valid;\n"
          "    assign p_in_ready = draining && p_out_ready;\n"
          "    wire p_take = p_out_valid && p_out_ready;\n"
          "    assign p_out_data = is_max ? ($signed(drd) > $signed(p_in_data) ? drd : p_in_data)\n"
          "                               : p_in_data + drd;\n"
          "    wire c_done = state == S_COMP && v2 && last2;  // column x's last psum is written now\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n || start) begin\n"
          "            full <= 2'b00;\n"
          "            db <= 1'b0;\n"
          "            daddr <= {PAW{1'b0}};\n"
          "        end else begin\n"
          "            // set and clear never meet: compute only enters an empty bank\n"
          "            if (c_done) full[cb] <= 1'b1;\n"
          "            if (p_take && d_last) begin\n"
          "                full[db] <= 1'b0;\n"
          "                db <= !db;\n"
          "                daddr <= {PAW{1'b0}};\n"
          "            end else if (p_take) begin\n"
          "                daddr <= daddr + 1'b1;\n"
          "            end\n"
          "        end\n"
          "    always @(posedge clk)\n"
          "        if (c_done) dlast <= paddr;  // paddr stays at the column's last psum\n\n"
          "    // ---- phases and the ifmap write pointers\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n) begin\n"
          "            state <= S_IDLE;\n"
          "        end else if (start) begin\n"
          "            state <= S_LOAD;\n"
          "            mac <= cfg_op == 2'd0;\n"
          "            is_max <= cfg_op == 2'd1;\n"
          "            s_last <= cfg_s_m1[KW-1:0];\n"
          "            step_last <= cfg_step_m1[KW-1:0];\n"
          "            wo_last <= cfg_wo - 1'b1;\n"
          "            bc_last <= cfg_op == 2'd0 ? cfg_bc - 1'b1 : {BCW{1'b0}};\n"
          "            bm_last <= cfg_bm - 1'b1;\n"
          "            bn_last <= cfg_bn - 1'b1;\n"
          "            x <= {XW{1'b0}};\n"
          "            head <= {KW{1'b0}};\n"
          "            wrow <= {IAW{1'b0}};\n"
          "            wcol <= {KW{1'b0}};\n"
          "        end else begin\n"
          "            case (state)\n"
          "            S_LOAD:\n"
          "                if (col_start) begin\n"
          "                    state <= S_COMP;\n"
          "                    head <= wcol_next;   // tap 0 of window x: where column x+1's\n"
          "                                         // new words start overwriting\n"
          "                end else if (r_take && row_done) begin\n"
          "                    wcol <= head;\n"
          "                    wrow <= wrow + s_row;\n"
          "                end else if (r_take) begin\n"
          "                    wcol <= wcol_next;\n"
          "                end\n"
          "            S_COMP:\n"
          "                if (c_done && x == wo_last) begin\n"
          "                    state <= S_IDLE;  // the drain side finishes the pass\n"
          "                end else if (c_done) begin  // drain x, load x+1 meanwhile\n"
          "                    state <= S_LOAD;\n"
          "                    x <= x + 1'b1;\n"
          "                    wrow <= {IAW{1'b0}};\n"
          "                    wcol <= head;\n"
          "                end\n"
          "            default: ;\n"
          "            endcase\n"
          "        end\n\n"
          "endmodule\n",
          out);
}

int gen_pe(const tetris_config *cfg, FILE *out)
{
    /* the emitted expressions rely on these (tetris_config_validate checks them) */
    if (cfg->max_kernel < 1 || cfg->rf_ifmap_words < cfg->max_kernel ||
        cfg->rf_filter_words < cfg->max_kernel || cfg->rf_psum_words < 1 || cfg->acc_bits > 2 * PE_WB)
        return TETRIS_EINVAL;
    gen_array_widths aw; /* the port widths the array and the pass unit share */
    gen_array_widths_of(cfg, &aw);
    pe_widths w;
    w.sw = aw.sw;
    w.kw = tetris_bits_for(cfg->max_kernel);
    w.bcw = aw.bcw;
    w.bmw = aw.bmw;
    w.bnw = aw.bnw;
    w.chw = w.bcw > w.bmw ? w.bcw : w.bmw;
    w.faw = tetris_bits_for(cfg->rf_filter_words);
    w.iaw = tetris_bits_for(cfg->rf_ifmap_words);
    w.paw = tetris_bits_for(cfg->rf_psum_words);
    header(cfg, &w, out);
    declarations(&w, out);
    filter_load(cfg, &w, out);
    ifmap_load(cfg, &w, out);
    compute(cfg, &w, out);
    chain_and_control(out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
