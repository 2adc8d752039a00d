/*
 * tetris_pe_array: the H x W array of tetris_pe for one row-stationary pass,
 * with the tagged multicast buses (filters, ifmaps), the row query of the
 * ifmap stream, the psum chains of the columns and the per-cycle event counts.
 * Its reference is the pass of the engine model (refmodel/pe_array.c);
 * tb/tb_pe_array.cpp runs one-pass programs on the engine model and compares.
 *
 * The pass geometry of every row and column (offset, replica, block sizes,
 * first ifmap row) comes from chains over the rows and the columns, a
 * counter wrapping at rows or cols, so that no divider is needed. Port widths
 * are $clog2 expressions of the module parameters; where two operands of
 * different widths meet, the generator writes the zero extension with the
 * widths of the configuration (as in gen/pe.c).
 */
#include "gen_internal.h"

#define PA_NW 16 /* cfg_nc, cfg_nm: the instruction's 16-bit channel counts */
#define PA_WB 16 /* word container, as tetris_pe's WB */

/* Widths of one configuration's array (values of the emitted parameters):
 * the ports shared with tetris_pe and tetris_stream, and the array's own. */
typedef struct pa_widths {
    gen_array_widths g; /* hw, ww: counts of rows, columns; rw: f_row; cw: f_rep;
                           gw: i_rep; yw: cfg_stride, i_y, q_y; xw: cfg_wo */
    int ew;             /* event counts: 0..H*W */
    int mw;             /* replica comparisons: max(hw, ww) */
} pa_widths;

static int imax(int a, int b)
{
    return a > b ? a : b;
}

