/*
 * tetris_rdport: the word reader of a stream. It turns word requests (a
 * 16-bit or 32-bit word from the GBUF, from the vault or the constant zero)
 * into in-order responses, over one tetris_gbuf port and one vault client
 * port. It keeps the last GBUF row fetched, and LINES vault bursts in a small
 * fully-associative cache with round-robin replacement, so that a stream that
 * walks several rows at once (the ifmap stream's [x][ch][n][y] order, the
 * psum stream's [x][column][m][n]) fetches each burst about once; a word whose
 * burst is being fetched waits for that fetch. Several fetches may be
 * outstanding. LINES defaults to tetris_rdport_lines() of the configuration.
 * tb/tb_rdport.cpp checks it against a memory image with random grants,
 * latencies and back-pressure, and counts the vault fetches against a model
 * of the cache.
 *
 * The address decode and its widths are shared with tetris_wrport
 * (gen/wordport.c).
 */
#include "wordport.h"

#define RD_TW 8     /* default tag bits */
#define RD_OUTS TETRIS_PORT_OUTS /* default fetches outstanding per source */
#define RD_QDEPTH TETRIS_PORT_QDEPTH /* default words between lookup and response */

static void header(const tetris_config *cfg, const wp_widths *w, FILE *out)
{
    fputs("// Word reader: word requests in, responses out in request order.\n"
          "//   rq_src 0: the constant 0 (no memory access); 1: the GBUF; 2: the vault;\n"
          "//   3: as 0. rq_addr is a byte address (GBUF: word address * 2); 16-bit\n"
          "//   words are 2-byte aligned, a 32-bit word is two 16-bit words, low first\n"
          "//   (little-endian). A 16-bit word is sign-extended to 32 bits.\n"
          "// A line is a GBUF row (WIDTH/16 consecutive words of one bank: word address\n"
          "// a is in row a / (WIDTH/16)) or a vault burst (BURST bytes, burst-aligned).\n"
          "// GBUF: the reader keeps the row it fetched last and fetches again only for\n"
          "// a word outside it, so sequential words hit.\n"
          "// Vault: the reader keeps LINES bursts (slots), fully associative. A word\n"
          "// whose burst is in a slot hits it, also while the burst is still being\n"
          "// fetched (the word waits for it). A miss fetches the burst into the next\n"
          "// slot in round-robin order (one pointer, advanced by every fetch), once\n"
          "// no queued word reads that slot any more (until then the lookup waits).\n"
          "// So the fetches are those of an ideal LINES-line FIFO-replacement cache\n"
          "// over the sequence of words (halves), independent of timing; a stream\n"
          "// that cycles through up to LINES bursts fetches each once.\n"
          "// A 32-bit word across two lines (always when WIDTH = 16) is read in two\n"
          "// halves, one line each (a line lookup each).\n"
          "// Pipeline: request register (lookup, fetch issue) -> in-order queue of\n"
          "// QDEPTH words -> response register. A word taken in cycle t is on rs_data\n"
          "// in cycle t + 3 when no older word waits and its line is buffered or read\n"
          "// from the GBUF at once (no bank conflict). Sequential words: 1 per cycle\n"
          "// (a split 32-bit word takes 2), also across GBUF rows. Up to OUTS fetches\n"
          "// per source are outstanding; a vault read has its slot reserved, so its\n"
          "// response (no back-pressure) always has room.\n"
          "// g_valid and v_req_valid depend on registers only (not on g_ready or\n"
          "// v_req_ready); rq_ready depends combinationally on g_ready and v_req_ready.\n"
          "// The queue lets the lookup run up to QDEPTH words ahead of the responses,\n"
          "// so a sequential vault stream hides a fetch latency of about QDEPTH cycles.\n"
          "// clear forgets the buffered lines (the GBUF row and every vault slot):\n"
          "// every word taken in or after the clear cycle is read from memory again\n"
          "// (words taken before may use the old lines). Fetches in flight still\n"
          "// return and serve their words; their slots are reused only after that.\n"
          "module tetris_rdport #(\n",
          out);
    gen_param(out, "WIDTH", cfg->gbuf_bank_bits, 0, "GBUF row bits (gbuf.bank_bits), a multiple of 16");
    gen_param(out, "AW", w->aw, 0, "GBUF word-address bits (clog2 of gbuf.bytes / 2)");
    gen_param(out, "BURST", cfg->dram_burst_bytes, 0, "vault burst bytes (dram.burst_bytes), 2^n >= 16");
    gen_param(out, "TW", RD_TW, 0, "tag bits");
    gen_param(out, "OUTS", RD_OUTS, 0, "fetches outstanding per source (GBUF: in flight or unused), >= 2");
    gen_param(out, "LINES", tetris_rdport_lines(cfg), 0,
              "vault bursts kept, >= 2 (tetris_rdport_lines: the rows a pass walks)");
    gen_param(out, "QDEPTH", RD_QDEPTH, 1, "words between lookup and response, >= 2 (below)");
    fputs(") (\n"
          "    input  wire               clk,\n"
          "    input  wire               rst_n,        // synchronous, active low\n"
          "    input  wire               clear,        // one cycle: forget the buffered lines\n"
          "    output wire               idle,         // no word and no fetch in flight\n"
          "    // word requests\n"
          "    input  wire               rq_valid,\n"
          "    output wire               rq_ready,\n"
          "    input  wire [1:0]         rq_src,       // 0 zero, 1 GBUF, 2 vault, 3 as 0\n"
          "    input  wire               rq_wide,      // 0: 16-bit word, sign-extended; 1: 32-bit\n"
          "    input  wire [31:0]        rq_addr,      // byte address, bit 0 ignored\n"
          "    input  wire [TW-1:0]      rq_tag,       // returned with the word\n"
          "    // responses, in request order\n"
          "    output reg                rs_valid,\n"
          "    input  wire               rs_ready,\n"
          "    output reg  [31:0]        rs_data,\n"
          "    output reg  [TW-1:0]      rs_tag,\n"
          "    output reg  [1:0]         rs_src,\n"
          "    // one tetris_gbuf port, reads only (tie its we, wdata, wmask to 0)\n"
          "    output wire               g_valid,      // read the row of g_addr\n"
          "    input  wire               g_ready,      // granted when g_valid & g_ready\n"
          "    output wire [AW-1:0]      g_addr,       // word address\n"
          "    input  wire               g_rvalid,     // the row granted last cycle\n"
          "    input  wire [WIDTH-1:0]   g_rdata,      // word i at [16*i +: 16]\n"
          "    // vault client, reads only: responses in request order, no back-pressure\n"
          "    output wire               v_req_valid,\n"
          "    input  wire               v_req_ready,\n"
          "    output wire [31:0]        v_req_addr,   // burst-aligned byte address\n"
          "    input  wire               v_rsp_valid,\n"
          "    input  wire [8*BURST-1:0] v_rsp_data    // byte i at [8*i +: 8]\n"
          ");\n\n",
          out);
}

