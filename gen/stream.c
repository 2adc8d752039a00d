/*
 * tetris_stream: the pass unit. For one PASS instruction it computes the
 * pass geometry (docs/isa.md, "The processing pass"), configures
 * tetris_pe_array, and runs four address generators over the pass's loop
 * nests: filter words onto the filter bus, ifmap words onto the ifmap bus,
 * psums into the column tops and psums out of the column bottoms to their
 * destination (GBUF, vault write, vault accumulate, or the output stage and an
 * int16 ofmap). Words come from word readers (tetris_rdport) that take each
 * word from the GBUF or straight from the vault (the bypass) and go out
 * through a word writer (tetris_wrport). The reference is the engine model's
 * pass (refmodel/pe_array.c); the bus orders are those of docs/rtl.md.
 */
#include "engine_internal.h"
#include "gen_internal.h"

static void params(const tetris_config *cfg, FILE *out)
{
    gen_array_widths w;
    gen_array_widths_of(cfg, &w);
    int biasn = cfg->array_w * cfg->rf_psum_words;
    fputs("// Registers are read live: the sequencer holds SETs while a unit works.\n", out);
    fprintf(out,
            "module tetris_stream #(\n"
                        "    parameter KMAX = %d,          // widest window (array.max_kernel)\n"
            "    parameter ACC = %d,           // accumulator bits (arith.acc_bits)\n"
            "    parameter WORD_BITS = %d,     // data word bits (arith.word_bits)\n"
            "    parameter NREG = %d,          // layer registers (docs/isa.md)\n"
            "    parameter BIASN = %d,         // bias buffer entries: nm <= rep_w*bm <= W*PW\n"
            "    parameter BIAW = %d,          // bias buffer index bits\n"
            "    // PE-array configuration widths (tetris_pe_array)\n"
            "    parameter SW = %d, XW = %d, BCW = %d, BMW = %d, BNW = %d,\n"
            "    parameter HW = %d, WW = %d,   // counts of rows 0..H, columns 0..W\n"
            "    parameter RW = %d, CW = %d,   // array row 0..H-1, width replica 0..W-1\n"
            "    parameter YW = %d, GW = %d,   // ifmap row tag, replica tag\n"
            "    parameter TW = %d             // reader tag bits\n"
            ") (\n",
            cfg->max_kernel, cfg->acc_bits, cfg->word_bits, REG_COUNT,
            biasn, tetris_bits_for(biasn), w.sw, w.xw, w.bcw, w.bmw, w.bnw, w.hw, w.ww, w.rw, w.cw,
            w.yw, w.gw, w.tw);
}

