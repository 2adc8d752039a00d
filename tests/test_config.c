/* Tests of the parameter table, the configuration loader and its outputs. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tetris.h"

#define CONFIG_DIR TETRIS_SRCDIR "/examples/configs/"
#define BAD_DIR TETRIS_SRCDIR "/tests/bad/"

/* Output of a writer as a NUL-terminated string (caller frees). */
static char *capture(int (*write)(const tetris_config *, FILE *), const tetris_config *cfg)
{
    char *text = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&text, &len);
    cr_assert_not_null(m);
    cr_assert_eq(write(cfg, m), TETRIS_OK);
    fclose(m);
    return text;
}

static int doc_writer(const tetris_config *cfg, FILE *out)
{
    (void)cfg;
    return tetris_config_write_doc(out);
}

static int help_writer(const tetris_config *cfg, FILE *out)
{
    (void)cfg;
    return tetris_config_write_help(out);
}

static size_t param_size(const tetris_param *p)
{
    switch (p->type) {
    case TETRIS_PT_REAL: return sizeof(double);
    case TETRIS_PT_STR: return sizeof ((tetris_config *)0)->name;
    default: return sizeof(int);
    }
}

/* Field-by-field equality through the table (which covers every field). */
static void assert_same_config(const tetris_config *a, const tetris_config *b, const char *what)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    for (size_t i = 0; i < n; i++)
        cr_assert(!memcmp((const char *)a + t[i].offset, (const char *)b + t[i].offset,
                          param_size(&t[i])),
                  "%s: %s differs", what, t[i].key);
}

static void load_ok(const char *name, tetris_config *cfg)
{
    char path[512];
    tetris_error err = {""};
    snprintf(path, sizeof path, CONFIG_DIR "%s.yaml", name);
    int st = tetris_config_load(path, cfg, &err);
    cr_assert_eq(st, TETRIS_OK, "%s: %s", path, err.msg);
}

/* ---------------------------------------------------------------- table */

Test(table, rows_are_well_formed)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    cr_assert_gt(n, 0);
    for (size_t i = 0; i < n; i++) {
        const tetris_param *p = &t[i];
        cr_assert(p->key && *p->key && p->macro && *p->macro && p->doc && *p->doc && p->unit);
        cr_assert_null(strstr(p->doc, "*/"), "%s: doc would end a C comment", p->key);
        cr_assert_null(strchr(p->doc, '|'), "%s: doc would split a Markdown cell", p->key);
        cr_assert_leq(p->offset + param_size(p), sizeof(tetris_config), "%s", p->key);
        cr_assert_eq(p->type == TETRIS_PT_ENUM, p->enum_names != NULL, "%s", p->key);
        if (p->type == TETRIS_PT_INT || p->type == TETRIS_PT_REAL)
            cr_assert(p->min <= p->def && p->def <= p->max, "%s: default out of range", p->key);
        for (size_t j = 0; j < i; j++) {
            cr_assert_str_neq(p->key, t[j].key);
            cr_assert_str_neq(p->macro, t[j].macro);
        }
    }
}

/* Every byte of tetris_config belongs to exactly one row, except alignment
 * padding in front of a double: a field without a row fails here. */
Test(table, covers_every_field_once)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    unsigned char owner[sizeof(tetris_config)] = {0};
    for (size_t i = 0; i < n; i++)
        for (size_t b = t[i].offset; b < t[i].offset + param_size(&t[i]); b++) {
            cr_assert_eq(owner[b], 0, "%s overlaps another row", t[i].key);
            owner[b] = 1;
        }
    for (size_t b = 0; b < sizeof owner;) {
        if (owner[b]) {
            b++;
            continue;
        }
        size_t gap = b;
        while (gap < sizeof owner && !owner[gap])
            gap++;
        cr_assert_lt(gap - b, sizeof(double), "bytes %zu..%zu of tetris_config have no row", b,
                     gap);
        b = gap;
    }
}

/* The YAML writer and the docs group rows by section: each section is contiguous. */
Test(table, sections_are_contiguous)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    for (size_t i = 1; i < n; i++) {
        const char *dot = strchr(t[i].key, '.');
        if (!dot)
            continue;
        size_t len = (size_t)(dot - t[i].key) + 1;
        if (!strncmp(t[i - 1].key, t[i].key, len))
            continue;
        for (size_t j = 0; j + 1 < i; j++)
            cr_assert(strncmp(t[j].key, t[i].key, len), "section of %s is split", t[i].key);
    }
}