static void declarations(const wp_widths *w, FILE *out)
{
    wp_localparams(w, out);
    fputs("    localparam QPW = $clog2(QDEPTH);      // queue slot\n"
          "    localparam QCW = $clog2(QDEPTH + 1);  // queue count, 0..QDEPTH\n"
          "    localparam LPW = $clog2(OUTS);        // line FIFO slot\n"
          "    localparam UCW = $clog2(OUTS + 1);    // lines per source, 0..OUTS\n"
          "    localparam SLW = $clog2(LINES);       // vault slot\n"
          "    localparam integer QFULL = QDEPTH, QLAST = QDEPTH - 1, LFULL = OUTS, LLAST = OUTS - 1;\n"
          "    localparam integer SLAST = LINES - 1;\n"
          "    localparam [QCW-1:0] Q_FULL = QFULL[QCW-1:0];\n"
          "    localparam [QPW-1:0] Q_LAST = QLAST[QPW-1:0];\n"
          "    localparam [UCW-1:0] L_FULL = LFULL[UCW-1:0];\n"
          "    localparam [LPW-1:0] L_LAST = LLAST[LPW-1:0];\n"
          "    localparam [SLW-1:0] S_LAST = SLAST[SLW-1:0];\n"
          "\n"
          "    localparam [1:0] SRC_GBUF = 2'd1, SRC_VAULT = 2'd2;\n"
          "    // what a queued word does with its line's words w0 (at its offset), w1 (next)\n"
          "    localparam [1:0] M_NARROW = 2'd0,  // 16-bit word: sign-extended w0\n"
          "                     M_WIDE   = 2'd1,  // 32-bit word in one line: {w1, w0}\n"
          "                     M_LOW    = 2'd2,  // low half of a split word: keep w0, no response\n"
          "                     M_HIGH   = 2'd3;  // its high half: {w0, the kept low half}\n\n",
          out);
}

