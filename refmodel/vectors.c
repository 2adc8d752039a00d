/*
 * FPGA bring-up vectors (docs/cosim.md): one prepared layer job written as
 * files that a Verilog simulator or an FPGA host can use without any C code:
 * the vault image and the expected vault bytes and counters as $readmemh hex
 * files, the job's numbers as Verilog defines (params.vh), the tensors as
 * .npy, and a self-checking Verilog-2005 testbench (tb_vectors.v) with the
 * command lines that run it under Icarus Verilog (run.sh). The generated RTL
 * of the configuration (rtl/) is the caller's: libtetris does not generate
 * Verilog.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* An open output file of dir and its path, for error messages. */
typedef struct vfile {
    FILE *f;
    char path[4096];
} vfile;

static int vopen(vfile *v, const char *dir, const char *name, tetris_error *err)
{
    int n = snprintf(v->path, sizeof v->path, "%s/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof v->path)
        return tetris_fail(err, TETRIS_EIO, NULL, 0, name, "path too long in %.60s...", dir);
    v->f = fopen(v->path, "w");
    if (!v->f)
        return tetris_fail(err, TETRIS_EIO, v->path, 0, NULL, "cannot write: %s", strerror(errno));
    return TETRIS_OK;
}

/* Close; TETRIS_EIO when anything written was lost. */
static int vclose(vfile *v, tetris_error *err)
{
    int bad = ferror(v->f);
    int e = errno;
    if (fclose(v->f) != 0) {
        bad = 1;
        e = errno;
    }
    v->f = NULL;
    if (bad)
        return tetris_fail(err, TETRIS_EIO, v->path, 0, NULL, "cannot write: %s", strerror(e));
    return TETRIS_OK;
}

/* n bursts of `burst` bytes as hex lines, byte 0 in the least significant
 * bits: what $readmemh loads into a reg [8*burst-1:0] array. */
static void write_hex_bursts(FILE *f, const uint8_t *p, uint64_t n, int burst)
{
    static const char digits[] = "0123456789abcdef";
    char line[2 * 4096 + 2];
    for (uint64_t i = 0; i < n; i++, p += burst) {
        char *q = line;
        for (int k = burst - 1; k >= 0; k--) {
            *q++ = digits[p[k] >> 4];
            *q++ = digits[p[k] & 15];
        }
        *q++ = '\n';
        fwrite(line, 1, (size_t)(q - line), f);
    }
}

/* The numbers of one job. */
typedef struct vec_geom {
    int burst;
    uint64_t image_bursts;  /* ceil(image_bytes / burst) */
    uint64_t expect_base;   /* lay.psum / burst */
    uint64_t expect_bursts; /* through ceil(lay.end / burst) */
} vec_geom;

static void geom_of(const tetris_config *cfg, const tetris_job *job, vec_geom *g)
{
    uint64_t b = (uint64_t)cfg->dram_burst_bytes;
    g->burst = cfg->dram_burst_bytes;
    g->image_bursts = (job->image_bytes + b - 1) / b;
    g->expect_base = job->lay.psum / b;
    g->expect_bursts = (job->lay.end + b - 1) / b - g->expect_base;
}

static int write_image(const char *dir, const tetris_job *job, const vec_geom *g,
                       tetris_error *err)
{
    uint64_t bytes = g->image_bursts * (uint64_t)g->burst;
    uint8_t *buf = calloc(bytes + 1, 1);
    if (!buf)
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, job->layer.name, "out of memory");
    memcpy(buf, job->image, job->image_bytes);
    vfile v;
    int rc = vopen(&v, dir, "image.hex", err);
    if (!rc) {
        write_hex_bursts(v.f, buf, g->image_bursts, g->burst);
        rc = vclose(&v, err);
    }
    if (!rc) {
        /* the expected bursts: the image, with the engine model's vault bytes
         * [psum, end) after the run over it; bytes of the first and last
         * burst outside that range must keep their image value */
        uint8_t *e = buf + g->expect_base * (uint64_t)g->burst;
        memcpy(buf + job->lay.psum, job->expect, job->lay.end - job->lay.psum);
        rc = vopen(&v, dir, "expect.hex", err);
        if (!rc) {
            write_hex_bursts(v.f, e, g->expect_bursts, g->burst);
            rc = vclose(&v, err);
        }
    }
    free(buf);
    return rc;
}

static int write_counters(const char *dir, const tetris_job *job, tetris_error *err)
{
    vfile v;
    int rc = vopen(&v, dir, "counters.hex", err);
    if (rc)
        return rc;
    for (int i = 0; i < TETRIS_CNT_COUNT; i++)
        fprintf(v.f, "%016" PRIx64 "\n", job->res.counts.v[i]);
    return vclose(&v, err);
}

