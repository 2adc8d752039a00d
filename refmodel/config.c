/*
 * Loading and checking configurations: a YAML file is read over the defaults
 * row by row of the parameter table, then every value is range-checked and
 * the cross-checks between parameters run. Errors name the file, the line of
 * the offending key and the dotted key.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

/* Every table row describes a distinct field at least an int wide, so this
 * bounds the table length at compile time (size of the per-row line arrays). */
#define MAX_PARAMS (sizeof(tetris_config) / sizeof(int))

/* Room for a dotted key or a list of valid keys in messages. */
#define LIST_LEN 256

/* Where errors go: the file and the line of each row's key (NULL when a
 * struct is validated; 0 for a key the file does not set). */
typedef struct where {
    const char *file;
    const int *lines;
    tetris_error *err;
} where;

static int find_param(const char *key)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    for (size_t i = 0; i < n; i++)
        if (!strcmp(t[i].key, key))
            return (int)i;
    return -1;
}

static int line_of(const where *w, const char *key)
{
    int i = find_param(key);
    return (w->lines && i >= 0) ? w->lines[i] : 0;
}

static int vfail(const where *w, const char *key, const char *fmt, va_list ap)
{
    char msg[384];
    vsnprintf(msg, sizeof msg, fmt, ap);
    return tetris_fail(w->err, TETRIS_EINVAL, w->file, line_of(w, key), key, "%s", msg);
}

static int fail(const where *w, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(const where *w, const char *key, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int st = vfail(w, key, fmt, ap);
    va_end(ap);
    return st;
}

/* ------------------------------------------------------------------------ */
/* Per-parameter checks (shared by the loader and validation)               */
/* ------------------------------------------------------------------------ */

static int check_int(const where *w, const tetris_param *p, long v)
{
    if (v >= p->min && v <= p->max)
        return TETRIS_OK;
    return fail(w, p->key, "%ld is out of range [%.0f, %.0f]", v, p->min, p->max);
}

static int check_real(const where *w, const tetris_param *p, double v)
{
    if (v >= p->min && v <= p->max) /* false for NaN too */
        return TETRIS_OK;
    return fail(w, p->key, "%.15g is out of range [%.15g, %.15g]", v, p->min, p->max);
}

static int enum_count(const tetris_param *p)
{
    int n = 0;
    while (p->enum_names[n])
        n++;
    return n;
}

static int check_enum(const where *w, const tetris_param *p, int v)
{
    if (v >= 0 && v < enum_count(p))
        return TETRIS_OK;
    return fail(w, p->key, "%d is out of range [0, %d]", v, enum_count(p) - 1);
}

static int name_char(char ch, int first)
{
    int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9');
    return alnum || (!first && (ch == '_' || ch == '.' || ch == '-'));
}

#define NAME_SIZE sizeof(((tetris_config *)0)->name)

/* The name appears in generated file names, C strings and Verilog, so it is
 * kept to a plain identifier-like word. len is strnlen(s, NAME_SIZE). */
static int check_name(const where *w, const tetris_param *p, const char *s, size_t len)
{
    if (len == 0)
        return fail(w, p->key, "must not be empty");
    if (len >= NAME_SIZE)
        return fail(w, p->key, "longer than %zu characters", NAME_SIZE - 1);
    for (size_t i = 0; i < len; i++)
        if (!name_char(s[i], i == 0))
            return fail(w, p->key,
                        "character %zu (0x%02x) is not allowed: use letters, digits, '_', '.' "
                        "and '-', starting with a letter or digit",
                        i + 1, (unsigned char)s[i]);
    return TETRIS_OK;
}

static int check_fields(const tetris_config *c, const where *w)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    for (size_t i = 0; i < n; i++) {
        const tetris_param *p = &t[i];
        const char *at = (const char *)c + p->offset;
        int st = TETRIS_OK;
        switch (p->type) {
        case TETRIS_PT_INT: st = check_int(w, p, *(const int *)at); break;
        case TETRIS_PT_REAL: st = check_real(w, p, *(const double *)at); break;
        case TETRIS_PT_ENUM: st = check_enum(w, p, *(const int *)at); break;
        case TETRIS_PT_STR: st = check_name(w, p, at, strnlen(at, NAME_SIZE)); break;
        }
        if (st)
            return st;
    }
    return TETRIS_OK;
}

