// The word addresses that the word-port testbenches (tb_rdport, tb_wrport)
// draw: sequential runs, words in the same line and random words, over the
// GBUF (word addresses) and over one or more vault rows (byte offsets, the
// rows walked in turn or at random, as the engine's streams walk theirs).
#ifndef TETRIS_TB_ADDR_WALK_H
#define TETRIS_TB_ADDR_WALK_H

#include <cstddef>
#include <cstdint>

#include "testutil.h"

// The sequential cursors and the draw of the next word. K is a testbench's
// knobs: seq and same_line (percent of words that continue the run, and of
// the others that stay in the line), rows (vault rows walked, >= 1) and
// rows_turn (percent of vault words that go to the next row in turn).
template <std::size_t Rows> struct AddrWalk {
    uint32_t gcur = 0, vcur = 0; // GBUF word address; vault byte offset
    uint32_t vrow[Rows] = {};    // the vault rows' cursors, byte offsets
    int row = 0;                 // the row walked last

    // The next word's byte offset in its space: the GBUF's (span 16-bit
    // words, lines of line words) or the vault's. A 32-bit (wide) word is
    // 4-byte aligned unless odd, and stays inside the space; the cursor moves
    // past it.
    template <typename K>
    uint32_t next(uint64_t &s, const K &k, bool gb, uint32_t span, uint32_t line, bool wide, bool odd)
    {
        if (!gb && k.rows > 1) // the next row in turn, or a random one
            row = test_rnd(&s, 1, 100) <= k.rows_turn ? (row + 1) % k.rows : test_rnd(&s, 0, k.rows - 1);
        uint32_t &cur = gb ? gcur : k.rows > 1 ? vrow[static_cast<std::size_t>(row)] : vcur;
        uint32_t step = gb ? 1u : 2u; // the cursor's unit: a word, or 2 bytes
        uint32_t w = cur / step;      // word index
        if (test_rnd(&s, 1, 100) <= k.seq) {
            // the next word (or the word after a 32-bit one: cur already moved)
        } else if (test_rnd(&s, 1, 100) <= k.same_line * 100 / (100 - k.seq + 1)) {
            w = w / line * line + static_cast<uint32_t>(test_rnd(&s, 0, static_cast<int>(line) - 1));
        } else {
            w = static_cast<uint32_t>(test_rnd(&s, 0, static_cast<int>(span) - 1));
        }
        if (wide && !odd)
            w &= ~1u;
        if (w + (wide ? 1u : 0u) >= span)
            w = wide ? span - 2 : span - 1;
        cur = (w + (wide ? 2u : 1u)) % (span - 1) * step;
        return 2 * w;
    }
};

#endif
