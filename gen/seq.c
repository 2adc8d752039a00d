/*
 * tetris_seq: the engine's sequencer. It fetches the 128-bit instructions of
 * docs/isa.md from the vault (one burst holds BURST_BYTES/16 of them),
 * decodes them with the same reserved-bit rules as the model's isa_decode(),
 * keeps the layer registers written by SET, and dispatches LOAD, STORE and
 * PASS to the execution units with ready/valid. Opcodes and register indices
 * come from the model's tables (refmodel/engine_internal.h), so the two
 * cannot disagree.
 */
#include "engine_internal.h"
#include "gen_internal.h"

static void ports(const tetris_config *cfg, FILE *out)
{
    fprintf(out,
            "module tetris_seq #(\n"
            "    parameter BURST_BYTES = %d,  // vault access granularity, bytes\n"
            "    parameter NREG = %d           // layer registers (docs/isa.md)\n"
            ") (\n"
            "    input  wire                     clk,\n"
            "    input  wire                     rst_n,\n"
            "    // control: start runs the program at prog_base (16-byte aligned)\n"
            "    input  wire                     start,\n"
            "    input  wire [31:0]              prog_base,\n"
            "    output reg                      busy,\n"
            "    output reg                      done,      // END reached (until the next start)\n"
            "    output reg                      err,       // invalid instruction (until the next start)\n"
            "    output reg  [31:0]              err_pc,    // byte address of that instruction\n"
            "    // instruction fetch: burst-aligned vault reads, data in request order\n"
            "    output reg                      fetch_valid,\n"
            "    input  wire                     fetch_ready,\n"
            "    output reg  [31:0]              fetch_addr,\n"
            "    input  wire                     fetch_rvalid,\n"
            "    input  wire [BURST_BYTES*8-1:0] fetch_rdata,\n"
            "    // layer registers, register i at bits [32*i +: 32]\n"
            "    output wire [32*NREG-1:0]       regs,\n"
            "    // dispatch: an execution unit takes LOAD/STORE/PASS when ready (idle)\n"
            "    output reg                      exe_valid,\n"
            "    input  wire                     exe_ready,\n"
            "    input  wire                     exe_busy,  // some unit still works (SYNC waits)\n"
            "    output reg  [7:0]               exe_op,    // 0x02 LOAD, 0x03 STORE, 0x04 PASS\n"
            "    output reg  [23:0]              exe_fields, // w0[31:8]: the opcode's fields\n"
            "    output reg  [15:0]              exe_c0, exe_nc, exe_m0, exe_nm, exe_n0, exe_nn,\n"
            "    output reg                      insn_retired // one cycle per executed instruction\n"
            ");\n\n",
            cfg->dram_burst_bytes, REG_COUNT);
}

static void constants(FILE *out)
{
    fprintf(out,
            "    // opcodes (docs/isa.md)\n"
            "    localparam [7:0] OP_SET = 8'h%02x, OP_LOAD = 8'h%02x, OP_STORE = 8'h%02x,\n"
            "                     OP_PASS = 8'h%02x, OP_SYNC = 8'h%02x, OP_END = 8'h%02x;\n",
            OP_SET, OP_LOAD, OP_STORE, OP_PASS, OP_SYNC, OP_END);
    fputs("    // layer registers:", out);
    for (int r = 0; r < REG_COUNT; r++)
        fprintf(out, "%s %d %s", r % 6 == 0 ? "\n    //" : ",", r, isa_reg_name(r));
    fputs("\n\n", out);
}

