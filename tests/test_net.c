/* Network loader: bundled nets, shapes and MACs, named loading, malformed files. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tetris.h"

#define NETS TETRIS_SRCDIR "/examples/nets"
#define BAD TETRIS_SRCDIR "/tests/bad"

static void load_ok(const char *name, tetris_net *net)
{
    tetris_error err = { "" };
    int rc = tetris_net_load_named(name, NETS, net, &err);
    cr_assert_eq(rc, TETRIS_OK, "%s: %s", name, err.msg);
}

static const tetris_layer *layer(const tetris_net *net, const char *name)
{
    int i = tetris_net_find(net, name);
    cr_assert_geq(i, 0, "no layer %s in %s", name, net->name);
    return &net->layers[i];
}

static int count_type(const tetris_net *net, enum tetris_layer_type t)
{
    int n = 0;
    for (int i = 0; i < net->n_layers; i++)
        n += net->layers[i].type == t;
    return n;
}

/* Sum of MACs at batch 1 of the layers of one type. */
static uint64_t macs_of(const tetris_net *net, enum tetris_layer_type t)
{
    uint64_t sum = 0;
    for (int i = 0; i < net->n_layers; i++)
        if (net->layers[i].type == t)
            sum += tetris_layer_macs(&net->layers[i], 1);
    return sum;
}

static void expect_shape(const tetris_layer *l, int c, int hi, int m, int ho, int r, int stride,
                         int pad)
{
    cr_expect_eq(l->c, c, "%s.c", l->name);
    cr_expect_eq(l->hi, hi, "%s.hi", l->name);
    cr_expect_eq(l->wi, hi, "%s.wi", l->name);
    cr_expect_eq(l->m, m, "%s.m", l->name);
    cr_expect_eq(l->ho, ho, "%s.ho", l->name);
    cr_expect_eq(l->wo, ho, "%s.wo", l->name);
    cr_expect_eq(l->r, r, "%s.r", l->name);
    cr_expect_eq(l->s, r, "%s.s", l->name);
    cr_expect_eq(l->stride, stride, "%s.stride", l->name);
    cr_expect_eq(l->pad, pad, "%s.pad", l->name);
}

/* Every layer's ifmap is its producers' ofmap (the chain the loader resolved). */
static void expect_consistent(const tetris_net *net)
{
    for (int i = 0; i < net->n_layers; i++) {
        const tetris_layer *l = &net->layers[i];
        cr_expect_gt(l->ho, 0, "%s", l->name);
        cr_expect_eq(l->c % l->groups, 0, "%s", l->name);
        if (l->n_inputs == 0) {
            cr_expect(l->c == net->in_c && l->hi == net->in_h && l->wi == net->in_w, "%s",
                      l->name);
            continue;
        }
        int c = 0;
        for (int k = 0; k < l->n_inputs; k++) {
            const tetris_layer *p = &net->layers[l->inputs[k]];
            cr_expect_lt(l->inputs[k], i, "%s", l->name);
            cr_expect(p->ho == l->hi && p->wo == l->wi, "%s <- %s", l->name, p->name);
            c = l->merge == TETRIS_MERGE_ADD ? p->m : c + p->m;
        }
        cr_expect_eq(l->c, c, "%s", l->name);
    }
}