static void ports(FILE *out)
{
    fputs("    input  wire              clk,\n"
          "    input  wire              rst_n,     // synchronous, active low\n"
          "    // the dispatched PASS (tetris_seq): start is exe_valid & exe_ready\n"
          "    input  wire              start,\n"
          "    input  wire [23:0]       fields,    // w0[31:8]\n"
          "    input  wire [15:0]       c0, nc, m0, nm, n0, nn,\n"
          "    input  wire [32*NREG-1:0] regs,     // layer registers, i at [32*i +: 32]\n"
          "    // resident GBUF windows (tetris_dma), group-relative channels\n"
          "    // (the model rejects a pass outside them; the RTL trusts the program)\n"
          "    input  wire [15:0]       wi_c0, wi_nc, wi_n0,  // ifmap\n"
          "    input  wire [15:0]       wf_m0, wf_c0, wf_nc,  // filter\n"
          "    input  wire [15:0]       wp_m0, wp_nm, wp_n0,  // psum\n"
          "    output wire              busy,\n"
          "    // PE-array configuration, valid with a_start\n"
          "    output reg               a_start,\n"
          "    output reg  [1:0]        a_op,\n"
          "    output reg  [SW-1:0]     a_s, a_u,  // a_u = min(stride, KMAX)\n"
          "    output reg  [15:0]       a_stride,  // the stride itself: ifmap row tags\n"
          "    output reg  [XW-1:0]     a_wo,\n"
          "    output reg  [BCW-1:0]    a_bc,\n"
          "    output reg  [BMW-1:0]    a_bm,\n"
          "    output reg  [BNW-1:0]    a_bn,\n"
          "    output reg  [15:0]       a_nc, a_nm,\n"
          "    output reg  [HW-1:0]     a_rows, a_rr, a_na,\n"
          "    output reg  [WW-1:0]     a_cols, a_ee, a_nb,\n"
          "    input  wire              a_busy,\n"
          "    // filter bus (no back-pressure)\n"
          "    output wire              f_valid,\n"
          "    output wire [15:0]       f_data,\n"
          "    output wire [RW-1:0]     f_row,\n"
          "    output wire [CW-1:0]     f_rep,\n"
          "    // ifmap bus and the row query\n"
          "    output wire              i_valid,\n"
          "    input  wire              i_ready,\n"
          "    output wire [15:0]       i_data,\n"
          "    output wire [YW-1:0]     i_y,\n"
          "    output wire [GW-1:0]     i_rep,\n"
          "    output wire [YW-1:0]     q_y,\n"
          "    input  wire              q_used,\n"
          "    // psums into the column tops, out of the column bottoms\n"
          "    output wire              p_valid,\n"
          "    input  wire              p_ready,\n"
          "    output wire [ACC-1:0]    p_data,\n"
          "    input  wire              o_valid,\n"
          "    output wire              o_ready,\n"
          "    input  wire [ACC-1:0]    o_data,\n",
          out);
    /* three word readers with the same interface */
    static const char *const rd[3][2] = {{"fr", "fs"}, {"ir", "is"}, {"pr", "ps"}};
    static const char *const rd_doc[3] = {"filter", "ifmap", "psum in and bias"};
    for (int k = 0; k < 3; k++)
        fprintf(out,
                "    // %s reader (tetris_rdport)\n"
                "    output wire              %s_valid,\n"
                "    input  wire              %s_ready,\n"
                "    output wire [1:0]        %s_src,    // 0 zero, 1 GBUF, 2 vault\n"
                "    output wire              %s_wide,   // 32-bit word\n"
                "    output wire [31:0]       %s_addr,   // byte address\n"
                "    output wire [TW-1:0]     %s_tag,\n"
                "    input  wire              %s_valid,\n"
                "    output wire              %s_ready,\n"
                "    input  wire [31:0]       %s_data,\n"
                "    input  wire [TW-1:0]     %s_tag,\n"
                "    input  wire [1:0]        %s_src,\n",
                rd_doc[k], rd[k][0], rd[k][0], rd[k][0], rd[k][0], rd[k][0], rd[k][0], rd[k][1],
                rd[k][1], rd[k][1], rd[k][1], rd[k][1]);
    fputs("    output reg               rd_clear,  // start of a pass: forget buffered lines\n"
          "    input  wire              rd_idle,   // all three readers idle\n"
          "    // psum writer (tetris_wrport)\n"
          "    output wire              pw_valid,\n"
          "    input  wire              pw_ready,\n"
          "    output wire              pw_dst,    // 0 GBUF, 1 vault\n"
          "    output wire              pw_acc,    // vault accumulate request\n"
          "    output wire              pw_wide,   // 32-bit psum (else int16 ofmap word)\n"
          "    output wire [31:0]       pw_addr,\n"
          "    output wire [31:0]       pw_data,\n"
          "    output wire              pw_flush,\n"
          "    input  wire              pw_idle,\n"
          "    // output stage (tetris_out_stage) for final psums\n"
          "    output wire              os_valid,\n"
          "    input  wire              os_ready,\n"
          "    output wire [ACC-1:0]    os_data,\n"
          "    input  wire              oo_valid,\n"
          "    output wire              oo_ready,\n"
          "    input  wire [15:0]       oo_data,\n"
          "    // events, one bit per cycle each (tetris_perf)\n"
          "    output reg               ev_pass,\n"
          "    output wire              ev_bus_filter, ev_gbuf_rd_filter, ev_vault_rd_filter,\n"
          "    output wire              ev_gbuf_rd_ifmap, ev_vault_rd_ifmap,\n"
          "    output wire              ev_bus_psum_in, ev_gbuf_rd_psum, ev_vault_rd_psum,\n"
          "    output wire              ev_vault_rd_bias, ev_bus_psum_out,\n"
          "    output wire              ev_gbuf_wr_psum, ev_vault_wr_psum, ev_vault_acc_psum,\n"
          "    output wire              ev_vault_wr_ofmap\n"
          ");\n\n",
          out);
}