int gen_seq(const tetris_config *cfg, FILE *out)
{
    int per_burst = cfg->dram_burst_bytes / 16; /* instructions per fetched burst */
    int sel_bits = tetris_bits_for(cfg->dram_burst_bytes) - 4;
    int reg_bits = tetris_bits_for(REG_COUNT); /* register index bits actually used */
    ports(cfg, out);
    constants(out);
    fprintf(out, "    localparam REG_BITS = %d; // legal SETs name registers below NREG\n", reg_bits);
    fputs("    localparam [1:0] S_IDLE = 2'd0, S_FETCH = 2'd1, S_WAIT = 2'd2, S_EXEC = 2'd3;\n"
          "    reg [1:0] state;\n"
          "    reg [31:0] pc;                      // byte address of the current instruction\n"
          "    reg [BURST_BYTES*8-1:0] buf_data;   // the last fetched burst\n"
          "    reg [31:0] buf_addr;                // its address\n"
          "    reg        buf_valid;\n"
          "    reg [31:0] r [0:NREG-1];            // layer registers\n"
          "\n"
          "    genvar gi;\n"
          "    generate\n"
          "        for (gi = 0; gi < NREG; gi = gi + 1) begin : g_regs\n"
          "            assign regs[32*gi +: 32] = r[gi];\n"
          "        end\n"
          "    endgenerate\n"
          "\n"
          "    // the current instruction within the buffered burst\n"
          "    wire [31:0] burst_of_pc = pc & ~(BURST_BYTES - 1);\n",
          out);
    if (per_burst > 1)
        fprintf(out,
                "    wire [%d:0] slot = pc[%d:4];       // instruction index in the burst\n"
                "    wire [127:0] insn = buf_data[128*slot +: 128];\n",
                sel_bits - 1, sel_bits + 3);
    else
        fputs("    wire [127:0] insn = buf_data;\n", out);
    fputs("    wire [31:0] w0 = insn[31:0], w1 = insn[63:32], w2 = insn[95:64], w3 = insn[127:96];\n"
          "    wire [7:0] opc = w0[7:0];\n"
          "\n"
          "    // decode: an opcode's undefined w0 bits (and unused words) must be zero\n"
          "    reg legal;\n"
          "    always @* begin\n"
          "        case (opc)\n"
          "            OP_SET:   legal = w0[15:8] < NREG && w0[31:16] == 16'd0 && w2 == 32'd0 &&\n"
          "                              w3 == 32'd0;\n"
          "            OP_LOAD:  legal = w0[9:8] != 2'd3 && w0[31:11] == 21'd0;\n"
          "            OP_STORE: legal = w0[13:12] != 2'd0 && w0[11:8] == 4'd0 && w0[31:14] == 18'd0;\n"
          "            OP_PASS:  legal = w0[15:14] == 2'd0;\n"
          "            OP_SYNC, OP_END:\n"
          "                      legal = w0[31:8] == 24'd0 && w1 == 32'd0 && w2 == 32'd0 &&\n"
          "                              w3 == 32'd0;\n"
          "            default:  legal = 1'b0;\n"
          "        endcase\n"
          "    end\n"
          "\n"
          "    integer i;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            state <= S_IDLE;\n"
          "            busy <= 1'b0;\n"
          "            done <= 1'b0;\n"
          "            err <= 1'b0;\n"
          "            err_pc <= 32'd0;\n"
          "            pc <= 32'd0;\n"
          "            buf_valid <= 1'b0;\n"
          "            buf_addr <= 32'd0;\n"
          "            buf_data <= {BURST_BYTES*8{1'b0}};\n"
          "            fetch_valid <= 1'b0;\n"
          "            fetch_addr <= 32'd0;\n"
          "            exe_valid <= 1'b0;\n"
          "            exe_op <= 8'd0;\n"
          "            exe_fields <= 24'd0;\n"
          "            {exe_c0, exe_nc, exe_m0, exe_nm, exe_n0, exe_nn} <= 96'd0;\n"
          "            insn_retired <= 1'b0;\n"
          "            for (i = 0; i < NREG; i = i + 1)\n"
          "                r[i] <= 32'd0;\n"
          "        end else begin\n"
          "            insn_retired <= 1'b0;\n"
          "            case (state)\n"
          "                S_IDLE: if (start) begin\n"
          "                    pc <= prog_base;\n"
          "                    busy <= 1'b1;\n"
          "                    done <= 1'b0;\n"
          "                    err <= 1'b0;\n"
          "                    buf_valid <= 1'b0; // the vault may hold a new program\n"
          "                    state <= S_FETCH;\n"
          "                end\n"
          "                S_FETCH:\n"
          "                    if (buf_valid && buf_addr == burst_of_pc) begin\n"
          "                        state <= S_EXEC;\n"
          "                    end else if (fetch_valid && fetch_ready) begin\n"
          "                        fetch_valid <= 1'b0;\n"
          "                        state <= S_WAIT;\n"
          "                    end else begin\n"
          "                        fetch_valid <= 1'b1;\n"
          "                        fetch_addr <= burst_of_pc;\n"
          "                    end\n"
          "                S_WAIT: if (fetch_rvalid) begin\n"
          "                    buf_data <= fetch_rdata;\n"
          "                    buf_addr <= fetch_addr;\n"
          "                    buf_valid <= 1'b1;\n"
          "                    state <= S_EXEC;\n"
          "                end\n"
          "                default: // S_EXEC\n"
          "                    if (exe_valid) begin\n"
          "                        // a dispatched instruction retires when a unit takes it\n"
          "                        if (exe_ready) begin\n"
          "                            exe_valid <= 1'b0;\n"
          "                            insn_retired <= 1'b1;\n"
          "                            pc <= pc + 32'd16;\n"
          "                            state <= S_FETCH;\n"
          "                        end\n"
          "                    end else if (!legal) begin\n"
          "                        err <= 1'b1;\n"
          "                        err_pc <= pc;\n"
          "                        busy <= 1'b0;\n"
          "                        state <= S_IDLE;\n"
          "                    end else begin\n"
          "                        case (opc)\n"
          "                            // units read the layer registers while they\n"
          "                            // work: a SET waits until none does\n"
          "                            OP_SET: if (!exe_busy) begin\n"
          "                                r[w0[8 +: REG_BITS]] <= w1;\n"
          "                                insn_retired <= 1'b1;\n"
          "                                pc <= pc + 32'd16;\n"
          "                                state <= S_FETCH;\n"
          "                            end\n"
          "                            OP_SYNC: if (!exe_busy) begin\n"
          "                                insn_retired <= 1'b1;\n"
          "                                pc <= pc + 32'd16;\n"
          "                                state <= S_FETCH;\n"
          "                            end\n"
          "                            OP_END: if (!exe_busy) begin\n"
          "                                insn_retired <= 1'b1;\n"
          "                                done <= 1'b1;\n"
          "                                busy <= 1'b0;\n"
          "                                state <= S_IDLE;\n"
          "                            end\n"
          "                            default: begin // LOAD, STORE, PASS\n"
          "                                exe_valid <= 1'b1;\n"
          "                                exe_op <= opc;\n"
          "                                exe_fields <= w0[31:8];\n"
          "                                {exe_nc, exe_c0} <= w1;\n"
          "                                {exe_nm, exe_m0} <= w2;\n"
          "                                {exe_nn, exe_n0} <= w3;\n"
          "                            end\n"
          "                        endcase\n"
          "                    end\n"
          "            endcase\n"
          "        end\n"
          "    end\n"
          "endmodule\n",
          out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