/* The name lists follow the enums of tetris.h. */
Test(table, enum_names_match_the_header)
{
    size_t n;
    const tetris_param *t = tetris_params(&n);
    int seen = 0;
    for (size_t i = 0; i < n; i++) {
        const char *const *e = t[i].enum_names;
        if (t[i].offset == offsetof(tetris_config, dram_page_policy)) {
            cr_assert_str_eq(e[TETRIS_PAGE_CLOSED], "closed");
            cr_assert_str_eq(e[TETRIS_PAGE_OPEN], "open");
            cr_assert_null(e[2]);
            seen++;
        }
        if (t[i].offset == offsetof(tetris_config, accum)) {
            cr_assert_str_eq(e[TETRIS_ACCUM_NONE], "none");
            cr_assert_str_eq(e[TETRIS_ACCUM_CONTROLLER], "controller");
            cr_assert_str_eq(e[TETRIS_ACCUM_DRAM_DIE], "dram_die");
            cr_assert_str_eq(e[TETRIS_ACCUM_BANK], "bank");
            cr_assert_null(e[4]);
            seen++;
        }
    }
    cr_assert_eq(seen, 2);
}

/* ---------------------------------------------------------------- defaults */

Test(defaults, are_t16_and_valid)
{
    tetris_config c;
    tetris_error err = {""};
    tetris_config_defaults(&c);
    cr_assert_eq(tetris_config_validate(&c, NULL, &err), TETRIS_OK, "%s", err.msg);
    cr_assert_str_eq(c.name, "t16");
    cr_assert_eq(c.array_h, 14);
    cr_assert_eq(c.rf_filter_words + c.rf_ifmap_words + c.rf_psum_words, 256);
    cr_assert_eq(c.gbuf_bytes, 133032);
    cr_assert_eq(c.accum, TETRIS_ACCUM_DRAM_DIE);
    cr_assert_eq(c.dram_page_policy, TETRIS_PAGE_CLOSED);
    cr_assert_float_eq(c.e_rf_pj, 0.6, 1e-12);

    tetris_config t16;
    load_ok("t16", &t16);
    assert_same_config(&c, &t16, "defaults vs t16.yaml");
}

Test(defaults, derived_constants)
{
    tetris_config c;
    tetris_derived d;
    tetris_config_defaults(&c);
    tetris_config_derive(&c, &d);
    cr_assert_eq(d.pes, 196);
    cr_assert_eq(d.engines, 16);
    cr_assert_eq(d.gbuf_words, 66516);
    cr_assert_eq(d.gbuf_bank_rows, 16629);
    cr_assert_float_eq(d.vault_bytes_per_cycle, 20.0, 1e-12);
    cr_assert_eq(d.vault_capacity, 268435456u);

    tetris_arith a;
    tetris_arith_from_config(&c, &a);
    cr_assert_eq(a.word_bits, 16);
    cr_assert_eq(a.acc_bits, 32);
    cr_assert_eq(a.frac_bits, 8);
}

/* ---------------------------------------------------------------- examples */

Test(examples, l1)
{
    tetris_config c;
    load_ok("l1", &c);
    cr_assert_str_eq(c.name, "l1");
    cr_assert_eq(c.vault_rows * c.vault_cols, 1);
    cr_assert_eq(c.array_h, 16);
    cr_assert_eq(c.array_w, 16);
    cr_assert_eq((c.rf_filter_words + c.rf_ifmap_words + c.rf_psum_words) * 2, 1024);
    cr_assert_eq(c.gbuf_bytes, 576056);
    cr_assert_float_eq(c.vault_gbps, 12.8, 1e-12);
    cr_assert_eq(c.accum, TETRIS_ACCUM_NONE);
    cr_assert_float_eq(c.e_dram_pj, 240, 1e-12);
    cr_assert_float_eq(c.e_gbuf_pj, 28, 1e-12);
    cr_assert_float_eq(c.e_rf_pj, 1, 1e-12);
    cr_assert_float_eq(c.e_noc_pj, 0, 1e-12);
    cr_assert_float_eq(c.e_static_pj, 320, 1e-12);
}

