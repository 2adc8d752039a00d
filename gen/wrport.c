/*
 * tetris_wrport: the word writer of a stream. It takes word writes (16-bit
 * ofmap words, 32-bit psums; to the GBUF or the vault, where a psum may also
 * be accumulated) and combines consecutive words of one line into one masked
 * request: a GBUF row write over one tetris_gbuf port, a vault burst write or
 * accumulate over one vault client port. tb/tb_wrport.cpp checks the memory
 * images it leaves against the same words applied one by one.
 *
 * The address decode and its widths are shared with tetris_rdport
 * (gen/wordport.c).
 */
#include "wordport.h"

static void header(const tetris_config *cfg, const wp_widths *w, FILE *out)
{
    fputs("// Word writer with write combining. A word goes to a line buffer per memory\n"
          "// (a GBUF row, a vault burst): 16-bit words and 32-bit words (two 16-bit\n"
          "// words, low first) set their 16-bit lanes in the buffer's mask. The\n"
          "// buffer is sent as one masked request when a word for another line\n"
          "// arrives, or another op (vault write / accumulate), or an accumulate onto a\n"
          "// lane it already adds (the two must stay two additions), when all its\n"
          "// lanes are set, or on flush; so consecutive words of one line merge.\n"
          "// Writes of the same lane merge too: the later word wins, as in memory.\n"
          "// A 32-bit write across two lines (always when WIDTH = 16) is written in\n"
          "// two halves, one per line. An accumulate (vault only) is a 32-bit psum at a\n"
          "// 4-byte-aligned address; it sets both mask bits of its 32-bit lane, and\n"
          "// the vault adds the lane modulo 2^acc_bits (tetris_acc_add).\n"
          "// Pipeline: word register -> line buffers -> requests; one word per cycle,\n"
          "// also across lines when the port takes the full buffer at once. A word\n"
          "// reaches its memory when its buffer is sent: words buffered here are not\n"
          "// visible to readers until flush and idle. g_valid and v_req_valid depend\n"
          "// on registers only; wq_ready depends combinationally on g_ready and\n"
          "// v_req_ready. flush (one cycle) writes out every word taken up to and\n"
          "// including its cycle; no new word is taken until that is done (idle).\n"
          "module tetris_wrport #(\n",
          out);
    gen_param(out, "WIDTH", cfg->gbuf_bank_bits, 0, "GBUF row bits (gbuf.bank_bits), a multiple of 16");
    gen_param(out, "AW", w->aw, 0, "GBUF word-address bits (clog2 of gbuf.bytes / 2)");
    gen_param(out, "BURST", cfg->dram_burst_bytes, 1, "vault burst bytes (dram.burst_bytes), 2^n >= 16");
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
    fputs("    localparam [WPR-1:0]  G_ONE = 1;  // lane 0 of a row\n"
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
          "    reg          fl;       // flushing: send every buffer, take no new word\n"
          "    wire g_take, v_take;   // the half goes into its buffer (below)\n"
          "    reg  gb_valid, vb_valid;  // the buffers hold words (below)\n"
          "\n"
          "    wire [LW-1:0] a_line_h = a_line + {{(LW-1){1'b0}}, a_hi};  // line of this half\n"
          "    wire [AW-1:0] a_wa_h = a_wa + {{(AW-1){1'b0}}, a_hi};\n"
          "    wire [OW-1:0] a_off_h = a_hi ? {OW{1'b0}} : a_off;\n"
          "    wire a_two = a_wide && !a_span;  // a whole 32-bit word: lanes off, off + 1\n"
          "    wire [15:0] a_w0 = a_hi ? a_data[31:16] : a_data[15:0];  // the half's word\n"
          "    wire [15:0] a_w1 = a_data[31:16];                         // a_two: the high word\n"
          "    wire a_done = (g_take || v_take) && (!a_span || a_hi);    // the word's last half\n"
          "    wire empty = !a_valid && !gb_valid && !vb_valid;  // nothing taken is unwritten\n"
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

/* The line buffer of one memory and the request it sends. In the text, @p is
 * the port prefix (g, v), @b the buffer's (gb, vb). */
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
    "    wire @p_send = @b_valid && (a_@p && @p_other || &@b_mask || fl);\n"
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

static void buffers(const wp_widths *w, FILE *out)
{
    char goff[32] = "a_off_h", voff[32] = "a_off_h", gtag[32] = "a_line_h", vtag[32] = "a_line_h";
    char gother[160], vother[320];
    /* the half's offset and line number in each memory's widths */
    if (w->gow < w->ow)
        snprintf(goff, sizeof goff, "a_off_h[%d:0]", w->gow - 1);
    if (w->vow < w->ow)
        snprintf(voff, sizeof voff, "a_off_h[%d:0]", w->vow - 1);
    if (w->aw < w->lw)
        snprintf(gtag, sizeof gtag, "a_line_h[AW-1:0]");
    if (w->vlw < w->lw)
        snprintf(vtag, sizeof vtag, "a_line_h[VLW-1:0]");
    snprintf(gother, sizeof gother,
             "    wire g_other = gb_line != %s;  // the half cannot join: another row\n", gtag);
    snprintf(vother, sizeof vother,
             "    // the half cannot join: another burst, another op, or an accumulate\n"
             "    // onto a lane the buffer already adds\n"
             "    wire v_other = vb_line != %s || vb_acc != a_acc ||\n"
             "                   (a_acc && |(vb_mask & v_amask));\n",
             vtag);
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
    const char *const v[] = {
        "p", "v", "b", "vb", "what", "vault burst", "tagw", "VLW", "lwd", "8*BURST",
        "lanes", "VWPB", "sel", "1", "one", "V_ONE", "off", voff, "tag", vtag,
        "ready", "v_req_ready",
        "extra_reg", "    reg vb_acc;  // 1: an accumulate, 0: a write\n",
        "other", vother,
        "extra_load", "            vb_acc <= a_acc;\n",
        "ports", "    assign v_req_valid = v_send;\n"
                 "    assign v_req_op    = vb_acc ? OP_ACC : OP_WRITE;\n"
                 "    assign v_req_addr  = {vb_line, {BB{1'b0}}};\n"
                 "    assign v_req_wdata = vb_data;\n"
                 "    assign v_req_wmask = vb_mask;\n",
        NULL};
    wp_emit(out, buffer_text, g);
    wp_emit(out, buffer_text, v);
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
    buffers(&w, out);
    control(out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