static void header(const tetris_config *cfg, const pa_widths *w, FILE *out)
{
    fputs("// One row-stationary pass on H x W tetris_pe (docs/isa.md, \"The processing\n"
          "// pass\"; model refmodel/pe_array.c). The pass geometry is sampled at start:\n"
          "//   row i:    offset i % rows (filter row fh*rows + i % rows), height\n"
          "//             replica a = i / rows; active when a < na and i % rows < rr.\n"
          "//             Replica a holds the ifmap channels [a*bc, a*bc + bc_a) of the\n"
          "//             pass, bc_a = min(bc, nc - a*bc).\n"
          "//   column j: offset j % cols (ofmap row fw*cols + j % cols), width replica\n"
          "//             b = j / cols; active when b < nb and j % cols < ee. Replica b\n"
          "//             holds the ofmap channels [b*bm, b*bm + bm_b), bm_b =\n"
          "//             min(bm, nm - b*bm).\n"
          "//   PE (i, j) is active when its row and its column are; only active PEs\n"
          "//   start, and the others are masked out of every bus, chain and count. It\n"
          "//   reads ifmap row y_rel = (j % cols)*u + i % rows, counted from the pass's\n"
          "//   first row ylo = fw*cols*u + fh*rows - pad (the stream unit adds ylo).\n"
          "// Buses (all words WB bits, psums ACC bits):\n"
          "//   filter  f_valid, f_data, f_row (array row), f_rep (width replica): taken\n"
          "//           by the active PEs of row f_row in the columns of replica f_rep,\n"
          "//           without back-pressure, like the PE itself. Order: for m < nm,\n"
          "//           a < na, i < rr, c < bc_a, k < s: f_row = a*rows + i, f_rep = m / bm.\n"
          "//   ifmap   i_valid, i_ready, i_data, i_y (y_rel), i_rep (MAC: the channel's\n"
          "//           height replica ch / bc; pooling: its width replica ch / bm). The\n"
          "//           targets are the active PEs with that y_rel and replica; they all\n"
          "//           take the word in one cycle, so i_ready is the AND of the targets'\n"
          "//           i_ready (1 without targets). Order: for x < wo, ch, n < nn, used\n"
          "//           rows y_rel, the new columns of window x.\n"
          "//   query   q_y -> q_used (combinational): some active PE reads row q_y, so\n"
          "//           that the stream unit sends only the rows that someone reads.\n"
          "//   psums   p_valid, p_ready, p_data into the top PE of one column and\n"
          "//           o_valid, o_ready, o_data out of its last active PE, in the order\n"
          "//           [x < wo][active column j][m < bm_b][n < nn]; the array steps the\n"
          "//           column itself. Each column's chain is combinational (inactive PEs\n"
          "//           are bypassed): o_valid follows p_valid, p_ready follows o_ready,\n"
          "//           and an in and an out psum transfer in the same cycle.\n"
          "// Events, per cycle, for the counters of docs/isa.md (tetris_perf sums them):\n"
          "//   ev_macs (macs; = rf_rd_* and rf_wr_psum), ev_rf_wr_filter, ev_rf_wr_ifmap\n"
          "//   (PEs writing a scratchpad word), ev_psum_hops (psums passed between the\n"
          "//   PEs of a column), ev_bus_ifmap (an ifmap word taken by >= 1 PE).\n"
          "// A start during a pass abandons it.\n",
          out);
    fputs("module tetris_pe_array #(\n", out);
    gen_param(out, "H", cfg->array_h, 0, "array rows (array.h)");
    gen_param(out, "W", cfg->array_w, 0, "array columns (array.w)");
    gen_param(out, "FW", cfg->rf_filter_words, 0, "per PE: filter scratchpad, words (rf.filter_words)");
    gen_param(out, "IW", cfg->rf_ifmap_words, 0, "per PE: ifmap scratchpad, words (rf.ifmap_words)");
    gen_param(out, "PW", cfg->rf_psum_words, 0, "per PE: psum scratchpad, accumulator words (rf.psum_words)");
    gen_param(out, "ACC", cfg->acc_bits, 0, "accumulator bits (arith.acc_bits): psums wrap modulo 2^ACC");
    gen_param(out, "WB", PA_WB, 0, "word container bits (signed)");
    gen_param(out, "KMAX", cfg->max_kernel, 0, "widest window, words (array.max_kernel)");
    gen_param(out, "XW", w->g.xw, 0, "cfg_wo bits: up to 2^XW - 1 output columns");
    gen_param(out, "NW", PA_NW, 0, "cfg_nc, cfg_nm bits: the instruction's 16-bit channel counts");
    gen_param(out, "YW", w->g.yw, 0, "cfg_stride, i_y, q_y bits: strides and ifmap rows of a pass < 2^YW");
    fprintf(out,
            "    // port widths, from the values above (HW %d, WW %d, FRW %d, RPW %d, IRW %d,\n"
            "    // EW %d bits); SW, BCW, BMW, BNW as in tetris_pe\n"
            "    parameter SW   = $clog2(KMAX + 1),                // cfg_s: 0..KMAX\n"
            "    parameter BCW  = $clog2((FW < IW ? FW : IW) + 1), // cfg_bc: 1..min(FW, IW)\n"
            "    parameter BMW  = $clog2(PW + 1),                  // cfg_bm: 1..PW\n"
            "    parameter BNW  = $clog2((IW < PW ? IW : PW) + 1), // cfg_bn: 1..min(IW, PW)\n"
            "    parameter HW   = $clog2(H + 1),                   // cfg_rows, cfg_rr, cfg_na: 1..H\n"
            "    parameter WW   = $clog2(W + 1),                   // cfg_cols, cfg_ee, cfg_nb: 1..W\n"
            "    parameter FRW  = $clog2(H > 1 ? H : 2),           // f_row: 0..H-1\n"
            "    parameter RPW  = $clog2(W > 1 ? W : 2),           // f_rep: 0..W-1\n"
            "    parameter IRW  = $clog2((H > W ? H : W) > 1 ? (H > W ? H : W) : 2),\n"
            "                                                      // i_rep: 0..max(H, W)-1\n"
            "    parameter EW   = $clog2(H * W + 1)                // event counts: 0..H*W\n"
            ") (\n",
            w->g.hw, w->g.ww, w->g.rw, w->g.cw, w->g.gw, w->ew);
    fputs("    input  wire           clk,\n"
          "    input  wire           rst_n,     // synchronous, active low\n"
          "    // pass configuration, sampled while start is high (one cycle)\n"
          "    input  wire           start,\n"
          "    input  wire [1:0]     cfg_op,    // 0 MAC, 1 max pool, 2 add (average) pool\n"
          "    input  wire [SW-1:0]  cfg_s,     // window width s, 1..KMAX\n"
          "    input  wire [SW-1:0]  cfg_u,     // min(u, KMAX) for the PEs: only min(u, s)\n"
          "                                     // matters to them\n"
          "    input  wire [YW-1:0]  cfg_stride, // the stride u itself (>= 1): row tags\n"
          "    input  wire [XW-1:0]  cfg_wo,    // output columns, >= 1\n"
          "    input  wire [BCW-1:0] cfg_bc,    // register bc: ifmap channels per PE (MAC)\n"
          "    input  wire [BMW-1:0] cfg_bm,    // register bm: ofmap channels per PE\n"
          "    input  wire [BNW-1:0] cfg_bn,    // images of the pass, nn (<= register bn)\n"
          "    input  wire [NW-1:0]  cfg_nc,    // ifmap channels of the pass (MAC)\n"
          "    input  wire [NW-1:0]  cfg_nm,    // ofmap channels of the pass\n"
          "    input  wire [HW-1:0]  cfg_rows,  // register rows: filter rows per set\n"
          "    input  wire [HW-1:0]  cfg_rr,    // active filter rows: min(rows, r - fh*rows)\n"
          "    input  wire [HW-1:0]  cfg_na,    // active height replicas: ceil(nc / bc),\n"
          "                                     // pooling 1\n"
          "    input  wire [WW-1:0]  cfg_cols,  // register cols: ofmap rows per set\n"
          "    input  wire [WW-1:0]  cfg_ee,    // active ofmap rows: min(cols, ho - fw*cols)\n"
          "    input  wire [WW-1:0]  cfg_nb,    // active width replicas: ceil(nm / bm)\n"
          "    output wire           busy,      // some active PE is busy: from the cycle\n"
          "                                     // after start to the pass's last psum\n"
          "    // filter bus, no back-pressure\n"
          "    input  wire           f_valid,\n"
          "    input  wire [WB-1:0]  f_data,\n"
          "    input  wire [FRW-1:0] f_row,     // array row of the word\n"
          "    input  wire [RPW-1:0] f_rep,     // width replica of the word's ofmap channel\n"
          "    // ifmap bus, multicast to the targets\n"
          "    input  wire           i_valid,\n"
          "    output wire           i_ready,   // every target can take the word\n"
          "    input  wire [WB-1:0]  i_data,\n"
          "    input  wire [YW-1:0]  i_y,       // ifmap row relative to ylo (y_rel)\n"
          "    input  wire [IRW-1:0] i_rep,     // replica of the word's channel\n"
          "    // row query, combinational, on the pass latched at start\n"
          "    input  wire [YW-1:0]  q_y,       // ifmap row relative to ylo\n"
          "    output wire           q_used,    // some active PE reads it (from the cycle\n"
          "                                     // after start)\n"
          "    // psums: into the top of the current column, out of its bottom\n"
          "    input  wire           p_valid,\n"
          "    output wire           p_ready,\n"
          "    input  wire [ACC-1:0] p_data,\n"
          "    output wire           o_valid,\n"
          "    input  wire           o_ready,\n"
          "    output wire [ACC-1:0] o_data,\n"
          "    // events of this cycle\n"
          "    output wire [EW-1:0]  ev_macs,          // PEs issuing a MAC (compare, add)\n"
          "    output wire [EW-1:0]  ev_rf_wr_filter,  // PEs writing a filter word\n"
          "    output wire [EW-1:0]  ev_rf_wr_ifmap,   // PEs writing an ifmap word\n"
          "    output wire [EW-1:0]  ev_psum_hops,     // psums passed from PE to PE\n"
          "    output wire           ev_bus_ifmap      // an ifmap word reaches >= 1 PE\n"
          ");\n\n",
          out);
}

