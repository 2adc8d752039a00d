/*
 * tetris_dma: the LOAD / STORE unit. LOAD copies a block from the vault into
 * the GBUF in its canonical layout (docs/isa.md, "GBUF resident blocks") and
 * records the resident window that the pass unit addresses the GBUF by;
 * STORE drains the resident psum block to the vault as plain writes,
 * accumulate requests or, through the output stage, int16 ofmaps. Both are a
 * walk over contiguous vault segments while the GBUF side runs from byte 0:
 * the read side and the write side walk the same nest, each at its own pace.
 * The reference is the engine model's gbuf_load / gbuf_store (refmodel/gbuf.c).
 */
#include "engine_internal.h"
#include "gen_internal.h"

static void ports(FILE *out)
{
    fprintf(out,
            "module tetris_dma #(\n"
            "    parameter NREG = %d,    // layer registers (docs/isa.md)\n"
            "    parameter TW = 1        // reader tag bits (the tags are not used)\n"
            ") (\n",
            REG_COUNT);
    fputs("    input  wire              clk,\n"
          "    input  wire              rst_n,     // synchronous, active low\n"
          "    // the dispatched LOAD or STORE (tetris_seq)\n"
          "    input  wire              start,\n"
          "    input  wire              store,     // 0 LOAD, 1 STORE\n"
          "    input  wire [23:0]       fields,    // w0[31:8]\n"
          "    input  wire [15:0]       c0, nc, m0, nm, n0, nn,\n"
          "    input  wire [32*NREG-1:0] regs,\n"
          "    output wire              busy,\n"
          "    // the resident windows, written by LOAD\n"
          "    output reg  [15:0]       wi_c0, wi_nc, wi_n0,  // ifmap\n"
          "    output reg  [15:0]       wf_m0, wf_c0, wf_nc,  // filter\n"
          "    output reg  [15:0]       wp_m0, wp_nm, wp_n0,  // psum\n"
          "    // word reader (tetris_rdport): the vault for LOAD, the GBUF for STORE\n"
          "    output wire              dr_valid,\n"
          "    input  wire              dr_ready,\n"
          "    output wire [1:0]        dr_src,\n"
          "    output wire              dr_wide,\n"
          "    output wire [31:0]       dr_addr,\n"
          "    output wire [TW-1:0]     dr_tag,\n"
          "    input  wire              ds_valid,\n"
          "    output wire              ds_ready,\n"
          "    input  wire [31:0]       ds_data,\n"
          "    input  wire [TW-1:0]     ds_tag,\n"
          "    input  wire [1:0]        ds_src,\n"
          "    output reg               rd_clear,\n"
          "    input  wire              rd_idle,\n"
          "    // word writer (tetris_wrport): the GBUF for LOAD, the vault for STORE\n"
          "    output wire              dw_valid,\n"
          "    input  wire              dw_ready,\n"
          "    output wire              dw_dst,\n"
          "    output wire              dw_acc,\n"
          "    output wire              dw_wide,\n"
          "    output wire [31:0]       dw_addr,\n"
          "    output wire [31:0]       dw_data,\n"
          "    output wire              dw_flush,\n"
          "    input  wire              dw_idle,\n"
          "    // output stage (tetris_out_stage) for a final STORE\n"
          "    output wire              os_valid,\n"
          "    input  wire              os_ready,\n"
          "    output wire [31:0]       os_data,\n"
          "    input  wire              oo_valid,\n"
          "    output wire              oo_ready,\n"
          "    input  wire [15:0]       oo_data,\n"
          "    // events, one bit per cycle each (tetris_perf)\n"
          "    output wire              ev_vault_rd_ifmap, ev_vault_rd_filter, ev_vault_rd_psum,\n"
          "    output wire              ev_gbuf_wr_ifmap, ev_gbuf_wr_filter, ev_gbuf_wr_psum,\n"
          "    output wire              ev_gbuf_rd_psum,\n"
          "    output wire              ev_vault_wr_psum, ev_vault_acc_psum, ev_vault_wr_ofmap\n"
          ");\n\n",
          out);
}

