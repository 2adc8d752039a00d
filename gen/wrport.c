/*
 * tetris_wrport: the word writer of a stream. It takes word writes (16-bit
 * ofmap words, 32-bit psums; to the GBUF or the vault, where a psum may also
 * be accumulated) and combines words of one line into one masked request: a
 * GBUF row write over one tetris_gbuf port (one open row), a vault burst
 * write or accumulate over one vault client port (LINES open bursts, so that
 * the psum-out stream's [x][column][m][n] order, one psum per row in turn,
 * still writes whole bursts). LINES defaults to tetris_wrport_lines() of the
 * configuration. tb/tb_wrport.cpp checks the memory images it leaves against
 * the same words applied one by one, and counts the requests against a model
 * of the policy.
 *
 * The address decode and its widths are shared with tetris_rdport
 * (gen/wordport.c).
 */
#include "wordport.h"

static void header(const tetris_config *cfg, const wp_widths *w, FILE *out)
{
    fputs("// Word writer with write combining. A word goes to an open line: a GBUF row\n"
          "// (one open row) or a vault burst (LINES open bursts, slots, fully\n"
          "// associative). 16-bit words and 32-bit words (two 16-bit words, low first)\n"
          "// set their 16-bit lanes in the line's mask; writes of the same lane merge\n"
          "// (the later word wins, as in memory). A line is sent as one masked request.\n"
          "// GBUF: when all its lanes are set, when a word for another row arrives,\n"
          "// or on flush. Vault: a line closes (nothing joins it any more)\n"
          "//   - when all its lanes are set;\n"
          "//   - when a word for its burst cannot join it: a word of the other op\n"
          "//     (write / accumulate), or an accumulate onto a lane the line already\n"
          "//     adds (the two must stay two additions); the word opens a new line;\n"
          "//   - when a new line opens in the slot before it: new lines take the\n"
          "//     slots in round-robin order (one pointer, advanced per new line), and\n"
          "//     a word for a burst with no open line waits until the line in its\n"
          "//     slot has been sent (so LINES - 1 lines are open at most);\n"
          "// and closed lines are sent in the order they closed (a queue of slots),\n"
          "// however long the vault holds the requests back. A flush sends, after\n"
          "// the closed lines and once the word taken last is in its line, the open\n"
          "// lines, lowest slot first; when it is done the pointer is back at slot\n"
          "// 0, so every pass (flushed at its end) starts from the reset state.\n"
          "// So the requests and their order are those of an ideal policy over the\n"
          "// sequence of words (halves) and flushes, independent of timing: one per\n"
          "// line opened; requests of one burst stay in order.\n"
          "// A 32-bit write across two lines (always when WIDTH = 16) is written in\n"
          "// two halves, one per line. An accumulate (vault only) is a 32-bit psum at a\n"
          "// 4-byte-aligned address; it sets both mask bits of its 32-bit lane, and\n"
          "// the vault adds the lane modulo 2^acc_bits (tetris_acc_add).\n"
          "// Pipeline: word register -> lines -> requests; one word per cycle, also\n"
          "// across lines (a new line's slot is free or sent in the same cycle; a\n"
          "// word that closes its burst's open line opens a new one a cycle later). A\n"
          "// word reaches its memory when its line is sent: words buffered here are\n"
          "// not visible to readers until flush and idle (the pass unit flushes at\n"
          "// the end of every pass, before the next pass reads psums). g_valid and\n"
          "// v_req_valid depend on registers only; wq_ready depends combinationally\n"
          "// on g_ready and v_req_ready. flush (one cycle) writes out every word taken\n"
          "// up to and including its cycle; no new word is taken until that is done\n"
          "// (idle).\n"
          "module tetris_wrport #(\n",
          out);
    gen_param(out, "WIDTH", cfg->gbuf_bank_bits, 0, "GBUF row bits (gbuf.bank_bits), a multiple of 16");
    gen_param(out, "AW", w->aw, 0, "GBUF word-address bits (clog2 of gbuf.bytes / 2)");
    gen_param(out, "BURST", cfg->dram_burst_bytes, 0, "vault burst bytes (dram.burst_bytes), 2^n >= 16");
    gen_param(out, "LINES", tetris_wrport_lines(cfg), 1,
              "open vault bursts, >= 2 (tetris_wrport_lines: the rows a pass writes)");
    fputs(") (\n"
          "    input  wire                clk,\n"
          "    input  wire                rst_n,        // synchronous, active low\n"
          "    input  wire                flush,        // one cycle: write out the words taken\n"
          "    output wire                idle,         // nothing buffered or waiting\n"
          "    // word writes\n"
          "    input  wire                wq_valid,\n"
          "    output wire                wq_ready,\n"
          "    input  wire                wq_dst,       // 0 GBUF, 1 vault\n"
          "    input  wire                wq_acc,       // vault: accumulate the 32-bit psum\n"
          "    input  wire                wq_wide,      // 0: 16-bit word, 1: 32-bit word\n"
          "    input  wire [31:0]         wq_addr,      // byte address, bit 0 ignored\n"
          "    input  wire [31:0]         wq_data,      // a 16-bit word in [15:0]\n"
          "    // one tetris_gbuf port, masked writes\n"
          "    output wire                g_valid,\n"
          "    input  wire                g_ready,      // granted when g_valid & g_ready\n"
          "    output wire                g_we,         // 1\n"
          "    output wire [AW-1:0]       g_addr,       // a word address in the row\n"
          "    output wire [WIDTH-1:0]    g_wdata,      // word i at [16*i +: 16]\n"
          "    output wire [WIDTH/16-1:0] g_wmask,      // word i written when bit i is set\n"
          "    // vault client, writes and accumulates\n"
          "    output wire                v_req_valid,\n"
          "    input  wire                v_req_ready,\n"
          "    output wire [1:0]          v_req_op,     // 1 write, 2 accumulate\n"
          "    output wire [31:0]         v_req_addr,   // burst-aligned byte address\n"
          "    output wire [8*BURST-1:0]  v_req_wdata,  // byte i at [8*i +: 8]\n"
          "    output wire [BURST/2-1:0]  v_req_wmask   // 16-bit lanes: bit i = bytes 2i, 2i+1\n"
          ");\n\n",
          out);
}