static int write_params(const tetris_config *cfg, const char *dir, const tetris_job *job,
                        const vec_geom *g, tetris_error *err)
{
    const tetris_layer *l = &job->layer;
    const tetris_vault_layout *lay = &job->lay;
    tetris_dram_timing t;
    tetris_dram_timing_of(cfg, &t);
    uint64_t model = job->res.counts.v[TETRIS_CNT_CYCLES];
    vfile v;
    int rc = vopen(&v, dir, "params.vh", err);
    if (rc)
        return rc;
    FILE *f = v.f;
    fprintf(f,
            "// params.vh: FPGA bring-up vectors of layer \"%s\" (batch %d) on configuration\n"
            "// \"%s\" (hash %016" PRIx64 "), written by tetris %s. Do not edit.\n"
            "// Byte addresses are vault byte addresses; a burst is %d bytes, burst i\n"
            "// holding bytes [%d*i, %d*i + %d) (docs/cosim.md, FPGA bring-up vectors).\n"
            "`ifndef TETRIS_V_PARAMS_VH\n"
            "`define TETRIS_V_PARAMS_VH\n\n",
            l->name, job->batch, cfg->name, tetris_config_hash(cfg), tetris_version(), g->burst,
            g->burst, g->burst, g->burst);
    fprintf(f, "`define TETRIS_V_LAYER \"%s\"\n", l->name);
    fprintf(f, "`define TETRIS_V_BATCH %d\n", job->batch);
    fprintf(f, "// the configuration the vectors are for (tetris_params.vh of rtl/ must match)\n");
    fprintf(f, "`define TETRIS_V_CONFIG_NAME \"%s\"\n", cfg->name);
    fprintf(f, "`define TETRIS_V_CONFIG_HASH 64'h%016" PRIx64 "\n", tetris_config_hash(cfg));
    fprintf(f, "// the program: start the engine with prog_base = TETRIS_V_PROG_BASE\n");
    fprintf(f, "`define TETRIS_V_PROG_BASE 32'd%" PRIu64 "\n", job->prog_base);
    fprintf(f, "`define TETRIS_V_INSNS %zu\n", job->prog.n);
    fprintf(f, "// image.hex: vault bursts [0, TETRIS_V_IMAGE_BURSTS) before the run\n");
    fprintf(f, "`define TETRIS_V_IMAGE_BURSTS %" PRIu64 "\n", g->image_bursts);
    fprintf(f, "// expect.hex: vault bursts [TETRIS_V_EXPECT_BASE_BURST, + TETRIS_V_EXPECT_BURSTS)\n"
               "// after the run (the psum spill area and the ofmaps)\n");
    fprintf(f, "`define TETRIS_V_EXPECT_BASE_BURST %" PRIu64 "\n", g->expect_base);
    fprintf(f, "`define TETRIS_V_EXPECT_BURSTS %" PRIu64 "\n", g->expect_bursts);
    fprintf(f, "// the vault layout (docs/isa.md): tensors at these byte addresses\n");
    fprintf(f, "`define TETRIS_V_IFMAP_ADDR %" PRIu64 "\n", lay->ifmap);
    fprintf(f, "`define TETRIS_V_FILTER_ADDR %" PRIu64 "\n", lay->filter);
    fprintf(f, "`define TETRIS_V_BIAS_ADDR %" PRIu64 "\n", lay->bias);
    fprintf(f, "`define TETRIS_V_PSUM_ADDR %" PRIu64 "\n", lay->psum);
    fprintf(f, "`define TETRIS_V_OFMAP_ADDR %" PRIu64 "\n", lay->ofmap);
    fprintf(f, "`define TETRIS_V_END_ADDR %" PRIu64 "\n", lay->end);
    fprintf(f, "// ofmap (int16) [n][m][ho][wo] and psum (int32) [n][ho][wo][m] sizes\n");
    fprintf(f, "`define TETRIS_V_OFMAP_N %d\n", job->batch);
    fprintf(f, "`define TETRIS_V_OFMAP_M %d\n", l->m);
    fprintf(f, "`define TETRIS_V_OFMAP_H %d\n", l->ho);
    fprintf(f, "`define TETRIS_V_OFMAP_W %d\n", l->wo);
    fprintf(f, "// counters.hex: one 64-bit value per counter, CSR address order\n");
    fprintf(f, "`define TETRIS_V_N_COUNTERS %d\n", TETRIS_CNT_COUNT);
    fprintf(f, "`define TETRIS_V_CYCLES_COUNTER %d\n", TETRIS_CNT_CYCLES);
    fprintf(f, "// the engine model's cycles (a prediction: not compared) and the testbench's limit\n");
    fprintf(f, "`define TETRIS_V_MODEL_CYCLES %" PRIu64 "\n", model);
    fprintf(f, "`define TETRIS_V_CYCLE_LIMIT %" PRIu64 "\n", 50 * model + 100000);
    fprintf(f, "// DRAM timings in engine cycles (tetris_dram_timing_of; the controller's defaults)\n");
    fprintf(f, "`define TETRIS_V_T_RCD %d\n", t.trcd);
    fprintf(f, "`define TETRIS_V_T_CL %d\n", t.tcl);
    fprintf(f, "`define TETRIS_V_T_RP %d\n", t.trp);
    fprintf(f, "`define TETRIS_V_T_RAS %d\n", t.tras);
    fprintf(f, "`define TETRIS_V_T_CCD %d\n", t.tccd);
    fprintf(f, "\n`endif // TETRIS_V_PARAMS_VH\n");
    return vclose(&v, err);
}