/* ------------------------------------------------------------------------ */
/* Cross-checks                                                              */
/* ------------------------------------------------------------------------ */

#define KEYS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Report a failed relation against the first of its keys the file sets (the
 * value the user wrote is the one to change), else against the first key. */
static int blame(const where *w, const char *const *keys, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int blame(const where *w, const char *const *keys, const char *fmt, ...)
{
    const char *key = keys[0];
    for (int i = 0; keys[i]; i++)
        if (line_of(w, keys[i]) > 0) {
            key = keys[i];
            break;
        }
    va_list ap;
    va_start(ap, fmt);
    int st = vfail(w, key, fmt, ap);
    va_end(ap);
    return st;
}

static int check_arith(const tetris_config *c, const where *w)
{
    if (c->acc_bits < c->word_bits)
        return blame(w, KEYS("arith.acc_bits", "arith.word_bits"),
                     "arith.acc_bits (%d) must be >= arith.word_bits (%d)", c->acc_bits,
                     c->word_bits);
    if (c->frac_bits >= c->word_bits)
        return blame(w, KEYS("arith.frac_bits", "arith.word_bits"),
                     "arith.frac_bits (%d) must be < arith.word_bits (%d) to keep a sign bit",
                     c->frac_bits, c->word_bits);
    return TETRIS_OK;
}

static int check_rf(const tetris_config *c, const where *w)
{
    if (c->rf_filter_words < c->max_kernel)
        return blame(w, KEYS("rf.filter_words", "array.max_kernel"),
                     "rf.filter_words (%d) must hold one filter row of array.max_kernel (%d) words",
                     c->rf_filter_words, c->max_kernel);
    if (c->rf_ifmap_words < c->max_kernel)
        return blame(w, KEYS("rf.ifmap_words", "array.max_kernel"),
                     "rf.ifmap_words (%d) must hold one ifmap window of array.max_kernel (%d) "
                     "words",
                     c->rf_ifmap_words, c->max_kernel);
    return TETRIS_OK;
}

static int check_gbuf(const tetris_config *c, const where *w)
{
    /* Words of any width sit in 16-bit containers. */
    if (c->gbuf_bank_bits % 16)
        return blame(w, KEYS("gbuf.bank_bits"), "%d is not a multiple of the 16-bit word",
                     c->gbuf_bank_bits);
    int row_bytes = c->gbuf_banks * c->gbuf_bank_bits / 8;
    if (c->gbuf_bytes % row_bytes)
        return blame(w, KEYS("gbuf.bytes", "gbuf.banks", "gbuf.bank_bits"),
                     "gbuf.bytes (%d) must be a multiple of gbuf.banks * gbuf.bank_bits / 8 "
                     "(%d bytes)",
                     c->gbuf_bytes, row_bytes);
    return TETRIS_OK;
}

static int check_dram(const tetris_config *c, const where *w)
{
    if (c->dram_tras < c->dram_trcd)
        return blame(w, KEYS("dram.tras", "dram.trcd"), "dram.tras (%d) must be >= dram.trcd (%d)",
                     c->dram_tras, c->dram_trcd);
    if (c->dram_burst_bytes & (c->dram_burst_bytes - 1))
        return blame(w, KEYS("dram.burst_bytes"), "%d is not a power of two",
                     c->dram_burst_bytes);
    if (c->dram_row_bytes % c->dram_burst_bytes)
        return blame(w, KEYS("dram.row_bytes", "dram.burst_bytes"),
                     "dram.row_bytes (%d) must be a multiple of dram.burst_bytes (%d)",
                     c->dram_row_bytes, c->dram_burst_bytes);
    /* the vault controller splits addresses into row, bank and column fields */
    int per_row = c->dram_row_bytes / c->dram_burst_bytes;
    if (per_row & (per_row - 1))
        return blame(w, KEYS("dram.row_bytes", "dram.burst_bytes"),
                     "dram.row_bytes / dram.burst_bytes (%d) is not a power of two", per_row);
    if (c->dram_banks & (c->dram_banks - 1))
        return blame(w, KEYS("dram.banks"), "%d is not a power of two", c->dram_banks);
    return TETRIS_OK;
}

static int validate_at(const tetris_config *c, const where *w)
{
    int st = check_fields(c, w);
    if (!st)
        st = check_arith(c, w);
    if (!st)
        st = check_rf(c, w);
    if (!st)
        st = check_gbuf(c, w);
    if (!st)
        st = check_dram(c, w);
    return st;
}

int tetris_config_validate(const tetris_config *cfg, const char *file, tetris_error *err)
{
    where w = {file, NULL, err};
    return validate_at(cfg, &w);
}

/* One value from text (a command line's KEY=VALUE): parsed by its row's
 * type, range-checked, then the whole configuration validated. */
int tetris_config_set(tetris_config *cfg, const char *key, const char *text, tetris_error *err)
{
    where w = {NULL, NULL, err};
    int row = find_param(key);
    if (row < 0)
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, key,
                           "unknown parameter (see 'tetris config --help')");
    size_t n;
    const tetris_param *p = &tetris_params(&n)[row];
    tetris_config next = *cfg;
    char *at = (char *)&next + p->offset;
    long iv;
    double dv;
    int st = TETRIS_OK;
    switch (p->type) {
    case TETRIS_PT_INT:
        st = tetris_text_long(text, &iv) ? fail(&w, key, "expected an integer, found '%s'", text)
                                         : check_int(&w, p, iv);
        if (!st)
            *(int *)at = (int)iv;
        break;
    case TETRIS_PT_REAL:
        st = tetris_text_double(text, &dv) ? fail(&w, key, "expected a number, found '%s'", text)
                                           : check_real(&w, p, dv);
        if (!st)
            *(double *)at = dv;
        break;
    case TETRIS_PT_ENUM: {
        int i = 0;
        while (p->enum_names[i] && strcmp(text, p->enum_names[i]))
            i++;
        if (p->enum_names[i])
            *(int *)at = i;
        else
            st = fail(&w, key, "'%s' is not a valid value (see 'tetris config --help')", text);
        break;
    }
    case TETRIS_PT_STR:
        st = check_name(&w, p, text, strnlen(text, NAME_SIZE));
        if (!st)
            snprintf(at, NAME_SIZE, "%s", text);
        break;
    }
    if (!st)
        st = validate_at(&next, &w);
    if (!st)
        *cfg = next;
    return st;
}