Test(net, alexnet)
{
    tetris_net net;
    load_ok("alexnet", &net);
    cr_expect_str_eq(net.name, "alexnet");
    cr_expect(net.in_c == 3 && net.in_h == 227 && net.in_w == 227);
    cr_assert_eq(net.n_layers, 11);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_CONV), 5);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_MAXPOOL), 3);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_FC), 3);
    expect_consistent(&net);

    const tetris_layer *c1 = layer(&net, "conv1");
    expect_shape(c1, 3, 227, 96, 55, 11, 4, 0);
    cr_expect_eq(c1->n_inputs, 0);
    cr_expect(c1->relu && c1->bias && c1->groups == 1);
    cr_expect_eq(c1->shift, TETRIS_SHIFT_AUTO);
    cr_expect_eq(c1->line, 9);
    cr_expect_eq(tetris_layer_macs(c1, 1), 105415200u);
    cr_expect_eq(tetris_layer_macs(c1, 16), 16u * 105415200u);
    expect_shape(layer(&net, "pool1"), 96, 55, 96, 27, 3, 2, 0);
    expect_shape(layer(&net, "conv2"), 96, 27, 256, 27, 5, 1, 2);
    expect_shape(layer(&net, "conv3"), 256, 13, 384, 13, 3, 1, 1);
    expect_shape(layer(&net, "conv4"), 384, 13, 384, 13, 3, 1, 1);
    expect_shape(layer(&net, "conv5"), 384, 13, 256, 13, 3, 1, 1);
    expect_shape(layer(&net, "pool5"), 256, 13, 256, 6, 3, 2, 0);
    /* fc: the filter covers the whole ifmap */
    expect_shape(layer(&net, "fc1"), 256, 6, 4096, 1, 6, 1, 0);
    expect_shape(layer(&net, "fc2"), 4096, 1, 4096, 1, 1, 1, 0);
    expect_shape(layer(&net, "fc3"), 4096, 1, 1000, 1, 1, 1, 0);
    cr_expect(!layer(&net, "fc3")->relu);
    cr_expect(!layer(&net, "pool1")->bias);
    /* pooling counts window operations: 96 x 27 x 27 windows of 3x3 */
    cr_expect_eq(tetris_layer_macs(layer(&net, "pool1"), 1), 96u * 27 * 27 * 9);
    cr_expect_eq(tetris_layer_macs(layer(&net, "fc1"), 1), 256u * 36 * 4096);
    /* the well-known ~1.07 G conv MACs of ungrouped AlexNet */
    cr_expect_eq(macs_of(&net, TETRIS_LAYER_CONV), 1076634144u);
    tetris_net_free(&net);
}

Test(net, alexnet_grouped)
{
    tetris_net net, flat;
    load_ok("alexnet_grouped", &net);
    load_ok("alexnet", &flat);
    cr_expect_str_eq(net.name, "alexnet_grouped");
    cr_assert_eq(net.n_layers, 11);
    expect_consistent(&net);
    const char *grouped[] = { "conv2", "conv4", "conv5" };
    for (size_t i = 0; i < 3; i++) {
        const tetris_layer *g = layer(&net, grouped[i]);
        cr_expect_eq(g->groups, 2, "%s", grouped[i]);
        cr_expect_eq(tetris_layer_macs(g, 1) * 2, tetris_layer_macs(layer(&flat, grouped[i]), 1),
                     "%s", grouped[i]);
    }
    cr_expect_eq(layer(&net, "conv3")->groups, 1);
    /* 666 M conv MACs: grouping halves conv2, conv4 and conv5 */
    cr_expect_eq(macs_of(&net, TETRIS_LAYER_CONV), 665784864u);
    tetris_net_free(&flat);
    tetris_net_free(&net);
}

Test(net, zfnet)
{
    tetris_net net;
    load_ok("zfnet", &net);
    cr_assert_eq(net.n_layers, 11);
    expect_consistent(&net);
    expect_shape(layer(&net, "conv1"), 3, 224, 96, 110, 7, 2, 1);
    expect_shape(layer(&net, "pool1"), 96, 110, 96, 55, 3, 2, 1);
    expect_shape(layer(&net, "conv2"), 96, 55, 256, 26, 5, 2, 0);
    expect_shape(layer(&net, "conv3"), 256, 13, 512, 13, 3, 1, 1);
    expect_shape(layer(&net, "conv4"), 512, 13, 1024, 13, 3, 1, 1);
    expect_shape(layer(&net, "conv5"), 1024, 13, 512, 13, 3, 1, 1);
    expect_shape(layer(&net, "fc1"), 512, 6, 4096, 1, 6, 1, 0);
    cr_expect_eq(layer(&net, "fc3")->m, 1000);
    tetris_net_free(&net);
}

static void check_vgg(const char *name, int depth, int per_block[5], uint64_t conv_macs)
{
    tetris_net net;
    load_ok(name, &net);
    cr_assert_eq(net.n_layers, depth + 5);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_CONV), depth - 3);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_MAXPOOL), 5);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_FC), 3);
    expect_consistent(&net);
    const int chans[5] = { 64, 128, 256, 512, 512 };
    int size = 224, c = 3;
    for (int b = 0; b < 5; b++) {
        for (int i = 1; i <= per_block[b]; i++) {
            char n[32];
            snprintf(n, sizeof n, "conv%d_%d", b + 1, i);
            expect_shape(layer(&net, n), c, size, chans[b], size, 3, 1, 1);
            c = chans[b];
        }
        size /= 2;
    }
    expect_shape(layer(&net, "pool5"), 512, 14, 512, 7, 2, 2, 0);
    expect_shape(layer(&net, "fc6"), 512, 7, 4096, 1, 7, 1, 0);
    cr_expect_eq(macs_of(&net, TETRIS_LAYER_CONV), conv_macs, "%s", name);
    tetris_net_free(&net);
}