/* The geometry chains over rows and columns, from the cfg_* inputs. */
static void geometry(FILE *out)
{
    fputs("    // ---- pass geometry of the rows, from the cfg_* inputs: a counter over the\n"
          "    // rows that wraps at rows gives i % rows and i / rows without a divider;\n"
          "    // the channels left for replicas a, a+1, ... step down by bc per replica.\n"
          "    // The PEs take their part at start, the array keeps the rest (below).\n"
          "    wire [NW-1:0]   bc_n = {{(NW-BCW){1'b0}}, cfg_bc};  // bc at channel width\n"
          "    reg  [H*HW-1:0]  s_roff;  // row i at [i*HW +: HW]: i % rows\n"
          "    reg  [H*HW-1:0]  s_rrep;  // row i: height replica i / rows\n"
          "    reg  [H-1:0]     s_ract;  // row i: active\n"
          "    reg  [H*BCW-1:0] s_bc;    // row i: bc_a, the channels of its replica\n"
          "    reg  [HW-1:0]    t_roff, t_rrep;\n"
          "    reg  [NW-1:0]    t_cleft; // nc - a*bc for replica a, floored at 0\n"
          "    integer ri;\n"
          "    always @* begin\n"
          "        t_roff = {HW{1'b0}};\n"
          "        t_rrep = {HW{1'b0}};\n"
          "        t_cleft = cfg_nc;\n"
          "        for (ri = 0; ri < H; ri = ri + 1) begin\n"
          "            if (ri != 0) begin\n"
          "                if (t_roff + 1'b1 == cfg_rows) begin  // first row of the next replica\n"
          "                    t_roff = {HW{1'b0}};\n"
          "                    t_rrep = t_rrep + 1'b1;\n"
          "                    t_cleft = t_cleft > bc_n ? t_cleft - bc_n : {NW{1'b0}};\n"
          "                end else begin\n"
          "                    t_roff = t_roff + 1'b1;\n"
          "                end\n"
          "            end\n"
          "            s_roff[ri*HW +: HW] = t_roff;\n"
          "            s_rrep[ri*HW +: HW] = t_rrep;\n"
          "            s_ract[ri] = t_rrep < cfg_na && t_roff < cfg_rr;\n"
          "            // bc_a <= bc: fits BCW bits (pooling ignores it)\n"
          "            s_bc[ri*BCW +: BCW] = t_cleft < bc_n ? t_cleft[BCW-1:0] : cfg_bc;\n"
          "        end\n"
          "    end\n\n",
          out);
    fputs("    // ---- pass geometry of the columns, the same way: j % cols, j / cols,\n"
          "    // bm_b and y_rel of the column's row offset 0, (j % cols)*u, as a sum.\n"
          "    wire [NW-1:0]    bm_n = {{(NW-BMW){1'b0}}, cfg_bm};  // bm at channel width\n"
          "    reg  [W*WW-1:0]  s_crep;     // column j at [j*WW +: WW]: width replica j / cols\n"
          "    reg  [W-1:0]     s_cact;     // column j: active\n"
          "    reg  [W*BMW-1:0] s_bm;       // column j: bm_b, the ofmap channels of its replica\n"
          "    reg  [W*BMW-1:0] s_bm_last;  // column j: bm_b - 1\n"
          "    reg  [W*YW-1:0]  s_ybase;    // column j: (j % cols)*u\n"
          "    reg  [WW-1:0]    t_coff, t_crep;\n"
          "    reg  [NW-1:0]    t_mleft;    // nm - b*bm for replica b, floored at 0\n"
          "    reg  [BMW-1:0]   t_bm;\n"
          "    reg  [YW-1:0]    t_y;\n"
          "    integer cj;\n"
          "    always @* begin\n"
          "        t_coff = {WW{1'b0}};\n"
          "        t_crep = {WW{1'b0}};\n"
          "        t_mleft = cfg_nm;\n"
          "        t_y = {YW{1'b0}};\n"
          "        for (cj = 0; cj < W; cj = cj + 1) begin\n"
          "            if (cj != 0) begin\n"
          "                if (t_coff + 1'b1 == cfg_cols) begin  // first column of the next replica\n"
          "                    t_coff = {WW{1'b0}};\n"
          "                    t_crep = t_crep + 1'b1;\n"
          "                    t_mleft = t_mleft > bm_n ? t_mleft - bm_n : {NW{1'b0}};\n"
          "                    t_y = {YW{1'b0}};\n"
          "                end else begin\n"
          "                    t_coff = t_coff + 1'b1;\n"
          "                    t_y = t_y + cfg_stride;  // < 2^YW in every active column\n"
          "                end\n"
          "            end\n"
          "            t_bm = t_mleft < bm_n ? t_mleft[BMW-1:0] : cfg_bm;\n"
          "            s_crep[cj*WW +: WW] = t_crep;\n"
          "            s_cact[cj] = t_crep < cfg_nb && t_coff < cfg_ee;\n"
          "            s_bm[cj*BMW +: BMW] = t_bm;\n"
          "            s_bm_last[cj*BMW +: BMW] = t_bm - 1'b1;\n"
          "            s_ybase[cj*YW +: YW] = t_y;\n"
          "        end\n"
          "    end\n\n",
          out);
    fputs("    // ---- the pass, kept from start: tags, activity and the psum walk\n"
          "    reg               mac;      // op 0: ifmap words are tagged by height replica\n"
          "    reg  [HW-1:0]     rr;       // active filter rows (row offsets 0..rr-1)\n"
          "    reg  [BNW-1:0]    nn_last;  // images - 1\n"
          "    reg  [H*HW-1:0]   r_off;\n"
          "    reg  [H*HW-1:0]   r_rep;\n"
          "    reg  [H-1:0]      r_act;\n"
          "    reg  [W*WW-1:0]   c_rep;\n"
          "    reg  [W-1:0]      c_act;\n"
          "    reg  [W*BMW-1:0]  c_bm_last;\n"
          "    reg  [W*YW-1:0]   c_ybase;\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n) begin\n"
          "            r_act <= {H{1'b0}};\n"
          "            c_act <= {W{1'b0}};\n"
          "        end else if (start) begin\n"
          "            mac <= cfg_op == 2'd0;\n"
          "            rr <= cfg_rr;\n"
          "            nn_last <= cfg_bn - 1'b1;\n"
          "            r_off <= s_roff;\n"
          "            r_rep <= s_rrep;\n"
          "            r_act <= s_ract;\n"
          "            c_rep <= s_crep;\n"
          "            c_act <= s_cact;\n"
          "            c_bm_last <= s_bm_last;\n"
          "            c_ybase <= s_ybase;\n"
          "        end\n\n",
          out);
}

