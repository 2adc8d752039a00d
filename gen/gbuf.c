/*
 * tetris_sram and tetris_gbuf: the global buffer of one engine.
 *
 * tetris_gbuf holds gbuf.banks single-port SRAM banks (tetris_sram, a
 * behavioural model a technology macro can replace) of gbuf.bank_bits per
 * row. Four request ports share them under fixed priority. The choice
 * between GBUF and vault data for an array stream is not made here: each
 * stream reader (tetris_rdport) has a GBUF port and a vault client of its own
 * and picks per word. The cycle-level model is refmodel/gbuf_banks.c;
 * tb/tb_gbuf.cpp compares the two.
 */
#include "gen_internal.h"

/* The request ports in priority order (index = port number). */
static const char *const port_doc[TETRIS_GBUF_PORTS] = {
    "LOAD/STORE DMA (writes from the vault, reads for STORE)",
    "filter stream reads",
    "ifmap stream reads",
    "psum reads and writes",
};

int gen_sram(const tetris_config *cfg, FILE *out)
{
    tetris_gbuf_geom g;
    tetris_gbuf_geom_of(cfg, &g);
    fputs("// Single-port synchronous SRAM: one access per cycle, read data registered\n"
          "// (valid the cycle after en & !we). Write lanes let a sub-row write leave the\n"
          "// other words of the row alone without a read-modify-write. Behavioural, so\n"
          "// that a technology macro with a lane (or bit) write mask can replace it.\n"
          "module tetris_sram #(\n",
          out);
    gen_param(out, "DEPTH", g.depth, 0, "rows");
    gen_param(out, "WIDTH", g.width, 0, "bits per row");
    gen_param(out, "LANES", g.wpr, 0, "write lanes of WIDTH / LANES bits each");
    gen_param(out, "AW", g.row_bits, 1, "row-address bits: clog2(DEPTH), at least 1");
    fputs(") (\n"
          "    input  wire             clk,\n"
          "    input  wire             en,    // access this cycle\n"
          "    input  wire             we,    // 1: write the lanes set in wmask; 0: read\n"
          "    input  wire [AW-1:0]    addr,  // row, < DEPTH\n"
          "    input  wire [WIDTH-1:0] wdata, // lane l in bits [l*WIDTH/LANES +: WIDTH/LANES]\n"
          "    input  wire [LANES-1:0] wmask, // per-lane write enable (ignored by reads)\n"
          "    output reg  [WIDTH-1:0] rdata  // row of the last read; holds until the next read\n"
          ");\n"
          "    localparam LW = WIDTH / LANES; // bits per lane\n"
          "\n"
          "    // No reset: like a macro, the contents are undefined until written.\n"
          "    reg [WIDTH-1:0] mem [0:DEPTH-1];\n"
          "\n"
          "    integer l;\n"
          "    always @(posedge clk) begin\n"
          "        if (en && we) begin\n"
          "            for (l = 0; l < LANES; l = l + 1)\n"
          "                if (wmask[l])\n"
          "                    mem[addr][l*LW +: LW] <= wdata[l*LW +: LW];\n"
          "        end\n"
          "        if (en && !we)\n"
          "            rdata <= mem[addr];\n"
          "    end\n"
          "endmodule\n",
          out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}

static void gbuf_header(const tetris_gbuf_geom *g, FILE *out)
{
    fputs("// Global buffer: BANKS banks of DEPTH rows of WIDTH bits (16-bit words, WPR =\n"
          "// WIDTH / 16 per row). Word address a is in row r = a / WPR, stored as row\n"
          "// r / BANKS of bank r % BANKS, so sequential streams rotate through the banks.\n"
          "// Each cycle each bank serves one port: port 0 has the highest priority, and\n"
          "// a port whose bank a higher-priority valid port requests sees ready = 0 (a\n"
          "// bank conflict) and retries. ready depends combinationally on the valid\n"
          "// and addr of the higher-priority ports, so a requester's valid must not\n"
          "// depend on its ready. A granted read returns the whole row one cycle\n"
          "// later (rvalid); a granted write stores the words set in its mask.\n"
          "// Ports 1-3 serve the array streams (tetris_rdport, tetris_wrport), which\n"
          "// choose per word between their GBUF port and the vault: the bypass of the\n"
          "// GBUF lives there, not here.\n"
          "module tetris_gbuf #(\n",
          out);
    gen_param(out, "BANKS", g->banks, 0, "gbuf.banks");
    gen_param(out, "WIDTH", g->width, 0, "gbuf.bank_bits: bits per bank row, a multiple of 16");
    gen_param(out, "DEPTH", g->depth, 0, "rows per bank: gbuf.bytes / (BANKS * WIDTH / 8)");
    gen_param(out, "AW", g->addr_bits, 0, "word-address bits: clog2(BANKS * DEPTH * WIDTH / 16)");
    gen_param(out, "RW", g->row_bits, 1, "bank-row address bits: clog2(DEPTH), at least 1");
    fputs(") (\n"
          "    input  wire                clk,\n"
          "    input  wire                rst_n, // synchronous, active low: clears the read-valid\n"
          "                                      // registers, not the memory\n",
          out);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        fprintf(out,
                "\n"
                "    // port %d%s: %s\n"
                "    input  wire                p%d_valid,  // request this cycle\n"
                "    output wire                p%d_ready,  // bank free for this port: valid & ready = granted\n"
                "    input  wire                p%d_we,     // 1: masked write; 0: read the whole row\n"
                "    input  wire [AW-1:0]       p%d_addr,   // word address; selects the row\n"
                "    input  wire [WIDTH-1:0]    p%d_wdata,  // row, word i in bits [16*i +: 16]\n"
                "    input  wire [WIDTH/16-1:0] p%d_wmask,  // per-word write enable\n"
                "    output wire                p%d_rvalid, // the read granted last cycle returns\n"
                "    output wire [WIDTH-1:0]    p%d_rdata,  // that row; zero unless p%d_rvalid\n",
                p, p == 0 ? " (highest priority)" : "", port_doc[p], p, p, p, p, p, p, p, p, p);
    fputs("\n    output wire [3:0]          conflict   // debug: port X valid but not ready\n"
          ");\n",
          out);
}

/* Arrays of the port signals indexed by port number, and the address map. */
static void gbuf_ports(FILE *out)
{
    fputs("    localparam NP = 4; // request ports, index = priority (0 highest)\n"
          "    localparam [AW-1:0] WPR = WIDTH / 16;     // 16-bit words per bank row\n"
          "    localparam [AW-1:0] NBANKS = BANKS;       // BANKS at address width\n"
          "    localparam [BANKS-1:0] BANK0 = 1;         // one-hot bank 0\n"
          "\n"
          "    wire [NP-1:0]       valid = {p3_valid, p2_valid, p1_valid, p0_valid};\n"
          "    wire [NP-1:0]       we    = {p3_we, p2_we, p1_we, p0_we};\n"
          "    wire [AW-1:0]       addr  [0:NP-1];\n"
          "    wire [WIDTH-1:0]    wdata [0:NP-1];\n"
          "    wire [WIDTH/16-1:0] wmask [0:NP-1];\n",
          out);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        fprintf(out,
                "    assign addr[%d] = p%d_addr;\n"
                "    assign wdata[%d] = p%d_wdata;\n"
                "    assign wmask[%d] = p%d_wmask;\n",
                p, p, p, p, p, p);
    fputs("\n"
          "    // Address map of each port: one-hot bank and row within the bank.\n"
          "    wire [BANKS-1:0] hit  [0:NP-1];\n"
          "    wire [RW-1:0]    brow [0:NP-1];\n"
          "    genvar p;\n"
          "    generate\n"
          "        for (p = 0; p < NP; p = p + 1) begin : g_map\n"
          "            wire [AW-1:0] row  = addr[p] / WPR;  // row over all banks\n"
          "            wire [AW-1:0] bank = row % NBANKS;\n"
          "            wire [AW-1:0] brow_full = row / NBANKS; // < DEPTH: fits RW bits\n"
          "            wire unused_brow = &{1'b0, brow_full, 1'b0};\n"
          "            assign hit[p]  = BANK0 << bank;\n"
          "            assign brow[p] = brow_full[RW-1:0];\n"
          "        end\n"
          "    endgenerate\n",
          out);
}

static void gbuf_arbiter(FILE *out)
{
    fputs("\n"
          "    // Fixed priority per bank: claim holds the banks that valid ports of\n"
          "    // higher priority than p request; p is ready unless its bank is claimed\n"
          "    // (ready does not depend on p's own valid).\n"
          "    wire [NP-1:0] ready;\n"
          "    wire [NP-1:0] grant = valid & ready;\n"
          "    generate\n"
          "        for (p = 0; p < NP; p = p + 1) begin : g_arb\n"
          "            reg [BANKS-1:0] claim;\n"
          "            integer q;\n"
          "            always @* begin\n"
          "                claim = {BANKS{1'b0}};\n"
          "                for (q = 0; q < p; q = q + 1)\n"
          "                    if (valid[q])\n"
          "                        claim = claim | hit[q];\n"
          "            end\n"
          "            assign ready[p] = ~|(claim & hit[p]);\n"
          "        end\n"
          "    endgenerate\n"
          "    assign conflict = valid & ~ready;\n",
          out);
}

static void gbuf_banks(FILE *out)
{
    fputs("\n"
          "    // The banks. At most one port is granted per bank, so the SRAM inputs are\n"
          "    // an AND-OR of the granted port's request (all zero when idle).\n"
          "    wire [WIDTH-1:0] bank_rdata [0:BANKS-1];\n"
          "    genvar b;\n"
          "    generate\n"
          "        for (b = 0; b < BANKS; b = b + 1) begin : g_bank\n"
          "            reg                en, wr;\n"
          "            reg [RW-1:0]       a;\n"
          "            reg [WIDTH-1:0]    d;\n"
          "            reg [WIDTH/16-1:0] m;\n"
          "            integer i;\n"
          "            always @* begin\n"
          "                en = 1'b0;\n"
          "                wr = 1'b0;\n"
          "                a  = {RW{1'b0}};\n"
          "                d  = {WIDTH{1'b0}};\n"
          "                m  = {(WIDTH/16){1'b0}};\n"
          "                for (i = 0; i < NP; i = i + 1)\n"
          "                    if (grant[i] && hit[i][b]) begin\n"
          "                        en = 1'b1;\n"
          "                        wr = wr | we[i];\n"
          "                        a  = a | brow[i];\n"
          "                        d  = d | wdata[i];\n"
          "                        m  = m | wmask[i];\n"
          "                    end\n"
          "            end\n"
          "            tetris_sram #(.DEPTH(DEPTH), .WIDTH(WIDTH), .LANES(WIDTH / 16), .AW(RW)) u_sram (\n"
          "                .clk(clk), .en(en), .we(wr), .addr(a), .wdata(d), .wmask(m),\n"
          "                .rdata(bank_rdata[b]));\n"
          "        end\n"
          "    endgenerate\n",
          out);
}

static void gbuf_returns(FILE *out)
{
    fputs("\n"
          "    // Read return: rsel remembers the one-hot bank of the read granted last\n"
          "    // cycle (zero if none), so rdata is the AND-OR of the bank outputs and is\n"
          "    // zero without a read.\n"
          "    wire [NP-1:0]    rvalid;\n"
          "    wire [WIDTH-1:0] rdata [0:NP-1];\n"
          "    generate\n"
          "        for (p = 0; p < NP; p = p + 1) begin : g_ret\n"
          "            reg [BANKS-1:0] rsel;\n"
          "            reg [WIDTH-1:0] rd;\n"
          "            integer i;\n"
          "            always @(posedge clk)\n"
          "                rsel <= (!rst_n || !grant[p] || we[p]) ? {BANKS{1'b0}} : hit[p];\n"
          "            always @* begin\n"
          "                rd = {WIDTH{1'b0}};\n"
          "                for (i = 0; i < BANKS; i = i + 1)\n"
          "                    if (rsel[i])\n"
          "                        rd = rd | bank_rdata[i];\n"
          "            end\n"
          "            assign rvalid[p] = |rsel;\n"
          "            assign rdata[p]  = rd;\n"
          "        end\n"
          "    endgenerate\n",
          out);
    for (int p = 0; p < TETRIS_GBUF_PORTS; p++)
        fprintf(out,
                "    assign p%d_ready  = ready[%d];\n"
                "    assign p%d_rvalid = rvalid[%d];\n"
                "    assign p%d_rdata  = rdata[%d];\n",
                p, p, p, p, p, p);
}

int gen_gbuf(const tetris_config *cfg, FILE *out)
{
    tetris_gbuf_geom g;
    tetris_gbuf_geom_of(cfg, &g);
    gbuf_header(&g, out);
    gbuf_ports(out);
    gbuf_arbiter(out);
    gbuf_banks(out);
    gbuf_returns(out);
    fputs("endmodule\n", out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