Test(examples, eyeriss)
{
    tetris_config c;
    load_ok("eyeriss", &c);
    cr_assert_str_eq(c.name, "eyeriss");
    cr_assert_eq(c.array_h, 12);
    cr_assert_eq(c.array_w, 14);
    cr_assert_eq(c.rf_filter_words, 225);
    cr_assert_eq(c.rf_ifmap_words, 12);
    cr_assert_eq(c.rf_psum_words, 24);
    cr_assert_eq(c.gbuf_bytes, 108 * 1024);
    cr_assert_float_eq(c.clock_mhz, 200, 1e-12);
    cr_assert_float_eq(c.vault_gbps, 1.6, 1e-12);
    cr_assert_eq(c.accum, TETRIS_ACCUM_NONE);
    cr_assert_float_eq(c.e_dram_pj, 460, 1e-12);
    cr_assert_float_eq(c.e_gbuf_pj, 15, 1e-12);
    /* 30 mW static at 200 MHz */
    cr_assert_float_eq(c.e_static_pj * c.clock_mhz * 1e6 * 1e-12, 0.030, 1e-12);
}

Test(examples, small)
{
    tetris_config c;
    tetris_derived d;
    load_ok("small", &c);
    tetris_config_derive(&c, &d);
    cr_assert_str_eq(c.name, "small");
    cr_assert_eq(d.engines, 1);
    cr_assert_eq(c.array_h, 4);
    cr_assert_eq(c.array_w, 6);
    cr_assert_eq(c.max_kernel, 11);
    cr_assert_eq(c.rf_filter_words, 64);
    cr_assert_eq(c.rf_ifmap_words, 16);
    cr_assert_eq(c.rf_psum_words, 8);
    cr_assert_eq(c.gbuf_bytes, 8192);
    cr_assert_eq(c.gbuf_banks, 2);
    cr_assert_eq(c.gbuf_bank_bits, 32);
    cr_assert_eq(d.gbuf_bank_rows, 1024);
    cr_assert_eq(c.dram_banks, 4);
    cr_assert_eq(c.dram_rows, 4096);
    cr_assert_eq(d.vault_capacity, 4u << 20);
    cr_assert_eq(c.accum, TETRIS_ACCUM_CONTROLLER);
    cr_assert_float_eq(c.e_dram_pj, 80, 1e-12);
}

/* Every example writes out every key, so its text names all of them. */
Test(examples, write_every_key)
{
    static const char *const names[] = {"t16", "l1", "eyeriss", "small"};
    size_t n;
    const tetris_param *t = tetris_params(&n);
    for (size_t e = 0; e < sizeof names / sizeof names[0]; e++) {
        char path[512];
        snprintf(path, sizeof path, CONFIG_DIR "%s.yaml", names[e]);
        FILE *f = fopen(path, "r");
        cr_assert_not_null(f, "%s", path);
        char text[8192];
        size_t len = fread(text, 1, sizeof text - 1, f);
        fclose(f);
        text[len] = '\0';
        for (size_t i = 0; i < n; i++) {
            const char *dot = strchr(t[i].key, '.');
            char sub[64];
            snprintf(sub, sizeof sub, "%s:", dot ? dot + 1 : t[i].key);
            cr_expect_not_null(strstr(text, sub), "%s does not set %s", path, t[i].key);
        }
    }
}

/* ---------------------------------------------------------------- round trip */

static void round_trip(const tetris_config *c)
{
    char path[] = "/tmp/tetris_config_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    cr_assert_eq(tetris_config_write_yaml(c, f), TETRIS_OK);
    fclose(f);
    tetris_config back;
    tetris_error err = {""};
    int st = tetris_config_load(path, &back, &err);
    unlink(path);
    cr_assert_eq(st, TETRIS_OK, "%s", err.msg);
    assert_same_config(c, &back, c->name);
    cr_assert_eq(tetris_config_hash(c), tetris_config_hash(&back));
}