/* Bus decoding per row and per column (shared by the PEs of the row or column). */
static void decode(const pa_widths *w, FILE *out)
{
    char a[64], b[64];
    fputs("    // ---- bus tags per row and per column\n"
          "    wire [H-1:0] f_row_hit;  // row i is f_row\n"
          "    wire [H-1:0] i_rep_row;  // row i's height replica is i_rep\n"
          "    wire [W-1:0] f_rep_col;  // column j's width replica is f_rep\n"
          "    wire [W-1:0] i_rep_col;  // column j's width replica is i_rep\n"
          "    wire [W-1:0] i_y_col;    // i_y - (j % cols)*u is a row offset (< 2^HW) ...\n"
          "    wire [W*HW-1:0] i_y_off; // ... namely this one\n"
          "    wire [W-1:0] q_col;      // active column j has a PE reading row q_y\n"
          "    genvar i, j;\n"
          "    generate\n"
          "        for (i = 0; i < H; i = i + 1) begin : g_rtag\n"
          "            localparam [FRW-1:0] ROW = i;\n"
          "            assign f_row_hit[i] = f_row == ROW;\n",
          out);
    fprintf(out, "            assign i_rep_row[i] = %s == ", gen_zext(a, sizeof a, "r_rep[i*HW +: HW]", w->g.hw, w->mw));
    fprintf(out, "%s;\n", gen_zext(b, sizeof b, "i_rep", w->g.gw, w->mw));
    fputs("        end\n"
          "        for (j = 0; j < W; j = j + 1) begin : g_ctag\n"
          "            wire [WW-1:0] rep = c_rep[j*WW +: WW];\n"
          "            wire [YW-1:0] yb = c_ybase[j*YW +: YW];\n"
          "            // row offsets: the difference, with its borrow in bit YW, is < 2^HW\n"
          "            wire [YW:0] dy = {1'b0, i_y} - {1'b0, yb};\n"
          "            wire [YW:0] dq = {1'b0, q_y} - {1'b0, yb};\n",
          out);
    fprintf(out, "            assign f_rep_col[j] = rep == %s;\n", gen_zext(a, sizeof a, "f_rep", w->g.cw, w->g.ww));
    fprintf(out, "            assign i_rep_col[j] = %s == ", gen_zext(a, sizeof a, "rep", w->g.ww, w->mw));
    fprintf(out, "%s;\n", gen_zext(b, sizeof b, "i_rep", w->g.gw, w->mw));
    fputs("            assign i_y_col[j] = dy[YW:HW] == {(YW+1-HW){1'b0}};\n"
          "            assign i_y_off[j*HW +: HW] = dy[HW-1:0];\n"
          "            // every active replica has the row offsets 0..rr-1\n"
          "            assign q_col[j] = c_act[j] && dq < {{(YW+1-HW){1'b0}}, rr};\n"
          "        end\n"
          "    endgenerate\n"
          "    assign q_used = |q_col;\n\n",
          out);
}

