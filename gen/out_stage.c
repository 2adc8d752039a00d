/*
 * tetris_out_stage: the engine's output stage. A final psum (ACC bits)
 * becomes an ofmap word exactly as the models compute it (docs/arith.md):
 * tetris_out_stage() for convolution and max pooling, tetris_avg_out() for
 * average pooling, whose reciprocal multipliers tetris_avg_mult(area) the
 * generator writes into a ROM here, so that the RTL and the model share one
 * definition. tb/tb_out_stage.cpp compares the two.
 */
#include "gen_internal.h"

#define OS_MULT_BITS 17 /* tetris_avg_mult(1) = 2^16 needs 17 bits */

/* One line "parameter NAME = value,  // doc" of the parameter list, comments aligned. */
static void param(FILE *out, const char *name, const char *value, int last, const char *doc)
{
    char v[48];
    snprintf(v, sizeof v, "%s%s", value, last ? "" : ",");
    fprintf(out, "    parameter %-5s = %-18s // %s\n", name, v, doc);
}

static void header(const tetris_config *cfg, int areas, int area_bits, FILE *out)
{
    char v[24];
    fputs("// The output stage: one final psum in, one ofmap word out, bit-exact to the\n"
          "// models (docs/arith.md):\n"
          "//   op 0 MAC:  tetris_out_stage(acc, cfg_shift, relu): shift right with\n"
          "//              round-half-up, saturate to WB bits, ReLU;\n"
          "//   op 1 max:  tetris_out_stage(acc, 0, relu): saturate, ReLU;\n"
          "//   op 2 avg:  tetris_avg_out(sum, area, relu): sum * mult(area) shifted right by\n"
          "//              16 with round-half-up, saturate, ReLU; mult(area) =\n"
          "//              tetris_avg_mult(area) = round(2^16 / area) from the ROM below;\n"
          "//   op 3:      reserved, computed as op 1.\n"
          "// cfg_* are sampled with each word (in_valid). Rounding uses\n"
          "// round_shift(v, s) = floor(v / 2^s) + bit s-1 of v (s >= 1), which equals\n"
          "// floor((v + 2^(s-1)) / 2^s) without the wide add: stage 1 shifts (or\n"
          "// multiplies and shifts), stage 2 adds the rounding bit and saturates.\n"
          "// Two register stages, one word per cycle: a word taken in cycle t is on\n"
          "// out_data in cycle t + 2 (later only under out_ready back-pressure).\n"
          "module tetris_out_stage #(\n",
          out);
    snprintf(v, sizeof v, "%d", cfg->acc_bits);
    param(out, "ACC", v, 0, "psum bits (arith.acc_bits), 8..32");
    snprintf(v, sizeof v, "%d", cfg->word_bits);
    param(out, "WB", v, 0, "word bits (arith.word_bits): results saturate to WB-bit signed");
    param(out, "SHW", "$clog2(ACC + 1)", 0, "cfg_shift bits: shifts 0..ACC");
    snprintf(v, sizeof v, "%d", area_bits);
    char doc[96];
    snprintf(doc, sizeof doc, "cfg_area bits: areas 1..%d (array.max_kernel %d squared, the ROM)",
             areas, cfg->max_kernel);
    param(out, "AREAW", v, 1, doc);
    fputs(") (\n"
          "    input  wire             clk,\n"
          "    input  wire             rst_n,      // synchronous, active low\n"
          "    // final psums, with the configuration of each\n"
          "    input  wire             in_valid,\n"
          "    output wire             in_ready,   // stage 1 is free or moves on this cycle\n"
          "    input  wire [ACC-1:0]   in_data,    // psum, two's complement (wrapped to ACC bits)\n"
          "    input  wire [1:0]       cfg_op,     // 0 MAC, 1 max pool, 2 average pool, 3 as 1\n"
          "    input  wire [SHW-1:0]   cfg_shift,  // op 0: output shift, 0..ACC bits\n"
          "    input  wire             cfg_relu,   // negative results become 0 (after saturation)\n"
          "    input  wire [AREAW-1:0] cfg_area,   // op 2: window area r*s, 1..KMAX^2 (other\n"
          "                                        // values read multiplier 0: result 0)\n"
          "    // ofmap words\n"
          "    output reg              out_valid,\n"
          "    input  wire             out_ready,\n"
          "    output reg  [15:0]      out_data    // WB-bit result, sign-extended to 16 bits\n"
          ");\n\n",
          out);
}

/* The multiplier ROM: tetris_avg_mult(area) for every area of a window. */
static void rom(int areas, int area_bits, FILE *out)
{
    fprintf(out,
            "    // ---- average-pool multipliers: mult(area) = tetris_avg_mult(area) =\n"
            "    // round(2^16 / area), written by the generator (%d-bit values: 2^16 for area 1)\n"
            "    reg [%d:0] mult;\n"
            "    always @* begin\n"
            "        case (cfg_area)\n",
            OS_MULT_BITS, OS_MULT_BITS - 1);
    for (int a = 1; a <= areas; a++)
        fprintf(out, "            %d'd%d: mult = %d'd%d;\n", area_bits, a, OS_MULT_BITS,
                (int)tetris_avg_mult(a));
    fprintf(out,
            "            default: mult = %d'd0;  // no such window\n"
            "        endcase\n"
            "    end\n\n",
            OS_MULT_BITS);
}