/* Request decode (before the request register): line, offset, split. */
static void decode(const wp_widths *w, FILE *out)
{
    char a[64], b[64];
    wp_decode(w, "rq_addr", out);
    fprintf(out,
            "    wire in_g = rq_src == SRC_GBUF;\n"
            "    wire in_v = rq_src == SRC_VAULT;\n"
            "    // a 32-bit word whose low half is the last word of its line is split\n"
            "    wire in_span = rq_wide && (in_g ? in_goff == G_LASTW : in_v && &in_voff);\n"
            "    wire [LW-1:0] in_line = in_g ? %s : %s;\n",
            gen_zext(a, sizeof a, "in_grow", w->aw, w->lw),
            gen_zext(b, sizeof b, "in_vline", w->vlw, w->lw));
    fprintf(out, "    wire [OW-1:0] in_off = in_g ? %s : %s;\n\n",
            gen_zext(a, sizeof a, "in_goff", w->gow, w->ow),
            gen_zext(b, sizeof b, "in_voff", w->vow, w->ow));
}

/* Request register: lookup (the last GBUF row, the vault slots), fetch issue. */
static void lookup(const wp_widths *w, FILE *out)
{
    /* the line of this half in each source's line-number width */
    const char *gl = w->lw > w->aw ? "a_line_h[AW-1:0]" : "a_line_h";
    const char *vl = w->lw > w->vlw ? "a_line_h[VLW-1:0]" : "a_line_h";
    fputs("    // ---- request register: look the word's line up (GBUF: the row fetched\n"
          "    // last, the row the word will find once the fetches before it have\n"
          "    // returned; vault: the slots); on a miss, fetch (one per cycle). A word\n"
          "    // (half) enters the queue when it hits or its fetch is granted.\n"
          "    reg            a_valid;\n"
          "    reg [1:0]      a_src;\n"
          "    reg            a_wide;\n"
          "    reg            a_span;   // split 32-bit word: the low half, then the high half\n"
          "    reg            a_hi;     // the high half: word 0 of the next line\n"
          "    reg [LW-1:0]   a_line;   // line of the (low) word\n"
          "    reg [OW-1:0]   a_off;    // its word in the line\n"
          "    reg [AW-1:0]   a_wa;     // its GBUF word address\n"
          "    reg [TW-1:0]   a_tag;\n"
          "    reg [AW-1:0]   g_last;   // GBUF row fetched last\n"
          "    reg            g_last_ok;\n"
          "    reg [UCW-1:0]  g_used;   // GBUF rows fetched and not yet current: <= OUTS\n"
          "    reg [QCW-1:0]  q_count;  // words in the queue\n"
          "    wire [LINES-1:0] v_match;  // the slots that hold the half's burst (one at most)\n"
          "    wire [LINES-1:0] v_busy;   // the slots that queued words read\n"
          "    reg  [SLW-1:0] v_vict;     // the slot the next vault fetch fills\n"
          "    reg  [UCW-1:0] v_out;      // vault fetches in flight: <= OUTS\n"
          "\n"
          "    wire a_g = a_src == SRC_GBUF;\n"
          "    wire a_v = a_src == SRC_VAULT;\n"
          "    wire [LW-1:0] a_line_h = a_line + {{(LW-1){1'b0}}, a_hi};  // line of this half\n",
          out);
    fprintf(out,
            "    wire [VLW-1:0] a_burst = %s;  // the half's burst number\n"
            "    wire g_hit = g_last_ok && g_last == %s;\n"
            "    wire v_hit = |v_match;\n",
            vl, gl);
    fputs("    reg [SLW-1:0] v_hslot;  // the slot hit\n"
          "    integer v_k;\n"
          "    always @* begin\n"
          "        v_hslot = {SLW{1'b0}};\n"
          "        for (v_k = 0; v_k < LINES; v_k = v_k + 1)\n"
          "            if (v_match[v_k])\n"
          "                v_hslot = v_k[SLW-1:0];\n"
          "    end\n"
          "    wire q_room = q_count != Q_FULL;\n"
          "    assign g_valid = a_valid && a_g && !g_hit && q_room && g_used != L_FULL;\n"
          "    // the high half's word is the next row's first: the next word address\n"
          "    assign g_addr = a_wa + {{(AW-1){1'b0}}, a_hi};\n"
          "    // a vault miss fetches into the round-robin slot once no queued word\n"
          "    // reads it (the replacement does not depend on timing, only the wait)\n"
          "    assign v_req_valid = a_valid && a_v && !v_hit && q_room && v_out != L_FULL &&\n"
          "                         !v_busy[v_vict];\n"
          "    assign v_req_addr = {a_burst, {BB{1'b0}}};\n"
          "    wire g_fetch = g_valid && g_ready;\n"
          "    wire v_fetch = v_req_valid && v_req_ready;\n"
          "    wire a_push = a_valid && q_room && (a_g ? g_hit || g_fetch : a_v ? v_hit || v_fetch : 1'b1);\n"
          "    wire a_done = a_push && (!a_span || a_hi);  // the word's last half\n"
          "    assign rq_ready = !a_valid || a_done;\n"
          "    // what the queued half does (see M_*), whether it takes the next GBUF\n"
          "    // row, and its vault slot\n"
          "    wire [1:0] a_mode = a_span ? (a_hi ? M_HIGH : M_LOW) : a_wide ? M_WIDE : M_NARROW;\n"
          "    wire       a_adv  = a_g && !g_hit;\n"
          "    wire [SLW-1:0] a_slot = v_hit ? v_hslot : v_vict;\n"
          "    wire [OW-1:0] a_off_h = a_hi ? {OW{1'b0}} : a_off;\n"
          "\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n)\n"
          "            a_valid <= 1'b0;\n"
          "        else if (rq_ready)\n"
          "            a_valid <= rq_valid;\n"
          "        if (rq_valid && rq_ready) begin\n"
          "            a_src  <= rq_src;\n"
          "            a_wide <= rq_wide;\n"
          "            a_span <= in_span;\n"
          "            a_hi   <= 1'b0;\n"
          "            a_line <= in_line;\n"
          "            a_off  <= in_off;\n"
          "            a_wa   <= in_wa;\n"
          "            a_tag  <= rq_tag;\n"
          "        end else if (a_push) begin\n"
          "            a_hi   <= 1'b1;  // the low half went: the high half next\n"
          "        end\n"
          "        // the GBUF row fetched last; clear forgets it (the fetch still\n"
          "        // returns and serves the words queued for it)\n"
          "        if (!rst_n || clear)\n"
          "            g_last_ok <= 1'b0;\n"
          "        else if (g_fetch)\n"
          "            g_last_ok <= 1'b1;\n",
          out);
    fprintf(out,
            "        if (g_fetch)\n"
            "            g_last <= %s;\n"
            "    end\n\n",
            gl);
}

