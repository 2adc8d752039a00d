/*
 * tetris_engine: one vault's engine. The sequencer fetches the program from
 * the vault and dispatches LOAD/STORE to tetris_dma and PASS to
 * tetris_stream, one unit at a time (the engine model is sequential); the
 * pass unit drives tetris_pe_array; word readers and writers move data
 * between the units, the GBUF ports and the vault; tetris_vault_arb merges
 * the vault clients into the one request port that tetris_vault_ctrl
 * serves; tetris_perf counts every event of the engine model.
 */
#include <string.h>

#include "engine_internal.h"
#include "gen_internal.h"

/* Vault clients of the arbiter, in its port order. */
enum { VC_FETCH, VC_DMA_RD, VC_DMA_WR, VC_FILTER, VC_IFMAP, VC_PSUM_RD, VC_PSUM_WR, VC_COUNT };

/* The events that feed each counter (summed): signal names of the top. */
static const char *const inc_src[TETRIS_CNT_COUNT][3] = {
    [TETRIS_CNT_CYCLES] = {"busy"},
    [TETRIS_CNT_INSNS] = {"insn_retired"},
    [TETRIS_CNT_PASSES] = {"s_ev_pass"},
    [TETRIS_CNT_MACS] = {"a_ev_macs"},
    [TETRIS_CNT_RF_RD_FILTER] = {"a_ev_macs_filter"},
    [TETRIS_CNT_RF_WR_FILTER] = {"a_ev_rf_wr_filter"},
    [TETRIS_CNT_RF_RD_IFMAP] = {"a_ev_macs"},
    [TETRIS_CNT_RF_WR_IFMAP] = {"a_ev_rf_wr_ifmap"},
    [TETRIS_CNT_RF_RD_PSUM] = {"a_ev_macs"},
    [TETRIS_CNT_RF_WR_PSUM] = {"a_ev_macs"},
    [TETRIS_CNT_BUS_FILTER] = {"s_ev_bus_filter"},
    [TETRIS_CNT_BUS_IFMAP] = {"a_ev_bus_ifmap"},
    [TETRIS_CNT_BUS_PSUM_IN] = {"s_ev_bus_psum_in"},
    [TETRIS_CNT_BUS_PSUM_OUT] = {"s_ev_bus_psum_out"},
    [TETRIS_CNT_PSUM_HOPS] = {"a_ev_psum_hops"},
    [TETRIS_CNT_GBUF_RD_IFMAP] = {"s_ev_gbuf_rd_ifmap"},
    [TETRIS_CNT_GBUF_WR_IFMAP] = {"d_ev_gbuf_wr_ifmap"},
    [TETRIS_CNT_GBUF_RD_FILTER] = {"s_ev_gbuf_rd_filter"},
    [TETRIS_CNT_GBUF_WR_FILTER] = {"d_ev_gbuf_wr_filter"},
    [TETRIS_CNT_GBUF_RD_PSUM] = {"s_ev_gbuf_rd_psum", "d_ev_gbuf_rd_psum"},
    [TETRIS_CNT_GBUF_WR_PSUM] = {"s_ev_gbuf_wr_psum", "d_ev_gbuf_wr_psum"},
    [TETRIS_CNT_VAULT_RD_IFMAP] = {"s_ev_vault_rd_ifmap", "d_ev_vault_rd_ifmap"},
    [TETRIS_CNT_VAULT_RD_FILTER] = {"s_ev_vault_rd_filter", "d_ev_vault_rd_filter"},
    [TETRIS_CNT_VAULT_RD_BIAS] = {"s_ev_vault_rd_bias"},
    [TETRIS_CNT_VAULT_RD_PSUM] = {"s_ev_vault_rd_psum", "d_ev_vault_rd_psum"},
    [TETRIS_CNT_VAULT_WR_PSUM] = {"s_ev_vault_wr_psum", "d_ev_vault_wr_psum"},
    [TETRIS_CNT_VAULT_ACC_PSUM] = {"s_ev_vault_acc_psum", "d_ev_vault_acc_psum"},
    [TETRIS_CNT_VAULT_WR_OFMAP] = {"s_ev_vault_wr_ofmap", "d_ev_vault_wr_ofmap"},
};

/* Signals of width EW among the event sources (the array's popcounts). */
static int wide_event(const char *s)
{
    return !strcmp(s, "a_ev_macs") || !strcmp(s, "a_ev_macs_filter") ||
           !strcmp(s, "a_ev_rf_wr_filter") || !strcmp(s, "a_ev_rf_wr_ifmap") ||
           !strcmp(s, "a_ev_psum_hops");
}


/* Verilog text of one reader instance: name, tag bits, GBUF port, vault client;
 * lines > 0 overrides the reader's vault lines (the DMA's sequential walks). */