static void decode(const wp_widths *w, FILE *out)
{
    char a[64], b[64];
    wp_localparams(w, out);
    fputs("    localparam SLW = $clog2(LINES);  // vault slot\n"
          "    localparam integer SLAST = LINES - 1;\n"
          "    localparam [SLW-1:0] S_LAST = SLAST[SLW-1:0];\n"
          "    localparam [WPR-1:0]  G_ONE = 1;  // lane 0 of a row\n"
          "    localparam [VWPB-1:0] V_ONE = 1;  // lane 0 of a burst\n"
          "    localparam [1:0] OP_WRITE = 2'd1, OP_ACC = 2'd2;  // vault request ops\n\n",
          out);
    wp_decode(w, "wq_addr", out);
    fprintf(out,
            "    // a 32-bit word whose low half is the last word of its line is split\n"
            "    wire in_span = wq_wide && (wq_dst ? &in_voff : in_goff == G_LASTW);\n"
            "    wire [LW-1:0] in_line = wq_dst ? %s : %s;\n",
            gen_zext(a, sizeof a, "in_vline", w->vlw, w->lw),
            gen_zext(b, sizeof b, "in_grow", w->aw, w->lw));
    fprintf(out, "    wire [OW-1:0] in_off = wq_dst ? %s : %s;\n\n",
            gen_zext(a, sizeof a, "in_voff", w->vow, w->ow),
            gen_zext(b, sizeof b, "in_goff", w->gow, w->ow));
}