/* The vault slots: tags, state, the data memory, the fetches in flight. */
static void vault_slots(FILE *out)
{
    fputs("    // ---- vault slots. Per slot: its burst (tag), whether the tag is valid\n"
          "    // (clear forgets), whether the burst has arrived, and how many queued\n"
          "    // words read it (a slot is refilled only when none does)\n"
          "    wire h_go;               // the head word leaves the queue (response stage)\n"
          "    wire h_vault;            // it reads a vault slot\n"
          "    wire [SLW-1:0] h_slot;   // which\n"
          "    wire [SLW-1:0] v_rslot;  // the slot of the burst arriving (v_rsp_valid)\n"
          "    wire [LINES-1:0] v_rdy;  // the slots whose burst has arrived\n"
          "    genvar v_s;\n"
          "    generate\n"
          "        for (v_s = 0; v_s < LINES; v_s = v_s + 1) begin : g_vslot\n"
          "            localparam integer SI = v_s;\n"
          "            localparam [SLW-1:0] SLOT = SI[SLW-1:0];\n"
          "            reg [VLW-1:0] tag;   // its burst number\n"
          "            reg           ok;    // tag valid\n"
          "            reg           rdy;   // the burst has arrived\n"
          "            reg [QCW-1:0] refs;  // queued words that read the slot\n"
          "            wire fill = v_fetch && v_vict == SLOT;               // fetched anew\n"
          "            wire take = a_push && a_v && a_slot == SLOT;         // a reader enters\n"
          "            wire done = h_go && h_vault && h_slot == SLOT;       // a reader leaves\n"
          "            always @(posedge clk) begin\n"
          "                if (!rst_n || clear)\n"
          "                    ok <= 1'b0;\n"
          "                else if (fill)\n"
          "                    ok <= 1'b1;\n"
          "                if (!rst_n) begin\n"
          "                    rdy  <= 1'b0;\n"
          "                    refs <= {QCW{1'b0}};\n"
          "                end else begin\n"
          "                    if (fill)\n"
          "                        rdy <= 1'b0;\n"
          "                    else if (v_rsp_valid && v_rslot == SLOT)\n"
          "                        rdy <= 1'b1;\n"
          "                    if (take && !done)\n"
          "                        refs <= refs + 1'b1;\n"
          "                    else if (done && !take)\n"
          "                        refs <= refs - 1'b1;\n"
          "                end\n"
          "                if (fill)  // data: not reset\n"
          "                    tag <= a_burst;\n"
          "            end\n"
          "            assign v_match[v_s] = ok && tag == a_burst;\n"
          "            assign v_busy[v_s]  = refs != {QCW{1'b0}};\n"
          "            assign v_rdy[v_s]   = rdy;\n"
          "        end\n"
          "    endgenerate\n"
          "\n"
          "    // the slots of the fetches in flight, in request order (the vault answers\n"
          "    // in order), and the bursts, one memory word per slot\n"
          "    reg [SLW-1:0]     v_sfifo [0:OUTS-1];\n"
          "    reg [LPW-1:0]     v_swp, v_srp;\n"
          "    reg [8*BURST-1:0] v_mem [0:LINES-1];\n"
          "    assign v_rslot = v_sfifo[v_srp];\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            v_vict <= {SLW{1'b0}};\n"
          "            v_out  <= {UCW{1'b0}};\n"
          "            v_swp  <= {LPW{1'b0}};\n"
          "            v_srp  <= {LPW{1'b0}};\n"
          "        end else begin\n"
          "            if (v_fetch)\n"
          "                v_vict <= v_vict == S_LAST ? {SLW{1'b0}} : v_vict + 1'b1;\n"
          "            if (v_fetch && !v_rsp_valid)\n"
          "                v_out <= v_out + 1'b1;\n"
          "            else if (v_rsp_valid && !v_fetch)\n"
          "                v_out <= v_out - 1'b1;\n"
          "            if (v_fetch)\n"
          "                v_swp <= v_swp == L_LAST ? {LPW{1'b0}} : v_swp + 1'b1;\n"
          "            if (v_rsp_valid)\n"
          "                v_srp <= v_srp == L_LAST ? {LPW{1'b0}} : v_srp + 1'b1;\n"
          "        end\n"
          "        if (v_fetch)  // data: not reset\n"
          "            v_sfifo[v_swp] <= v_vict;\n"
          "        if (v_rsp_valid)\n"
          "            v_mem[v_rslot] <= v_rsp_data;\n"
          "    end\n\n",
          out);
}

