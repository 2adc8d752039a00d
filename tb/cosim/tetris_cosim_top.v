// Co-simulation top: one vault as the testbench sees it. The generated engine
// (tetris_engine) talks to the generated vault controller
// (tetris_vault_ctrl); the controller's DRAM-side port is the top's, for the
// testbench's DRAM device (cosim::Dram, tb/cosim/harness.h). Testbench-only
// additions:
//   - stall: back-pressure injection; the cycle after it is high the engine
//     sees vreq_ready low and the controller sees no request (results and
//     event counts must not change, only cycles). It is registered so that
//     no combinational path runs from a testbench input into the engine:
//     the simulator would re-evaluate such a path's whole cone (the
//     arbiter, the streams, the PEs' inputs) at every evaluation, about
//     12 % of a t16 simulator's time;
//   - activity: something moved this cycle (an instruction retired, a vault
//     request or response, a MAC) for the watchdog;
//   - dbg_*: the sequencer's and the vault queue's state for the watchdog's
//     dump, read through hierarchical references.
// Widths come from the configuration's tetris_params.vh.
`include "tetris_params.vh"

module tetris_cosim_top #(
    parameter BURST = `TETRIS_P_DRAM_BURST_BYTES,
    parameter BANKS = `TETRIS_P_DRAM_BANKS,
    parameter ROWS = `TETRIS_P_DRAM_ROWS,
    parameter COLS = `TETRIS_P_DRAM_ROW_BYTES / `TETRIS_P_DRAM_BURST_BYTES,
    parameter CAW = `TETRIS_P_CSR_ADDR_BITS,
    parameter BANK_W = (BANKS > 1) ? $clog2(BANKS) : 1,
    parameter ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1,
    parameter COL_W = (COLS > 1) ? $clog2(COLS) : 1
) (
    input  wire               clk,
    input  wire               rst_n,
    // host
    input  wire               start,
    input  wire [31:0]        prog_base,
    output wire               busy,
    output wire               done,
    output wire               err,          // invalid instruction
    output wire [31:0]        err_pc,
    output wire               vault_err,    // the controller rejected a request
    output wire               vault_idle,
    input  wire               perf_clear,
    input  wire [CAW-1:0]     csr_addr,
    output wire [63:0]        csr_rdata,
    input  wire               stall,
    output wire               activity,
    output wire [31:0]        dbg_pc,       // byte address of the current instruction
    output wire [1:0]         dbg_seq_state,
    output wire [7:0]         dbg_exe_op,   // opcode waiting for or running in a unit
    output wire               dbg_dma_busy,
    output wire               dbg_pass_busy,
    output wire               dbg_dispatch, // a unit takes the current instruction
    output wire [31:0]        dbg_vault_queue, // one bit per controller queue entry
    // DRAM device (docs/vault.md)
    output wire               dram_cmd_valid,
    output wire [2:0]         dram_cmd,
    output wire [BANK_W-1:0]  dram_bank,
    output wire [ROW_W-1:0]   dram_row,
    output wire [COL_W-1:0]   dram_col,
    output wire [8*BURST-1:0] dram_wdata,
    output wire [BURST/2-1:0] dram_wmask,
    input  wire               dram_rvalid,
    input  wire [8*BURST-1:0] dram_rdata
);
    wire               vreq_valid, vreq_ready, vrsp_valid;
    wire [1:0]         vreq_op;
    wire [31:0]        vreq_addr;
    wire [8*BURST-1:0] vreq_wdata, vrsp_data;
    wire [BURST/2-1:0] vreq_wmask;
    reg                stall_q;     // stall, one cycle later (see above)

    always @(posedge clk)
        stall_q <= stall;

    tetris_engine u_engine (
        .clk(clk), .rst_n(rst_n), .start(start), .prog_base(prog_base), .busy(busy),
        .done(done), .err(err), .err_pc(err_pc),
        .vreq_valid(vreq_valid), .vreq_ready(vreq_ready && !stall_q), .vreq_op(vreq_op),
        .vreq_addr(vreq_addr), .vreq_wdata(vreq_wdata), .vreq_wmask(vreq_wmask),
        .vrsp_valid(vrsp_valid), .vrsp_data(vrsp_data),
        .perf_clear(perf_clear), .csr_addr(csr_addr), .csr_rdata(csr_rdata));

    tetris_vault_ctrl u_vault (
        .clk(clk), .rst_n(rst_n),
        .req_valid(vreq_valid && !stall_q), .req_ready(vreq_ready), .req_op(vreq_op),
        .req_addr(vreq_addr), .req_wdata(vreq_wdata), .req_wmask(vreq_wmask),
        .rsp_valid(vrsp_valid), .rsp_data(vrsp_data), .idle(vault_idle), .err(vault_err),
        .dram_cmd_valid(dram_cmd_valid), .dram_cmd(dram_cmd), .dram_bank(dram_bank),
        .dram_row(dram_row), .dram_col(dram_col), .dram_wdata(dram_wdata),
        .dram_wmask(dram_wmask), .dram_rvalid(dram_rvalid), .dram_rdata(dram_rdata));

    assign activity = u_engine.insn_retired || (vreq_valid && vreq_ready && !stall_q) ||
                      vrsp_valid || |u_engine.a_ev_macs;
    assign dbg_pc = u_engine.u_seq.pc;
    assign dbg_seq_state = u_engine.u_seq.state;
    assign dbg_exe_op = u_engine.exe_valid ? u_engine.exe_op : 8'd0;
    assign dbg_dma_busy = u_engine.d_busy;
    assign dbg_pass_busy = u_engine.s_busy;
    assign dbg_dispatch = u_engine.exe_go;
    assign dbg_vault_queue = {{(32 - $bits(u_vault.q_valid)){1'b0}}, u_vault.q_valid};
endmodule