static void registers(FILE *out)
{
    static const int used[] = {REG_GROUP, REG_CT, REG_MT, REG_CG, REG_MG, REG_HI,  REG_WI,
                               REG_HO,    REG_WO, REG_R,  REG_S,  REG_IFM, REG_FIL, REG_PSUM,
                               REG_OFM};
    fputs("    // ---- layer registers (docs/isa.md), 32 bits each\n", out);
    for (size_t i = 0; i < sizeof used / sizeof used[0]; i++)
        fprintf(out, "    wire [31:0] r_%s = regs[32*%d +: 32];\n", isa_reg_name(used[i]), used[i]);
    fputs("    wire unused_regs = ^regs;  // the others belong to the pass unit\n\n", out);
}

static void shape(FILE *out)
{
    fprintf(out,
            "    function [31:0] z16(input [15:0] n16);  // zero-extend a 16-bit count\n"
            "        z16 = {16'd0, n16};\n"
            "    endfunction\n\n"
            "    localparam [1:0] K_IFMAP = 2'd%d, K_FILTER = 2'd%d, K_PSUM = 2'd%d;\n"
            "    localparam [1:0] M_ACC = 2'd%d, M_FINAL = 2'd%d;  // STORE modes (else write)\n",
            KIND_IFMAP, KIND_FILTER, KIND_PSUM, POUT_VAULT_ACC, POUT_FINAL);
    fputs("    localparam [1:0] ST_IDLE = 2'd0, ST_RUN = 2'd1, ST_FLUSH = 2'd2;\n"
          "    reg [1:0]  st;\n"
          "    assign busy = st != ST_IDLE;\n"
          "    reg        l_store;\n"
          "    reg [1:0]  kind, mode;  // LOAD kind, STORE mode\n"
          "    reg [15:0] l_c0, l_nc, l_m0, l_nm, l_n0, l_nn;\n\n"
          "    // The walk: segments (o1 < O1, o2 < O2) of L contiguous elements of E\n"
          "    // bytes; element (o1, o2, i) is vault element ((o1 + S1)*T1 + S2 + o2)*P\n"
          "    // + S3 + i and the k-th of the walk, at GBUF byte E*k (a final STORE reads\n"
          "    // the channel-last block transposed, at ((o1*ho*wo + i)*nm + o2)*4).\n"
          "    //   LOAD ifmap:  o1 = n, o2 = c, L = P = hi*wi\n"
          "    //   LOAD filter: o1 = m, L = nc*r*s, P = r*s (the channels are contiguous)\n"
          "    //   psums (LOAD, STORE write or accumulate), [n][ho][wo][m]:\n"
          "    //                o1 = n, o2 = y*wo + x, L = nm, T1 = ho*wo, P = m_total\n"
          "    //   STORE final, ofmaps [n][m][ho][wo]: o1 = n, o2 = m, L = P = ho*wo\n"
          "    wire [31:0] m_base = r_group * r_m_group;  // first channel of the group\n"
          "    wire [31:0] c_base = r_group * r_c_group;\n"
          "    wire [31:0] plane_i = r_hi * r_wi, plane_f = r_r * r_s, plane_o = r_ho * r_wo;\n"
          "    wire ld_i = !l_store && kind == K_IFMAP;\n"
          "    wire ld_f = !l_store && kind == K_FILTER;\n"
          "    wire ld_p = !l_store && kind == K_PSUM;\n"
          "    wire fin = l_store && mode == M_FINAL;\n"
          "    wire pw = ld_p || (l_store && !fin);  // a psum walk\n"
          "    wire [31:0] O1 = ld_f ? z16(l_nm) : z16(l_nn);\n"
          "    wire [31:0] O2 = ld_i ? z16(l_nc) : ld_f ? 32'd1 : pw ? plane_o : z16(l_nm);\n"
          "    wire [31:0] P = ld_i ? plane_i : ld_f ? plane_f : pw ? r_m_total : plane_o;\n"
          "    wire [31:0] L = ld_f ? z16(l_nc) * plane_f : pw ? z16(l_nm) : P;\n"
          "    wire [31:0] S1 = ld_f ? m_base + z16(l_m0) : z16(l_n0);\n"
          "    wire [31:0] T1 = ld_i ? r_c_total : ld_f ? r_c_group : pw ? plane_o : r_m_total;\n"
          "    wire [31:0] S2 = ld_i ? c_base + z16(l_c0) : ld_f ? z16(l_c0)\n"
          "                   : pw ? 32'd0 : m_base + z16(l_m0);\n"
          "    wire [31:0] S3 = pw ? m_base + z16(l_m0) : 32'd0;\n"
          "    // element bytes on the vault side: int16 ifmaps, filters and ofmaps\n"
          "    wire wide_v = ld_p || (l_store && mode != M_FINAL);\n"
          "    wire [31:0] vbase = ld_i ? r_ifm_base : ld_f ? r_fil_base\n"
          "                      : l_store && mode == M_FINAL ? r_ofm_base : r_psum_base;\n\n",
          out);
}