/* The layer registers this unit reads, as 32-bit wires. */
static void registers(FILE *out)
{
    static const int used[] = {REG_OPK,  REG_GROUP, REG_CT,     REG_MT,   REG_CG,  REG_MG,
                               REG_HI,   REG_WI,    REG_HO,     REG_WO,   REG_R,   REG_S,
                               REG_STRIDE, REG_PAD, REG_BC,     REG_BM,   REG_BN,  REG_ROWS,
                               REG_COLS, REG_IFM,   REG_FIL,    REG_BIAS, REG_PSUM, REG_OFM};
    fputs("    // ---- layer registers (docs/isa.md), 32 bits each\n", out);
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        fprintf(out, "    wire [31:0] r_%s = regs[32*%d +: 32];\n", isa_reg_name(used[i]), used[i]);
    fputs("    // shift, relu, rep_h, rep_w: read by the output stage or checked by the\n"
          "    // compiler; this unit does not need them\n"
          "    wire unused_regs = ^regs;\n\n",
          out);
}

static void setup(FILE *out)
{
    fprintf(out,
            "    function [31:0] min32(input [31:0] a, input [31:0] b);\n"
            "        min32 = a < b ? a : b;\n"
            "    endfunction\n"
            "    function [31:0] z16(input [15:0] n16);  // zero-extend a 16-bit count\n"
            "        z16 = {16'd0, n16};\n"
            "    endfunction\n\n"
            "    // ---- the pass, latched at start (fields of docs/isa.md)\n"
            "    // psum in PIN_ZERO = %d: zero, or the smallest word for max pooling\n"
            "    localparam [1:0] PIN_BIAS = 2'd%d, PIN_GBUF = 2'd%d, PIN_VAULT = 2'd%d;\n"
            "    localparam [1:0] POUT_GBUF = 2'd%d, POUT_WR = 2'd%d, POUT_ACC = 2'd%d, POUT_FINAL = 2'd%d;\n"
            "    localparam [1:0] OPK_MAC = 2'd%d, OPK_MAX = 2'd%d;\n",
            PIN_ZERO, PIN_BIAS, PIN_GBUF, PIN_VAULT, POUT_GBUF, POUT_VAULT_WR, POUT_VAULT_ACC,
            POUT_FINAL, OPK_MAC, OPK_MAX);
    fputs("    localparam [2:0] ST_IDLE = 3'd0, ST_SETUP = 3'd1, ST_BIAS = 3'd2, ST_RUN = 3'd3,\n"
          "                     ST_FLUSH = 3'd4;\n"
          "    reg [2:0]  st;\n"
          "    assign busy = st != ST_IDLE;\n"
          "    reg        fsrc_g, isrc_g;     // filters, ifmaps from the GBUF (else the vault)\n"
          "    reg [1:0]  pin, pout;          // psum source and destination\n"
          "    reg [7:0]  fh, fw;             // fold indices\n"
          "    reg [15:0] l_c0, l_nc, l_m0, l_nm, l_n0, l_nn;\n"
          "    wire [1:0] op = r_op[1:0];\n"
          "    wire       mac = op == OPK_MAC;\n"
          "    wire       unused_op = ^r_op[31:2];\n"
          "    wire       pin_mem = pin == PIN_GBUF || pin == PIN_VAULT;\n\n"
          "    // geometry (docs/isa.md): r0, e0 first filter row / ofmap row of the fold;\n"
          "    // rr, ee the active ones; ylo the first ifmap row on the bus, ny the rows\n"
          "    wire [31:0] r0 = {24'd0, fh} * r_rows;\n"
          "    wire [31:0] e0 = {24'd0, fw} * r_cols;\n"
          "    wire [31:0] rr = min32(r_rows, r_r - r0);\n"
          "    wire [31:0] ee = min32(r_cols, r_ho - e0);\n"
          "    wire [31:0] ylo = e0 * r_stride + r0 - r_pad;   // two's complement, may be < 0\n"
          "    wire [31:0] ny = (ee - 32'd1) * r_stride + rr;\n"
          "    wire [31:0] step = min32(r_stride, r_s);         // new words per row, x >= 1\n"
          "    wire [31:0] nch = mac ? z16(l_nc) : z16(l_nm);   // channels on the ifmap bus\n"
          "    wire [31:0] ch0 = mac ? z16(l_c0) : z16(l_m0);\n"
          "    wire [31:0] bcr = mac ? r_bc : r_bm;             // channels per ifmap replica\n"
          "    wire [31:0] m_base = r_group * r_m_group;             // first ofmap channel of the group\n"
          "    wire [31:0] c_base = r_group * r_c_group;\n"
          "    // active replicas: na = ceil(nc / bc) (pooling 1), nb = ceil(nm / bm), by\n"
          "    // repeated subtraction during setup (at most max(H, W) cycles, no divider)\n"
          "    reg  [15:0] na, nb, rem_c, rem_m;\n"
          "    wire setup_done = rem_c == 16'd0 && rem_m == 16'd0;\n"
          "    // the address generators run from the cycle after a_start, when the\n"
          "    // array holds the pass's tags (the row query depends on them)\n"
          "    wire run;\n\n",
          out);
}