static void word_register(FILE *out)
{
    fputs("    // ---- word register: one word, or one half of a split 32-bit word, per\n"
          "    // cycle goes into its line buffer\n"
          "    reg          a_valid;\n"
          "    reg          a_dst;\n"
          "    reg          a_acc;\n"
          "    reg          a_wide;\n"
          "    reg          a_span;   // split 32-bit word: the low half, then the high half\n"
          "    reg          a_hi;     // the high half: word 0 of the next line\n"
          "    reg [LW-1:0] a_line;   // line of the (low) word\n"
          "    reg [OW-1:0] a_off;    // its word in the line\n"
          "    reg [AW-1:0] a_wa;     // its GBUF word address\n"
          "    reg [31:0]   a_data;\n"
          "    reg          fl;       // flushing: send every line, take no new word\n"
          "    wire g_take, v_take;   // the half goes into its line (below)\n"
          "    reg  gb_valid;         // the GBUF row holds words (below)\n"
          "    wire vb_any;           // vault lines hold words (below)\n"
          "\n"
          "    wire [LW-1:0] a_line_h = a_line + {{(LW-1){1'b0}}, a_hi};  // line of this half\n"
          "    wire [AW-1:0] a_wa_h = a_wa + {{(AW-1){1'b0}}, a_hi};\n"
          "    wire [OW-1:0] a_off_h = a_hi ? {OW{1'b0}} : a_off;\n"
          "    wire a_two = a_wide && !a_span;  // a whole 32-bit word: lanes off, off + 1\n"
          "    wire [15:0] a_w0 = a_hi ? a_data[31:16] : a_data[15:0];  // the half's word\n"
          "    wire [15:0] a_w1 = a_data[31:16];                         // a_two: the high word\n"
          "    wire a_done = (g_take || v_take) && (!a_span || a_hi);    // the word's last half\n"
          "    wire empty = !a_valid && !gb_valid && !vb_any;  // nothing taken is unwritten\n"
          "    wire fl_send = fl && !a_valid;  // flush: send once the last word is in its line\n"
          "    // a flush holds new words off until everything taken is written\n"
          "    assign wq_ready = (!fl || empty) && (!a_valid || a_done);\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n)\n"
          "            a_valid <= 1'b0;\n"
          "        else if (wq_valid && wq_ready)\n"
          "            a_valid <= 1'b1;\n"
          "        else if (a_done)\n"
          "            a_valid <= 1'b0;\n"
          "        if (wq_valid && wq_ready) begin  // data: not reset\n"
          "            a_dst  <= wq_dst;\n"
          "            a_acc  <= wq_acc;\n"
          "            a_wide <= wq_wide;\n"
          "            a_span <= in_span;\n"
          "            a_hi   <= 1'b0;\n"
          "            a_line <= in_line;\n"
          "            a_off  <= in_off;\n"
          "            a_wa   <= in_wa;\n"
          "            a_data <= wq_data;\n"
          "        end else if (g_take || v_take) begin\n"
          "            a_hi   <= 1'b1;  // the low half went: the high half next\n"
          "        end\n"
          "    end\n\n",
          out);
}

/* The GBUF row buffer and the request it sends. In the text, @p is the port
 * prefix (g), @b the buffer's (gb). */
static const char buffer_text[] =
    "    // ---- @what buffer\n"
    "    reg [@tagw-1:0] @b_line;  // their line number\n"
    "    reg [@lwd-1:0] @b_data;  // lane i (16 bits) at [16*i +: 16]\n"
    "    reg [@lanes-1:0] @b_mask;  // lanes set\n"
    "@extra_reg"
    "    wire a_@p = a_valid && a_dst == 1'b@sel;\n"
    "    // the half's lanes: its (first) word at the offset, a whole 32-bit word's\n"
    "    // high word in the next lane\n"
    "    wire [@lanes-1:0] @p_first  = @one << @off;\n"
    "    wire [@lanes-1:0] @p_second = a_two ? @p_first << 1 : {@lanes{1'b0}};\n"
    "    wire [@lanes-1:0] @p_amask  = @p_first | @p_second;\n"
    "@other"
    "    // send when a half cannot join (it waits), when the line is full (nothing\n"
    "    // can join), or on flush\n"
    "    wire @p_send = @b_valid && (a_@p && @p_other || &@b_mask || fl_send);\n"
    "    wire @p_sent = @p_send && @ready;\n"
    "    // the half goes in when the buffer is not being sent or leaves now; it\n"
    "    // joins a buffer that stays, else starts a new one\n"
    "    assign @p_take = a_@p && (!@p_send || @p_sent);\n"
    "    wire @p_join = @b_valid && !@p_send;\n"
    "    integer @p_l;\n"
    "    always @(posedge clk) begin\n"
    "        if (!rst_n)\n"
    "            @b_valid <= 1'b0;\n"
    "        else if (@p_take)\n"
    "            @b_valid <= 1'b1;\n"
    "        else if (@p_sent)\n"
    "            @b_valid <= 1'b0;\n"
    "        if (@p_take) begin  // data: not reset\n"
    "            @b_line <= @tag;\n"
    "            @b_mask <= (@p_join ? @b_mask : {@lanes{1'b0}}) | @p_amask;\n"
    "@extra_load"
    "            for (@p_l = 0; @p_l < @lanes; @p_l = @p_l + 1)\n"
    "                if (@p_amask[@p_l])\n"
    "                    @b_data[16*@p_l +: 16] <= @p_first[@p_l] ? a_w0 : a_w1;\n"
    "        end\n"
    "    end\n"
    "@ports"
    "\n";

