/*
 * tetris_vault_arb: the engine's vault clients (sequencer, DMA, stream
 * readers and writer) share the one vault port, the engine-side interface of
 * tetris_vault_ctrl (docs/vault.md). Round-robin grants, one registered
 * request toward the vault, and a FIFO of client ids that routes each read
 * response back to the client that asked, in request order. The arbiter has
 * no model of its own: tb/tb_vault_arb.cpp checks its properties directly
 * (every request delivered once and unchanged, every client's responses in
 * its order, fairness, the FIFO bound).
 */
#include "gen_internal.h"

/* Clients of the default instance; the engine sets N to its client count. */
#define ARB_CLIENTS 7

/* One parameter line, "parameter NAME = VALUE,  // comment", the comments
 * aligned; public: readable by a Verilator testbench as a C++ constant. */
static void param(FILE *out, const char *name, int value, int last, int pub, const char *doc)
{
    char def[64];
    snprintf(def, sizeof def, "%s%s = %d%s", name, pub ? " /* verilator public */" : "", value,
             last ? "" : ",");
    fprintf(out, "    parameter %-37s // %s\n", def, doc);
}

int gen_vault_arb(const tetris_config *cfg, FILE *out)
{
    if (cfg->dram_burst_bytes < 4) /* whole 32-bit lanes, as the controller */
        return TETRIS_EINVAL;
    /* Default ID FIFO depth: every read the arbiter and tetris_vault_ctrl can
     * hold at once, so that a full FIFO never limits the read rate: this
     * arbiter's output register, the controller's queue, and its RDs in
     * flight (issued at most one per T_CCD; a RD leaves the queue, goes out
     * through the command register, returns T_CL later and waits one cycle
     * in the response register: T_CL + 2 cycles). */
    tetris_dram_timing t;
    tetris_dram_timing_of(cfg, &t);
    int in_flight = (t.tcl + 2 + t.tccd - 1) / t.tccd;
    int ids = 1 + GEN_VAULT_QDEPTH + in_flight;

    fputs("// Round-robin arbiter of N vault clients onto the one vault port, which is\n"
          "// the engine-side port of tetris_vault_ctrl (docs/vault.md). Client i's\n"
          "// field of width W is bits [W*i +: W] of each c_* vector.\n"
          "//\n"
          "// Grants: the search for the next grant starts after the client granted\n"
          "// last, so a requesting client waits for at most N - 1 grants to others.\n"
          "// The request goes into one output register (req_* are registered, no\n"
          "// client path reaches the vault port in the same cycle); a new request\n"
          "// is taken in the cycle the register empties, so the port carries one\n"
          "// request per cycle. c_req_ready[i] depends on c_req_valid and\n"
          "// req_ready in the same cycle; a client's valid must not depend on its\n"
          "// ready, and it holds its request until it is taken.\n"
          "//\n"
          "// Responses: the vault answers reads in request order and without\n"
          "// back-pressure, so a FIFO of client ids, pushed when a read is taken and\n"
          "// popped with each response, names the client of every response. A read\n"
          "// is not taken while the FIFO is full, and it keeps its turn: nothing is\n"
          "// taken until a response frees an entry. (Letting later clients pass\n"
          "// could starve a reader whose turn always came while the FIFO was full.)\n"
          "// The vault rejects nothing a correct engine sends; a rejected read (err)\n"
          "// gives no response and leaves its id in the FIFO until reset.\n"
          "module tetris_vault_arb #(\n",
          out);
    fputs("    // N and ID_DEPTH are public: the Verilator testbench reads them\n", out);
    param(out, "N", ARB_CLIENTS, 0, 1, "clients, >= 1 (the engine sets its count)");
    param(out, "BURST", cfg->dram_burst_bytes, 0, 0, "bytes per request (dram.burst_bytes)");
    fprintf(out,
            "    // ID_DEPTH: the default covers every read the vault path holds at once,\n"
            "    // so a full FIFO never limits the read rate: 1 (the output register) +\n"
            "    // %d (tetris_vault_ctrl's queue) + %d (its RDs in flight: one per T_CCD = %d\n"
            "    // over T_CL + 2 = %d cycles, command and response registers included)\n",
            GEN_VAULT_QDEPTH, in_flight, t.tccd, t.tcl + 2);
    param(out, "ID_DEPTH", ids, 1, 1, "id FIFO entries, >= 2: reads taken and not answered");
    fputs(") (\n"
          "    input  wire                 clk,\n"
          "    input  wire                 rst_n,        // synchronous, active low\n"
          "\n"
          "    // clients: one request per burst, fields as the vault port's\n"
          "    input  wire [N-1:0]         c_req_valid,  // a request, held until taken\n"
          "    output wire [N-1:0]         c_req_ready,  // with valid: client i's request is taken\n"
          "    input  wire [2*N-1:0]       c_req_op,     // 0 read, 1 write, 2 accumulate\n"
          "    input  wire [32*N-1:0]      c_req_addr,   // vault byte address, burst-aligned\n"
          "    input  wire [8*BURST*N-1:0] c_req_wdata,  // write/accumulate data\n"
          "    input  wire [BURST/2*N-1:0] c_req_wmask,  // per 16-bit lane (docs/vault.md)\n"
          "    output wire [N-1:0]         c_rsp_valid,  // read data for client i, in its order\n"
          "    output wire [8*BURST*N-1:0] c_rsp_data,   // every client's slice is rsp_data\n"
          "\n"
          "    // the vault port: the engine-side port of tetris_vault_ctrl, same names\n"
          "    output reg                  req_valid,\n"
          "    input  wire                 req_ready,\n"
          "    output reg  [1:0]           req_op,\n"
          "    output reg  [31:0]          req_addr,\n"
          "    output reg  [8*BURST-1:0]   req_wdata,\n"
          "    output reg  [BURST/2-1:0]   req_wmask,\n"
          "    input  wire                 rsp_valid,    // read data in request order, no ready\n"
          "    input  wire [8*BURST-1:0]   rsp_data\n"
          ");\n",
          out);
    fprintf(out,
            "    localparam IW = (N > 1) ? $clog2(N) : 1;        // client id bits\n"
            "    localparam PW = $clog2(ID_DEPTH);               // id FIFO pointer bits\n"
            "    localparam CW = $clog2(ID_DEPTH + 1);           // id FIFO count: 0 .. ID_DEPTH\n"
            "    localparam [1:0] OP_RD = 2'd%d;                 // req_op of a read\n"
            "    localparam [N-1:0] ONE = 1;                     // one-hot client 0\n"
            "    localparam integer N1 = N - 1, D = ID_DEPTH, D1 = ID_DEPTH - 1;\n"
            "    localparam [IW-1:0] ID_LAST = N1[IW-1:0];       // the last client\n"
            "    localparam [PW-1:0] P0 = 0, P_LAST = D1[PW-1:0];\n"
            "    localparam [CW-1:0] C0 = 0, C1 = 1, C_FULL = D[CW-1:0];\n"
            "\n",
            TETRIS_VAULT_RD);
    fputs("    // ---------------------------------------------------------------- grant\n"
          "    // w_id: the first requesting client after the one granted last, cyclically.\n"
          "    reg [IW-1:0] last;      // the client granted last (reset: N - 1, so 0 first)\n"
          "    reg          w_any;     // some client requests\n"
          "    reg [IW-1:0] w_id;\n"
          "    integer k, c;\n"
          "    always @* begin\n"
          "        w_any = 1'b0;\n"
          "        w_id = last;\n"
          "        for (k = 1; k <= N; k = k + 1) begin\n"
          "            c = {{(32 - IW){1'b0}}, last} + k;   // client last + k, mod N\n"
          "            if (c >= N)\n"
          "                c = c - N;\n"
          "            if (!w_any && c_req_valid[c]) begin\n"
          "                w_any = 1'b1;\n"
          "                w_id = c[IW-1:0];\n"
          "            end\n"
          "        end\n"
          "    end\n"
          "\n"
          "    wire [1:0] w_op = c_req_op[2*w_id +: 2];\n"
          "    reg  [CW-1:0] cnt;                           // ids in the FIFO\n"
          "    // a read waits (keeping its turn) while the id FIFO is full\n"
          "    wire w_wait = w_op == OP_RD && cnt == C_FULL;\n"
          "    // the output register is empty or delivers its request this cycle\n"
          "    wire take = !req_valid || req_ready;\n"
          "    wire issue = w_any && !w_wait && take;         // w_id's request is taken\n"
          "    assign c_req_ready = issue ? ONE << w_id : {N{1'b0}};\n"
          "\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            last <= ID_LAST;\n"
          "            req_valid <= 1'b0;\n"
          "        end else begin\n"
          "            if (issue)\n"
          "                last <= w_id;\n"
          "            if (take)\n"
          "                req_valid <= issue;\n"
          "        end\n"
          "        if (issue) begin   // request fields: data, not reset\n"
          "            req_op <= w_op;\n"
          "            req_addr <= c_req_addr[32*w_id +: 32];\n"
          "            req_wdata <= c_req_wdata[8*BURST*w_id +: 8*BURST];\n"
          "            req_wmask <= c_req_wmask[BURST/2*w_id +: BURST/2];\n"
          "        end\n"
          "    end\n"
          "\n",
          out);
    fputs("    // ---------------------------------------------------------------- responses\n"
          "    // The id FIFO: the client of every read taken and not yet answered, oldest\n"
          "    // at rp. A response with the FIFO empty (no read asked for it) goes nowhere.\n"
          "    reg [IW-1:0] ids [0:ID_DEPTH-1];\n"
          "    reg [PW-1:0] wp, rp;                         // next free entry, oldest entry\n"
          "    wire push = issue && w_op == OP_RD;\n"
          "    wire pop = rsp_valid && cnt != C0;\n"
          "    always @(posedge clk)   // contents: data, not reset\n"
          "        if (push)\n"
          "            ids[wp] <= w_id;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            wp <= P0;\n"
          "            rp <= P0;\n"
          "            cnt <= C0;\n"
          "        end else begin\n"
          "            if (push)\n"
          "                wp <= (wp == P_LAST) ? P0 : wp + 1'b1;\n"
          "            if (pop)\n"
          "                rp <= (rp == P_LAST) ? P0 : rp + 1'b1;\n"
          "            if (push && !pop)\n"
          "                cnt <= cnt + C1;\n"
          "            else if (pop && !push)\n"
          "                cnt <= cnt - C1;\n"
          "        end\n"
          "    end\n"
          "\n"
          "    assign c_rsp_valid = pop ? ONE << ids[rp] : {N{1'b0}};\n"
          "    assign c_rsp_data = {N{rsp_data}};   // the valid bit says whose it is\n"
          "endmodule\n",
          out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