static void rdport(FILE *out, const char *inst, const char *clear, const char *idle,
                   const char *req, const char *rsp, const char *tw, int port, int client, int lines)
{
    char lp[32] = "";
    if (lines > 0)
        snprintf(lp, sizeof lp, ", .LINES(%d)", lines);
    fprintf(out,
            "    wire %s_g_valid, %s_g_ready;\n"
            "    wire [GAW-1:0] %s_g_addr;\n"
            "    tetris_rdport #(.TW(%s)%s) %s (\n"
            "        .clk(clk), .rst_n(rst_n), .clear(%s), .idle(%s),\n"
            "        .rq_valid(%s_valid), .rq_ready(%s_ready), .rq_src(%s_src), .rq_wide(%s_wide),\n"
            "        .rq_addr(%s_addr), .rq_tag(%s_tag),\n"
            "        .rs_valid(%s_valid), .rs_ready(%s_ready), .rs_data(%s_data), .rs_tag(%s_tag),\n"
            "        .rs_src(%s_src),\n"
            "        .g_valid(%s_g_valid), .g_ready(%s_g_ready), .g_addr(%s_g_addr),\n"
            "        .g_rvalid(g_rvalid[%d]), .g_rdata(g_rdata[%d]),\n"
            "        .v_req_valid(vc_valid[%d]), .v_req_ready(vc_ready[%d]),\n"
            "        .v_req_addr(vc_addr[%d]), .v_rsp_valid(vc_rvalid[%d]), .v_rsp_data(vc_rdata[%d]));\n"
            "    assign vc_op[%d] = 2'd0;\n"
            "    assign vc_wdata[%d] = {8*BURST{1'b0}};\n"
            "    assign vc_wmask[%d] = {BURST/2{1'b0}};\n",
            inst, inst, inst, tw, lp, inst, clear, idle, req, req, req, req, req, req, rsp, rsp, rsp, rsp, rsp,
            inst, inst, inst, port, port, client, client, client, client, client, client, client,
            client);
}

/* Verilog text of one writer instance; lines > 0 overrides its vault lines. */
static void wrport(FILE *out, const char *inst, const char *w, int client, int lines)
{
    char lp[32] = "";
    if (lines > 0)
        snprintf(lp, sizeof lp, " #(.LINES(%d))", lines);
    fprintf(out,
            "    wire %s_g_valid, %s_g_ready, %s_g_we;\n"
            "    wire [GAW-1:0] %s_g_addr;\n"
            "    wire [GBW-1:0] %s_g_wdata;\n"
            "    wire [GBW/16-1:0] %s_g_wmask;\n"
            "    tetris_wrport%s %s (\n"
            "        .clk(clk), .rst_n(rst_n), .flush(%s_flush), .idle(%s_idle),\n"
            "        .wq_valid(%s_valid), .wq_ready(%s_ready), .wq_dst(%s_dst), .wq_acc(%s_acc),\n"
            "        .wq_wide(%s_wide), .wq_addr(%s_addr), .wq_data(%s_data),\n"
            "        .g_valid(%s_g_valid), .g_ready(%s_g_ready), .g_we(%s_g_we), .g_addr(%s_g_addr),\n"
            "        .g_wdata(%s_g_wdata), .g_wmask(%s_g_wmask),\n"
            "        .v_req_valid(vc_valid[%d]), .v_req_ready(vc_ready[%d]), .v_req_op(vc_op[%d]),\n"
            "        .v_req_addr(vc_addr[%d]), .v_req_wdata(vc_wdata[%d]), .v_req_wmask(vc_wmask[%d]));\n"
            "    wire unused_%s = vc_rvalid[%d] | ^vc_rdata[%d];  // writes have no response\n",
            inst, inst, inst, inst, inst, inst, lp, inst, w, w, w, w, w, w, w, w, w, inst, inst, inst,
            inst, inst, inst, client, client, client, client, client, client, inst, client, client);
}

/* A GBUF port shared by a reader and a writer (the writer first): the port's
 * request is the AND-OR of the two. */
static void gbuf_share(FILE *out, int port, const char *rd, const char *wr)
{
    fprintf(out,
            "    assign g_valid[%d] = %s_g_valid || %s_g_valid;\n"
            "    assign g_we[%d] = %s_g_valid;\n"
            "    assign g_addr[%d] = %s_g_valid ? %s_g_addr : %s_g_addr;\n"
            "    assign g_wdata[%d] = %s_g_wdata;\n"
            "    assign g_wmask[%d] = %s_g_wmask;\n"
            "    assign %s_g_ready = g_ready[%d] && %s_g_valid;\n"
            "    assign %s_g_ready = g_ready[%d] && !%s_g_valid;\n"
            "    wire unused_%s_we = %s_g_we;  // always 1\n",
            port, wr, rd, port, wr, port, wr, wr, rd, port, wr, port, wr, wr, port, wr, rd, port, wr,
            wr, wr);
}

/* A read-only GBUF port. */
static void gbuf_read(FILE *out, int port, const char *rd)
{
    fprintf(out,
            "    assign g_valid[%d] = %s_g_valid;\n"
            "    assign g_we[%d] = 1'b0;\n"
            "    assign g_addr[%d] = %s_g_addr;\n"
            "    assign g_wdata[%d] = {GBW{1'b0}};\n"
            "    assign g_wmask[%d] = {GBW/16{1'b0}};\n"
            "    assign %s_g_ready = g_ready[%d];\n",
            port, rd, port, port, rd, port, port, rd, port);
}