/* The PEs with their bus taps and column chains; fault_row >= 0 breaks one PE. */
static void grid(int fault_row, int fault_col, FILE *out)
{
    fputs("    // ---- the PEs. Per PE k = i*W + j: its state for the shared buses and counts.\n"
          "    wire [H*W-1:0] pe_busy;    // busy and active\n"
          "    wire [H*W-1:0] i_tgt;      // a target of the ifmap word on the bus\n"
          "    wire [H*W-1:0] i_stall;    // a target that cannot take it this cycle\n"
          "    wire [H*W-1:0] v_mac, v_fwr, v_iwr, v_hop;  // the PE's events\n"
          "    wire [W-1:0]   psel;       // one-hot: the column whose psums are on the bus\n"
          "    wire [W-1:0]   top_ready;  // column j's chain takes p_data\n"
          "    wire [W-1:0]   bot_valid;  // column j's chain offers o_data\n"
          "    wire [W*ACC-1:0] bot_data;\n"
          "    assign i_ready = ~|i_stall;\n"
          "    wire i_go = i_valid && i_ready;  // the word goes to all targets now\n"
          "    generate\n"
          "        for (j = 0; j < W; j = j + 1) begin : g_col\n"
          "            for (i = 0; i < H; i = i + 1) begin : g_row\n"
          "                wire act = r_act[i] && c_act[j];\n"
          "                wire tgt = act && i_y_col[j] && i_y_off[j*HW +: HW] == r_off[i*HW +: HW]\n"
          "                           && (mac ? i_rep_row[i] : i_rep_col[j]);\n"
          "                // psum chain: from the nearest active PE above (or the top of the\n"
          "                // column), ready from the nearest active one below (or o_ready);\n"
          "                // an inactive PE passes both through\n"
          "                wire           in_valid;\n"
          "                wire [ACC-1:0] in_data;\n"
          "                wire           out_ready;\n"
          "                wire           dn_valid;   // toward the row below\n"
          "                wire [ACC-1:0] dn_data;\n"
          "                wire           up_ready;   // toward the row above\n"
          "                wire           pe_i_ready, pe_in_ready, pe_out_valid, pe_busy_i;\n"
          "                wire           pe_ev_mac, pe_ev_fwr;\n"
          "                wire [ACC-1:0] pe_out_data;\n"
          "                if (i == 0) begin : g_top\n"
          "                    assign in_valid = p_valid && psel[j];\n"
          "                    assign in_data = p_data;\n"
          "                end else begin : g_mid\n"
          "                    assign in_valid = g_row[i-1].dn_valid;\n"
          "                    assign in_data = g_row[i-1].dn_data;\n"
          "                end\n"
          "                if (i == H - 1) begin : g_bot\n"
          "                    assign out_ready = o_ready && psel[j];\n"
          "                end else begin : g_up\n"
          "                    assign out_ready = g_row[i+1].up_ready;\n"
          "                end\n"
          "                tetris_pe #(.FW(FW), .IW(IW), .PW(PW), .ACC(ACC), .WB(WB), .KMAX(KMAX),\n"
          "                            .XW(XW), .SW(SW), .BCW(BCW), .BMW(BMW), .BNW(BNW)) u_pe (\n"
          "                    .clk(clk), .rst_n(rst_n),\n"
          "                    .start(start && s_ract[i] && s_cact[j]),\n"
          "                    .cfg_op(cfg_op), .cfg_s(cfg_s), .cfg_u(cfg_u), .cfg_wo(cfg_wo),\n"
          "                    .cfg_bc(s_bc[i*BCW +: BCW]), .cfg_bm(s_bm[j*BMW +: BMW]), .cfg_bn(cfg_bn),\n"
          "                    .f_valid(f_valid && act && f_row_hit[i] && f_rep_col[j]), .f_data(f_data),\n"
          "                    .i_valid(i_go && tgt), .i_ready(pe_i_ready), .i_data(i_data),\n"
          "                    .p_in_valid(act && in_valid), .p_in_ready(pe_in_ready),\n"
          "                    .p_in_data(in_data),\n"
          "                    .p_out_valid(pe_out_valid), .p_out_ready(act && out_ready),\n"
          "                    .p_out_data(pe_out_data),\n"
          "                    .busy(pe_busy_i), .ev_mac(pe_ev_mac), .ev_fwr(pe_ev_fwr));\n"
          "                assign dn_valid = act ? pe_out_valid : in_valid;\n",
          out);
    if (fault_row >= 0)
        fprintf(out,
                "                // INJECTED FAULT (tetris_gen_options): PE (%d, %d) inverts a psum bit\n"
                "                assign dn_data = act ? pe_out_data ^ (i == %d && j == %d ? FAULT_BIT\n"
                "                                                     : {ACC{1'b0}}) : in_data;\n",
                fault_row, fault_col, fault_row, fault_col);
    else
        fputs("                assign dn_data = act ? pe_out_data : in_data;\n", out);
    fputs("                assign up_ready = act ? pe_in_ready : out_ready;\n"
          "                // an inactive PE may still finish an abandoned pass: mask it\n"
          "                assign pe_busy[i*W + j] = act && pe_busy_i;\n"
          "                assign i_tgt[i*W + j] = tgt;\n"
          "                assign i_stall[i*W + j] = tgt && !pe_i_ready;\n"
          "                assign v_mac[i*W + j] = act && pe_ev_mac;\n"
          "                assign v_fwr[i*W + j] = pe_ev_fwr;  // f_valid is masked already\n"
          "                assign v_iwr[i*W + j] = i_go && tgt;  // every target writes the word\n"
          "                // a hop: a psum enters an active PE from the one above it\n"
          "                assign v_hop[i*W + j] = i != 0 && act && in_valid && pe_in_ready;\n"
          "            end\n"
          "            assign top_ready[j] = g_row[0].up_ready;\n"
          "            assign bot_valid[j] = g_row[H-1].dn_valid;\n"
          "            assign bot_data[j*ACC +: ACC] = g_row[H-1].dn_data;\n"
          "        end\n"
          "    endgenerate\n"
          "    assign busy = |pe_busy;\n\n",
          out);
}

