/*
 * tetris_vault_ctrl: the vault controller of one engine (docs/vault.md): a
 * request queue, per-bank DRAM state and timers, a command scheduler and
 * in-memory accumulation where accum.location puts the adder. And
 * tetris_dram_accum: the near-bank adder it (accum: controller) and the DRAM
 * device models (accum: dram_die, bank) use. Every parameter defaults to the
 * configuration's value; DRAM timings become engine cycles here, at
 * generation time, with tetris_dram_timing_of().
 */
#include <stddef.h>

#include "gen_internal.h"

static int is_pow2(long n)
{
    return n > 0 && (n & (n - 1)) == 0;
}

int gen_dram_accum(const tetris_config *cfg, FILE *out)
{
    if (cfg->dram_burst_bytes < 4) /* whole 32-bit lanes */
        return TETRIS_EINVAL;
    fputs("// The near-bank adder of in-memory accumulation, on one burst of 32-bit\n"
          "// little-endian lanes: lane i of the result is in_old + in_add wrapped to\n"
          "// ACC_BITS and sign-extended to 32 bits (tetris_acc_add) where in_mask[2*i]\n"
          "// is set, in_old elsewhere. The mask is the vault port's write mask, one bit\n"
          "// per 16-bit half-lane; a psum is 32 bits, so an accumulate sets both bits of\n"
          "// a lane, and the adder reads the low one only (bit 2*i + 1 is ignored).\n"
          "// One pipeline register: the sum of the operands presented with in_valid is\n"
          "// on out_sum in the next cycle, with out_valid, and stays until the next\n"
          "// in_valid. C model: tetris_dram_accum() in libtetris, which the DRAM device\n"
          "// models call.\n",
          out);
    fprintf(out,
            "module tetris_dram_accum #(\n"
            "    parameter BURST = %d,      // bytes per burst (dram.burst_bytes): BURST/4 lanes\n"
            "    parameter ACC_BITS = %d    // accumulator width (arith.acc_bits), 8..32\n"
            ") (\n"
            "    input  wire               clk,\n"
            "    input  wire               rst_n,      // synchronous, active low\n"
            "    input  wire               in_valid,   // operands present: load their sum\n"
            "    input  wire [BURST*8-1:0] in_old,     // the burst as stored\n"
            "    input  wire [BURST*8-1:0] in_add,     // the psums to add\n"
            "    input  wire [BURST/2-1:0] in_mask,    // per 16 bits: lane i adds if bit 2i is set\n"
            "    output reg                out_valid,  // out_sum holds the last in_valid's sum\n"
            "    output reg  [BURST*8-1:0] out_sum\n"
            ");\n",
            cfg->dram_burst_bytes, cfg->acc_bits);
    fputs("\n"
          "    localparam LANES = BURST / 4;\n"
          "    // (x << SH) >>> SH keeps the low ACC_BITS bits of x and sign-extends them\n"
          "    localparam SH = 32 - ACC_BITS;\n"
          "\n"
          "    wire [BURST*8-1:0] sum_c;   // combinational result of every lane\n"
          "    genvar i;\n"
          "    generate\n"
          "        for (i = 0; i < LANES; i = i + 1) begin : g_lane\n"
          "            // the sum modulo 2^32, then modulo 2^ACC_BITS\n"
          "            wire [31:0] raw = in_old[32*i +: 32] + in_add[32*i +: 32];\n"
          "            wire [31:0] wrapped = $unsigned($signed(raw << SH) >>> SH);\n"
          "            assign sum_c[32*i +: 32] = in_mask[2*i] ? wrapped : in_old[32*i +: 32];\n"
          "            // bit 2i+1 names the lane's high half; a psum lane is added whole\n"
          "            wire unused_hi = in_mask[2*i + 1];\n"
          "        end\n"
          "    endgenerate\n"
          "\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n)\n"
          "            out_valid <= 1'b0;\n"
          "        else\n"
          "            out_valid <= in_valid;\n"
          "        if (in_valid)\n"
          "            out_sum <= sum_c;   // data register: not reset\n"
          "    end\n"
          "endmodule\n",
          out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}

/* "KEY: 0 name0, 1 name1, ..." for the enum parameter at offset in the table. */
static void enum_doc(size_t offset, char *buf, size_t len)
{
    size_t n, used = 0;
    const tetris_param *p = tetris_params(&n);
    for (size_t i = 0; i < n; i++)
        if (p[i].type == TETRIS_PT_ENUM && p[i].offset == offset) {
            used += (size_t)snprintf(buf, len, "%s:", p[i].key);
            for (int v = 0; p[i].enum_names[v] && used < len; v++)
                used += (size_t)snprintf(buf + used, len - used, "%s %d %s", v ? "," : "", v,
                                         p[i].enum_names[v]);
        }
}

/* One parameter line: "parameter NAME = VALUE,  // comment". */
static void param(FILE *out, const char *name, int value, const char *comment)
{
    char def[64];
    snprintf(def, sizeof def, "%s = %d,", name, value);
    fprintf(out, "    parameter %-18s // %s\n", def, comment);
}

/* The module header: every parameter defaults to the configuration's value. */
static void vault_ports(const tetris_config *cfg, FILE *out)
{
    tetris_dram_timing t;
    tetris_dram_timing_of(cfg, &t);
    fputs("// The vault controller (docs/vault.md). Requests are taken in order into a\n"
          "// queue and complete in order: the head request issues its column commands\n"
          "// (RD, WR, ACC; RD-add-WR for accumulation in the controller) while the\n"
          "// other queued requests open and close rows in other banks ahead of it.\n"
          "// Closed page keeps a row open while a queued request targets it (row-hit\n"
          "// look-ahead) and precharges it once none does.\n"
          "// Same-address ordering therefore always holds. Timing parameters are\n"
          "// engine cycles: ceil(DRAM cycles * dram.tck_ps / (1e6 / clock_mhz)).\n"
          "module tetris_vault_ctrl #(\n",
          out);
    param(out, "BURST", cfg->dram_burst_bytes, "bytes per column access (dram.burst_bytes), 2^n");
    param(out, "BANKS", cfg->dram_banks, "banks (dram.banks), 2^n");
    param(out, "ROWS", cfg->dram_rows, "rows per bank (dram.rows)");
    param(out, "COLS", cfg->dram_row_bytes / cfg->dram_burst_bytes,
          "bursts per row (dram.row_bytes / BURST), 2^n");
    param(out, "QDEPTH", GEN_VAULT_QDEPTH, "request queue entries, 2^n >= 2");
    fprintf(out, "    // DRAM timings in engine cycles at %g MHz (from DRAM cycles of %d ps)\n",
            cfg->clock_mhz, cfg->dram_tck_ps);
    const struct {
        const char *name, *doc, *key;
        int engine, dram;
    } timing[] = {
        {"T_RCD", "ACT to RD/WR/ACC of the bank", "trcd", t.trcd, cfg->dram_trcd},
        {"T_CL", "RD to dram_rvalid", "tcl", t.tcl, cfg->dram_tcl},
        {"T_RP", "PRE to ACT of the bank", "trp", t.trp, cfg->dram_trp},
        {"T_RAS", "ACT to PRE of the bank", "tras", t.tras, cfg->dram_tras},
        {"T_CCD", "column command to column command", "tccd", t.tccd, cfg->dram_tccd},
    };
    char doc[96];
    for (size_t i = 0; i < sizeof timing / sizeof timing[0]; i++) {
        snprintf(doc, sizeof doc, "%s (dram.%s %d)", timing[i].doc, timing[i].key,
                 timing[i].dram);
        param(out, timing[i].name, timing[i].engine, doc);
    }
    enum_doc(offsetof(tetris_config, dram_page_policy), doc, sizeof doc);
    param(out, "OPEN_PAGE", cfg->dram_page_policy == TETRIS_PAGE_OPEN, doc);
    enum_doc(offsetof(tetris_config, accum), doc, sizeof doc);
    param(out, "ACCUM", cfg->accum, doc);
    param(out, "ACC_BITS", cfg->acc_bits, "accumulator width (arith.acc_bits)");
    fputs("    // widths of the DRAM address fields\n"
          "    parameter BANK_W = (BANKS > 1) ? $clog2(BANKS) : 1,\n"
          "    parameter ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1,\n"
          "    parameter COL_W = (COLS > 1) ? $clog2(COLS) : 1\n"
          ") (\n"
          "    input  wire                clk,\n"
          "    input  wire                rst_n,           // synchronous, active low\n"
          "    // engine side: one request per burst\n"
          "    input  wire                req_valid,\n"
          "    output wire                req_ready,       // a queue entry is free\n"
          "    input  wire [1:0]          req_op,          // 0 read, 1 write, 2 accumulate\n"
          "    input  wire [31:0]         req_addr,        // vault byte address, burst-aligned\n"
          "    input  wire [BURST*8-1:0]  req_wdata,       // write/accumulate data, little-endian\n"
          "    input  wire [BURST/2-1:0]  req_wmask,       // per 16-bit lane: write lane i if bit i\n"
          "                                                // is set; accumulate 32-bit lane j if\n"
          "                                                // bit 2j is set (set both of its bits)\n"
          "    output reg                 rsp_valid,       // read data, in request order\n"
          "    output reg  [BURST*8-1:0]  rsp_data,\n"
          "    output wire                idle,            // nothing queued or in flight\n"
          "    output reg                 err,             // sticky: a request was rejected\n"
          "    // DRAM side (docs/vault.md): at most one command per cycle\n"
          "    output reg                 dram_cmd_valid,\n"
          "    output reg  [2:0]          dram_cmd,        // 1 ACT, 2 RD, 3 WR, 4 PRE, 5 ACC\n"
          "    output reg  [BANK_W-1:0]   dram_bank,\n"
          "    output reg  [ROW_W-1:0]    dram_row,        // ACT: row to open; else the open row\n"
          "    output reg  [COL_W-1:0]    dram_col,        // RD/WR/ACC: burst within the row\n"
          "    output reg  [BURST*8-1:0]  dram_wdata,      // WR/ACC data\n"
          "    output reg  [BURST/2-1:0]  dram_wmask,      // WR/ACC mask, as req_wmask\n"
          "    input  wire                dram_rvalid,     // RD data, T_CL cycles after the RD\n"
          "    input  wire [BURST*8-1:0]  dram_rdata\n"
          ");\n"
          "\n",
          out);
}

int gen_vault_ctrl(const tetris_config *cfg, FILE *out)
{
    long cols = cfg->dram_row_bytes / cfg->dram_burst_bytes;
    /* the address fields are bit fields, and the row field starts below bit 32 */
    if (cfg->dram_burst_bytes < 4 || !is_pow2(cfg->dram_banks) || !is_pow2(cols) ||
        tetris_bits_for(cfg->dram_burst_bytes) + tetris_bits_for(cols) + tetris_bits_for(cfg->dram_banks) >= 32)
        return TETRIS_EINVAL;
    vault_ports(cfg, out);
    /* the encodings of libtetris's enums, which the models and testbench use */
    fprintf(out,
            "    // DRAM commands (dram_cmd), request ops (req_op), accum.location (ACCUM)\n"
            "    localparam [2:0] C_NOP = 3'd%d, C_ACT = 3'd%d, C_RD = 3'd%d, C_WR = 3'd%d,\n"
            "                     C_PRE = 3'd%d, C_ACC = 3'd%d;\n"
            "    localparam [1:0] OP_RD = 2'd%d, OP_WR = 2'd%d, OP_ACC = 2'd%d;\n"
            "    localparam ACCUM_NONE = %d, ACCUM_CONTROLLER = %d;\n",
            TETRIS_DRAM_NOP, TETRIS_DRAM_ACT, TETRIS_DRAM_RD, TETRIS_DRAM_WR, TETRIS_DRAM_PRE,
            TETRIS_DRAM_ACC, TETRIS_VAULT_RD, TETRIS_VAULT_WR, TETRIS_VAULT_ACC,
            TETRIS_ACCUM_NONE, TETRIS_ACCUM_CONTROLLER);
    fputs("    // accumulate in the controller: RD issued, waiting for its data;\n"
          "    // sum ready for the WR\n"
          "    localparam [1:0] A_IDLE = 2'd0, A_WAIT = 2'd1, A_SUM = 2'd2;\n"
          "\n"
          "    // An ACC occupies its bank like a RD followed by a WR: the bank reads\n"
          "    // (T_CL), adds and writes back (one column slot, T_CCD).\n"
          "    localparam T_ACC = T_CL + T_CCD;\n"
          "    // address fields {row, bank, column, byte in burst}, bits\n"
          "    localparam LB = $clog2(BURST);\n"
          "    localparam CB = $clog2(COLS);\n"
          "    localparam BB = $clog2(BANKS);\n"
          "    localparam QP = $clog2(QDEPTH);\n"
          "    // Timers count engine cycles down to 0, when the command they guard may\n"
          "    // issue; a command that needs T cycles after another loads T - 1.\n"
          "    localparam TMAX1 = (T_RAS > T_ACC) ? T_RAS : T_ACC;\n"
          "    localparam TMAX2 = (T_RP > T_RCD) ? T_RP : T_RCD;\n"
          "    localparam TW = $clog2((TMAX1 > TMAX2) ? TMAX1 : TMAX2);  // T_ACC >= 2: TW >= 1\n"
          "    localparam integer N_RCD = T_RCD - 1, N_RP = T_RP - 1, N_RAS = T_RAS - 1,\n"
          "                       N_CCD = T_CCD - 1, N_ACC = T_ACC - 1;\n"
          "    localparam [TW-1:0] T0 = 0, L_RCD = N_RCD[TW-1:0], L_RP = N_RP[TW-1:0],\n"
          "                        L_RAS = N_RAS[TW-1:0], L_CCD = N_CCD[TW-1:0],\n"
          "                        L_ACC = N_ACC[TW-1:0];\n"
          "    // reads in flight: at most one per T_CCD over T_CL cycles, plus one\n"
          "    localparam IW = $clog2(T_CL + 2);\n"
          "    localparam [IW-1:0] I0 = 0, I1 = 1;\n"
          "\n"
          "    function [TW-1:0] dec;   // one cycle less, down to 0\n"
          "        input [TW-1:0] t;\n"
          "        dec = (t != T0) ? t - 1'b1 : T0;\n"
          "    endfunction\n"
          "\n"
          "    function [TW-1:0] atleast;   // max(t, l)\n"
          "        input [TW-1:0] t, l;\n"
          "        atleast = (t > l) ? t : l;\n"
          "    endfunction\n"
          "\n",
          out);
    fputs("    // ---------------------------------------------------------------- requests\n"
          "    // A circular queue; requests leave it in order, at their last column command.\n"
          "    reg [1:0]         q_op    [0:QDEPTH-1];\n"
          "    reg [BANK_W-1:0]  q_bank  [0:QDEPTH-1];\n"
          "    reg [ROW_W-1:0]   q_row   [0:QDEPTH-1];\n"
          "    reg [COL_W-1:0]   q_col   [0:QDEPTH-1];\n"
          "    reg [BURST*8-1:0] q_wdata [0:QDEPTH-1];\n"
          "    reg [BURST/2-1:0] q_wmask [0:QDEPTH-1];\n"
          "    reg [QDEPTH-1:0]  q_valid;          // by slot\n"
          "    reg [QP-1:0]      q_head, q_tail;   // oldest entry, next free slot\n"
          "\n"
          "    // address mapping: {row, bank, column, byte in burst}\n"
          "    wire [31:0]       a_row = req_addr >> (LB + CB + BB);\n"
          "    wire [COL_W-1:0]  a_col;\n"
          "    wire [BANK_W-1:0] a_bank;\n"
          "    generate\n"
          "        if (CB > 0) begin : g_col\n"
          "            assign a_col = req_addr[LB +: CB];\n"
          "        end else begin : g_col1   // one burst per row\n"
          "            assign a_col = 1'b0;\n"
          "        end\n"
          "        if (BB > 0) begin : g_bank\n"
          "            assign a_bank = req_addr[LB + CB +: BB];\n"
          "        end else begin : g_bank1  // one bank\n"
          "            assign a_bank = 1'b0;\n"
          "        end\n"
          "    endgenerate\n"
          "    // rejected (err): misaligned, outside the vault, unknown op, accumulate\n"
          "    // without in-memory accumulation\n"
          "    wire a_legal = req_addr[LB-1:0] == {LB{1'b0}} && a_row < ROWS &&\n"
          "                   (req_op == OP_RD || req_op == OP_WR ||\n"
          "                    (req_op == OP_ACC && ACCUM != ACCUM_NONE));\n"
          "    assign req_ready = !q_valid[q_tail];\n"
          "    wire accept = req_valid && req_ready;\n"
          "    wire push = accept && a_legal;\n"
          "\n"
          "    // the head request\n"
          "    wire              h_valid = q_valid[q_head];\n"
          "    wire [1:0]        h_op    = q_op[q_head];\n"
          "    wire [BANK_W-1:0] h_bank  = q_bank[q_head];\n"
          "    wire [ROW_W-1:0]  h_row   = q_row[q_head];\n"
          "    wire [COL_W-1:0]  h_col   = q_col[q_head];\n"
          "    wire [BURST*8-1:0] h_wdata = q_wdata[q_head];\n"
          "    wire [BURST/2-1:0] h_wmask = q_wmask[q_head];\n"
          "    // The WR of an accumulate in the controller writes the 32-bit lanes the\n"
          "    // adder added (bit 2i of the mask), both halves.\n"
          "    wire [BURST/2-1:0] h_amask;\n"
          "    genvar gl;\n"
          "    generate\n"
          "        for (gl = 0; gl < BURST / 4; gl = gl + 1) begin : g_amask\n"
          "            assign h_amask[2*gl +: 2] = {2{h_wmask[2*gl]}};\n"
          "        end\n"
          "    endgenerate\n"
          "\n",
          out);
    fputs("    // ---------------------------------------------------------------- banks\n"
          "    // Per-bank state. bk_ta counts down to the bank's next ACT while it is\n"
          "    // closed (tRP) and to its next RD/WR/ACC while it is open (tRCD, tACC);\n"
          "    // bk_tp to its next PRE (tRAS, the last burst, tACC). (* mem2reg *) tells\n"
          "    // Yosys that these arrays are registers, not a RAM.\n"
          "    reg [BANKS-1:0]              bk_open;  // a row is open\n"
          "    (* mem2reg *) reg [ROW_W-1:0] bk_row [0:BANKS-1];  // the open row\n"
          "    (* mem2reg *) reg [TW-1:0]    bk_ta  [0:BANKS-1];\n"
          "    (* mem2reg *) reg [TW-1:0]    bk_tp  [0:BANKS-1];\n"
          "    reg [TW-1:0]                 ccd;          // until any column command (tCCD)\n"
          "    reg [IW-1:0]                 rd_inflight;  // RDs whose data has not come back\n"
          "    reg [1:0]                    acc_st;       // accumulate in the controller: A_*\n"
          "\n"
          "    wire               acc_out_valid;\n"
          "    wire [BURST*8-1:0] acc_sum;\n"
          "    generate\n"
          "        if (ACCUM == ACCUM_CONTROLLER) begin : g_adder\n"
          "            // the data of the accumulate's RD plus the request's psums\n"
          "            tetris_dram_accum #(.BURST(BURST), .ACC_BITS(ACC_BITS)) u_add (\n"
          "                .clk(clk), .rst_n(rst_n),\n"
          "                .in_valid(dram_rvalid && acc_st == A_WAIT),\n"
          "                .in_old(dram_rdata), .in_add(h_wdata), .in_mask(h_wmask),\n"
          "                .out_valid(acc_out_valid), .out_sum(acc_sum));\n"
          "        end else begin : g_no_adder\n"
          "            assign acc_out_valid = 1'b0;\n"
          "            assign acc_sum = {BURST*8{1'b0}};\n"
          "        end\n"
          "    endgenerate\n"
          "    wire acc_sum_ready = acc_out_valid || acc_st == A_SUM;\n"
          "\n"
          "    // Row-hit look-ahead: bk_want[b] = a queued request (the head included)\n"
          "    // targets the open row of bank b. Closed page precharges an open bank\n"
          "    // only when this is low: a run of queued hits to one row shares one ACT.\n"
          "    reg [BANKS-1:0]  bk_want;\n"
          "    reg [QDEPTH-1:0] e_hit;     // by slot: the entry's row is open in its bank\n"
          "    integer wb, we;\n"
          "    always @* begin\n"
          "        for (we = 0; we < QDEPTH; we = we + 1)\n"
          "            e_hit[we] = q_valid[we] && bk_row[q_bank[we]] == q_row[we];\n"
          "        for (wb = 0; wb < BANKS; wb = wb + 1) begin\n"
          "            bk_want[wb] = 1'b0;\n"
          "            for (we = 0; we < QDEPTH; we = we + 1)\n"
          "                if (e_hit[we] && q_bank[we] == wb[BANK_W-1:0])\n"
          "                    bk_want[wb] = 1'b1;\n"
          "        end\n"
          "    end\n"
          "\n"
          "    // The head may issue its column command: its row is open, tRCD/tACC of\n"
          "    // the bank and tCCD have passed.\n"
          "    wire h_hit = h_valid && bk_open[h_bank] && bk_row[h_bank] == h_row;\n"
          "    wire col_ok = h_hit && bk_ta[h_bank] == T0 && ccd == T0;\n"
          "\n",
          out);
    fputs("    // ---------------------------------------------------------------- scheduler\n"
          "    // One command per cycle, first match wins:\n"
          "    //   1. the head request's column command (requests complete in order);\n"
          "    //   2. closed page: the precharge of an open bank whose row no queued\n"
          "    //      request targets (lowest bank first);\n"
          "    //   3. ACT or PRE (row miss, either policy) for the oldest request of a bank,\n"
          "    //      oldest request first: other banks open rows ahead of the head.\n"
          "    reg              c_valid;\n"
          "    reg [2:0]        c_cmd;\n"
          "    reg [BANK_W-1:0] c_bank;\n"
          "    reg [ROW_W-1:0]  c_row;\n"
          "    reg              c_pop;     // the head request is done\n"
          "    reg [QP-1:0]     ik, ij;    // queue slots of the k-th and j-th oldest requests\n"
          "    reg [BANK_W-1:0] kb;        // the bank of the k-th oldest\n"
          "    reg              k_first;   // the k-th oldest is the oldest request of its bank\n"
          "    integer b, k, j;\n"
          "    always @* begin\n"
          "        c_valid = 1'b0;\n"
          "        c_cmd = C_NOP;\n"
          "        c_bank = h_bank;\n"
          "        c_row = h_row;\n"
          "        c_pop = 1'b0;\n"
          "        if (col_ok) begin\n"
          "            case (h_op)\n"
          "                OP_RD: begin\n"
          "                    c_valid = 1'b1;\n"
          "                    c_cmd = C_RD;\n"
          "                    c_pop = 1'b1;\n"
          "                end\n"
          "                OP_WR: begin\n"
          "                    c_valid = 1'b1;\n"
          "                    c_cmd = C_WR;\n"
          "                    c_pop = 1'b1;\n"
          "                end\n"
          "                default:   // OP_ACC\n"
          "                    if (ACCUM != ACCUM_CONTROLLER) begin   // the DRAM adds\n"
          "                        c_valid = 1'b1;\n"
          "                        c_cmd = C_ACC;\n"
          "                        c_pop = 1'b1;\n"
          "                    end else if (acc_st == A_IDLE && rd_inflight == I0) begin\n"
          "                        c_valid = 1'b1;            // its data is the next to return\n"
          "                        c_cmd = C_RD;\n"
          "                    end else if (acc_sum_ready) begin\n"
          "                        c_valid = 1'b1;\n"
          "                        c_cmd = C_WR;\n"
          "                        c_pop = 1'b1;\n"
          "                    end\n"
          "            endcase\n"
          "        end\n"
          "        for (b = 0; b < BANKS; b = b + 1)\n"
          "            if (!c_valid && OPEN_PAGE == 0 && bk_open[b] && !bk_want[b] &&\n"
          "                bk_tp[b] == T0) begin\n"
          "                c_valid = 1'b1;\n"
          "                c_cmd = C_PRE;\n"
          "                c_bank = b[BANK_W-1:0];\n"
          "            end\n"
          "        for (k = 0; k < QDEPTH; k = k + 1) begin\n"
          "            ik = q_head + k[QP-1:0];\n"
          "            kb = q_bank[ik];\n"
          "            k_first = q_valid[ik];\n"
          "            for (j = 0; j < k; j = j + 1) begin\n"
          "                ij = q_head + j[QP-1:0];\n"
          "                if (q_bank[ij] == kb)\n"
          "                    k_first = 1'b0;\n"
          "            end\n"
          "            if (!c_valid && k_first && !bk_open[kb] && bk_ta[kb] == T0) begin\n"
          "                c_valid = 1'b1;   // open the request's row\n"
          "                c_cmd = C_ACT;\n"
          "                c_bank = kb;\n"
          "                c_row = q_row[ik];\n"
          "            end else if (!c_valid && k_first && bk_open[kb] &&\n"
          "                         bk_row[kb] != q_row[ik] && bk_tp[kb] == T0) begin\n"
          "                c_valid = 1'b1;   // row miss: close the other row\n"
          "                c_cmd = C_PRE;\n"
          "                c_bank = kb;\n"
          "            end\n"
          "        end\n"
          "    end\n"
          "    wire c_column = c_cmd == C_RD || c_cmd == C_WR || c_cmd == C_ACC;\n"
          "    localparam [BANKS-1:0] BANK0 = 1;\n"
          "    wire [BANKS-1:0] c_sel = c_valid ? BANK0 << c_bank : {BANKS{1'b0}};  // one-hot\n"
          "\n",
          out);
    fputs("    // ---------------------------------------------------------------- state\n"
          "    always @(posedge clk) begin   // queue contents: data, not reset\n"
          "        if (push) begin\n"
          "            q_op[q_tail] <= req_op;\n"
          "            q_bank[q_tail] <= a_bank;\n"
          "            q_row[q_tail] <= a_row[ROW_W-1:0];\n"
          "            q_col[q_tail] <= a_col;\n"
          "            q_wdata[q_tail] <= req_wdata;\n"
          "            q_wmask[q_tail] <= req_wmask;\n"
          "        end\n"
          "    end\n"
          "\n"
          "    integer sb;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            q_valid <= {QDEPTH{1'b0}};\n"
          "            q_head <= {QP{1'b0}};\n"
          "            q_tail <= {QP{1'b0}};\n"
          "            err <= 1'b0;\n"
          "            ccd <= T0;\n"
          "            rd_inflight <= I0;\n"
          "            acc_st <= A_IDLE;\n"
          "            bk_open <= {BANKS{1'b0}};\n"
          "            for (sb = 0; sb < BANKS; sb = sb + 1) begin\n"
          "                bk_ta[sb] <= T0;\n"
          "                bk_tp[sb] <= T0;\n"
          "            end\n"
          "        end else begin\n"
          "            if (push) begin\n"
          "                q_valid[q_tail] <= 1'b1;\n"
          "                q_tail <= q_tail + 1'b1;\n"
          "            end\n"
          "            if (c_valid && c_pop) begin\n"
          "                q_valid[q_head] <= 1'b0;\n"
          "                q_head <= q_head + 1'b1;\n"
          "            end\n"
          "            if (accept && !a_legal)\n"
          "                err <= 1'b1;\n"
          "            ccd <= (c_valid && c_column) ? L_CCD : dec(ccd);\n"
          "            if (c_valid && c_cmd == C_RD && !dram_rvalid)\n"
          "                rd_inflight <= rd_inflight + I1;\n"
          "            else if (!(c_valid && c_cmd == C_RD) && dram_rvalid)\n"
          "                rd_inflight <= rd_inflight - I1;\n"
          "            if (c_valid && h_op == OP_ACC && c_cmd == C_RD)\n"
          "                acc_st <= A_WAIT;\n"
          "            else if (c_valid && h_op == OP_ACC && c_cmd == C_WR)\n"
          "                acc_st <= A_IDLE;\n"
          "            else if (acc_st == A_WAIT && acc_out_valid)\n"
          "                acc_st <= A_SUM;\n"
          "            for (sb = 0; sb < BANKS; sb = sb + 1) begin\n"
          "                if (c_sel[sb] && c_cmd == C_ACT) begin\n"
          "                    bk_open[sb] <= 1'b1;\n"
          "                    bk_row[sb] <= c_row;\n"
          "                    bk_ta[sb] <= L_RCD;\n"
          "                    bk_tp[sb] <= L_RAS;\n"
          "                end else if (c_sel[sb] && c_cmd == C_PRE) begin\n"
          "                    bk_open[sb] <= 1'b0;\n"
          "                    bk_ta[sb] <= L_RP;\n"
          "                    bk_tp[sb] <= dec(bk_tp[sb]);\n"
          "                end else if (c_sel[sb] && c_cmd == C_ACC) begin\n"
          "                    bk_ta[sb] <= L_ACC;   // the bank reads, adds, writes\n"
          "                    bk_tp[sb] <= atleast(dec(bk_tp[sb]), L_ACC);\n"
          "                end else if (c_sel[sb] && c_column) begin\n"
          "                    bk_ta[sb] <= dec(bk_ta[sb]);\n"
          "                    bk_tp[sb] <= atleast(dec(bk_tp[sb]), L_CCD);   // the burst\n"
          "                end else begin\n"
          "                    bk_ta[sb] <= dec(bk_ta[sb]);\n"
          "                    bk_tp[sb] <= dec(bk_tp[sb]);\n"
          "                end\n"

          "            end\n"
          "        end\n"
          "    end\n"
          "\n"
          "    // DRAM command outputs, registered\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            dram_cmd_valid <= 1'b0;\n"
          "            dram_cmd <= C_NOP;\n"
          "        end else begin\n"
          "            dram_cmd_valid <= c_valid;\n"
          "            dram_cmd <= c_cmd;\n"
          "        end\n"
          "        dram_bank <= c_bank;\n"
          "        dram_row <= c_row;\n"
          "        dram_col <= h_col;\n"
          "        // an accumulate's WR (in the controller) writes the sum\n"
          "        dram_wdata <= (ACCUM == ACCUM_CONTROLLER && h_op == OP_ACC) ? acc_sum\n"
          "                                                                     : h_wdata;\n"
          "        dram_wmask <= (ACCUM == ACCUM_CONTROLLER && h_op == OP_ACC) ? h_amask\n"
          "                                                                     : h_wmask;\n"
          "    end\n"
          "\n"
          "    // read responses: every RD's data except an accumulate's, one cycle later\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n)\n"
          "            rsp_valid <= 1'b0;\n"
          "        else\n"
          "            rsp_valid <= dram_rvalid && acc_st != A_WAIT;\n"
          "        if (dram_rvalid)\n"
          "            rsp_data <= dram_rdata;\n"
          "    end\n"
          "\n"
          "    assign idle = q_valid == {QDEPTH{1'b0}} && rd_inflight == I0 && !rsp_valid;\n"
          "endmodule\n",
          out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