/* ------------------------------------------------------------------------ */
/* Loader                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct loader {
    tetris_yaml *y;
    tetris_config *cfg;
    tetris_error *err;
    int lines[MAX_PARAMS];     /* line of each row's key, 0 = default */
    int sec_lines[MAX_PARAMS]; /* line of each section, indexed by its first row */
} loader;

static where loader_where(const loader *L)
{
    where w = {L->y->path, L->lines, L->err};
    return w;
}

/* Length of the section part of a dotted key (0 for a top-level key). */
static size_t section_len(const char *key)
{
    const char *dot = strchr(key, '.');
    return dot ? (size_t)(dot - key) : 0;
}

/* Is key in the section whose name is the len characters at name? */
static int in_section(const char *key, const char *name, size_t len)
{
    return section_len(key) == len && !strncmp(key, name, len);
}

/* First row of section name, or -1. */
static int find_section(const char *name)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    for (size_t i = 0; i < n; i++)
        if (in_section(t[i].key, name, strlen(name)))
            return (int)i;
    return -1;
}

/* Valid keys for a message: the sub-keys of a section, or the top-level keys
 * and section names when section is NULL (sections are contiguous rows). */
static const char *list_keys(char buf[LIST_LEN], const char *section)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const char *key = t[i].key;
        size_t s = section_len(key);
        int skip = section ? !in_section(key, section, strlen(section))
                           : (i > 0 && s && in_section(t[i - 1].key, key, s));
        if (skip)
            continue;
        const char *item = section ? key + s + 1 : key;
        int len = (int)(section || !s ? strlen(item) : s);
        size_t used = strlen(buf);
        snprintf(buf + used, LIST_LEN - used, "%s%.*s", used ? ", " : "", len, item);
    }
    return buf;
}