/* The filter address generator: [m][a][i][c][k] (docs/rtl.md). */
static void filter_agen(FILE *out)
{
    fputs("    // ---- filter words: m < nm, replica a < na, row i < rr, c < bc_a, k < s\n"
          "    reg        f_issued;             // every filter word requested\n"
          "    reg [15:0] fm, fmi, fmb;          // m; m within its width replica; replica\n"
          "    reg [15:0] fa, fcb, frb, fcrem;   // replica a; a*bc; a*rows; nc - a*bc\n"
          "    reg [15:0] fi, fc, fk;\n"
          "    wire [31:0] bc_a = min32(r_bc, z16(fcrem));\n"
          "    wire [31:0] f_m = z16(l_m0) + z16(fm);\n"
          "    wire [31:0] f_c = z16(l_c0) + z16(fcb) + z16(fc);\n"
          "    wire [31:0] f_r = r0 + z16(fi);\n"
          "    wire [31:0] f_goff = (((f_m - z16(wf_m0)) * z16(wf_nc) + f_c - z16(wf_c0)) * r_r + f_r)\n"
          "                         * r_s + z16(fk);\n"
          "    wire [31:0] f_vidx = (((m_base + f_m) * r_c_group + f_c) * r_r + f_r) * r_s + z16(fk);\n"
          "    assign fr_valid = run && mac && !f_issued;\n"
          "    assign fr_src = fsrc_g ? 2'd1 : 2'd2;\n"
          "    assign fr_wide = 1'b0;\n"
          "    assign fr_addr = fsrc_g ? f_goff << 1 : r_fil_base + (f_vidx << 1);\n"
          "    wire [15:0] f_rowv = frb + fi;\n"
          "    assign fr_tag = {{(TW-RW-CW){1'b0}}, fmb[CW-1:0], f_rowv[RW-1:0]};\n"
          "    wire f_go = fr_valid && fr_ready;\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n || st == ST_SETUP) begin\n"
          "            f_issued <= 1'b0;\n"
          "            {fm, fmi, fmb, fa, fcb, frb, fi, fc, fk} <= 144'd0;\n"
          "            fcrem <= l_nc;\n"
          "        end else if (f_go) begin\n"
          "            if (z16(fk) != r_s - 32'd1) fk <= fk + 16'd1;\n"
          "            else begin\n"
          "                fk <= 16'd0;\n"
          "                if (z16(fc) != bc_a - 32'd1) fc <= fc + 16'd1;\n"
          "                else begin\n"
          "                    fc <= 16'd0;\n"
          "                    if (z16(fi) != rr - 32'd1) fi <= fi + 16'd1;\n"
          "                    else begin\n"
          "                        fi <= 16'd0;\n"
          "                        if (fa != na - 16'd1) begin\n"
          "                            fa <= fa + 16'd1;\n"
          "                            fcb <= fcb + r_bc[15:0];\n"
          "                            frb <= frb + r_rows[15:0];\n"
          "                            fcrem <= fcrem - r_bc[15:0];\n"
          "                        end else begin\n"
          "                            {fa, fcb, frb} <= 48'd0;\n"
          "                            fcrem <= l_nc;\n"
          "                            if (fm != l_nm - 16'd1) begin\n"
          "                                fm <= fm + 16'd1;\n"
          "                                fmi <= z16(fmi) == r_bm - 32'd1 ? 16'd0 : fmi + 16'd1;\n"
          "                                fmb <= z16(fmi) == r_bm - 32'd1 ? fmb + 16'd1 : fmb;\n"
          "                            end else f_issued <= 1'b1;\n"
          "                        end\n"
          "                    end\n"
          "                end\n"
          "            end\n"
          "        end\n"
          "    // the words reach the bus in request order; the PEs cannot refuse them\n"
          "    assign f_valid = fs_valid;\n"
          "    assign fs_ready = 1'b1;\n"
          "    assign f_data = fs_data[15:0];\n"
          "    assign f_row = fs_tag[RW-1:0];\n"
          "    assign f_rep = fs_tag[RW +: CW];\n"
          "    wire unused_fs = ^{fs_data[31:16], fs_tag};\n\n",
          out);
}