/* The testbench: the same text for every job, except the counter names. */
static const char tb_head[] =
    "// Self-checking testbench of the FPGA bring-up vectors (docs/cosim.md): one\n"
    "// layer on the generated tetris_engine and tetris_vault_ctrl (rtl/) against a\n"
    "// behavioural DRAM device, checked against the models' expectations with no\n"
    "// C code. Plain Verilog-2005; the job's numbers come from params.vh, the\n"
    "// configuration's from rtl/tetris_params.vh.\n"
    "//\n"
    "//   1. reset; image.hex (inputs and program) into the device's memory;\n"
    "//   2. perf_clear; start at TETRIS_V_PROG_BASE; wait for done (the engine's\n"
    "//      err, the controller's err, a DRAM timing violation or the cycle limit\n"
    "//      end the run as a failure);\n"
    "//   3. wait until the controller is idle (done means every request is issued,\n"
    "//      not yet performed); read every counter over the CSR port (csr_rdata\n"
    "//      follows csr_addr one cycle later) and compare each but cycles with\n"
    "//      counters.hex; cycles is printed next to the model's prediction;\n"
    "//   4. compare the psum and ofmap bursts with expect.hex and check that every\n"
    "//      other burst of the image (inputs, program) is unchanged.\n"
    "//\n"
    "// The device (docs/vault.md) executes ACT, RD, WR, PRE and ACC on a flat burst\n"
    "// array: burst ((row * BANKS) + bank) * COLS + col is vault bytes\n"
    "// [BURST * index, + BURST), the controller's address mapping\n"
    "// {row, bank, column, byte}. RD data return exactly T_CL cycles after the RD;\n"
    "// WR writes the 16-bit lanes its mask selects; ACC adds 32-bit lane j where\n"
    "// mask bit 2j is set, modulo 2^ACC_BITS, sign-extended (tetris_dram_accum).\n"
    "// Every command is checked against the timing rules (tRCD, tRP, tRAS, tCCD,\n"
    "// tACC, bank state, ranges); the first violation ends the run.\n"
    "//\n"
    "// Prints one line per failed check, \"N passed, M failed\", then PASS or FAIL;\n"
    "// a failure ends with $fatal (define TETRIS_V_NO_FATAL to $finish instead).\n"
    "// +vcd dumps every signal into tb_vectors.vcd.\n"
    "`timescale 1ns / 1ps\n"
    "`include \"tetris_params.vh\"\n"
    "`include \"params.vh\"\n"
    "\n"
    "module tb_vectors;\n"
    "    localparam BURST = `TETRIS_P_DRAM_BURST_BYTES;\n"
    "    localparam BANKS = `TETRIS_P_DRAM_BANKS;\n"
    "    localparam ROWS = `TETRIS_P_DRAM_ROWS;\n"
    "    localparam COLS = `TETRIS_P_DRAM_ROW_BYTES / `TETRIS_P_DRAM_BURST_BYTES;\n"
    "    localparam CAW = `TETRIS_P_CSR_ADDR_BITS;\n"
    "    localparam ACC_BITS = `TETRIS_P_ACC_BITS;\n"
    "    localparam DRAM_ADDER = `TETRIS_P_ACCUM_LOCATION == `TETRIS_P_ACCUM_LOCATION_DRAM_DIE ||\n"
    "                            `TETRIS_P_ACCUM_LOCATION == `TETRIS_P_ACCUM_LOCATION_BANK;\n"
    "    localparam BANK_W = (BANKS > 1) ? $clog2(BANKS) : 1;\n"
    "    localparam ROW_W = (ROWS > 1) ? $clog2(ROWS) : 1;\n"
    "    localparam COL_W = (COLS > 1) ? $clog2(COLS) : 1;\n"
    "    localparam T_RCD = `TETRIS_V_T_RCD, T_CL = `TETRIS_V_T_CL, T_RP = `TETRIS_V_T_RP;\n"
    "    localparam T_RAS = `TETRIS_V_T_RAS, T_CCD = `TETRIS_V_T_CCD;\n"
    "    localparam T_ACC = T_CL + T_CCD;\n"
    "    localparam MEM_N = `TETRIS_V_IMAGE_BURSTS;\n"
    "    localparam EXP_BASE = `TETRIS_V_EXPECT_BASE_BURST, EXP_N = `TETRIS_V_EXPECT_BURSTS;\n"
    "    localparam NCNT = `TETRIS_V_N_COUNTERS, CYCLES = `TETRIS_V_CYCLES_COUNTER;\n"
    "    localparam [63:0] LIMIT = `TETRIS_V_CYCLE_LIMIT, MODEL_CYCLES = `TETRIS_V_MODEL_CYCLES;\n"
    "    localparam [2:0] C_ACT = 3'd1, C_RD = 3'd2, C_WR = 3'd3, C_PRE = 3'd4, C_ACC = 3'd5;\n"
    "    localparam signed [63:0] NEVER = -64'sd1000000000;\n"
    "    // how a run ended\n"
    "    localparam S_RUN = 0, S_DONE = 1, S_ERR = 2, S_VAULT_ERR = 3, S_DRAM = 4, S_LIMIT = 5;\n"
    "\n";