static void gbuf_row(const wp_widths *w, FILE *out)
{
    char goff[32] = "a_off_h", gtag[32] = "a_line_h";
    char gother[160];
    /* the half's offset and line number in the GBUF's widths */
    if (w->gow < w->ow)
        snprintf(goff, sizeof goff, "a_off_h[%d:0]", w->gow - 1);
    if (w->aw < w->lw)
        snprintf(gtag, sizeof gtag, "a_line_h[AW-1:0]");
    snprintf(gother, sizeof gother,
             "    wire g_other = gb_line != %s;  // the half cannot join: another row\n", gtag);
    const char *const g[] = {
        "p", "g", "b", "gb", "what", "GBUF row", "tagw", "AW", "lwd", "WIDTH", "lanes", "WPR",
        "sel", "0", "one", "G_ONE", "off", goff, "tag", gtag, "ready", "g_ready",
        "extra_reg", "    reg [AW-1:0] gb_wa;  // a word address in the row: g_addr\n",
        "other", gother,
        "extra_load", "            gb_wa <= a_wa_h;\n",
        "ports", "    assign g_valid = g_send;\n"
                 "    assign g_we    = 1'b1;\n"
                 "    assign g_addr  = gb_wa;\n"
                 "    assign g_wdata = gb_data;\n"
                 "    assign g_wmask = gb_mask;\n",
        NULL};
    wp_emit(out, buffer_text, g);
}