Test(net, vgg16)
{
    int per_block[5] = { 2, 2, 3, 3, 3 };
    /* 15.35 G conv MACs */
    check_vgg("vgg16", 16, per_block, 15346630656u);
}

Test(net, vgg19)
{
    int per_block[5] = { 2, 2, 4, 4, 4 };
    check_vgg("vgg19", 19, per_block, 19508428800u);
}

Test(net, resnet152)
{
    tetris_net net;
    load_ok("resnet152", &net);
    /* conv1, pool1; 50 blocks of 3 convs + an add; 4 projections; avgpool, fc */
    cr_assert_eq(net.n_layers, 208);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_CONV), 155);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_RELU), 50);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_FC), 1);
    expect_consistent(&net);
    expect_shape(layer(&net, "conv1"), 3, 224, 64, 112, 7, 2, 3);
    expect_shape(layer(&net, "pool1"), 64, 112, 64, 56, 3, 2, 1);
    expect_shape(layer(&net, "res2a_branch1"), 64, 56, 256, 56, 1, 1, 0);
    expect_shape(layer(&net, "res3a_branch2a"), 256, 56, 128, 56, 1, 1, 0);
    expect_shape(layer(&net, "res3a_branch2b"), 128, 56, 128, 28, 3, 2, 1);
    expect_shape(layer(&net, "res3a_branch1"), 256, 56, 512, 28, 1, 2, 0);
    expect_shape(layer(&net, "res4b35_branch2c"), 256, 14, 1024, 14, 1, 1, 0);
    expect_shape(layer(&net, "res5c_branch2b"), 512, 7, 512, 7, 3, 1, 1);

    const tetris_layer *add = layer(&net, "res4b1");
    cr_expect_eq(add->type, TETRIS_LAYER_RELU);
    cr_expect_eq(add->merge, TETRIS_MERGE_ADD);
    cr_assert_eq(add->n_inputs, 2);
    cr_expect_str_eq(net.layers[add->inputs[0]].name, "res4b1_branch2c");
    cr_expect_str_eq(net.layers[add->inputs[1]].name, "res4a");
    expect_shape(add, 1024, 14, 1024, 14, 1, 1, 0);
    cr_expect(add->relu && !add->bias);
    cr_expect(!layer(&net, "res4b1_branch2c")->relu);
    cr_expect_eq(tetris_layer_macs(add, 1), 1024u * 14 * 14);

    expect_shape(layer(&net, "pool5"), 2048, 7, 2048, 1, 7, 1, 0);
    expect_shape(layer(&net, "fc1000"), 2048, 1, 1000, 1, 1, 1, 0);
    /* about 11.5 G MACs with the stride on the 3x3 convs */
    uint64_t total = macs_of(&net, TETRIS_LAYER_CONV) + macs_of(&net, TETRIS_LAYER_FC);
    cr_expect_eq(total, 11513626624u);
    tetris_net_free(&net);
}

Test(net, googlenet)
{
    tetris_net net;
    load_ok("googlenet", &net);
    /* stem 5, 9 inception modules of 7 layers, 2 max pools between, avgpool, fc */
    cr_assert_eq(net.n_layers, 72);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_CONV), 57);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_MAXPOOL), 13);
    cr_expect_eq(count_type(&net, TETRIS_LAYER_AVGPOOL), 1);
    expect_consistent(&net);
    expect_shape(layer(&net, "conv1"), 3, 224, 64, 112, 7, 2, 3);
    expect_shape(layer(&net, "pool1"), 64, 112, 64, 56, 3, 2, 1);
    expect_shape(layer(&net, "conv2"), 64, 56, 192, 56, 3, 1, 1);
    expect_shape(layer(&net, "pool2"), 192, 56, 192, 28, 3, 2, 1);
    expect_shape(layer(&net, "i3a_5x5"), 16, 28, 32, 28, 5, 1, 2);
    expect_shape(layer(&net, "i3a_pool"), 192, 28, 192, 28, 3, 1, 1);

    /* concatenated module outputs: 256, 480, 512, 512, 512, 528, 832, 832, 1024 */
    const char *consumers[] = { "i3b_1x1", "pool3", "i4b_1x1", "i4c_1x1", "i4d_1x1",
                                "i4e_1x1", "pool4", "i5b_1x1", "pool5" };
    const int chans[] = { 256, 480, 512, 512, 512, 528, 832, 832, 1024 };
    for (size_t i = 0; i < 9; i++) {
        const tetris_layer *l = layer(&net, consumers[i]);
        cr_expect_eq(l->c, chans[i], "%s", consumers[i]);
        cr_expect_eq(l->n_inputs, 4, "%s", consumers[i]);
        cr_expect_eq(l->merge, TETRIS_MERGE_CONCAT, "%s", consumers[i]);
    }
    expect_shape(layer(&net, "pool4"), 832, 14, 832, 7, 3, 2, 1);
    expect_shape(layer(&net, "pool5"), 1024, 7, 1024, 1, 7, 1, 0);
    expect_shape(layer(&net, "loss3_classifier"), 1024, 1, 1000, 1, 1, 1, 0);
    /* about 1.5 G MACs */
    uint64_t total = macs_of(&net, TETRIS_LAYER_CONV) + macs_of(&net, TETRIS_LAYER_FC);
    cr_expect_eq(total, 1582671872u);
    tetris_net_free(&net);
}