static int load_enum(loader *L, const where *w, const tetris_param *p, const yaml_node_t *v)
{
    const char *s = tetris_yaml_scalar(v);
    if (!s)
        return tetris_yaml_expect(L->y, v, YAML_SCALAR_NODE, p->key, L->err);
    for (int i = 0; p->enum_names[i]; i++)
        if (!strcmp(s, p->enum_names[i])) {
            *(int *)((char *)L->cfg + p->offset) = i;
            return TETRIS_OK;
        }
    char names[LIST_LEN] = "";
    for (int i = 0; p->enum_names[i]; i++)
        snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", i ? ", " : "",
                 p->enum_names[i]);
    return fail(w, p->key, "'%s' is not one of %s", s, names);
}

static int load_name(loader *L, const where *w, const tetris_param *p, const yaml_node_t *v)
{
    const char *s = tetris_yaml_scalar(v);
    if (!s)
        return tetris_yaml_expect(L->y, v, YAML_SCALAR_NODE, p->key, L->err);
    char *dst = (char *)L->cfg + p->offset;
    size_t len = strnlen(s, NAME_SIZE);
    int st = check_name(w, p, s, len);
    if (!st) {
        memset(dst, 0, NAME_SIZE);
        memcpy(dst, s, len);
    }
    return st;
}

/* A user string fit for a one-line message: control bytes become '?', and
 * long text is cut. */
static const char *printable(char buf[64], const char *s)
{
    size_t i = 0;
    for (; s[i] && i < 63; i++)
        buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' : s[i];
    buf[i] = '\0';
    if (s[i])
        memcpy(buf + 60, "...", 4);
    return buf;
}

/* Scalars with control characters (quoted escapes, block scalars) would
 * break the one-line error format of later messages, and no value needs them. */