/* One walk: '`' is r (read side) or w (write side); `_go advances it. */
static void walk(FILE *out, const char *prefix)
{
    gen_emit_sub(out,
                 "    reg        `_done;\n"
                 "    reg [31:0] `o1, `o2, `i, `k;\n"
                 "    wire [31:0] `_vidx = ((`o1 + S1) * T1 + S2 + `o2) * P + S3 + `i;\n"
                 "    wire [31:0] `_vaddr = vbase + (wide_v ? `_vidx << 2 : `_vidx << 1);\n"
                 "    always @(posedge clk)\n"
                 "        if (!rst_n || (st == ST_IDLE && start)) begin\n"
                 "            `_done <= 1'b0;\n"
                 "            {`o1, `o2, `i, `k} <= 128'd0;\n"
                 "        end else if (`_go) begin\n"
                 "            `k <= `k + 32'd1;\n"
                 "            if (`i != L - 32'd1) `i <= `i + 32'd1;\n"
                 "            else begin\n"
                 "                `i <= 32'd0;\n"
                 "                if (`o2 != O2 - 32'd1) `o2 <= `o2 + 32'd1;\n"
                 "                else begin\n"
                 "                    `o2 <= 32'd0;\n"
                 "                    if (`o1 != O1 - 32'd1) `o1 <= `o1 + 32'd1;\n"
                 "                    else `_done <= 1'b1;\n"
                 "                end\n"
                 "            end\n"
                 "        end\n",
                 prefix);
}

static void sides(FILE *out)
{
    fputs("    // ---- read side: vault segments (LOAD) or the GBUF from byte 0 (STORE)\n"
          "    wire r_go = dr_valid && dr_ready;\n",
          out);
    walk(out, "r");
    fputs("    assign dr_valid = st == ST_RUN && !r_done;\n"
          "    assign dr_src = l_store ? 2'd1 : 2'd2;\n"
          "    assign dr_wide = l_store || ld_p;\n"
          "    wire [31:0] r_gfin = (ro1 * plane_o + ri) * z16(l_nm) + ro2;\n"
          "    assign dr_addr = l_store ? (fin ? r_gfin : rk) << 2 : r_vaddr;\n"
          "    assign dr_tag = {TW{1'b0}};\n\n"
          "    // ---- write side: the GBUF from byte 0 (LOAD) or vault segments (STORE),\n"
          "    // final psums through the output stage\n"
          "    wire w_go = dw_valid && dw_ready;\n",
          out);
    walk(out, "w");
    fputs("    assign os_valid = fin && ds_valid;\n"
          "    assign os_data = ds_data;\n"
          "    assign ds_ready = fin ? os_ready : dw_ready;\n"
          "    assign oo_ready = fin && dw_ready;\n"
          "    assign dw_valid = fin ? oo_valid : ds_valid;\n"
          "    assign dw_dst = l_store;\n"
          "    assign dw_acc = l_store && mode == M_ACC;\n"
          "    assign dw_wide = l_store ? !fin : ld_p;\n"
          "    assign dw_addr = l_store ? w_vaddr : ld_p ? wk << 2 : wk << 1;\n"
          "    assign dw_data = fin ? {{16{oo_data[15]}}, oo_data} : ds_data;\n\n",
          out);
}

