/* Status names, version string and the counter name table. */
#include "config.h"

#include <string.h>

#include "tetris.h"

const char *tetris_strerror(int status)
{
    switch (status) {
    case TETRIS_OK: return "ok";
    case TETRIS_EINVAL: return "invalid input";
    case TETRIS_ENOMEM: return "out of memory";
    case TETRIS_EIO: return "input/output error";
    case TETRIS_EFIT: return "does not fit the hardware";
    case TETRIS_EMISMATCH: return "outputs differ";
    default: return "unknown error";
    }
}

const char *tetris_version(void)
{
    return PACKAGE_VERSION;
}

static const char *const counter_names[TETRIS_CNT_COUNT] = {
#define TETRIS_X_NAME(e, n, d) n,
    TETRIS_COUNTERS(TETRIS_X_NAME)
#undef TETRIS_X_NAME
};

static const char *const counter_docs[TETRIS_CNT_COUNT] = {
#define TETRIS_X_DOC(e, n, d) d,
    TETRIS_COUNTERS(TETRIS_X_DOC)
#undef TETRIS_X_DOC
};

const char *tetris_counter_name(enum tetris_counter c)
{
    return (unsigned)c < TETRIS_CNT_COUNT ? counter_names[c] : "?";
}

const char *tetris_counter_doc(enum tetris_counter c)
{
    return (unsigned)c < TETRIS_CNT_COUNT ? counter_docs[c] : "?";
}

void tetris_counters_add(tetris_counters *dst, const tetris_counters *src)
{
    for (int i = 0; i < TETRIS_CNT_COUNT; i++)
        dst->v[i] += src->v[i];
}