/* The vault's LINES open bursts and the request they send. */
static void vault_lines(const wp_widths *w, FILE *out)
{
    char voff[32] = "a_off_h", vtag[32] = "a_line_h";
    if (w->vow < w->ow)
        snprintf(voff, sizeof voff, "a_off_h[%d:0]", w->vow - 1);
    if (w->vlw < w->lw)
        snprintf(vtag, sizeof vtag, "a_line_h[VLW-1:0]");
    fprintf(out,
            "    // ---- vault lines: LINES slots, each a burst being written or waiting\n"
            "    // to be sent (its number, op and lane mask; the lanes' data in v_mem)\n"
            "    wire a_v = a_valid && a_dst == 1'b1;\n"
            "    wire [VLW-1:0] a_burst = %s;  // the half's burst number\n"
            "    // the half's lanes: its (first) word at the offset, a whole 32-bit word's\n"
            "    // high word in the next lane\n"
            "    wire [VWPB-1:0] v_first  = V_ONE << %s;\n"
            "    wire [VWPB-1:0] v_second = a_two ? v_first << 1 : {VWPB{1'b0}};\n"
            "    wire [VWPB-1:0] v_amask  = v_first | v_second;\n",
            vtag, voff);
    fputs("    wire [LINES-1:0] v_valid;   // the slots that hold an unsent line\n"
          "    wire [LINES-1:0] v_openl;   // ... an open one (words may join it)\n"
          "    wire [LINES-1:0] v_match;   // ... an open one of the half's burst (one at most)\n"
          "    wire [LINES-1:0] v_join;    // ... that the half can join\n"
          "    wire [LINES-1:0] v_close;   // ... that the half cannot join (one at most)\n"
          "    wire [LINES-1:0] v_push;    // ... that goes into cq now (one at most)\n"
          "    wire [LINES*VLW-1:0]  v_tags;   // slot i's burst at [VLW*i +: VLW]\n"
          "    wire [LINES*VWPB-1:0] v_masks;  // slot i's lanes at [VWPB*i +: VWPB]\n"
          "    wire [LINES-1:0]      v_accs;   // slot i accumulates\n"
          "    reg  [SLW-1:0] v_vict;  // the slot the next new line takes\n"
          "    // closed lines wait in cq, oldest first: the requests leave in the\n"
          "    // order the lines closed, whatever the vault's back-pressure\n"
          "    reg  [SLW-1:0] cq [0:LINES-1];\n"
          "    reg  [SLW-1:0] cq_rp, cq_wp;  // read and write slots of cq\n"
          "    reg  [SLW:0]   cq_n;          // lines in cq, 0..LINES\n"
          "    reg  [SLW-1:0] v_low;   // the lowest open slot (a flush sends it)\n"
          "    reg  [SLW-1:0] v_jslot; // the slot the half joins\n"
          "    reg  [SLW-1:0] v_cslot; // the slot the half cannot join\n"
          "    reg  [SLW-1:0] v_pslot; // the slot that goes into cq\n"
          "    integer v_k;\n"
          "    always @* begin\n"
          "        v_low = {SLW{1'b0}};\n"
          "        v_jslot = {SLW{1'b0}};\n"
          "        v_cslot = {SLW{1'b0}};\n"
          "        v_pslot = {SLW{1'b0}};\n"
          "        for (v_k = LINES - 1; v_k >= 0; v_k = v_k - 1)\n"
          "            if (v_openl[v_k])\n"
          "                v_low = v_k[SLW-1:0];\n"
          "        for (v_k = 0; v_k < LINES; v_k = v_k + 1) begin\n"
          "            if (v_join[v_k])\n"
          "                v_jslot = v_k[SLW-1:0];\n"
          "            if (v_close[v_k])\n"
          "                v_cslot = v_k[SLW-1:0];\n"
          "            if (v_push[v_k])\n"
          "                v_pslot = v_k[SLW-1:0];\n"
          "        end\n"
          "    end\n"
          "    // a half for a burst with no open line opens one in slot v_vict, once\n"
          "    // the line there has been sent; the open line in the slot after it\n"
          "    // closes then, so that the next new line rarely waits\n"
          "    wire v_open = a_v && !(|v_match);\n"
          "    wire [SLW-1:0] v_next = v_vict == S_LAST ? {SLW{1'b0}} : v_vict + 1'b1;\n"
          "    // the request: the oldest closed line; when cq is empty, the line the\n"
          "    // half cannot join (it goes out at once), else on flush the open lines,\n"
          "    // lowest slot first\n"
          "    wire v_fifo = cq_n != {(SLW+1){1'b0}};\n"
          "    wire v_send = v_fifo || |v_close || fl_send && |v_openl;\n"
          "    wire [SLW-1:0] v_sel = v_fifo ? cq[cq_rp] : |v_close ? v_cslot : v_low;  // the slot sent\n"
          "    wire v_sent = v_send && v_req_ready;\n"
          "    wire [LINES-1:0] v_takes;  // the slot the half goes into this cycle\n"
          "    assign v_take = |v_takes;\n"
          "    assign vb_any = |v_valid;\n"
          "    genvar v_s;\n"
          "    generate\n"
          "        for (v_s = 0; v_s < LINES; v_s = v_s + 1) begin : g_vslot\n"
          "            localparam integer SI = v_s;\n"
          "            localparam [SLW-1:0] SLOT = SI[SLW-1:0];\n"
          "            reg             valid;   // holds an unsent line\n"
          "            reg             closed;  // ... that waits in cq: nothing joins\n"
          "            reg [VLW-1:0]   tag;     // its burst number\n"
          "            reg             acc;     // 1: an accumulate, 0: a write\n"
          "            reg [VWPB-1:0]  mask;    // its lanes set\n"
          "            wire openl = valid && !closed;\n"
          "            wire match = openl && tag == a_burst;\n"
          "            // the half joins when the op is the same and an accumulate adds to\n"
          "            // none of the line's lanes; else the line closes and the half\n"
          "            // opens a new one (next cycle)\n"
          "            wire fits  = match && acc == a_acc && !(a_acc && |(mask & v_amask));\n"
          "            wire evict = v_open && v_vict == SLOT;\n"
          "            wire gone  = v_sent && v_sel == SLOT;  // sent this cycle\n"
          "            // the half goes in: it joins the line, or it opens one here when\n"
          "            // the slot is free or its line leaves now\n"
          "            wire joins = a_v && fits;\n"
          "            wire opens = evict && (!valid || gone);\n"
          "            // the line closes when the half fills it (its data is complete\n"
          "            // a cycle later), when the half cannot join it (it goes out at\n"
          "            // once when cq is empty), or when a new line opens in the slot\n"
          "            // before it; it goes into cq unless it is sent at once\n"
          "            wire ahead = v_open && v_take && v_next == SLOT && openl;\n"
          "            assign v_close[v_s] = a_v && match && !fits;\n"
          "            assign v_push[v_s] = joins && &(mask | v_amask) || v_close[v_s] && !gone || ahead;\n"
          "            assign v_takes[v_s] = joins || opens;\n"
          "            always @(posedge clk) begin\n"
          "                if (!rst_n) begin\n"
          "                    valid <= 1'b0;\n"
          "                    closed <= 1'b0;\n"
          "                end else if (opens) begin\n"
          "                    valid <= 1'b1;\n"
          "                    closed <= 1'b0;\n"
          "                end else if (gone) begin\n"
          "                    valid <= 1'b0;\n"
          "                    closed <= 1'b0;\n"
          "                end else if (v_push[v_s]) begin\n"
          "                    closed <= 1'b1;\n"
          "                end\n"
          "                if (opens) begin  // data: not reset\n"
          "                    tag  <= a_burst;\n"
          "                    acc  <= a_acc;\n"
          "                    mask <= v_amask;\n"
          "                end else if (joins) begin\n"
          "                    mask <= mask | v_amask;\n"
          "                end\n"
          "            end\n"
          "            assign v_valid[v_s] = valid;\n"
          "            assign v_openl[v_s] = openl;\n"
          "            assign v_match[v_s] = match;\n"
          "            assign v_join[v_s]  = fits;\n"
          "            assign v_tags[VLW*v_s +: VLW]    = tag;\n"
          "            assign v_masks[VWPB*v_s +: VWPB] = mask;\n"
          "            assign v_accs[v_s] = acc;\n"
          "        end\n"
          "    endgenerate\n"
          "    // cq: one push (a line closes) and one pop (the oldest is sent) per cycle\n"
          "    wire cq_push = |v_push;\n"
          "    wire cq_pop = v_sent && v_fifo;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n) begin\n"
          "            cq_rp <= {SLW{1'b0}};\n"
          "            cq_wp <= {SLW{1'b0}};\n"
          "            cq_n <= {(SLW+1){1'b0}};\n"
          "        end else begin\n"
          "            if (cq_push)\n"
          "                cq_wp <= cq_wp == S_LAST ? {SLW{1'b0}} : cq_wp + 1'b1;\n"
          "            if (cq_pop)\n"
          "                cq_rp <= cq_rp == S_LAST ? {SLW{1'b0}} : cq_rp + 1'b1;\n"
          "            if (cq_push && !cq_pop)\n"
          "                cq_n <= cq_n + 1'b1;\n"
          "            else if (cq_pop && !cq_push)\n"
          "                cq_n <= cq_n - 1'b1;\n"
          "        end\n"
          "        if (cq_push)  // data: not reset\n"
          "            cq[cq_wp] <= v_pslot;\n"
          "    end\n"
          "    // the lanes' data, one memory word per slot, written lane by lane\n"
          "    reg [8*BURST-1:0] v_mem [0:LINES-1];\n"
          "    wire [SLW-1:0] v_wslot = v_open ? v_vict : v_jslot;  // the slot the half goes into\n"
          "    integer v_l;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n || (fl && empty))  // reset, or a flush is done\n"
          "            v_vict <= {SLW{1'b0}};\n"
          "        else if (v_open && v_take)\n"
          "            v_vict <= v_next;\n"
          "        if (v_take)  // data: not reset\n"
          "            for (v_l = 0; v_l < VWPB; v_l = v_l + 1)\n"
          "                if (v_amask[v_l])\n"
          "                    v_mem[v_wslot][16*v_l +: 16] <= v_first[v_l] ? a_w0 : a_w1;\n"
          "    end\n"
          "    assign v_req_valid = v_send;\n"
          "    assign v_req_op    = v_accs[v_sel] ? OP_ACC : OP_WRITE;\n"
          "    assign v_req_addr  = {v_tags[VLW*v_sel +: VLW], {BB{1'b0}}};\n"
          "    assign v_req_wdata = v_mem[v_sel];\n"
          "    assign v_req_wmask = v_masks[VWPB*v_sel +: VWPB];\n\n",
          out);
}

static void control(FILE *out)
{
    fputs("    // ---- flush: fl sends every buffer and holds new words off until all\n"
          "    // that was taken is written\n"
          "    always @(posedge clk)\n"
          "        if (!rst_n)\n"
          "            fl <= 1'b0;\n"
          "        else if (flush)\n"
          "            fl <= 1'b1;\n"
          "        else if (empty)\n"
          "            fl <= 1'b0;\n"
          "    assign idle = empty;\n"
          "endmodule\n",
          out);
}

int gen_wrport(const tetris_config *cfg, FILE *out)
{
    wp_widths w;
    if (wp_widths_of(cfg, &w))
        return TETRIS_EINVAL;
    header(cfg, &w, out);
    decode(&w, out);
    word_register(out);
    gbuf_row(&w, out);
    vault_lines(&w, out);
    control(out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