static void header(const tetris_config *cfg, FILE *out)
{
    tetris_derived der;
    tetris_config_derive(cfg, &der);
    fprintf(out,
            "module tetris_engine #(\n"
            "    parameter BURST = %d,      // vault burst bytes (dram.burst_bytes)\n"
            "    parameter EW = %d,          // counter increment bits\n"
            "    parameter CAW = %d          // counter CSR address bits\n"
            ") (\n",
            cfg->dram_burst_bytes, gen_perf_inc_bits(cfg), der.csr_addr_bits);
    fputs("    input  wire               clk,\n"
          "    input  wire               rst_n,       // synchronous, active low\n"
          "    // host control: start runs the program at prog_base\n"
          "    input  wire               start,\n"
          "    input  wire [31:0]        prog_base,\n"
          "    output wire               busy,        // the program or a unit runs\n"
          "    output wire               done,        // END reached\n"
          "    output wire               err,         // invalid instruction\n"
          "    output wire [31:0]        err_pc,\n"
          "    // the vault: the engine side of tetris_vault_ctrl (docs/vault.md)\n"
          "    output wire               vreq_valid,\n"
          "    input  wire               vreq_ready,\n"
          "    output wire [1:0]         vreq_op,\n"
          "    output wire [31:0]        vreq_addr,\n"
          "    output wire [8*BURST-1:0] vreq_wdata,\n"
          "    output wire [BURST/2-1:0] vreq_wmask,\n"
          "    input  wire               vrsp_valid,\n"
          "    input  wire [8*BURST-1:0] vrsp_data,\n"
          "    // performance counters (tetris_perf): csr_rdata follows csr_addr a cycle later\n"
          "    input  wire               perf_clear,\n"
          "    input  wire [CAW-1:0]     csr_addr,\n"
          "    output wire [63:0]        csr_rdata\n"
          ");\n\n",
          out);
}

static void declarations(const tetris_config *cfg, FILE *out)
{
    tetris_gbuf_geom g;
    tetris_gbuf_geom_of(cfg, &g);
    gen_array_widths w;
    gen_array_widths_of(cfg, &w);
    fprintf(out,
            "    localparam ACC = %d;         // accumulator bits\n"
            "    // PE-array port widths (tetris_pe_array, tetris_stream)\n"
            "    localparam SW = %d, XW = %d, BCW = %d, BMW = %d, BNW = %d, HW = %d, WW = %d;\n"
            "    localparam RW = %d, CW = %d, YW = %d, GW = %d, TW = %d;\n",
            cfg->acc_bits, w.sw, w.xw, w.bcw, w.bmw, w.bnw, w.hw, w.ww, w.rw, w.cw, w.yw, w.gw,
            w.tw);
    fprintf(out,
            "    localparam NREG = %d;        // layer registers\n"
            "    localparam GBW = %d;         // GBUF row bits (gbuf.bank_bits)\n"
            "    localparam GAW = %d;         // GBUF word-address bits\n"
            "    localparam NVC = %d;          // vault clients: fetch, DMA read, DMA write,\n"
            "                                 // filter, ifmap, psum read, psum write\n"
            "    localparam [7:0] OP_LOAD = 8'h%02x, OP_STORE = 8'h%02x, OP_PASS = 8'h%02x;\n\n",
            REG_COUNT, cfg->gbuf_bank_bits, g.addr_bits, VC_COUNT, OP_LOAD, OP_STORE, OP_PASS);
    fputs("    // vault clients of the arbiter, by index\n"
          "    wire               vc_valid [0:NVC-1];\n"
          "    wire               vc_ready [0:NVC-1];\n"
          "    wire [1:0]         vc_op    [0:NVC-1];\n"
          "    wire [31:0]        vc_addr  [0:NVC-1];\n"
          "    wire [8*BURST-1:0] vc_wdata [0:NVC-1];\n"
          "    wire [BURST/2-1:0] vc_wmask [0:NVC-1];\n"
          "    wire               vc_rvalid[0:NVC-1];\n"
          "    wire [8*BURST-1:0] vc_rdata [0:NVC-1];\n"
          "    // GBUF ports: 0 DMA, 1 filter, 2 ifmap, 3 psum\n"
          "    wire               g_valid [0:3];\n"
          "    wire               g_ready [0:3];\n"
          "    wire               g_we    [0:3];\n"
          "    wire [GAW-1:0]     g_addr  [0:3];\n"
          "    wire [GBW-1:0]     g_wdata [0:3];\n"
          "    wire [GBW/16-1:0]  g_wmask [0:3];\n"
          "    wire               g_rvalid[0:3];\n"
          "    wire [GBW-1:0]     g_rdata [0:3];\n\n",
          out);
}

static void sequencer(FILE *out)
{
    fputs("    // ---- sequencer: one unit at a time, as the engine model executes\n"
          "    wire seq_busy, exe_valid, insn_retired, d_busy, s_busy;\n"
          "    wire [7:0] exe_op;\n"
          "    wire [23:0] exe_fields;\n"
          "    wire [15:0] exe_c0, exe_nc, exe_m0, exe_nm, exe_n0, exe_nn;\n"
          "    wire [32*NREG-1:0] regs;\n"
          "    wire units_busy = d_busy || s_busy;\n"
          "    wire exe_go = exe_valid && !units_busy;\n"
          "    assign busy = seq_busy || units_busy;\n",
          out);
    fprintf(out,
            "    assign vc_op[%d] = 2'd0;\n"
            "    assign vc_wdata[%d] = {8*BURST{1'b0}};\n"
            "    assign vc_wmask[%d] = {BURST/2{1'b0}};\n",
            VC_FETCH, VC_FETCH, VC_FETCH);
    fprintf(out,
            "    tetris_seq u_seq (\n"
            "        .clk(clk), .rst_n(rst_n), .start(start), .prog_base(prog_base), .busy(seq_busy),\n"
            "        .done(done), .err(err), .err_pc(err_pc),\n"
            "        .fetch_valid(vc_valid[%d]), .fetch_ready(vc_ready[%d]), .fetch_addr(vc_addr[%d]),\n"
            "        .fetch_rvalid(vc_rvalid[%d]), .fetch_rdata(vc_rdata[%d]), .regs(regs),\n"
            "        .exe_valid(exe_valid), .exe_ready(!units_busy), .exe_busy(units_busy),\n"
            "        .exe_op(exe_op), .exe_fields(exe_fields), .exe_c0(exe_c0), .exe_nc(exe_nc),\n"
            "        .exe_m0(exe_m0), .exe_nm(exe_nm), .exe_n0(exe_n0), .exe_nn(exe_nn),\n"
            "        .insn_retired(insn_retired));\n\n",
            VC_FETCH, VC_FETCH, VC_FETCH, VC_FETCH, VC_FETCH);
}