Test(round_trip, examples_and_odd_values)
{
    static const char *const names[] = {"t16", "l1", "eyeriss", "small"};
    tetris_config c;
    for (size_t e = 0; e < sizeof names / sizeof names[0]; e++) {
        load_ok(names[e], &c);
        round_trip(&c);
    }
    /* reals that need 17 digits, enum ends, extreme ints */
    tetris_config_defaults(&c);
    snprintf(c.name, sizeof c.name, "odd-1.x_y");
    c.clock_mhz = 1.0 / 3.0 * 1000;
    c.vault_gbps = 0.1 + 0.2;
    c.e_rf_pj = 1e-5;
    c.e_static_pj = 999999.99999999988;
    c.accum = TETRIS_ACCUM_BANK;
    c.dram_page_policy = TETRIS_PAGE_OPEN;
    c.gbuf_bytes = 1 << 30;
    c.frac_bits = 0;
    round_trip(&c);
}

Test(round_trip, hash_names_the_content)
{
    tetris_config a, b;
    tetris_config_defaults(&a);
    tetris_config_defaults(&b);
    cr_assert_eq(tetris_config_hash(&a), tetris_config_hash(&b));
    cr_assert_neq(tetris_config_hash(&a), 0);
    b.e_rf_pj = 0.7;
    cr_assert_neq(tetris_config_hash(&a), tetris_config_hash(&b));
    b = a;
    b.array_w = 13;
    cr_assert_neq(tetris_config_hash(&a), tetris_config_hash(&b));
}

/* ---------------------------------------------------------------- outputs */

Test(outputs, help_doc_header_name_every_key)
{
    tetris_config c;
    tetris_config_defaults(&c);
    char *help = capture(help_writer, NULL);
    char *doc = capture(doc_writer, NULL);
    char *hdr = capture(tetris_config_write_header, &c);
    size_t n;
    const tetris_param *t = tetris_params(&n);
    for (size_t i = 0; i < n; i++) {
        char macro[96], key[96];
        snprintf(macro, sizeof macro, "#define TETRIS_P_%s ", t[i].macro);
        snprintf(key, sizeof key, "`%s`", t[i].key);
        cr_expect_not_null(strstr(help, t[i].key), "help lacks %s", t[i].key);
        cr_expect_not_null(strstr(doc, key), "doc lacks %s", t[i].key);
        cr_expect_not_null(strstr(hdr, macro), "header lacks %s", macro);
        cr_expect_not_null(strstr(help, t[i].doc), "help lacks the doc of %s", t[i].key);
    }
    /* one line per parameter plus a heading */
    size_t lines = 0;
    for (const char *s = help; *s; s++)
        lines += *s == '\n';
    cr_assert_eq(lines, n + 1);
    free(help);
    free(doc);
    free(hdr);
}