static const char tb_body[] =
    "\n"
    "    // ---- the engine and the vault controller, as in tb/cosim/tetris_cosim_top.v\n"
    "    reg                clk = 1'b0;\n"
    "    reg                rst_n = 1'b0, start = 1'b0, perf_clear = 1'b0;\n"
    "    reg  [31:0]        prog_base = `TETRIS_V_PROG_BASE;\n"
    "    reg  [CAW-1:0]     csr_addr = {CAW{1'b0}};\n"
    "    wire [63:0]        csr_rdata;\n"
    "    wire               busy, done, err, vault_err, vault_idle;\n"
    "    wire [31:0]        err_pc;\n"
    "    wire               vreq_valid, vreq_ready, vrsp_valid;\n"
    "    wire [1:0]         vreq_op;\n"
    "    wire [31:0]        vreq_addr;\n"
    "    wire [8*BURST-1:0] vreq_wdata, vrsp_data;\n"
    "    wire [BURST/2-1:0] vreq_wmask;\n"
    "    wire               dram_cmd_valid;\n"
    "    wire [2:0]         dram_cmd;\n"
    "    wire [BANK_W-1:0]  dram_bank;\n"
    "    wire [ROW_W-1:0]   dram_row;\n"
    "    wire [COL_W-1:0]   dram_col;\n"
    "    wire [8*BURST-1:0] dram_wdata, dram_rdata;\n"
    "    wire [BURST/2-1:0] dram_wmask;\n"
    "    wire               dram_rvalid;\n"
    "\n"
    "    always #5 clk = !clk;\n"
    "\n"
    "    tetris_engine u_engine (\n"
    "        .clk(clk), .rst_n(rst_n), .start(start), .prog_base(prog_base), .busy(busy),\n"
    "        .done(done), .err(err), .err_pc(err_pc),\n"
    "        .vreq_valid(vreq_valid), .vreq_ready(vreq_ready), .vreq_op(vreq_op),\n"
    "        .vreq_addr(vreq_addr), .vreq_wdata(vreq_wdata), .vreq_wmask(vreq_wmask),\n"
    "        .vrsp_valid(vrsp_valid), .vrsp_data(vrsp_data),\n"
    "        .perf_clear(perf_clear), .csr_addr(csr_addr), .csr_rdata(csr_rdata));\n"
    "\n"
    "    tetris_vault_ctrl u_vault (\n"
    "        .clk(clk), .rst_n(rst_n),\n"
    "        .req_valid(vreq_valid), .req_ready(vreq_ready), .req_op(vreq_op),\n"
    "        .req_addr(vreq_addr), .req_wdata(vreq_wdata), .req_wmask(vreq_wmask),\n"
    "        .rsp_valid(vrsp_valid), .rsp_data(vrsp_data), .idle(vault_idle), .err(vault_err),\n"
    "        .dram_cmd_valid(dram_cmd_valid), .dram_cmd(dram_cmd), .dram_bank(dram_bank),\n"
    "        .dram_row(dram_row), .dram_col(dram_col), .dram_wdata(dram_wdata),\n"
    "        .dram_wmask(dram_wmask), .dram_rvalid(dram_rvalid), .dram_rdata(dram_rdata));\n"
    "\n"
    "    // ---- the DRAM device\n"
    "    reg [8*BURST-1:0] mem [0:MEM_N-1];      // the vault, from image.hex\n"
    "    reg [8*BURST-1:0] img [0:MEM_N-1];      // image.hex as loaded\n"
    "    reg [8*BURST-1:0] exp_mem [0:EXP_N-1];  // expect.hex\n"
    "    reg [63:0]        exp_cnt [0:NCNT-1];   // counters.hex\n"
    "    reg [63:0]        cnt [0:NCNT-1];       // the RTL's counters\n"
    "    reg               rd_v [0:T_CL-1];      // RD data on their way: T_CL stages\n"
    "    reg [8*BURST-1:0] rd_d [0:T_CL-1];\n"
    "    reg signed [63:0] cycle = 64'sd0;       // engine cycles from time 0\n"
    "    // per bank: open row, cycles of the last ACT, PRE, RD/WR (and which), ACC\n"
    "    reg               b_open [0:BANKS-1];\n"
    "    integer           b_row [0:BANKS-1];\n"
    "    reg signed [63:0] b_act [0:BANKS-1], b_pre [0:BANKS-1], b_col [0:BANKS-1], b_acc [0:BANKS-1];\n"
    "    reg [2:0]         b_col_cmd [0:BANKS-1];\n"
    "    reg signed [63:0] last_col;             // the last column command, any bank\n"
    "    reg [2:0]         last_col_cmd;\n"
    "    integer           last_col_bank;\n"
    "    integer           dram_bad = 0;         // timing violations and accesses outside the image\n"
    "    reg [63:0]        n_cmds = 64'd0;\n"
    "\n"
    "    assign dram_rvalid = rd_v[T_CL-1];\n"
    "    assign dram_rdata = rd_d[T_CL-1];\n"
    "\n"
    "    function [8*3-1:0] cmd_name(input [2:0] c);\n"
    "        case (c)\n"
    "            C_ACT: cmd_name = \"ACT\";\n"
    "            C_RD: cmd_name = \"RD\";\n"
    "            C_WR: cmd_name = \"WR\";\n"
    "            C_PRE: cmd_name = \"PRE\";\n"
    "            C_ACC: cmd_name = \"ACC\";\n"
    "            default: cmd_name = \"?\";\n"
    "        endcase\n"
    "    endfunction\n"
    "\n"
    "    // psum add of the near-bank adder: modulo 2^ACC_BITS, sign-extended\n"
    "    function [31:0] acc_add(input [31:0] a, input [31:0] b);\n"
    "        reg [31:0] s;\n"
    "        integer k;\n"
    "        begin\n"
    "            s = a + b;\n"
    "            for (k = ACC_BITS; k < 32; k = k + 1)\n"
    "                s[k] = s[ACC_BITS-1];\n"
    "            acc_add = s;\n"
    "        end\n"
    "    endfunction\n"
    "\n"
    "    // a command broke a rule (after its message): the device stops, the run ends\n"
    "    task violation;\n"
    "        dram_bad = dram_bad + 1;\n"
    "    endtask\n"
    "\n"
    "    // too soon after an earlier command of the bank? (cycle 'since', at least 'min')\n"
    "    function too_soon(input signed [63:0] now, input signed [63:0] since, input integer min);\n"
    "        too_soon = now - since < min;\n"
    "    endfunction\n"
    "\n"
    "    always @(posedge clk) begin : device\n"
    "        integer k, bk, idx;\n"
    "        reg [8*BURST-1:0] w;\n"
    "        reg signed [63:0] now;\n"
    "        reg col_cmd;\n"
    "        now = cycle;\n"
    "        cycle <= cycle + 1;\n"
    "        for (k = T_CL - 1; k > 0; k = k - 1) begin\n"
    "            rd_v[k] <= rd_v[k-1];\n"
    "            rd_d[k] <= rd_d[k-1];\n"
    "        end\n"
    "        rd_v[0] <= 1'b0;\n"
    "        if (!rst_n) begin\n"
    "            for (k = 0; k < BANKS; k = k + 1) begin\n"
    "                b_open[k] = 1'b0;\n"
    "                b_row[k] = 0;\n"
    "                b_act[k] = NEVER;\n"
    "                b_pre[k] = NEVER;\n"
    "                b_col[k] = NEVER;\n"
    "                b_acc[k] = NEVER;\n"
    "                b_col_cmd[k] = C_RD;\n"
    "            end\n"
    "            last_col = NEVER;\n"
    "            last_col_cmd = C_RD;\n"
    "            last_col_bank = 0;\n"
    "            for (k = 0; k < T_CL; k = k + 1)\n"
    "                rd_v[k] <= 1'b0;\n"
    "        end else if (dram_cmd_valid && dram_bad == 0) begin\n"
    "            n_cmds = n_cmds + 1;\n"
    "            bk = dram_bank;\n"
    "            col_cmd = dram_cmd == C_RD || dram_cmd == C_WR || dram_cmd == C_ACC;\n"
    "            if (dram_cmd < C_ACT || dram_cmd > C_ACC) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: unknown DRAM command %0d\", now, dram_cmd);\n"
    "                violation;\n"
    "            end else if (bk >= BANKS) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: %0s to bank %0d, the vault has %0d banks\", now,\n"
    "                         cmd_name(dram_cmd), bk, BANKS);\n"
    "                violation;\n"
    "            end else if (dram_cmd != C_PRE && dram_row >= ROWS) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: %0s to row %0d, banks have %0d rows\", now, bk,\n"
    "                         cmd_name(dram_cmd), dram_row, ROWS);\n"
    "                violation;\n"
    "            end else if (col_cmd && dram_col >= COLS) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: %0s to column %0d, rows have %0d bursts\",\n"
    "                         now, bk, cmd_name(dram_cmd), dram_col, COLS);\n"
    "                violation;\n"
    "            end else if (dram_cmd == C_ACC && !DRAM_ADDER) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: ACC but accum.location is %0s: the DRAM has no adder\",\n"
    "                         now, bk, `TETRIS_P_ACCUM_LOCATION_NAME);\n"
    "                violation;\n"
    "            end else if (dram_cmd == C_ACT) begin\n"
    "                if (b_open[bk]) begin\n"
    "                    $display(\"FAIL: DRAM: cycle %0d: bank %0d: ACT of row %0d while row %0d is open\", now,\n"
    "                             bk, dram_row, b_row[bk]);\n"
    "                    violation;\n"
    "                end else if (too_soon(now, b_pre[bk], T_RP)) begin\n"
    "                    $display(\"FAIL: DRAM: cycle %0d: bank %0d: ACT %0d cycles after PRE, tRP is %0d\", now,\n"
    "                             bk, now - b_pre[bk], T_RP);\n"
    "                    violation;\n"
    "                end else begin\n"
    "                    b_open[bk] = 1'b1;\n"
    "                    b_row[bk] = dram_row;\n"
    "                    b_act[bk] = now;\n"
    "                end\n"
    "            end else if (!b_open[bk]) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: %0s to a closed bank\", now, bk, cmd_name(dram_cmd));\n"
    "                violation;\n"
    "            end else if (dram_cmd == C_PRE) begin\n"
    "                if (too_soon(now, b_act[bk], T_RAS)) begin\n"
    "                    $display(\"FAIL: DRAM: cycle %0d: bank %0d: PRE %0d cycles after ACT, tRAS is %0d\", now,\n"
    "                             bk, now - b_act[bk], T_RAS);\n"
    "                    violation;\n"
    "                end else if (too_soon(now, b_col[bk], T_CCD)) begin\n"
    "                    $display(\"FAIL: DRAM: cycle %0d: bank %0d: PRE %0d cycles after %0s, its burst (tCCD) is %0d\",\n"
    "                             now, bk, now - b_col[bk], cmd_name(b_col_cmd[bk]), T_CCD);\n"
    "                    violation;\n"
    "                end else if (too_soon(now, b_acc[bk], T_ACC)) begin\n"
    "                    $display(\"FAIL: DRAM: cycle %0d: bank %0d: PRE %0d cycles after ACC, tACC (tCL + tCCD) is %0d\",\n"
    "                             now, bk, now - b_acc[bk], T_ACC);\n"
    "                    violation;\n"
    "                end else begin\n"
    "                    b_open[bk] = 1'b0;\n"
    "                    b_pre[bk] = now;\n"
    "                end\n"
    "            end else if (dram_row != b_row[bk]) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: %0s to row %0d, row %0d is open\", now, bk,\n"
    "                         cmd_name(dram_cmd), dram_row, b_row[bk]);\n"
    "                violation;\n"
    "            end else if (too_soon(now, b_act[bk], T_RCD)) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: %0s %0d cycles after ACT, tRCD is %0d\", now, bk,\n"
    "                         cmd_name(dram_cmd), now - b_act[bk], T_RCD);\n"
    "                violation;\n"
    "            end else if (too_soon(now, b_acc[bk], T_ACC)) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: %0s %0d cycles after ACC, tACC (tCL + tCCD) is %0d\",\n"
    "                         now, bk, cmd_name(dram_cmd), now - b_acc[bk], T_ACC);\n"
    "                violation;\n"
    "            end else if (too_soon(now, last_col, T_CCD)) begin\n"
    "                $display(\"FAIL: DRAM: cycle %0d: bank %0d: %0s %0d cycles after %0s to bank %0d, tCCD is %0d\",\n"
    "                         now, bk, cmd_name(dram_cmd), now - last_col, cmd_name(last_col_cmd), last_col_bank,\n"
    "                         T_CCD);\n"
    "                violation;\n"
    "            end else begin\n"
    "                // a column command: burst index = vault byte address / BURST\n"
    "                if (dram_cmd == C_ACC)\n"
    "                    b_acc[bk] = now;\n"
    "                else begin\n"
    "                    b_col[bk] = now;\n"
    "                    b_col_cmd[bk] = dram_cmd;\n"
    "                end\n"
    "                last_col = now;\n"
    "                last_col_cmd = dram_cmd;\n"
    "                last_col_bank = bk;\n"
    "                idx = (b_row[bk] * BANKS + bk) * COLS + dram_col;\n"
    "                if (idx >= MEM_N) begin\n"
    "                    $display(\"FAIL: DRAM: cycle %0d: %0s of vault byte %0d, beyond the image (%0d bytes)\",\n"
    "                             now, cmd_name(dram_cmd), idx * BURST, MEM_N * BURST);\n"
    "                    violation;\n"
    "                end else if (dram_cmd == C_RD) begin\n"
    "                    rd_v[0] <= 1'b1;\n"
    "                    rd_d[0] <= mem[idx];\n"
    "                end else begin\n"
    "                    w = mem[idx];\n"
    "                    if (dram_cmd == C_WR) begin\n"
    "                        for (k = 0; k < BURST / 2; k = k + 1)\n"
    "                            if (dram_wmask[k])\n"
    "                                w[16*k +: 16] = dram_wdata[16*k +: 16];\n"
    "                    end else begin\n"
    "                        for (k = 0; k < BURST / 4; k = k + 1)\n"
    "                            if (dram_wmask[2*k])\n"
    "                                w[32*k +: 32] = acc_add(w[32*k +: 32], dram_wdata[32*k +: 32]);\n"
    "                    end\n"
    "                    mem[idx] = w;\n"
    "                end\n"
    "            end\n"
    "        end\n"
    "    end\n"
    "\n"
    "    // ---- the host\n"
    "    integer i, j, k, state, passed = 0, failed = 0, nbad, first;\n"
    "    reg [63:0] t0, waited;\n"
    "    reg [8*BURST-1:0] a, b;\n"
    "\n"
    "    task check(input ok);\n"
    "        if (ok)\n"
    "            passed = passed + 1;\n"
    "        else\n"
    "            failed = failed + 1;\n"
    "    endtask\n"
    "\n"
    "    // the element of a differing vault byte, for people\n"
    "    task name_byte(input integer addr);\n"
    "        integer e, hw;\n"
    "        begin\n"
    "            hw = `TETRIS_V_OFMAP_H * `TETRIS_V_OFMAP_W;\n"
    "            if (addr >= `TETRIS_V_OFMAP_ADDR && addr < `TETRIS_V_END_ADDR) begin\n"
    "                e = (addr - `TETRIS_V_OFMAP_ADDR) / 2;\n"
    "                $display(\"      ofmap element n=%0d m=%0d y=%0d x=%0d (int16 at byte %0d)\",\n"
    "                         e / (`TETRIS_V_OFMAP_M * hw), e / hw % `TETRIS_V_OFMAP_M, e % hw / `TETRIS_V_OFMAP_W,\n"
    "                         e % `TETRIS_V_OFMAP_W, `TETRIS_V_OFMAP_ADDR + 2 * e);\n"
    "            end else if (addr >= `TETRIS_V_PSUM_ADDR && addr < `TETRIS_V_OFMAP_ADDR) begin\n"
    "                e = (addr - `TETRIS_V_PSUM_ADDR) / 4;\n"
    "                // channel-last, [n][ho][wo][m]\n"
    "                $display(\"      psum spill element n=%0d m=%0d y=%0d x=%0d (int32 at byte %0d)\",\n"
    "                         e / (`TETRIS_V_OFMAP_M * hw), e % `TETRIS_V_OFMAP_M,\n"
    "                         e / (`TETRIS_V_OFMAP_M * `TETRIS_V_OFMAP_W) % `TETRIS_V_OFMAP_H,\n"
    "                         e / `TETRIS_V_OFMAP_M % `TETRIS_V_OFMAP_W, `TETRIS_V_PSUM_ADDR + 4 * e);\n"
    "            end\n"
    "        end\n"
    "    endtask\n"
    "\n"
    "    // the first differing byte of two bursts\n"
    "    function integer first_byte(input [8*BURST-1:0] x, input [8*BURST-1:0] y);\n"
    "        integer m;\n"
    "        begin\n"
    "            first_byte = -1;\n"
    "            for (m = BURST - 1; m >= 0; m = m - 1)\n"
    "                if (x[8*m +: 8] !== y[8*m +: 8])\n"
    "                    first_byte = m;\n"
    "        end\n"
    "    endfunction\n"
    "\n"
    "    initial begin\n"
    "        if ($test$plusargs(\"vcd\")) begin\n"
    "            $dumpfile(\"tb_vectors.vcd\");\n"
    "            $dumpvars(0, tb_vectors);\n"
    "        end\n"
    "        $display(\"tb_vectors: layer %0s (batch %0d), configuration %0s, %0d instructions at byte %0d\",\n"
    "                 `TETRIS_V_LAYER, `TETRIS_V_BATCH, `TETRIS_V_CONFIG_NAME, `TETRIS_V_INSNS,\n"
    "                 `TETRIS_V_PROG_BASE);\n"
    "        for (k = 0; k < T_CL; k = k + 1)\n"
    "            rd_v[k] = 1'b0;\n"
    "        // the vectors must be those of the generated RTL's configuration\n"
    "        check(`TETRIS_V_CONFIG_HASH == `TETRIS_P_CONFIG_HASH);\n"
    "        if (`TETRIS_V_CONFIG_HASH != `TETRIS_P_CONFIG_HASH)\n"
    "            $display(\"FAIL: params.vh is for configuration %0s (hash %h), rtl/ for %0s (hash %h)\",\n"
    "                     `TETRIS_V_CONFIG_NAME, `TETRIS_V_CONFIG_HASH, `TETRIS_P_CONFIG_NAME,\n"
    "                     `TETRIS_P_CONFIG_HASH);\n"
    "        $readmemh(\"image.hex\", mem);\n"
    "        $readmemh(\"image.hex\", img);\n"
    "        $readmemh(\"expect.hex\", exp_mem);\n"
    "        $readmemh(\"counters.hex\", exp_cnt);\n"
    "        // a missing or short file leaves x behind\n"
    "        check(^mem[MEM_N-1] !== 1'bx && ^exp_mem[EXP_N-1] !== 1'bx && ^exp_cnt[NCNT-1] !== 1'bx);\n"
    "        if (^mem[MEM_N-1] === 1'bx || ^exp_mem[EXP_N-1] === 1'bx || ^exp_cnt[NCNT-1] === 1'bx)\n"
    "            $display(\"FAIL: image.hex (%0d lines), expect.hex (%0d) or counters.hex (%0d) is missing or short\",\n"
    "                     MEM_N, EXP_N, NCNT);\n"
    "\n"
    "        // reset, clear the counters, start\n"
    "        repeat (4) @(negedge clk);\n"
    "        rst_n = 1'b1;\n"
    "        perf_clear = 1'b1;\n"
    "        @(negedge clk);\n"
    "        perf_clear = 1'b0;\n"
    "        start = 1'b1;\n"
    "        @(negedge clk);\n"
    "        start = 1'b0;\n"
    "        t0 = cycle;\n"
    "        state = S_RUN;\n"
    "        while (state == S_RUN) begin\n"
    "            @(negedge clk);\n"
    "            if (done)\n"
    "                state = S_DONE;\n"
    "            else if (err)\n"
    "                state = S_ERR;\n"
    "            else if (vault_err)\n"
    "                state = S_VAULT_ERR;\n"
    "            else if (dram_bad)\n"
    "                state = S_DRAM;\n"
    "            else if (cycle - t0 >= LIMIT)\n"
    "                state = S_LIMIT;\n"
    "        end\n"
    "        // done: every request is issued; wait until the controller performed them\n"
    "        waited = 0;\n"
    "        while (state == S_DONE && !vault_idle) begin\n"
    "            @(negedge clk);\n"
    "            waited = waited + 1;\n"
    "            if (dram_bad)\n"
    "                state = S_DRAM;\n"
    "            else if (vault_err)\n"
    "                state = S_VAULT_ERR;\n"
    "            else if (waited >= LIMIT)\n"
    "                state = S_LIMIT;\n"
    "        end\n"
    "        check(state == S_DONE);\n"
    "        case (state)\n"
    "            S_DONE: $display(\"run: done after %0d cycles\", cycle - t0);\n"
    "            S_ERR: $display(\"FAIL: the sequencer rejected the instruction at byte %0d (instruction %0d)\",\n"
    "                            err_pc, (err_pc - `TETRIS_V_PROG_BASE) / 16);\n"
    "            S_VAULT_ERR: $display(\"FAIL: the vault controller rejected a request\");\n"
    "            S_DRAM: $display(\"FAIL: the run stopped at a DRAM protocol violation\");\n"
    "            default: $display(\"FAIL: cycle limit reached: %0d cycles (model: %0d)\", cycle - t0, MODEL_CYCLES);\n"
    "        endcase\n"
    "\n"
    "        // the counters, one per cycle: csr_rdata follows csr_addr a cycle later\n"
    "        repeat (8) @(negedge clk);\n"
    "        for (i = 0; i < NCNT; i = i + 1) begin\n"
    "            csr_addr = i;\n"
    "            @(negedge clk);\n"
    "            cnt[i] = csr_rdata;\n"
    "        end\n"
    "        nbad = 0;\n"
    "        for (i = 0; i < NCNT; i = i + 1)\n"
    "            if (i != CYCLES) begin\n"
    "                check(cnt[i] === exp_cnt[i]);\n"
    "                if (cnt[i] !== exp_cnt[i]) begin\n"
    "                    nbad = nbad + 1;\n"
    "                    $display(\"FAIL: counter %0s: RTL %0d, expected %0d\", counter_name(i), cnt[i], exp_cnt[i]);\n"
    "                end\n"
    "            end\n"
    "        $display(\"counters: %0d of %0d equal (cycles: RTL %0d, model %0d, not compared)\",\n"
    "                 NCNT - 1 - nbad, NCNT - 1, cnt[CYCLES], MODEL_CYCLES);\n"
    "\n"
    "        // the psum spill area and the ofmaps, burst by burst\n"
    "        nbad = 0;\n"
    "        first = -1;\n"
    "        for (j = 0; j < EXP_N; j = j + 1) begin\n"
    "            check(mem[EXP_BASE + j] === exp_mem[j]);\n"
    "            if (mem[EXP_BASE + j] !== exp_mem[j]) begin\n"
    "                nbad = nbad + 1;\n"
    "                if (first < 0)\n"
    "                    first = j;\n"
    "            end\n"
    "        end\n"
    "        $display(\"output area: %0d of %0d bursts equal (vault bytes %0d to %0d)\", EXP_N - nbad, EXP_N,\n"
    "                 EXP_BASE * BURST, (EXP_BASE + EXP_N) * BURST);\n"
    "        if (first >= 0) begin\n"
    "            a = mem[EXP_BASE + first];\n"
    "            b = exp_mem[first];\n"
    "            k = first_byte(a, b);\n"
    "            $display(\"FAIL: first differing burst %0d (expect.hex line %0d), byte %0d: vault byte %0d is %h, expected %h\",\n"
    "                     EXP_BASE + first, first + 1, k, (EXP_BASE + first) * BURST + k, a[8*k +: 8], b[8*k +: 8]);\n"
    "            name_byte((EXP_BASE + first) * BURST + k);\n"
    "            $display(\"      RTL      %h\", a);\n"
    "            $display(\"      expected %h\", b);\n"
    "        end\n"
    "\n"
    "        // the rest of the image (inputs, program) must be as loaded\n"
    "        first = -1;\n"
    "        for (j = 0; j < MEM_N; j = j + 1)\n"
    "            if ((j < EXP_BASE || j >= EXP_BASE + EXP_N) && mem[j] !== img[j] && first < 0)\n"
    "                first = j;\n"
    "        check(first < 0);\n"
    "        if (first >= 0)\n"
    "            $display(\"FAIL: burst %0d (vault bytes %0d to %0d) outside the output area was written\", first,\n"
    "                     first * BURST, (first + 1) * BURST);\n"
    "        check(dram_bad == 0);\n"
    "        $display(\"DRAM: %0d commands, %0d violations\", n_cmds, dram_bad);\n"
    "\n"
    "        $display(\"%0d passed, %0d failed\", passed, failed);\n"
    "        if (failed == 0) begin\n"
    "            $display(\"PASS\");\n"
    "            $finish;\n"
    "        end else begin\n"
    "            $display(\"FAIL\");\n"
    "`ifdef TETRIS_V_NO_FATAL\n"
    "            $finish;\n"
    "`else\n"
    "            $fatal(1, \"%0s: %0d checks failed\", `TETRIS_V_LAYER, failed);\n"
    "`endif\n"
    "        end\n"
    "    end\n"
    "endmodule\n";