/* The psum walk over the active columns, and the event counts. */
static void psums_and_events(const pa_widths *w, FILE *out)
{
    fputs("    // ---- psums: the bus serves one column at a time, [x][j][m][n] order. The\n"
          "    // PEs count x themselves; the array counts n < nn and m < bm_b of the\n"
          "    // current column, then moves to the next active column (after the last\n"
          "    // one back to column 0, always active, for the next output column).\n"
          "    localparam [W-1:0] COL0 = 1;\n"
          "    reg  [W-1:0]   sel;       // one-hot current column\n"
          "    reg  [BMW-1:0] pm;        // ofmap channel within the column's replica\n"
          "    reg  [BNW-1:0] pn;        // image\n"
          "    reg  [W-1:0]   sel_next;  // the next active column (combinational)\n"
          "    reg  [BMW-1:0] bm_last;   // bm_b - 1 of the current column\n"
          "    reg  [ACC-1:0] o_mux;     // the current column's bottom psum\n"
          "    reg            seen, found;\n"
          "    integer pj;\n"
          "    always @* begin\n"
          "        sel_next = {W{1'b0}};\n"
          "        bm_last = {BMW{1'b0}};\n"
          "        o_mux = {ACC{1'b0}};\n"
          "        seen = 1'b0;\n"
          "        found = 1'b0;\n"
          "        for (pj = 0; pj < W; pj = pj + 1) begin\n"
          "            if (seen && !found && c_act[pj]) begin\n"
          "                sel_next[pj] = 1'b1;\n"
          "                found = 1'b1;\n"
          "            end\n"
          "            seen = seen || sel[pj];\n"
          "            if (sel[pj]) begin  // AND-OR multiplexers of the one-hot column\n"
          "                bm_last = bm_last | c_bm_last[pj*BMW +: BMW];\n"
          "                o_mux = o_mux | bot_data[pj*ACC +: ACC];\n"
          "            end\n"
          "        end\n"
          "        if (!found)\n"
          "            sel_next = COL0;\n"
          "    end\n"
          "    assign psel = sel;\n"
          "    assign p_ready = |(sel & top_ready);\n"
          "    assign o_valid = |(sel & bot_valid);\n"
          "    assign o_data = o_mux;\n"
          "    wire o_take = o_valid && o_ready;  // = p_valid && p_ready: the chain is one path\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n || start) begin\n"
          "            sel <= COL0;\n"
          "            pm <= {BMW{1'b0}};\n"
          "            pn <= {BNW{1'b0}};\n"
          "        end else if (o_take) begin\n"
          "            if (pn != nn_last) begin\n"
          "                pn <= pn + 1'b1;\n"
          "            end else begin\n"
          "                pn <= {BNW{1'b0}};\n"
          "                if (pm != bm_last) begin\n"
          "                    pm <= pm + 1'b1;\n"
          "                end else begin\n"
          "                    pm <= {BMW{1'b0}};\n"
          "                    sel <= sel_next;\n"
          "                end\n"
          "            end\n"
          "        end\n\n",
          out);
    fputs("    // ---- events of this cycle: population counts over the PEs, per column\n"
          "    // (H PEs) and then over the columns, so that the adder chain is H + W long\n"
          "    // rather than H*W. At most one column moves psums in a cycle, so at most\n"
          "    // H-1 hops happen at once.\n"
          "    reg [EW-1:0] n_mac, n_fwr, n_iwr, n_hop;  // the array\n"
          "    reg [HW-1:0] k_mac, k_fwr, k_iwr, k_hop;  // one column\n"
          "    integer pk, pi;\n"
          "    always @* begin\n"
          "        n_mac = {EW{1'b0}};\n"
          "        n_fwr = {EW{1'b0}};\n"
          "        n_iwr = {EW{1'b0}};\n"
          "        n_hop = {EW{1'b0}};\n"
          "        for (pk = 0; pk < W; pk = pk + 1) begin\n"
          "            k_mac = {HW{1'b0}};\n"
          "            k_fwr = {HW{1'b0}};\n"
          "            k_iwr = {HW{1'b0}};\n"
          "            k_hop = {HW{1'b0}};\n"
          "            for (pi = 0; pi < H; pi = pi + 1) begin\n",
          out);
    static const char *const ev[4][2] = {{"mac", "v_mac"}, {"fwr", "v_fwr"}, {"iwr", "v_iwr"}, {"hop", "v_hop"}};
    char a[128], b[64];
    for (int k = 0; k < 4; k++) {
        snprintf(b, sizeof b, "%s[pi*W + pk]", ev[k][1]);
        fprintf(out, "                k_%s = k_%s + %s;\n", ev[k][0], ev[k][0], gen_zext(a, sizeof a, b, 1, w->g.hw));
    }
    fputs("            end\n", out);
    for (int k = 0; k < 4; k++) {
        snprintf(b, sizeof b, "k_%s", ev[k][0]);
        fprintf(out, "            n_%s = n_%s + %s;\n", ev[k][0], ev[k][0], gen_zext(a, sizeof a, b, w->g.hw, w->ew));
    }
    fputs("        end\n"
          "    end\n"
          "    assign ev_macs = n_mac;\n"
          "    assign ev_rf_wr_filter = n_fwr;\n"
          "    assign ev_rf_wr_ifmap = n_iwr;\n"
          "    assign ev_psum_hops = n_hop;\n"
          "    assign ev_bus_ifmap = i_go && |i_tgt;\n\n"
          "endmodule\n",
          out);
}