Test(outputs, header_values)
{
    tetris_config c;
    load_ok("small", &c);
    char *hdr = capture(tetris_config_write_header, &c);
    char hash[64];
    snprintf(hash, sizeof hash, "#define TETRIS_P_CONFIG_HASH 0x%016llxULL\n",
             (unsigned long long)tetris_config_hash(&c));
    static const char *const want[] = {
        "#ifndef TETRIS_PARAMS_H\n#define TETRIS_PARAMS_H\n",
        "#define TETRIS_P_CONFIG_NAME \"small\"\n",
        "#define TETRIS_P_ARRAY_H 4\n",
        "#define TETRIS_P_ARRAY_W 6\n",
        "#define TETRIS_P_CLOCK_MHZ 500.0\n",
        "#define TETRIS_P_E_RF_PJ 0.6\n",
        "#define TETRIS_P_ACCUM_LOCATION 1\n",
        "#define TETRIS_P_ACCUM_LOCATION_NAME \"controller\"\n",
        "#define TETRIS_P_ACCUM_LOCATION_DRAM_DIE 2\n",
        "#define TETRIS_P_DRAM_PAGE_POLICY_OPEN 1\n",
        "#define TETRIS_P_PES 24\n",
        "#define TETRIS_P_ENGINES 1\n",
        "#define TETRIS_P_GBUF_WORDS 4096\n",
        "#define TETRIS_P_GBUF_BANK_ROWS 1024\n",
        "#define TETRIS_P_VAULT_BYTES_PER_CYCLE 20.0\n",
        "#define TETRIS_P_VAULT_CAPACITY 4194304ULL\n",
        "#endif /* TETRIS_PARAMS_H */\n",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_not_null(strstr(hdr, want[i]), "header lacks %s", want[i]);
    cr_expect_not_null(strstr(hdr, hash), "header lacks %s", hash);
    cr_expect_not_null(strstr(hdr, tetris_version()));
    free(hdr);
}

Test(outputs, header_refuses_invalid_config)
{
    tetris_config c;
    tetris_config_defaults(&c);
    c.acc_bits = 8;
    FILE *f = fopen("/dev/null", "w");
    cr_assert_not_null(f);
    cr_assert_eq(tetris_config_write_header(&c, f), TETRIS_EINVAL);
    fclose(f);
}

/* `tetris config --doc` prints this function's output; docs/config.md must be it. */
Test(outputs, docs_config_md_is_current)
{
    char *doc = capture(doc_writer, NULL);
    FILE *f = fopen(TETRIS_SRCDIR "/docs/config.md", "r");
    cr_assert_not_null(f);
    char *file = calloc(1, strlen(doc) + 2);
    cr_assert_not_null(file);
    size_t len = fread(file, 1, strlen(doc) + 1, f);
    fclose(f);
    cr_expect(len == strlen(doc) && !memcmp(file, doc, len),
              "docs/config.md is stale: regenerate it with `tetris config --doc`");
    free(file);
    free(doc);
}

/* ---------------------------------------------------------------- validation */

Test(validate, struct_errors_have_no_line)
{
    tetris_config c;
    tetris_error err = {""};
    tetris_config_defaults(&c);
    c.array_h = 0;
    cr_assert_eq(tetris_config_validate(&c, NULL, &err), TETRIS_EINVAL);
    cr_assert_str_eq(err.msg, "array.h: 0 is out of range [1, 64]");
    cr_assert_eq(tetris_config_validate(&c, "x.yaml", &err), TETRIS_EINVAL);
    cr_assert_str_eq(err.msg, "x.yaml: array.h: 0 is out of range [1, 64]");

    tetris_config_defaults(&c);
    c.accum = 4;
    cr_assert_eq(tetris_config_validate(&c, NULL, &err), TETRIS_EINVAL);
    cr_assert_str_eq(err.msg, "accum.location: 4 is out of range [0, 3]");

    tetris_config_defaults(&c);
    memset(c.name, 'a', sizeof c.name); /* no terminator */
    cr_assert_eq(tetris_config_validate(&c, NULL, &err), TETRIS_EINVAL);
    cr_assert_str_eq(err.msg, "name: longer than 63 characters");

    tetris_config_defaults(&c);
    c.gbuf_banks = 5;
    cr_assert_eq(tetris_config_validate(&c, NULL, &err), TETRIS_EINVAL);
    cr_assert_not_null(strstr(err.msg, "gbuf.bytes: gbuf.bytes (133032) must be a multiple"));

    cr_assert_eq(tetris_config_validate(&c, NULL, NULL), TETRIS_EINVAL, "err may be NULL");
}

Test(validate, load_failure_keeps_cfg)
{
    tetris_config c, before;
    tetris_error err = {""};
    tetris_config_defaults(&c);
    c.array_w = 7;
    before = c;
    cr_assert_eq(tetris_config_load(BAD_DIR "config_range_low.yaml", &c, &err), TETRIS_EINVAL);
    assert_same_config(&before, &c, "after a failed load");
    static const char missing[] = BAD_DIR "no_such_file.yaml";
    cr_assert_eq(tetris_config_load(missing, &c, &err), TETRIS_EIO);
    cr_assert(!strncmp(err.msg, missing, strlen(missing)), "%s", err.msg);
    assert_same_config(&before, &c, "after a failed open");
}

/* Missing keys take their defaults; the others keep the file's values. */
Test(validate, partial_file_over_defaults)
{
    tetris_config c, def;
    tetris_config_defaults(&def);
    char path[] = "/tmp/tetris_config_XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs("# only two keys\narray:\n  w: 9\naccum: {location: bank}\n", f);
    fclose(f);
    tetris_error err = {""};
    int st = tetris_config_load(path, &c, &err);
    unlink(path);
    cr_assert_eq(st, TETRIS_OK, "%s", err.msg);
    cr_assert_eq(c.array_w, 9);
    cr_assert_eq(c.accum, TETRIS_ACCUM_BANK);
    c.array_w = def.array_w;
    c.accum = def.accum;
    assert_same_config(&def, &c, "partial file");
}

/* ---------------------------------------------------------------- bad files */

/* The "# expect: " first line of a bad file, without its newline. */
static void read_expect(const char *path, char *out, size_t size)
{
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "%s", path);
    char line[512] = "";
    cr_assert_not_null(fgets(line, sizeof line, f), "%s is empty", path);
    fclose(f);
    static const char tag[] = "# expect: ";
    cr_assert(!strncmp(line, tag, strlen(tag)), "%s: first line must be '%s...'", path, tag);
    line[strcspn(line, "\n")] = '\0';
    snprintf(out, size, "%s", line + strlen(tag));
}