/* Output-stage configuration from the layer registers (both instances). */
static void out_stage_cfg(const tetris_config *cfg, FILE *out)
{
    fprintf(out,
            "    // output stage: op, shift, ReLU and the pooling window area r*s\n"
            "    localparam SHW = %d, AREAW = %d;\n"
            "    wire [1:0] os_op = regs[32*%d +: 2];\n"
            "    wire [SHW-1:0] os_shift = regs[32*%d +: SHW];\n"
            "    wire os_relu = regs[32*%d];\n"
            "    wire [31:0] os_area32 = regs[32*%d +: 32] * regs[32*%d +: 32];\n"
            "    wire [AREAW-1:0] os_area = os_area32[AREAW-1:0];\n"
            "    wire unused_area = ^os_area32;\n\n",
            tetris_bits_for(cfg->acc_bits + 1L), tetris_bits_for((long)cfg->max_kernel * cfg->max_kernel + 1L),
            REG_OPK, REG_SHIFT, REG_RELU, REG_R, REG_S);
}

/* One output-stage instance. */
static void out_stage(FILE *out, const char *inst, const char *pfx, int acc_bits)
{
    fprintf(out,
            "    tetris_out_stage %s (\n"
            "        .clk(clk), .rst_n(rst_n),\n"
            "        .in_valid(%s_os_valid), .in_ready(%s_os_ready), .in_data(%s_os_data%s),\n"
            "        .cfg_op(os_op), .cfg_shift(os_shift), .cfg_relu(os_relu), .cfg_area(os_area),\n"
            "        .out_valid(%s_oo_valid), .out_ready(%s_oo_ready), .out_data(%s_oo_data));\n",
            inst, pfx, pfx, pfx, acc_bits < 32 && pfx[0] == 'd' ? "[ACC-1:0]" : "", pfx, pfx, pfx);
}

static void dma(const tetris_config *cfg, FILE *out)
{
    fputs("    // ---- LOAD / STORE\n"
          "    wire d_rd_clear, d_rd_idle, dw_flush, dw_idle;\n"
          "    wire dr_valid, dr_ready, dr_wide, ds_valid, ds_ready;\n"
          "    wire [1:0] dr_src, ds_src;\n"
          "    wire [31:0] dr_addr, ds_data;\n"
          "    wire dr_tag, ds_tag;\n"
          "    wire dw_valid, dw_ready, dw_dst, dw_acc, dw_wide;\n"
          "    wire [31:0] dw_addr, dw_data;\n"
          "    wire d_os_valid, d_os_ready, d_oo_valid, d_oo_ready;\n"
          "    wire [31:0] d_os_data;\n"
          "    wire [15:0] d_oo_data;\n"
          "    wire [15:0] wi_c0, wi_nc, wi_n0, wf_m0, wf_c0, wf_nc, wp_m0, wp_nm, wp_n0;\n"
          "    wire d_ev_vault_rd_ifmap, d_ev_vault_rd_filter, d_ev_vault_rd_psum, d_ev_gbuf_wr_ifmap,\n"
          "         d_ev_gbuf_wr_filter, d_ev_gbuf_wr_psum, d_ev_gbuf_rd_psum, d_ev_vault_wr_psum,\n"
          "         d_ev_vault_acc_psum, d_ev_vault_wr_ofmap;\n"
          "    tetris_dma u_dma (\n"
          "        .clk(clk), .rst_n(rst_n),\n"
          "        .start(exe_go && (exe_op == OP_LOAD || exe_op == OP_STORE)),\n"
          "        .store(exe_op == OP_STORE), .fields(exe_fields), .c0(exe_c0), .nc(exe_nc),\n"
          "        .m0(exe_m0), .nm(exe_nm), .n0(exe_n0), .nn(exe_nn), .regs(regs), .busy(d_busy),\n"
          "        .wi_c0(wi_c0), .wi_nc(wi_nc), .wi_n0(wi_n0), .wf_m0(wf_m0), .wf_c0(wf_c0),\n"
          "        .wf_nc(wf_nc), .wp_m0(wp_m0), .wp_nm(wp_nm), .wp_n0(wp_n0),\n"
          "        .dr_valid(dr_valid), .dr_ready(dr_ready), .dr_src(dr_src), .dr_wide(dr_wide),\n"
          "        .dr_addr(dr_addr), .dr_tag(dr_tag), .ds_valid(ds_valid), .ds_ready(ds_ready),\n"
          "        .ds_data(ds_data), .ds_tag(ds_tag), .ds_src(ds_src), .rd_clear(d_rd_clear),\n"
          "        .rd_idle(d_rd_idle), .dw_valid(dw_valid), .dw_ready(dw_ready), .dw_dst(dw_dst),\n"
          "        .dw_acc(dw_acc), .dw_wide(dw_wide), .dw_addr(dw_addr), .dw_data(dw_data),\n"
          "        .dw_flush(dw_flush), .dw_idle(dw_idle),\n"
          "        .os_valid(d_os_valid), .os_ready(d_os_ready), .os_data(d_os_data),\n"
          "        .oo_valid(d_oo_valid), .oo_ready(d_oo_ready), .oo_data(d_oo_data),\n"
          "        .ev_vault_rd_ifmap(d_ev_vault_rd_ifmap), .ev_vault_rd_filter(d_ev_vault_rd_filter),\n"
          "        .ev_vault_rd_psum(d_ev_vault_rd_psum), .ev_gbuf_wr_ifmap(d_ev_gbuf_wr_ifmap),\n"
          "        .ev_gbuf_wr_filter(d_ev_gbuf_wr_filter), .ev_gbuf_wr_psum(d_ev_gbuf_wr_psum),\n"
          "        .ev_gbuf_rd_psum(d_ev_gbuf_rd_psum), .ev_vault_wr_psum(d_ev_vault_wr_psum),\n"
          "        .ev_vault_acc_psum(d_ev_vault_acc_psum), .ev_vault_wr_ofmap(d_ev_vault_wr_ofmap));\n",
          out);
    /* the DMA walks contiguous segments: a few lines do */
    rdport(out, "u_dma_rd", "d_rd_clear", "d_rd_idle", "dr", "ds", "1", 0, VC_DMA_RD,
           TETRIS_PORT_DMA_LINES);
    wrport(out, "u_dma_wr", "dw", VC_DMA_WR, TETRIS_PORT_DMA_LINES);
    gbuf_share(out, 0, "u_dma_rd", "u_dma_wr");
    out_stage(out, "u_dma_out", "d", cfg->acc_bits);
    if (cfg->acc_bits < 32) /* STORE reads 32-bit psums; the stage takes ACC bits */
        fputs("    wire unused_d_os = ^d_os_data[31:ACC];\n", out);
    fputs("\n", out);
}