Test(net, shift)
{
    tetris_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.frac_bits = 7;
    tetris_layer l;
    memset(&l, 0, sizeof l);
    l.shift = TETRIS_SHIFT_AUTO;
    l.type = TETRIS_LAYER_CONV;
    cr_expect_eq(tetris_layer_shift(&l, &cfg), 7);
    l.type = TETRIS_LAYER_FC;
    cr_expect_eq(tetris_layer_shift(&l, &cfg), 7);
    l.type = TETRIS_LAYER_MAXPOOL;
    cr_expect_eq(tetris_layer_shift(&l, &cfg), 0);
    l.type = TETRIS_LAYER_AVGPOOL;
    cr_expect_eq(tetris_layer_shift(&l, &cfg), 0);
    l.type = TETRIS_LAYER_RELU;
    cr_expect_eq(tetris_layer_shift(&l, &cfg), 0);
    l.shift = 3;
    cr_expect_eq(tetris_layer_shift(&l, &cfg), 3);
    l.type = TETRIS_LAYER_CONV;
    l.shift = 0;
    cr_expect_eq(tetris_layer_shift(&l, &cfg), 0);
}

Test(net, named)
{
    tetris_net net;
    tetris_error err = { "" };
    /* a name with '/' is a path */
    cr_assert_eq(tetris_net_load_named(NETS "/vgg16.yaml", "/nonexistent", &net, &err),
                 TETRIS_OK, "%s", err.msg);
    cr_expect_str_eq(net.name, "vgg16");
    tetris_net_free(&net);
    /* so is a name ending in .yaml, relative to the working directory */
    cr_assert_eq(chdir(NETS), 0);
    cr_assert_eq(tetris_net_load_named("zfnet.yaml", "/nonexistent", &net, &err), TETRIS_OK,
                 "%s", err.msg);
    cr_expect_str_eq(net.name, "zfnet");
    tetris_net_free(&net);

    int rc = tetris_net_load_named("nosuchnet", NETS, &net, &err);
    cr_expect_eq(rc, TETRIS_EIO);
    cr_expect(strstr(err.msg, NETS "/nosuchnet.yaml: ") == err.msg, "%s", err.msg);
    cr_expect_eq(net.n_layers, 0);
    cr_expect_null(net.layers);
    cr_expect_eq(tetris_net_load_named("", NETS, &net, &err), TETRIS_EINVAL);
}

Test(net, find_and_free)
{
    tetris_net net;
    load_ok("alexnet", &net);
    cr_expect_eq(tetris_net_find(&net, "conv1"), 0);
    cr_expect_eq(tetris_net_find(&net, "fc3"), 10);
    cr_expect_eq(tetris_net_find(&net, "conv6"), -1);
    cr_expect_eq(tetris_net_find(&net, "input"), -1);
    tetris_net_free(&net);
    cr_expect_null(net.layers);
    cr_expect_eq(net.n_layers, 0);
    cr_expect_eq(tetris_net_find(&net, "conv1"), -1);
    tetris_net_free(&net); /* freeing twice is harmless */
}