static void queue(FILE *out)
{
    fputs("    // ---- the queue: words in request order between lookup and response\n"
          "    reg [1:0]    q_src  [0:QDEPTH-1];\n"
          "    reg          q_adv  [0:QDEPTH-1];  // GBUF: take the next fetched row first\n"
          "    reg [SLW-1:0] q_slot [0:QDEPTH-1]; // vault: the slot to read\n"
          "    reg [1:0]    q_mode [0:QDEPTH-1];\n"
          "    reg [OW-1:0] q_off  [0:QDEPTH-1];\n"
          "    reg [TW-1:0] q_tag  [0:QDEPTH-1];\n"
          "    reg [QPW-1:0] q_wp, q_rp;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            q_count <= {QCW{1'b0}};\n"
          "            q_wp <= {QPW{1'b0}};\n"
          "            q_rp <= {QPW{1'b0}};\n"
          "        end else begin\n"
          "            if (a_push && !h_go)\n"
          "                q_count <= q_count + 1'b1;\n"
          "            else if (h_go && !a_push)\n"
          "                q_count <= q_count - 1'b1;\n"
          "            if (a_push)\n"
          "                q_wp <= q_wp == Q_LAST ? {QPW{1'b0}} : q_wp + 1'b1;\n"
          "            if (h_go)\n"
          "                q_rp <= q_rp == Q_LAST ? {QPW{1'b0}} : q_rp + 1'b1;\n"
          "        end\n"
          "        if (a_push) begin  // data: not reset\n"
          "            q_src[q_wp]  <= a_src;\n"
          "            q_adv[q_wp]  <= a_adv;\n"
          "            q_slot[q_wp] <= a_slot;\n"
          "            q_mode[q_wp] <= a_mode;\n"
          "            q_off[q_wp]  <= a_off_h;\n"
          "            q_tag[q_wp]  <= a_tag;\n"
          "        end\n"
          "    end\n"
          "    wire [1:0]    h_src  = q_src[q_rp];\n"
          "    wire          h_adv  = q_adv[q_rp];\n"
          "    assign        h_slot = q_slot[q_rp];\n"
          "    wire [1:0]    h_mode = q_mode[q_rp];\n"
          "    wire [OW-1:0] h_off  = q_off[q_rp];\n"
          "    wire [TW-1:0] h_tag  = q_tag[q_rp];\n\n",
          out);
}