/* The ifmap address generator: [x][ch][n][y used][new columns]. */
static void ifmap_agen(FILE *out)
{
    fputs("    // ---- ifmap words: x < wo, ch < nch, n < nn, used rows y < ny, the new\n"
          "    // columns q of x (x = 0: [0, s); x >= 1: [x*u + s - step, x*u + s))\n"
          "    reg        i_issued;\n"
          "    reg [15:0] ix, ich, iin, irep, inn, iy, iq;\n"
          "    reg [31:0] qb;                    // first new column of x\n"
          "    wire [31:0] nw = ix == 16'd0 ? r_s : step;\n"
          "    assign q_y = iy[YW-1:0];\n"
          "    wire [31:0] i_q = qb + z16(iq);\n"
          "    wire [31:0] i_yabs = ylo + z16(iy);        // two's complement\n"
          "    wire [31:0] i_xabs = i_q - r_pad;\n"
          "    // padding: outside the ifmap (negative values are huge unsigned ones)\n"
          "    wire i_pad = i_yabs >= r_hi || i_xabs >= r_wi;\n"
          "    wire [31:0] i_n = z16(l_n0) + z16(inn);\n"
          "    wire [31:0] i_ch = ch0 + z16(ich);\n"
          "    wire [31:0] i_goff = (((i_n - z16(wi_n0)) * z16(wi_nc) + i_ch - z16(wi_c0)) * r_hi\n"
          "                         + i_yabs) * r_wi + i_xabs;\n"
          "    wire [31:0] i_vidx = ((i_n * r_c_total + c_base + i_ch) * r_hi + i_yabs) * r_wi + i_xabs;\n"
          "    // a row no active PE reads is skipped without a request\n"
          "    wire i_live = run && !i_issued;\n"
          "    assign ir_valid = i_live && q_used;\n"
          "    assign ir_src = i_pad ? 2'd0 : isrc_g ? 2'd1 : 2'd2;\n"
          "    assign ir_wide = 1'b0;\n"
          "    assign ir_addr = isrc_g ? i_goff << 1 : r_ifm_base + (i_vidx << 1);\n"
          "    assign ir_tag = {{(TW-YW-GW){1'b0}}, irep[GW-1:0], iy[YW-1:0]};\n"
          "    wire i_go = (ir_valid && ir_ready) || (i_live && !q_used);\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n || st == ST_SETUP) begin\n"
          "            i_issued <= 1'b0;\n"
          "            {ix, ich, iin, irep, inn, iy, iq} <= 112'd0;\n"
          "            qb <= 32'd0;\n"
          "        end else if (i_go) begin\n"
          "            if (q_used && z16(iq) != nw - 32'd1) iq <= iq + 16'd1;\n"
          "            else begin\n"
          "                iq <= 16'd0;\n"
          "                if (z16(iy) != ny - 32'd1) iy <= iy + 16'd1;\n"
          "                else begin\n"
          "                    iy <= 16'd0;\n"
          "                    if (inn != l_nn - 16'd1) inn <= inn + 16'd1;\n"
          "                    else begin\n"
          "                        inn <= 16'd0;\n"
          "                        if (z16(ich) != nch - 32'd1) begin\n"
          "                            ich <= ich + 16'd1;\n"
          "                            iin <= z16(iin) == bcr - 32'd1 ? 16'd0 : iin + 16'd1;\n"
          "                            irep <= z16(iin) == bcr - 32'd1 ? irep + 16'd1 : irep;\n"
          "                        end else begin\n"
          "                            {ich, iin, irep} <= 48'd0;\n"
          "                            if (z16(ix) != r_wo - 32'd1) begin\n"
          "                                ix <= ix + 16'd1;\n"
          "                                qb <= ix == 16'd0 ? r_stride + r_s - step : qb + r_stride;\n"
          "                            end else i_issued <= 1'b1;\n"
          "                        end\n"
          "                    end\n"
          "                end\n"
          "            end\n"
          "        end\n"
          "    assign i_valid = is_valid;\n"
          "    assign is_ready = i_ready;\n"
          "    assign i_data = is_data[15:0];\n"
          "    assign i_y = is_tag[YW-1:0];\n"
          "    assign i_rep = is_tag[YW +: GW];\n"
          "    wire unused_is = ^{is_data[31:16], is_tag};\n\n",
          out);
}

/* One psum walk, [x][b][jj][m][n] over the active columns: '@' is p (column
 * tops) or o (column bottoms); @_go advances it. */