/* Write text to a fresh temporary file; path receives its name. */
static void write_tmp(char path[64], const char *text)
{
    snprintf(path, 64, "/tmp/tetris_test_net_XXXXXX");
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

Test(net, layer_options)
{
    char path[64];
    write_tmp(path, "name: opts\n"
                    "input: {channels: 4, height: 10, width: 12}\n"
                    "layers:\n"
                    "  - {name: a, type: conv, out: 8, kernel: [3, 4], pad: 1, stride: 2,\n"
                    "     shift: 5, bias: false, ofmap: [5, 6]}\n"
                    "  - {name: b, type: conv, out: 6, kernel: 1, groups: 2, inputs: input}\n"
                    "  - {name: r, type: relu, inputs: b}\n"
                    "  - {name: p, type: avgpool, kernel: [2, 2], stride: 2, relu: true,\n"
                    "     inputs: [r], merge: concat, ofmap: [5, 6]}\n"
                    "  - {name: cat, type: maxpool, kernel: 1, inputs: [a, p, p]}\n"
                    "  - {name: fc, type: fc, out: 3, bias: true, relu: false, shift: 0}\n");
    tetris_net net;
    tetris_error err = { "" };
    int rc = tetris_net_load(path, &net, &err);
    unlink(path);
    cr_assert_eq(rc, TETRIS_OK, "%s", err.msg);
    cr_assert_eq(net.n_layers, 6);
    expect_consistent(&net);

    const tetris_layer *a = layer(&net, "a");
    cr_expect(a->r == 3 && a->s == 4 && a->ho == 5 && a->wo == 6 && a->wi == 12);
    cr_expect(a->shift == 5 && !a->bias && !a->relu && a->line == 4);
    const tetris_layer *b = layer(&net, "b");
    cr_expect(b->n_inputs == 0 && b->c == 4 && b->m == 6 && b->groups == 2);
    cr_expect_eq(tetris_layer_macs(b, 1), 6u * 2 * 10 * 12);
    const tetris_layer *r = layer(&net, "r");
    cr_expect(r->c == 6 && r->m == 6 && r->ho == 10 && r->wo == 12 && r->relu && !r->bias);
    cr_expect(r->r == 1 && r->s == 1 && r->stride == 1 && r->n_inputs == 1);
    const tetris_layer *p = layer(&net, "p");
    cr_expect(p->m == 6 && p->ho == 5 && p->wo == 6 && p->relu && p->line == 8);
    const tetris_layer *cat = layer(&net, "cat");
    cr_expect(cat->n_inputs == 3 && cat->c == 8 + 6 + 6 && cat->m == 20 && cat->wo == 6);
    cr_expect(cat->inputs[0] == 0 && cat->inputs[1] == 3 && cat->inputs[2] == 3);
    const tetris_layer *fc = layer(&net, "fc");
    cr_expect(fc->c == 20 && fc->r == 5 && fc->s == 6 && fc->bias && !fc->relu);
    cr_expect(fc->shift == 0 && fc->m == 3 && fc->ho == 1);
    tetris_net_free(&net);
}

/* The expected-message substring of a bad file: its first line "# expect: X". */
static int read_expect(const char *path, char *buf, size_t size)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    char line[256] = "";
    int ok = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    const char *tag = "# expect: ";
    if (!ok || strncmp(line, tag, strlen(tag)) != 0)
        return 0;
    line[strcspn(line, "\r\n")] = '\0';
    snprintf(buf, size, "%s", line + strlen(tag));
    return buf[0] != '\0';
}

Test(net, bad_files)
{
    DIR *d = opendir(BAD);
    cr_assert_not_null(d, "cannot open %s", BAD);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "net_", 4) != 0 || len < 5 ||
            strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[512], expect[256];
        snprintf(path, sizeof path, "%s/%s", BAD, e->d_name);
        cr_expect(read_expect(path, expect, sizeof expect), "%s: no '# expect: ' first line",
                  path);
        tetris_net net;
        tetris_error err = { "" };
        int rc = tetris_net_load(path, &net, &err);
        cr_expect_eq(rc, TETRIS_EINVAL, "%s: status %d (%s)", path, rc, err.msg);
        cr_expect(strncmp(err.msg, path, strlen(path)) == 0, "%s: message '%s'", path, err.msg);
        cr_expect(strchr(err.msg, '\n') == NULL, "%s: message has several lines", path);
        cr_expect(strstr(err.msg, expect) != NULL, "%s: message '%s' lacks '%s'", path, err.msg,
                  expect);
        cr_expect(net.layers == NULL && net.n_layers == 0, "%s", path);
        n++;
    }
    closedir(d);
    cr_expect_geq(n, 14, "only %d bad nets", n);
}

Test(net, no_file)
{
    tetris_net net;
    tetris_error err = { "" };
    cr_expect_eq(tetris_net_load(BAD "/does_not_exist.yaml", &net, &err), TETRIS_EIO);
    cr_expect(strstr(err.msg, "does_not_exist.yaml: ") == err.msg + strlen(BAD) + 1, "%s",
              err.msg);
    cr_expect_eq(tetris_net_load(BAD "/net_groups.yaml", &net, NULL), TETRIS_EINVAL);
}