static void stage1(FILE *out)
{
    fprintf(out,
            "    // ---- stage 1: scale. MAC and max: acc >>> shift (shift 0 for max); avg:\n"
            "    // (sum * mult) >>> 16. Each with the rounding bit (bit shift-1 of the value\n"
            "    // before the shift, 0 for shift 0) for stage 2.\n"
            "    localparam PW = ACC + %d;  // |sum * mult| <= 2^(ACC-1) * 2^16: ACC + 17 bits signed\n"
            "    localparam VW = ACC + 1;   // scaled value: the product >>> 16 needs ACC + 1 bits\n"
            "\n"
            "    wire is_mac = cfg_op == 2'd0;\n"
            "    wire is_avg = cfg_op == 2'd2;\n"
            "    wire [SHW-1:0] sh = is_mac ? cfg_shift : {SHW{1'b0}};\n"
            "    wire [ACC-1:0] mac_shifted = $signed(in_data) >>> sh;\n"
            "    wire [ACC:0]   mac_ext = {in_data, 1'b0};  // mac_ext[s] = bit s-1, 0 for s = 0\n"
            "    // the product modulo 2^PW of the sign-extended sum and the unsigned multiplier\n"
            "    // is the exact signed product: it fits PW bits\n"
            "    wire [PW-1:0] sum_x  = {{%d{in_data[ACC-1]}}, in_data};\n"
            "    wire [PW-1:0] mult_x = {{ACC{1'b0}}, mult};\n"
            "    wire [PW-1:0] prod   = sum_x * mult_x;\n"
            "    wire unused_prod_low = ^prod[14:0];  // below the rounding bit of the >>> 16\n"
            "\n"
            "    reg           s1_valid;\n"
            "    reg [VW-1:0]  s1_val;    // floor(v / 2^s), two's complement\n"
            "    reg           s1_round;  // bit s-1 of v: round half up\n"
            "    reg           s1_relu;\n"
            "    wire s2_free = !out_valid || out_ready;  // the output register can load\n"
            "    wire s1_free = !s1_valid || s2_free;     // stage 1 can load\n"
            "    assign in_ready = s1_free;\n"
            "    always @(posedge clk) begin\n"
            "        if (!rst_n)\n"
            "            s1_valid <= 1'b0;\n"
            "        else if (s1_free)\n"
            "            s1_valid <= in_valid;\n"
            "        if (in_valid && s1_free) begin  // data registers: not reset\n"
            "            s1_val   <= is_avg ? prod[PW-1:16] : {mac_shifted[ACC-1], mac_shifted};\n"
            "            s1_round <= is_avg ? prod[15] : mac_ext[sh];\n"
            "            s1_relu  <= cfg_relu;\n"
            "        end\n"
            "    end\n\n",
            OS_MULT_BITS, OS_MULT_BITS);
}

static void stage2(const tetris_config *cfg, FILE *out)
{
    fputs("    // ---- stage 2: round, saturate to WB bits, ReLU. The rounded value cannot\n"
          "    // overflow VW bits: |floor(v / 2^s)| <= 2^(ACC-1) for every op and shift.\n"
          "    wire [VW-1:0] rounded = s1_val + {{(VW-1){1'b0}}, s1_round};\n"
          "    // it fits WB bits when bits VW-1 .. WB-1 are all equal (all sign)\n"
          "    wire [VW-WB:0] top = rounded[VW-1:WB-1];\n"
          "    wire fits = &top | ~|top;\n"
          "    // else the word limit of its sign: -2^(WB-1) or 2^(WB-1) - 1\n"
          "    wire [WB-1:0] sat = fits ? rounded[WB-1:0] : {top[VW-WB], {(WB-1){~top[VW-WB]}}};\n"
          "    wire [WB-1:0] word = s1_relu && sat[WB-1] ? {WB{1'b0}} : sat;\n"
          "    always @(posedge clk) begin\n"
          "        if (!rst_n)\n"
          "            out_valid <= 1'b0;\n"
          "        else if (s2_free)\n"
          "            out_valid <= s1_valid;\n"
          "        if (s1_valid && s2_free)\n",
          out);
    if (cfg->word_bits < 16)
        fprintf(out, "            out_data <= {{%d{word[WB-1]}}, word};  // sign-extended\n",
                16 - cfg->word_bits);
    else
        fputs("            out_data <= word;\n", out);
    fputs("    end\n"
          "endmodule\n",
          out);
}

int gen_out_stage(const tetris_config *cfg, FILE *out)
{
    /* the emitted widths rely on these (tetris_config_validate checks them) */
    if (cfg->word_bits < 2 || cfg->word_bits > 16 || cfg->acc_bits < cfg->word_bits ||
        cfg->acc_bits > 32 || cfg->max_kernel < 1)
        return TETRIS_EINVAL;
    int areas = cfg->max_kernel * cfg->max_kernel;
    int area_bits = tetris_bits_for(areas + 1L);
    header(cfg, areas, area_bits, out);
    rom(areas, area_bits, out);
    stage1(out);
    stage2(cfg, out);
    return ferror(out) ? TETRIS_EIO : TETRIS_OK;
}