static void stream(const tetris_config *cfg, FILE *out)
{
    fputs("    // ---- PASS\n"
          "    wire s_rd_clear, s_rd_idle, fr_idle, ir_idle, pr_idle;\n"
          "    assign s_rd_idle = fr_idle && ir_idle && pr_idle;\n"
          "    wire a_start, a_busy;\n"
          "    wire [1:0] a_op;\n"
          "    wire [SW-1:0] a_s, a_u;\n"
          "    wire [15:0] a_stride, a_nc, a_nm;\n"
          "    wire [XW-1:0] a_wo;\n"
          "    wire [BCW-1:0] a_bc;\n"
          "    wire [BMW-1:0] a_bm;\n"
          "    wire [BNW-1:0] a_bn;\n"
          "    wire [HW-1:0] a_rows, a_rr, a_na;\n"
          "    wire [WW-1:0] a_cols, a_ee, a_nb;\n"
          "    wire f_valid, i_valid, i_ready, q_used, p_valid, p_ready, o_valid, o_ready;\n"
          "    wire [15:0] f_data, i_data;\n"
          "    wire [RW-1:0] f_row;\n"
          "    wire [CW-1:0] f_rep;\n"
          "    wire [YW-1:0] i_y, q_y;\n"
          "    wire [GW-1:0] i_rep;\n"
          "    wire [ACC-1:0] p_data, o_data;\n",
          out);
    static const char *const rd[3][2] = {{"fr", "fs"}, {"ir", "is"}, {"pr", "ps"}};
    for (int k = 0; k < 3; k++)
        fprintf(out,
                "    wire %s_valid, %s_ready, %s_wide, %s_valid, %s_ready;\n"
                "    wire [1:0] %s_src, %s_src;\n"
                "    wire [31:0] %s_addr, %s_data;\n"
                "    wire [TW-1:0] %s_tag, %s_tag;\n",
                rd[k][0], rd[k][0], rd[k][0], rd[k][1], rd[k][1], rd[k][0], rd[k][1], rd[k][0],
                rd[k][1], rd[k][0], rd[k][1]);
    fputs("    wire pw_valid, pw_ready, pw_dst, pw_acc, pw_wide, pw_flush, pw_idle;\n"
          "    wire [31:0] pw_addr, pw_data;\n"
          "    wire s_os_valid, s_os_ready, s_oo_valid, s_oo_ready;\n"
          "    wire [ACC-1:0] s_os_data;\n"
          "    wire [15:0] s_oo_data;\n"
          "    wire s_ev_pass, s_ev_bus_filter, s_ev_gbuf_rd_filter, s_ev_vault_rd_filter,\n"
          "         s_ev_gbuf_rd_ifmap, s_ev_vault_rd_ifmap, s_ev_bus_psum_in, s_ev_gbuf_rd_psum,\n"
          "         s_ev_vault_rd_psum, s_ev_vault_rd_bias, s_ev_bus_psum_out, s_ev_gbuf_wr_psum,\n"
          "         s_ev_vault_wr_psum, s_ev_vault_acc_psum, s_ev_vault_wr_ofmap;\n"
          "    tetris_stream u_stream (\n"
          "        .clk(clk), .rst_n(rst_n), .start(exe_go && exe_op == OP_PASS),\n"
          "        .fields(exe_fields), .c0(exe_c0), .nc(exe_nc), .m0(exe_m0), .nm(exe_nm),\n"
          "        .n0(exe_n0), .nn(exe_nn), .regs(regs),\n"
          "        .wi_c0(wi_c0), .wi_nc(wi_nc), .wi_n0(wi_n0), .wf_m0(wf_m0), .wf_c0(wf_c0),\n"
          "        .wf_nc(wf_nc), .wp_m0(wp_m0), .wp_nm(wp_nm), .wp_n0(wp_n0), .busy(s_busy),\n"
          "        .a_start(a_start), .a_op(a_op), .a_s(a_s), .a_u(a_u), .a_stride(a_stride),\n"
          "        .a_wo(a_wo), .a_bc(a_bc), .a_bm(a_bm), .a_bn(a_bn), .a_nc(a_nc), .a_nm(a_nm),\n"
          "        .a_rows(a_rows), .a_rr(a_rr), .a_na(a_na), .a_cols(a_cols), .a_ee(a_ee),\n"
          "        .a_nb(a_nb), .a_busy(a_busy),\n"
          "        .f_valid(f_valid), .f_data(f_data), .f_row(f_row), .f_rep(f_rep),\n"
          "        .i_valid(i_valid), .i_ready(i_ready), .i_data(i_data), .i_y(i_y), .i_rep(i_rep),\n"
          "        .q_y(q_y), .q_used(q_used),\n"
          "        .p_valid(p_valid), .p_ready(p_ready), .p_data(p_data),\n"
          "        .o_valid(o_valid), .o_ready(o_ready), .o_data(o_data),\n",
          out);
    for (int k = 0; k < 3; k++)
        gen_emit_sub(out,
                     "        .`_valid(`_valid), .`_ready(`_ready), .`_src(`_src), .`_wide(`_wide),\n"
                     "        .`_addr(`_addr), .`_tag(`_tag),\n",
                     rd[k][0]);
    for (int k = 0; k < 3; k++)
        gen_emit_sub(out,
                     "        .`_valid(`_valid), .`_ready(`_ready), .`_data(`_data), .`_tag(`_tag),\n"
                     "        .`_src(`_src),\n",
                     rd[k][1]);
    fputs("        .rd_clear(s_rd_clear), .rd_idle(s_rd_idle),\n"
          "        .pw_valid(pw_valid), .pw_ready(pw_ready), .pw_dst(pw_dst), .pw_acc(pw_acc),\n"
          "        .pw_wide(pw_wide), .pw_addr(pw_addr), .pw_data(pw_data), .pw_flush(pw_flush),\n"
          "        .pw_idle(pw_idle),\n"
          "        .os_valid(s_os_valid), .os_ready(s_os_ready), .os_data(s_os_data),\n"
          "        .oo_valid(s_oo_valid), .oo_ready(s_oo_ready), .oo_data(s_oo_data),\n"
          "        .ev_pass(s_ev_pass), .ev_bus_filter(s_ev_bus_filter),\n"
          "        .ev_gbuf_rd_filter(s_ev_gbuf_rd_filter), .ev_vault_rd_filter(s_ev_vault_rd_filter),\n"
          "        .ev_gbuf_rd_ifmap(s_ev_gbuf_rd_ifmap), .ev_vault_rd_ifmap(s_ev_vault_rd_ifmap),\n"
          "        .ev_bus_psum_in(s_ev_bus_psum_in), .ev_gbuf_rd_psum(s_ev_gbuf_rd_psum),\n"
          "        .ev_vault_rd_psum(s_ev_vault_rd_psum), .ev_vault_rd_bias(s_ev_vault_rd_bias),\n"
          "        .ev_bus_psum_out(s_ev_bus_psum_out), .ev_gbuf_wr_psum(s_ev_gbuf_wr_psum),\n"
          "        .ev_vault_wr_psum(s_ev_vault_wr_psum), .ev_vault_acc_psum(s_ev_vault_acc_psum),\n"
          "        .ev_vault_wr_ofmap(s_ev_vault_wr_ofmap));\n",
          out);
    /* three readers share the stream's clear; each reports its own idle */
    rdport(out, "u_filter_rd", "s_rd_clear", "fr_idle", "fr", "fs", "TW", 1, VC_FILTER, 0);
    rdport(out, "u_ifmap_rd", "s_rd_clear", "ir_idle", "ir", "is", "TW", 2, VC_IFMAP, 0);
    rdport(out, "u_psum_rd", "s_rd_clear", "pr_idle", "pr", "ps", "TW", 3, VC_PSUM_RD, 0);
    wrport(out, "u_psum_wr", "pw", VC_PSUM_WR, 0);
    gbuf_read(out, 1, "u_filter_rd");
    gbuf_read(out, 2, "u_ifmap_rd");
    gbuf_share(out, 3, "u_psum_rd", "u_psum_wr");
    out_stage(out, "u_pass_out", "s", cfg->acc_bits);
    fputs("\n", out);
}