int gen_pe_array(const tetris_config *cfg, FILE *out)
{
    return gen_pe_array_fault(cfg, -1, -1, out);
}

int gen_pe_array_fault(const tetris_config *cfg, int row, int col, FILE *out)
{
    int h = cfg->array_h, wd = cfg->array_w;
    /* the emitted expressions rely on these: channel blocks narrower than NW,
     * row offsets narrower than YW (tetris_config_validate bounds them) */
    pa_widths w;
    gen_array_widths_of(cfg, &w.g);
    if (h < 1 || wd < 1 || cfg->rf_filter_words >= (1 << (PA_NW - 1)) ||
        cfg->rf_ifmap_words >= (1 << (PA_NW - 1)) || cfg->rf_psum_words >= (1 << (PA_NW - 1)) ||
        w.g.hw >= w.g.yw)
        return TETRIS_EINVAL;
    w.ew = tetris_bits_for((long)h * wd + 1L);
    w.mw = imax(w.g.hw, w.g.ww);
    if (row >= h || col >= wd)
        return TETRIS_EINVAL;
    header(cfg, &w, out);
    if (row >= 0)
        fputs("    // a testing aid, never for silicon: the bit a broken PE inverts\n"
              "    localparam [ACC-1:0] FAULT_BIT = {{(ACC-1){1'b0}}, 1'b1} << (ACC / 2);\n",
              out);
    geometry(out);
    decode(&w, out);
    grid(row, col, out);
    psums_and_events(&w, out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