static void psum_walk(FILE *out, const char *prefix)
{
    gen_emit_sub(out,
             "    reg        `_issued;\n"
             "    reg [15:0] `x, `b, `jj, `m, `mb, `n, `mrem;  // mb = b*bm, mrem = nm - b*bm\n"
             "    wire [31:0] `_mb = min32(r_bm, z16(`mrem));    // channels of replica b\n"
             "    wire [31:0] `_n = z16(l_n0) + z16(`n);\n"
             "    wire [31:0] `_m = z16(l_m0) + z16(`mb) + z16(`m);\n"
             "    wire [31:0] `_e = e0 + z16(`jj);\n"
             "    // psums are channel-last, [n][ho][wo][m], in the GBUF block and the vault\n"
             "    wire [31:0] `_goff = (((`_n - z16(wp_n0)) * r_ho + `_e) * r_wo + z16(`x)) * z16(wp_nm)\n"
             "                         + `_m - z16(wp_m0);\n"
             "    wire [31:0] `_pidx = ((`_n * r_ho + `_e) * r_wo + z16(`x)) * r_m_total + m_base + `_m;\n"
             "    always @(posedge clk)\n"
             "        if (!rst_n || st == ST_SETUP) begin\n"
             "            `_issued <= 1'b0;\n"
             "            {`x, `b, `jj, `m, `mb, `n} <= 96'd0;\n"
             "            `mrem <= l_nm;\n"
             "        end else if (`_go) begin\n"
             "            if (`n != l_nn - 16'd1) `n <= `n + 16'd1;\n"
             "            else begin\n"
             "                `n <= 16'd0;\n"
             "                if (z16(`m) != `_mb - 32'd1) `m <= `m + 16'd1;\n"
             "                else begin\n"
             "                    `m <= 16'd0;\n"
             "                    if (z16(`jj) != ee - 32'd1) `jj <= `jj + 16'd1;\n"
             "                    else begin\n"
             "                        `jj <= 16'd0;\n"
             "                        if (`b != nb - 16'd1) begin\n"
             "                            `b <= `b + 16'd1;\n"
             "                            `mb <= `mb + r_bm[15:0];\n"
             "                            `mrem <= `mrem - r_bm[15:0];\n"
             "                        end else begin\n"
             "                            {`b, `mb} <= 32'd0;\n"
             "                            `mrem <= l_nm;\n"
             "                            if (z16(`x) != r_wo - 32'd1) `x <= `x + 16'd1;\n"
             "                            else `_issued <= 1'b1;\n"
             "                        end\n"
             "                    end\n"
             "                end\n"
             "            end\n"
             "        end\n",
             prefix);
}

static void psum_in(FILE *out)
{
    fputs("    // ---- psums into the column tops: [x][b][jj][m][n]\n"
          "    wire p_go;\n",
          out);
    psum_walk(out, "p");
    fprintf(out,
            "    // bias buffer: the pass's nm biases, read once from the vault before\n"
            "    // the columns start (vault_rd_bias counts nm per pass)\n"
            "    reg [31:0] bias_mem [0:BIASN-1];\n"
            "    reg [15:0] bq, bgot;      // biases requested, received\n"
            "    wire [31:0] p_mrel = z16(pmb) + z16(pm);\n"
            "    wire [BIAW-1:0] p_bidx = p_mrel[BIAW-1:0];\n"
            "    wire [31:0] b_idx = m_base + z16(l_m0) + z16(bq);\n"
            "    wire [31:0] bias_addr = r_bias_base + (b_idx << 2);\n"
            "    // the psum reader serves the bias load, then the column tops\n"
            "    wire b_req = st == ST_BIAS && bq != l_nm;\n"
            "    assign pr_valid = b_req || (run && pin_mem && !p_issued);\n"
            "    assign pr_src = st == ST_BIAS || pin == PIN_VAULT ? 2'd2 : 2'd1;\n"
            "    assign pr_wide = 1'b1;\n"
            "    assign pr_addr = st == ST_BIAS ? bias_addr\n"
            "                   : pin == PIN_GBUF ? p_goff << 2 : r_psum_base + (p_pidx << 2);\n"
            "    assign pr_tag = st == ST_BIAS ? {{(TW-16){1'b0}}, bq} : {TW{1'b0}};\n"
            "    wire b_take = st == ST_BIAS && ps_valid;\n"
            "    always @(posedge clk) begin\n"
            "        if (!rst_n || st == ST_SETUP) {bq, bgot} <= 32'd0;\n"
            "        else begin\n"
            "            if (b_req && pr_ready) bq <= bq + 16'd1;\n"
            "            if (b_take) bgot <= bgot + 16'd1;\n"
            "        end\n"
            "        if (b_take) bias_mem[ps_tag[BIAW-1:0]] <= ps_data;\n"
            "    end\n"
            "    // max pooling starts from the smallest word, the others from zero\n"
            "    localparam [ACC-1:0] WMIN = {{(ACC-WORD_BITS+1){1'b1}}, {(WORD_BITS-1){1'b0}}};\n"
            "    wire [31:0] bias_w = bias_mem[p_bidx];\n"
            "    assign p_valid = pin_mem ? run && ps_valid : run && !p_issued;\n"
            "    assign p_data = pin_mem ? ps_data[ACC-1:0] : pin == PIN_BIAS ? bias_w[ACC-1:0]\n"
            "                  : op == OPK_MAX ? WMIN : {ACC{1'b0}};\n"
            "    assign ps_ready = st == ST_BIAS || (pin_mem && p_ready);\n"
            "    assign p_go = pin_mem ? pr_valid && pr_ready && run : p_valid && p_ready;\n"
            "    wire unused_ps = ^{ps_tag, ps_data, bias_w, p_mrel};\n\n");
}