static void array(FILE *out)
{
    fputs("    // ---- the PE array\n"
          "    wire [EW-1:0] a_ev_macs, a_ev_rf_wr_filter, a_ev_rf_wr_ifmap, a_ev_psum_hops;\n"
          "    wire a_ev_bus_ifmap;\n"
          "    // filter scratchpad reads: one per MAC, none for pooling\n"
          "    wire [EW-1:0] a_ev_macs_filter = a_op == 2'd0 ? a_ev_macs : {EW{1'b0}};\n"
          "    tetris_pe_array u_array (\n"
          "        .clk(clk), .rst_n(rst_n), .start(a_start), .cfg_op(a_op), .cfg_s(a_s),\n"
          "        .cfg_u(a_u), .cfg_stride(a_stride), .cfg_wo(a_wo), .cfg_bc(a_bc), .cfg_bm(a_bm),\n"
          "        .cfg_bn(a_bn), .cfg_nc(a_nc), .cfg_nm(a_nm), .cfg_rows(a_rows), .cfg_rr(a_rr),\n"
          "        .cfg_na(a_na), .cfg_cols(a_cols), .cfg_ee(a_ee), .cfg_nb(a_nb), .busy(a_busy),\n"
          "        .f_valid(f_valid), .f_data(f_data), .f_row(f_row), .f_rep(f_rep),\n"
          "        .i_valid(i_valid), .i_ready(i_ready), .i_data(i_data), .i_y(i_y), .i_rep(i_rep),\n"
          "        .q_y(q_y), .q_used(q_used),\n"
          "        .p_valid(p_valid), .p_ready(p_ready), .p_data(p_data),\n"
          "        .o_valid(o_valid), .o_ready(o_ready), .o_data(o_data),\n"
          "        .ev_macs(a_ev_macs), .ev_rf_wr_filter(a_ev_rf_wr_filter),\n"
          "        .ev_rf_wr_ifmap(a_ev_rf_wr_ifmap), .ev_psum_hops(a_ev_psum_hops),\n"
          "        .ev_bus_ifmap(a_ev_bus_ifmap));\n\n",
          out);
}