static int write_tb(const char *dir, tetris_error *err)
{
    vfile v;
    int rc = vopen(&v, dir, "tb_vectors.v", err);
    if (rc)
        return rc;
    fprintf(v.f, "// tb_vectors.v: written by tetris %s. Do not edit.\n", tetris_version());
    fputs(tb_head, v.f);
    fputs("    // counter names, CSR address order (TETRIS_COUNTERS)\n"
          "    function [8*24-1:0] counter_name(input integer i);\n"
          "        case (i)\n",
          v.f);
    for (int i = 0; i < TETRIS_CNT_COUNT; i++)
        fprintf(v.f, "            %d: counter_name = \"%s\";\n", i,
                tetris_counter_name((enum tetris_counter)i));
    fputs("            default: counter_name = \"?\";\n"
          "        endcase\n"
          "    endfunction\n",
          v.f);
    fputs(tb_body, v.f);
    return vclose(&v, err);
}

static int write_run_sh(const char *dir, tetris_error *err)
{
    vfile v;
    int rc = vopen(&v, dir, "run.sh", err);
    if (rc)
        return rc;
    fprintf(v.f,
            "#!/bin/sh\n"
            "# FPGA bring-up vectors: run tb_vectors.v on the generated RTL under Icarus\n"
            "# Verilog (written by tetris %s). Prints the testbench's report, also into\n"
            "# tb_vectors.log; exit 0 when it says PASS, 1 when not, 2 when Icarus cannot\n"
            "# compile. Arguments go to vvp (+vcd: dump every signal into tb_vectors.vcd).\n"
            "set -u\n"
            "cd \"$(dirname \"$0\")\" || exit 2\n"
            "iverilog -g2012 -o tb_vectors.vvp -s tb_vectors -I rtl -I . rtl/*.v tb_vectors.v || exit 2\n"
            "vvp -n tb_vectors.vvp \"$@\" 2>&1 | tee tb_vectors.log\n"
            "grep -qx PASS tb_vectors.log\n",
            tetris_version());
    rc = vclose(&v, err);
    if (!rc && chmod(v.path, 0755) != 0)
        rc = tetris_fail(err, TETRIS_EIO, v.path, 0, NULL, "cannot make executable: %s",
                         strerror(errno));
    return rc;
}

int tetris_job_write_vectors(const tetris_config *cfg, const tetris_job *job, const char *dir,
                             tetris_error *err)
{
    if (!job->image || !job->expect || job->prog.n == 0)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, job->layer.name, "the job is not prepared");
    if (!job->res.pass)
        return tetris_fail(err, TETRIS_EMISMATCH, NULL, 0, job->layer.name,
                           "the engine model's ofmap differs from the golden model's: "
                           "no vectors written");
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return tetris_fail(err, TETRIS_EIO, dir, 0, NULL, "cannot create: %s", strerror(errno));
    vec_geom g;
    geom_of(cfg, job, &g);
    int rc = write_image(dir, job, &g, err);
    if (!rc)
        rc = write_counters(dir, job, err);
    if (!rc)
        rc = write_params(cfg, dir, job, &g, err);
    if (!rc)
        rc = write_tb(dir, err);
    if (!rc)
        rc = write_run_sh(dir, err);
    if (!rc)
        rc = tetris_layer_data_save(&job->layer, &job->data, dir, err);
    return rc;
}