/* The words of one source's line for the head word: w0 (at its offset) and
 * w1 (the next word; a zero word past the end of the line). */
typedef struct rd_source {
    const char *p;     /* signal prefix: "g" or "v" */
    const char *words; /* words per line expression */
    int offw;          /* offset bits */
    int idxw;          /* word table index bits */
    int ow;            /* queue offset bits */
} rd_source;

static void words(const rd_source *s, FILE *out)
{
    const char *p = s->p;
    char off[64], idx[96];
    if (s->offw < s->ow)
        snprintf(off, sizeof off, "h_off[%d:0]", s->offw - 1);
    else
        snprintf(off, sizeof off, "h_off");
    gen_zext(idx, sizeof idx, off, s->offw, s->idxw);
    fprintf(out,
            "    wire [15:0] %s_word [0:%s];  // the line's words and a zero word after them\n"
            "    genvar %s_i;\n"
            "    generate\n"
            "        for (%s_i = 0; %s_i < %s; %s_i = %s_i + 1) begin : g_%s_word\n"
            "            assign %s_word[%s_i] = %s_line[16*%s_i +: 16];\n"
            "        end\n"
            "    endgenerate\n"
            "    assign %s_word[%s] = 16'd0;\n"
            "    wire [%d:0] %s_x = %s;\n"
            "    wire [15:0] %s_w0 = %s_word[%s_x];\n"
            "    wire [15:0] %s_w1 = %s_word[%s_x + 1'b1];\n\n",
            p, s->words, p, p, p, s->words, p, p, p, p, p, p, p, p, s->words, s->idxw - 1, p, idx,
            p, p, p, p, p, p);
}

/* GBUF rows: the FIFO of fetched rows and the current row. */
static void gbuf_rows(FILE *out)
{
    fputs("    // ---- GBUF rows: fetched in request order; the oldest one not yet current\n"
          "    // becomes current when the first queued word that needs it leaves\n"
          "    reg [WIDTH-1:0] g_fifo [0:OUTS-1];\n"
          "    reg [WIDTH-1:0] g_cur;      // the row of the last word that took one\n"
          "    reg [UCW-1:0] g_count;   // rows arrived, not yet current\n"
          "    reg [LPW-1:0] g_wp, g_rp;\n"
          "    // the next row: the oldest waiting, or the one arriving now if none waits\n"
          "    wire [WIDTH-1:0] g_next = g_count != 0 ? g_fifo[g_rp] : g_rdata;\n"
          "    wire g_have = g_count != 0 || g_rvalid;\n"
          "    wire g_pop = h_go && h_adv && h_src == SRC_GBUF;\n"
          "    wire [WIDTH-1:0] g_line = h_adv ? g_next : g_cur;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            g_used  <= {UCW{1'b0}};\n"
          "            g_count <= {UCW{1'b0}};\n"
          "            g_wp <= {LPW{1'b0}};\n"
          "            g_rp <= {LPW{1'b0}};\n"
          "        end else begin\n"
          "            if (g_fetch && !g_pop)\n"
          "                g_used <= g_used + 1'b1;\n"
          "            else if (g_pop && !g_fetch)\n"
          "                g_used <= g_used - 1'b1;\n"
          "            if (g_rvalid && !g_pop)\n"
          "                g_count <= g_count + 1'b1;\n"
          "            else if (g_pop && !g_rvalid)\n"
          "                g_count <= g_count - 1'b1;\n"
          "            if (g_rvalid)\n"
          "                g_wp <= g_wp == L_LAST ? {LPW{1'b0}} : g_wp + 1'b1;\n"
          "            if (g_pop)\n"
          "                g_rp <= g_rp == L_LAST ? {LPW{1'b0}} : g_rp + 1'b1;\n"
          "        end\n"
          "        if (g_rvalid)  // data: not reset\n"
          "            g_fifo[g_wp] <= g_rdata;\n"
          "        if (g_pop)\n"
          "            g_cur <= g_next;\n"
          "    end\n\n",
          out);
}