static void psum_out(FILE *out)
{
    fputs("    // ---- psums out of the column bottoms: [x][b][jj][m][n], to the GBUF, the\n"
          "    // vault (write or accumulate) or through the output stage as ofmap words\n"
          "    wire o_go = pw_valid && pw_ready;\n",
          out);
    psum_walk(out, "o");
    fputs("    // ofmaps are [n][m][ho][wo]\n"
          "    wire [31:0] o_vidx = ((o_n * r_m_total + m_base + o_m) * r_ho + o_e) * r_wo + z16(ox);\n"
          "    wire final_out = pout == POUT_FINAL;\n"
          "    assign os_valid = final_out && o_valid;\n"
          "    assign os_data = o_data;\n"
          "    assign o_ready = final_out ? os_ready : pw_ready;\n"
          "    assign oo_ready = final_out && pw_ready;\n"
          "    assign pw_valid = final_out ? oo_valid : o_valid;\n"
          "    assign pw_dst = pout != POUT_GBUF;\n"
          "    assign pw_acc = pout == POUT_ACC;\n"
          "    assign pw_wide = !final_out;\n"
          "    assign pw_addr = pout == POUT_GBUF ? o_goff << 2\n"
          "                   : final_out ? r_ofm_base + (o_vidx << 1)\n"
          "                   : r_psum_base + (o_pidx << 2);\n"
          "    // psums leave at ACC bits, stored sign-extended to 32 (tetris_wrap)\n"
          "    assign pw_data = final_out ? {{16{oo_data[15]}}, oo_data}\n"
          "                   : {{(33-ACC){o_data[ACC-1]}}, o_data[ACC-2:0]};\n\n",
          out);
}