static void check_bad_file(const char *path)
{
    char expect[512];
    read_expect(path, expect, sizeof expect);
    tetris_config c;
    tetris_error err = {""};
    int st = tetris_config_load(path, &c, &err);
    cr_expect_eq(st, TETRIS_EINVAL, "%s: status %d (%s)", path, st, err.msg);
    cr_expect_null(strchr(err.msg, '\n'), "%s: message is not one line: %s", path, err.msg);
    cr_expect(!strncmp(err.msg, path, strlen(path)), "%s: message does not start with the path: %s",
              path, err.msg);
    cr_expect_not_null(strstr(err.msg, expect), "%s: message '%s' lacks '%s'", path, err.msg,
                       expect);
}

Test(bad_files, each_fails_with_its_message)
{
    DIR *d = opendir(BAD_DIR);
    cr_assert_not_null(d);
    int count = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "config_", 7) || len < 5 || strcmp(e->d_name + len - 5, ".yaml"))
            continue;
        char path[1024];
        snprintf(path, sizeof path, BAD_DIR "%s", e->d_name);
        check_bad_file(path);
        count++;
    }
    closedir(d);
    cr_assert_geq(count, 12, "only %d bad configs", count);
}

/* tetris_config_set: the command-line path into the same table and checks. */
Test(config, set_from_text)
{
    tetris_config cfg;
    tetris_config_defaults(&cfg);
    tetris_error err;
    cr_assert_eq(tetris_config_set(&cfg, "array.h", "8", &err), 0, "%s", err.msg);
    cr_assert_eq(cfg.array_h, 8);
    cr_assert_eq(tetris_config_set(&cfg, "dram.page_policy", "open", &err), 0, "%s", err.msg);
    cr_assert_eq(cfg.dram_page_policy, TETRIS_PAGE_OPEN);
    cr_assert_eq(tetris_config_set(&cfg, "dram.gbps", "12.5", &err), 0, "%s", err.msg);
    cr_assert_float_eq(cfg.vault_gbps, 12.5, 1e-12);
    cr_assert_eq(tetris_config_set(&cfg, "name", "sweep-1", &err), 0, "%s", err.msg);
    cr_assert_str_eq(cfg.name, "sweep-1");
    tetris_config before = cfg;
    cr_assert_eq(tetris_config_set(&cfg, "array.h", "0", &err), TETRIS_EINVAL);
    cr_assert(strstr(err.msg, "array.h: 0 is out of range") != NULL, "%s", err.msg);
    cr_assert_eq(tetris_config_set(&cfg, "array.hh", "4", &err), TETRIS_EINVAL);
    cr_assert(strstr(err.msg, "array.hh: unknown parameter") != NULL, "%s", err.msg);
    cr_assert_eq(tetris_config_set(&cfg, "accum.location", "everywhere", &err), TETRIS_EINVAL);
    cr_assert_eq(tetris_config_set(&cfg, "array.h", "4x", &err), TETRIS_EINVAL);
    /* a cross-check: the ifmap scratchpad must hold a window of max_kernel */
    cr_assert_eq(tetris_config_set(&cfg, "rf.ifmap_words", "3", &err), TETRIS_EINVAL);
    cr_assert_eq(memcmp(&before, &cfg, sizeof cfg), 0, "a failed set must leave cfg unchanged");
}