static void gbuf(FILE *out)
{
    fputs("    // ---- the GBUF\n"
          "    wire [3:0] g_conflict;  // debug only\n"
          "    wire unused_conflict = ^g_conflict;\n"
          "    tetris_gbuf u_gbuf (\n"
          "        .clk(clk), .rst_n(rst_n),\n",
          out);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        fprintf(out,
                "        .p%d_valid(g_valid[%d]), .p%d_ready(g_ready[%d]), .p%d_we(g_we[%d]),\n"
                "        .p%d_addr(g_addr[%d]), .p%d_wdata(g_wdata[%d]), .p%d_wmask(g_wmask[%d]),\n"
                "        .p%d_rvalid(g_rvalid[%d]), .p%d_rdata(g_rdata[%d]),\n",
                p, p, p, p, p, p, p, p, p, p, p, p, p, p, p, p);
    fputs("        .conflict(g_conflict));\n\n", out);
}

static void arbiter(FILE *out)
{
    fputs("    // ---- the vault clients onto the one vault port\n"
          "    wire [NVC-1:0] arb_valid, arb_ready, arb_rvalid;\n"
          "    wire [2*NVC-1:0] arb_op;\n"
          "    wire [32*NVC-1:0] arb_addr;\n"
          "    wire [8*BURST*NVC-1:0] arb_wdata, arb_rdata;\n"
          "    wire [BURST/2*NVC-1:0] arb_wmask;\n"
          "    genvar v;\n"
          "    generate\n"
          "        for (v = 0; v < NVC; v = v + 1) begin : g_vc\n"
          "            assign arb_valid[v] = vc_valid[v];\n"
          "            assign vc_ready[v] = arb_ready[v];\n"
          "            assign arb_op[2*v +: 2] = vc_op[v];\n"
          "            assign arb_addr[32*v +: 32] = vc_addr[v];\n"
          "            assign arb_wdata[8*BURST*v +: 8*BURST] = vc_wdata[v];\n"
          "            assign arb_wmask[BURST/2*v +: BURST/2] = vc_wmask[v];\n"
          "            assign vc_rvalid[v] = arb_rvalid[v];\n"
          "            assign vc_rdata[v] = arb_rdata[8*BURST*v +: 8*BURST];\n"
          "        end\n"
          "    endgenerate\n"
          "    tetris_vault_arb #(.N(NVC)) u_arb (\n"
          "        .clk(clk), .rst_n(rst_n),\n"
          "        .c_req_valid(arb_valid), .c_req_ready(arb_ready), .c_req_op(arb_op),\n"
          "        .c_req_addr(arb_addr), .c_req_wdata(arb_wdata), .c_req_wmask(arb_wmask),\n"
          "        .c_rsp_valid(arb_rvalid), .c_rsp_data(arb_rdata),\n"
          "        .req_valid(vreq_valid), .req_ready(vreq_ready), .req_op(vreq_op),\n"
          "        .req_addr(vreq_addr), .req_wdata(vreq_wdata), .req_wmask(vreq_wmask),\n"
          "        .rsp_valid(vrsp_valid), .rsp_data(vrsp_data));\n\n",
          out);
}

static void counters(FILE *out)
{
    fputs("    // ---- performance counters: the engine model's events (TETRIS_COUNTERS)\n"
          "    tetris_perf u_perf (\n"
          "        .clk(clk), .rst_n(rst_n), .clear(perf_clear),\n",
          out);
    for (int c = 0; c < TETRIS_CNT_COUNT; c++) {
        fprintf(out, "        .inc_%s(", tetris_counter_name((enum tetris_counter)c));
        for (int k = 0; k < 3 && inc_src[c][k]; k++) {
            if (k)
                fputs(" + ", out);
            if (wide_event(inc_src[c][k]))
                fputs(inc_src[c][k], out);
            else
                fprintf(out, "{{(EW-1){1'b0}}, %s}", inc_src[c][k]);
        }
        fputs("),\n", out);
    }
    fputs("        .csr_addr(csr_addr), .csr_rdata(csr_rdata));\n\n"
          "endmodule\n",
          out);
}

