/* Helpers shared by the test programs: a fixed pseudo-random sequence, so
 * every run draws the same shapes, blockings and data. */
#ifndef TETRIS_TESTUTIL_H
#define TETRIS_TESTUTIL_H

#include <stdint.h>

/* splitmix64: the next value of the sequence in *s. */
static inline uint64_t test_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static inline int test_rnd(uint64_t *s, int lo, int hi)
{
    return lo + (int)(test_next(s) % (uint64_t)(hi - lo + 1));
}

/* A random permutation of {0, 1, 2} (a loop order). */
static inline void test_perm3(uint64_t *s, int o[3])
{
    o[0] = 0, o[1] = 1, o[2] = 2;
    for (int i = 2; i > 0; i--) {
        int j = test_rnd(s, 0, i), t = o[i];
        o[i] = o[j];
        o[j] = t;
    }
}

#endif