static void control(FILE *out)
{
    fputs("    // ---- control: a LOAD records its window, then copies (unless window-only)\n"
          "    assign dw_flush = st == ST_FLUSH;\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n) begin\n"
          "            st <= ST_IDLE;\n"
          "            rd_clear <= 1'b0;\n"
          "            {wi_c0, wi_nc, wi_n0, wf_m0, wf_c0, wf_nc, wp_m0, wp_nm, wp_n0} <= 144'd0;\n"
          "        end else begin\n"
          "            rd_clear <= 1'b0;\n"
          "            case (st)\n"
          "            ST_IDLE: if (start) begin\n"
          "                l_store <= store;\n"
          "                kind <= fields[1:0];\n"
          "                mode <= fields[5:4];\n"
          "                {l_c0, l_nc, l_m0, l_nm, l_n0, l_nn} <= {c0, nc, m0, nm, n0, nn};\n"
          "                rd_clear <= 1'b1;  // the GBUF and the vault may have changed\n"
          "                // a window-only LOAD (w0[10]) moves nothing\n"
          "                st <= !store && fields[2] ? ST_IDLE : ST_RUN;\n"
          "                if (!store)\n"
          "                    case (fields[1:0])\n"
          "                    K_IFMAP: {wi_c0, wi_nc, wi_n0} <= {c0, nc, n0};\n"
          "                    K_FILTER: {wf_m0, wf_c0, wf_nc} <= {m0, c0, nc};\n"
          "                    default: {wp_m0, wp_nm, wp_n0} <= {m0, nm, n0};\n"
          "                    endcase\n"
          "            end\n"
          "            ST_RUN: if (r_done && w_done && rd_idle) st <= ST_FLUSH;\n"
          "            default: if (dw_idle) st <= ST_IDLE;  // ST_FLUSH\n"
          "            endcase\n"
          "        end\n\n"
          "    // ---- events\n"
          "    wire rd_take = ds_valid && ds_ready;\n"
          "    assign ev_vault_rd_ifmap = rd_take && ld_i;\n"
          "    assign ev_vault_rd_filter = rd_take && ld_f;\n"
          "    assign ev_vault_rd_psum = rd_take && ld_p;\n"
          "    assign ev_gbuf_wr_ifmap = w_go && ld_i;\n"
          "    assign ev_gbuf_wr_filter = w_go && ld_f;\n"
          "    assign ev_gbuf_wr_psum = w_go && ld_p;\n"
          "    assign ev_gbuf_rd_psum = rd_take && l_store;\n"
          "    assign ev_vault_wr_psum = w_go && l_store && mode != M_ACC && !fin;\n"
          "    assign ev_vault_acc_psum = w_go && dw_acc;\n"
          "    assign ev_vault_wr_ofmap = w_go && fin;\n"
          "    // reserved and STORE-irrelevant fields, tags, the source (known from the op)\n"
          "    wire unused_bits = ^{fields[23:6], fields[3], ds_tag, ds_src};\n\n"
          "endmodule\n",
          out);
}

int gen_dma(const tetris_config *cfg, FILE *out)
{
    (void)cfg;
    ports(out);
    registers(out);
    shape(out);
    sides(out);
    control(out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