int gen_engine(const tetris_config *cfg, FILE *out)
{
    header(cfg, out);
    declarations(cfg, out);
    sequencer(out);
    out_stage_cfg(cfg, out);
    dma(cfg, out);
    stream(cfg, out);
    array(out);
    gbuf(out);
    arbiter(out);
    counters(out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}

/* The block diagram of the engine (Graphviz): the instances of the top and
 * the data paths between them, with the configuration's sizes. */
typedef struct dot_edge {
    const char *from, *to, *label;
} dot_edge;

static const dot_edge dot_edges[] = {
    {"host", "seq", "start, prog_base"},
    {"seq", "vault_arb", "fetch (bursts)"},
    {"seq", "dma", "LOAD, STORE"},
    {"seq", "stream", "PASS"},
    {"dma", "dma_rd", "word reads"},
    {"dma_rd", "dma", ""},
    {"dma", "dma_wr", "word writes"},
    {"dma", "dma_out", "final psums"},
    {"dma_rd", "gbuf", "port 0"},
    {"dma_wr", "gbuf", "port 0"},
    {"dma_rd", "vault_arb", ""},
    {"dma_wr", "vault_arb", ""},
    {"stream", "filter_rd", "filter addresses"},
    {"stream", "ifmap_rd", "ifmap addresses"},
    {"stream", "psum_rd", "psum, bias addresses"},
    {"filter_rd", "gbuf", "port 1"},
    {"ifmap_rd", "gbuf", "port 2"},
    {"psum_rd", "gbuf", "port 3"},
    {"psum_wr", "gbuf", "port 3"},
    {"filter_rd", "vault_arb", "bypass"},
    {"ifmap_rd", "vault_arb", "bypass"},
    {"psum_rd", "vault_arb", ""},
    {"psum_wr", "vault_arb", "write, accumulate"},
    {"filter_rd", "array", "filter bus (tagged)"},
    {"ifmap_rd", "array", "ifmap bus (tagged)"},
    {"psum_rd", "array", "psums in (column tops)"},
    {"array", "stream", "psums out (column bottoms)"},
    {"stream", "pass_out", "final psums"},
    {"pass_out", "psum_wr", "ofmap words"},
    {"stream", "psum_wr", "psums"},
    {"vault_arb", "vault_ctrl", "requests (bursts)"},
    {"vault_ctrl", "dram", "ACT RD WR PRE ACC"},
    {"array", "perf", "events"},
    {"stream", "perf", "events"},
    {"dma", "perf", "events"},
    {"host", "perf", "CSR reads"},
};

int gen_engine_dot(const tetris_config *cfg, FILE *out)
{
    tetris_gbuf_geom g;
    tetris_gbuf_geom_of(cfg, &g);
    fprintf(out,
            "digraph tetris_engine {\n"
            "    label=\"tetris_engine of %s: %dx%d PEs, %d-byte GBUF in %d banks\";\n"
            "    labelloc=t; rankdir=LR; node [shape=box, fontname=Helvetica, fontsize=10];\n"
            "    edge [fontname=Helvetica, fontsize=8];\n"
            "    host [shape=ellipse, label=\"host\"];\n"
            "    dram [shape=cylinder, label=\"vault DRAM\\n%d banks\"];\n"
            "    vault_ctrl [label=\"tetris_vault_ctrl\\n(outside the engine)\", style=dashed];\n"
            "    subgraph cluster_engine {\n"
            "        label=\"tetris_engine\";\n"
            "        seq [label=\"tetris_seq\"];\n"
            "        dma [label=\"tetris_dma\\nLOAD / STORE\"];\n"
            "        stream [label=\"tetris_stream\\npass address generators\"];\n"
            "        array [label=\"tetris_pe_array\\n%d x %d tetris_pe\", style=bold];\n"
            "        gbuf [label=\"tetris_gbuf\\n%d x tetris_sram\"];\n"
            "        dma_rd [label=\"tetris_rdport\\n(DMA)\"];\n"
            "        dma_wr [label=\"tetris_wrport\\n(DMA)\"];\n"
            "        filter_rd [label=\"tetris_rdport\\n(filter)\"];\n"
            "        ifmap_rd [label=\"tetris_rdport\\n(ifmap)\"];\n"
            "        psum_rd [label=\"tetris_rdport\\n(psum in)\"];\n"
            "        psum_wr [label=\"tetris_wrport\\n(psum out)\"];\n"
            "        dma_out [label=\"tetris_out_stage\\n(STORE)\"];\n"
            "        pass_out [label=\"tetris_out_stage\\n(PASS)\"];\n"
            "        vault_arb [label=\"tetris_vault_arb\\n%d clients\"];\n"
            "        perf [label=\"tetris_perf\\n%d counters\"];\n"
            "    }\n",
            cfg->name, cfg->array_h, cfg->array_w, cfg->gbuf_bytes, g.banks, cfg->dram_banks,
            cfg->array_h, cfg->array_w, g.banks, VC_COUNT, TETRIS_CNT_COUNT);
    for (size_t i = 0; i < sizeof dot_edges / sizeof dot_edges[0]; i++)
        fprintf(out, "    %s -> %s [label=\"%s\"];\n", dot_edges[i].from, dot_edges[i].to,
                dot_edges[i].label);
    fputs("}\n", out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