static void control(FILE *out)
{
    fputs("    // ---- control\n"
          "    assign run = st == ST_RUN && !a_start;\n"
          "    wire all_issued = (f_issued || !mac) && i_issued && p_issued && o_issued;\n"
          "    assign pw_flush = st == ST_FLUSH;\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n) begin\n"
          "            st <= ST_IDLE;\n"
          "            a_start <= 1'b0;\n"
          "            rd_clear <= 1'b0;\n"
          "            ev_pass <= 1'b0;\n"
          "        end else begin\n"
          "            a_start <= 1'b0;\n"
          "            rd_clear <= 1'b0;\n"
          "            ev_pass <= 1'b0;\n"
          "            case (st)\n"
          "            ST_IDLE: if (start) begin\n"
          "                st <= ST_SETUP;\n"
          "                rd_clear <= 1'b1;       // the memories may have changed\n"
          "                fsrc_g <= fields[0];\n"
          "                isrc_g <= fields[1];\n"
          "                pin <= fields[3:2];\n"
          "                pout <= fields[5:4];\n"
          "                fh <= fields[15:8];\n"
          "                fw <= fields[23:16];\n"
          "                {l_c0, l_nc, l_m0, l_nm, l_n0, l_nn} <= {c0, nc, m0, nm, n0, nn};\n"
          "                na <= 16'd0;\n"
          "                nb <= 16'd0;\n"
          "                rem_c <= r_op[1:0] == OPK_MAC ? nc : 16'd0;\n"
          "                rem_m <= nm;\n"
          "            end\n"
          "            ST_SETUP: begin\n"
          "                if (rem_c != 16'd0) begin\n"
          "                    na <= na + 16'd1;\n"
          "                    rem_c <= z16(rem_c) > r_bc ? rem_c - r_bc[15:0] : 16'd0;\n"
          "                end\n"
          "                if (rem_m != 16'd0) begin\n"
          "                    nb <= nb + 16'd1;\n"
          "                    rem_m <= z16(rem_m) > r_bm ? rem_m - r_bm[15:0] : 16'd0;\n"
          "                end\n"
          "                if (setup_done) begin\n"
          "                    if (!mac) na <= 16'd1;\n"
          "                    st <= pin == PIN_BIAS ? ST_BIAS : ST_RUN;\n"
          "                    a_start <= pin != PIN_BIAS;\n"
          "                end\n"
          "            end\n"
          "            ST_BIAS: if (bgot == l_nm) begin\n"
          "                st <= ST_RUN;\n"
          "                a_start <= 1'b1;\n"
          "            end\n"
          "            ST_RUN: if (all_issued && !a_busy && !a_start && rd_idle) st <= ST_FLUSH;\n"
          "            default: if (pw_idle) begin // ST_FLUSH\n"
          "                st <= ST_IDLE;\n"
          "                ev_pass <= 1'b1;\n"
          "            end\n"
          "            endcase\n"
          "        end\n\n"
          "    // the array configuration, registered with a_start\n"
          "    always @(posedge clk)\n"
          "        if (st == ST_SETUP || st == ST_BIAS) begin\n"
          "            a_op <= op;\n"
          "            a_s <= r_s[SW-1:0];\n"
          "            a_u <= r_stride > KMAX ? KMAX[SW-1:0] : r_stride[SW-1:0];\n"
          "            a_stride <= r_stride[15:0];\n"
          "            a_wo <= r_wo[XW-1:0];\n"
          "            a_bc <= r_bc[BCW-1:0];\n"
          "            a_bm <= r_bm[BMW-1:0];\n"
          "            a_bn <= l_nn[BNW-1:0];  // images of this pass (<= register bn)\n"
          "            a_nc <= l_nc;\n"
          "            a_nm <= l_nm;\n"
          "            a_rows <= r_rows[HW-1:0];\n"
          "            a_rr <= rr[HW-1:0];\n"
          "            a_na <= mac ? na[HW-1:0] : {{(HW-1){1'b0}}, 1'b1};\n"
          "            a_cols <= r_cols[WW-1:0];\n"
          "            a_ee <= ee[WW-1:0];\n"
          "            a_nb <= nb[WW-1:0];\n"
          "        end\n\n"
          "    // ---- events\n"
          "    wire p_take = p_valid && p_ready;\n"
          "    assign ev_bus_filter = fs_valid;\n"
          "    assign ev_gbuf_rd_filter = fs_valid && fs_src == 2'd1;\n"
          "    assign ev_vault_rd_filter = fs_valid && fs_src == 2'd2;\n"
          "    assign ev_gbuf_rd_ifmap = is_valid && is_ready && is_src == 2'd1;\n"
          "    assign ev_vault_rd_ifmap = is_valid && is_ready && is_src == 2'd2;\n"
          "    assign ev_bus_psum_in = p_take && pin_mem;\n"
          "    assign ev_gbuf_rd_psum = p_take && pin == PIN_GBUF;\n"
          "    assign ev_vault_rd_psum = p_take && pin == PIN_VAULT;\n"
          "    assign ev_vault_rd_bias = b_take;\n"
          "    assign ev_bus_psum_out = o_valid && o_ready;\n"
          "    assign ev_gbuf_wr_psum = o_go && pout == POUT_GBUF;\n"
          "    assign ev_vault_wr_psum = o_go && pout == POUT_WR;\n"
          "    assign ev_vault_acc_psum = o_go && pout == POUT_ACC;\n"
          "    assign ev_vault_wr_ofmap = o_go && final_out;\n"
          "    // bits this unit does not need: reserved fields, the psum reader's\n"
          "    // source (known from pin), high bits of counts that fit the array ports\n"
          "    wire unused_bits = ^{fields[7:6], ps_src, r_bn, r_s, r_wo, r_bc, r_bm, r_rows,\n"
          "                         r_cols, rr, ee, na, nb, f_rowv, fmb, irep, iy};\n\n"
          "endmodule\n",
          out);
}

int gen_stream(const tetris_config *cfg, FILE *out)
{
    params(cfg, out);
    ports(out);
    registers(out);
    setup(out);
    filter_agen(out);
    ifmap_agen(out);
    psum_in(out);
    psum_out(out);
    control(out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