/* The head word's vault burst: its slot, or the burst arriving for it now. */
static void vault_line(FILE *out)
{
    fputs("    // ---- the head word's vault burst: its slot's, or the one arriving for\n"
          "    // the slot now\n"
          "    wire v_arrive = v_rsp_valid && v_rslot == h_slot;\n"
          "    wire v_have = v_rdy[h_slot] || v_arrive;\n"
          "    wire [8*BURST-1:0] v_line = v_rdy[h_slot] ? v_mem[h_slot] : v_rsp_data;\n",
          out);
}

static void response(FILE *out)
{
    fputs("    // ---- response: the head word leaves when its line is there and the\n"
          "    // response register is free (a low half gives no response)\n"
          "    wire h_valid = q_count != {QCW{1'b0}};\n"
          "    wire h_g = h_src == SRC_GBUF;\n"
          "    wire h_v = h_src == SRC_VAULT;\n"
          "    assign h_vault = h_v;\n"
          "    wire h_line_ok = h_g ? !h_adv || g_have : !h_v || v_have;\n"
          "    wire h_emit = h_mode != M_LOW;\n"
          "    wire out_free = !rs_valid || rs_ready;\n"
          "    assign h_go = h_valid && h_line_ok && (out_free || !h_emit);\n"
          "    wire [15:0] w0 = h_g ? g_w0 : v_w0;\n"
          "    wire [15:0] w1 = h_g ? g_w1 : v_w1;\n"
          "    reg  [15:0] low_half;  // of a split 32-bit word\n"
          "    reg  [31:0] h_data;\n"
          "    always @* begin\n"
          "        case (h_mode)\n"
          "            M_NARROW: h_data = {{16{w0[15]}}, w0};\n"
          "            M_WIDE:   h_data = {w1, w0};\n"
          "            default:  h_data = {w0, low_half};  // M_HIGH (M_LOW: no response)\n"
          "        endcase\n"
          "        if (!h_g && !h_v)\n"
          "            h_data = 32'd0;  // the zero source\n"
          "    end\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n)\n"
          "            rs_valid <= 1'b0;\n"
          "        else if (out_free)\n"
          "            rs_valid <= h_go && h_emit;\n"
          "        if (h_go && h_emit) begin  // data: not reset\n"
          "            rs_data <= h_data;\n"
          "            rs_tag  <= h_tag;\n"
          "            rs_src  <= h_src;\n"
          "        end\n"
          "        if (h_go && !h_emit)\n"
          "            low_half <= w0;\n"
          "    end\n"
          "\n"
          "    // every fetch is used by a queued word, so the counts are zero when the\n"
          "    // queue is empty; they are part of idle all the same\n"
          "    assign idle = !a_valid && q_count == {QCW{1'b0}} && !rs_valid &&\n"
          "                  g_used == {UCW{1'b0}} && v_out == {UCW{1'b0}};\n"
          "endmodule\n",
          out);
}

int gen_rdport(const tetris_config *cfg, FILE *out)
{
    wp_widths w;
    if (wp_widths_of(cfg, &w))
        return TETRIS_EINVAL;
    header(cfg, &w, out);
    declarations(&w, out);
    decode(&w, out);
    lookup(&w, out);
    vault_slots(out);
    queue(out);
    /* word tables hold a zero word after the line's: indices 0..words */
    const rd_source gs = {"g", "WPR", w.gow, tetris_bits_for(w.wpr + 1L), w.ow};
    const rd_source vs = {"v", "VWPB", w.vow, tetris_bits_for(w.vwpb + 1L), w.ow};
    gbuf_rows(out);
    words(&gs, out);
    vault_line(out);
    words(&vs, out);
    response(out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