static int check_text(loader *L, const tetris_param *p, const yaml_node_t *v)
{
    const char *s = tetris_yaml_scalar(v);
    for (; s && *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return tetris_fail(L->err, TETRIS_EINVAL, L->y->path, tetris_yaml_line(v), p->key,
                               "value contains a control character");
    return TETRIS_OK;
}

/* One value: k is its key node (whose line is recorded), v the value node. */
static int load_value(loader *L, int row, const yaml_node_t *k, const yaml_node_t *v)
{
    size_t n;
    const tetris_param *p = &tetris_params(&n)[row];
    if (L->lines[row])
        return tetris_fail(L->err, TETRIS_EINVAL, L->y->path, tetris_yaml_line(k), p->key,
                           "duplicate key (first at line %d)", L->lines[row]);
    L->lines[row] = tetris_yaml_line(k);
    where w = loader_where(L);
    char *at = (char *)L->cfg + p->offset;
    long iv;
    double dv;
    int st = check_text(L, p, v);
    if (st)
        return st;
    switch (p->type) {
    case TETRIS_PT_INT:
        st = tetris_yaml_long(L->y, v, p->key, &iv, L->err);
        if (!st)
            st = check_int(&w, p, iv);
        if (!st)
            *(int *)at = (int)iv;
        break;
    case TETRIS_PT_REAL:
        st = tetris_yaml_double(L->y, v, p->key, &dv, L->err);
        if (!st)
            st = check_real(&w, p, dv);
        if (!st)
            *(double *)at = dv;
        break;
    case TETRIS_PT_ENUM: st = load_enum(L, &w, p, v); break;
    case TETRIS_PT_STR: st = load_name(L, &w, p, v); break;
    }
    return st;
}

/* Key node text, or an error when the key is not a scalar. */
static int key_text(loader *L, const yaml_node_t *k, const char *section, const char **out)
{
    *out = tetris_yaml_scalar(k);
    return *out ? TETRIS_OK : tetris_yaml_expect(L->y, k, YAML_SCALAR_NODE, section, L->err);
}

static int unknown_key(loader *L, const yaml_node_t *k, const char *section, const char *name)
{
    char key[LIST_LEN], shown[64], valid[LIST_LEN];
    if (section)
        snprintf(key, sizeof key, "%s.%s", section, printable(shown, name));
    else
        printable(key, name);
    return tetris_fail(L->err, TETRIS_EINVAL, L->y->path, tetris_yaml_line(k), key,
                       "unknown key (valid%s%s: %s)", section ? " in " : "", section ? section : "",
                       list_keys(valid, section));
}

static int load_section_pair(loader *L, const char *section, const yaml_node_pair_t *pr)
{
    const yaml_node_t *k = tetris_yaml_node(L->y, pr->key);
    const char *sub;
    int st = key_text(L, k, section, &sub);
    if (st)
        return st;
    char key[LIST_LEN];
    snprintf(key, sizeof key, "%s.%s", section, sub);
    int row = find_param(key);
    if (row < 0)
        return unknown_key(L, k, section, sub);
    return load_value(L, row, k, tetris_yaml_node(L->y, pr->value));
}

static int load_section(loader *L, int first, const char *name, const yaml_node_t *k,
                        const yaml_node_t *v)
{
    if (L->sec_lines[first])
        return tetris_fail(L->err, TETRIS_EINVAL, L->y->path, tetris_yaml_line(k), name,
                           "duplicate key (first at line %d)", L->sec_lines[first]);
    L->sec_lines[first] = tetris_yaml_line(k);
    int st = tetris_yaml_expect(L->y, v, YAML_MAPPING_NODE, name, L->err);
    if (st)
        return st;
    for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++)
        if ((st = load_section_pair(L, name, pr)))
            return st;
    return TETRIS_OK;
}

static int load_pair(loader *L, const yaml_node_pair_t *pr)
{
    const yaml_node_t *k = tetris_yaml_node(L->y, pr->key);
    const yaml_node_t *v = tetris_yaml_node(L->y, pr->value);
    const char *name;
    int st = key_text(L, k, NULL, &name);
    if (st)
        return st;
    int row = strchr(name, '.') ? -1 : find_param(name);
    if (row >= 0)
        return load_value(L, row, k, v);
    int first = find_section(name);
    if (first >= 0)
        return load_section(L, first, name, k, v);
    return unknown_key(L, k, NULL, name);
}

static int load_root(loader *L)
{
    yaml_node_t *root = tetris_yaml_root(L->y);
    int st = tetris_yaml_expect(L->y, root, YAML_MAPPING_NODE, NULL, L->err);
    if (st)
        return st;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++)
        if ((st = load_pair(L, pr)))
            return st;
    return TETRIS_OK;
}

int tetris_config_load(const char *path, tetris_config *cfg, tetris_error *err)
{
    tetris_yaml y;
    int st = tetris_yaml_open(path, &y, err);
    if (st)
        return st;
    tetris_config c;
    tetris_config_defaults(&c);
    loader L = {.y = &y, .cfg = &c, .err = err};
    st = load_root(&L);
    tetris_yaml_close(&y);
    if (!st) {
        where w = {path, L.lines, err};
        st = validate_at(&c, &w);
    }
    if (!st)
        *cfg = c;
    return st;
}

void tetris_arith_from_config(const tetris_config *cfg, tetris_arith *a)
{
    a->word_bits = cfg->word_bits;
    a->acc_bits = cfg->acc_bits;
    a->frac_bits = cfg->frac_bits;
}
