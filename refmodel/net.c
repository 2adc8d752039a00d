/*
 * Network YAML loader: parses a network file, resolves every layer's shapes
 * from its inputs and checks them, so the rest of the model can trust
 * tetris_layer without re-validating. The format is shown by
 * the files in examples/nets; the rules are the comments below.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Upper bound of every size in a network file (channels, pixels, kernel,
 * stride, pad). Keeps sums such as hi + 2*pad and concatenated channel
 * counts far from int overflow. */
#define DIM_MAX (1 << 20)

/* Layer keys, in the order they are listed in messages. */
enum lkey {
    K_NAME, K_TYPE, K_OUT, K_KERNEL, K_STRIDE, K_PAD, K_GROUPS,
    K_RELU, K_SHIFT, K_BIAS, K_INPUTS, K_MERGE, K_OFMAP, K_COUNT
};

static const char *const layer_keys[K_COUNT] = {
    "name", "type", "out", "kernel", "stride", "pad", "groups",
    "relu", "shift", "bias", "inputs", "merge", "ofmap",
};

/* Indexed by enum tetris_layer_type. */
static const char *const type_names[] = { "conv", "fc", "maxpool", "avgpool", "relu" };
#define N_TYPES ((int)(sizeof type_names / sizeof type_names[0]))

/*
 * Which keys each layer type takes, one character per enum lkey:
 * 'R' required, 'O' optional, '-' not allowed (the value is implied:
 * fc covers the whole ifmap, pools and relu keep the channel count,
 * relu is a 1x1 window).
 */
static const char key_rules[N_TYPES][K_COUNT + 1] = {
    /*  name type out kernel stride pad groups relu shift bias inputs merge ofmap */
    "RRRROOOOOOOOO", /* conv */
    "RRR---OOOOOOO", /* fc */
    "RR-ROO-O-OOOO", /* maxpool: no output shift (docs/arith.md) */
    "RR-ROO-O-OOOO", /* avgpool */
    "RR-----O-OOOO", /* relu */
};

enum tkey { T_NAME, T_INPUT, T_LAYERS, T_COUNT };
static const char *const top_keys[T_COUNT] = { "name", "input", "layers" };

enum ikey { I_CHANNELS, I_HEIGHT, I_WIDTH, I_COUNT };
static const char *const input_keys[I_COUNT] = { "channels", "height", "width" };

/* Loader state of one file. */
typedef struct loader {
    tetris_yaml y;
    tetris_error *err;
} loader;

/* The FIELD of a message: "label.key", or whichever of the two is given. */
static void field_name(char *buf, size_t size, const char *label, const char *key)
{
    if (label && key)
        snprintf(buf, size, "%s.%s", label, key);
    else
        snprintf(buf, size, "%s", label ? label : key);
}

/* EINVAL at node's line (0: none) with the FIELD of label and key. */
static int fail(loader *ld, const yaml_node_t *n, const char *label, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int fail(loader *ld, const yaml_node_t *n, const char *label, const char *key,
                const char *fmt, ...)
{
    char text[384];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char field[160];
    field_name(field, sizeof field, label, key);
    return tetris_fail(ld->err, TETRIS_EINVAL, ld->y.path, tetris_yaml_line(n), field, "%s",
                       text);
}

/* "a, b or c" of a key table, for messages. */
static void key_list(const char *const *keys, int n, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && used < size; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        int w = snprintf(buf + used, size - used, "%s%s", sep, keys[i]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
}

/*
 * Collect the values of a mapping's keys into vals (NULL when absent).
 * Keys must be scalars from the table and appear once.
 */
static int collect(loader *ld, const yaml_node_t *map, const char *const *keys, int nkeys,
                   const char *label, yaml_node_t **vals)
{
    const yaml_node_t *key_nodes[K_COUNT] = { 0 }; /* K_COUNT: the largest key table */
    for (int k = 0; k < nkeys; k++)
        vals[k] = NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *kn = tetris_yaml_node(&ld->y, p->key);
        const char *ks = tetris_yaml_scalar(kn);
        if (!ks)
            return fail(ld, kn, label ? label : "network", NULL,
                        "keys must be plain names, found %s",
                        kn && kn->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping");
        int k = 0;
        while (k < nkeys && strcmp(ks, keys[k]) != 0)
            k++;
        if (k == nkeys) {
            char list[160];
            key_list(keys, nkeys, list, sizeof list);
            return fail(ld, kn, label, ks, "unknown key (expected %s)", list);
        }
        if (vals[k])
            return fail(ld, kn, label, ks, "duplicate key (first at line %d)",
                        tetris_yaml_line(key_nodes[k]));
        vals[k] = tetris_yaml_node(&ld->y, p->value);
        key_nodes[k] = kn;
    }
    return TETRIS_OK;
}

/* An integer in [lo, hi]. */
static int get_int(loader *ld, const yaml_node_t *n, const char *label, const char *key, long lo,
                   long hi, int *out)
{
    char field[160];
    field_name(field, sizeof field, label, key);
    long v;
    int rc = tetris_yaml_long(&ld->y, n, field, &v, ld->err);
    if (rc)
        return rc;
    if (v < lo)
        return fail(ld, n, label, key, "must be at least %ld, found %ld", lo, v);
    if (v > hi)
        return fail(ld, n, label, key, "must be at most %ld, found %ld", hi, v);
    *out = (int)v;
    return TETRIS_OK;
}

/* An integer (both values equal) or a list [a, b], each in [lo, DIM_MAX]. */
static int get_pair(loader *ld, const yaml_node_t *n, const char *label, const char *key, long lo,
                    int *a, int *b)
{
    if (n->type == YAML_SCALAR_NODE) {
        int rc = get_int(ld, n, label, key, lo, DIM_MAX, a);
        *b = *a;
        return rc;
    }
    if (n->type != YAML_SEQUENCE_NODE ||
        n->data.sequence.items.top - n->data.sequence.items.start != 2)
        return fail(ld, n, label, key, "expected an integer or a list [height, width]");
    int rc = get_int(ld, tetris_yaml_node(&ld->y, n->data.sequence.items.start[0]), label, key,
                     lo, DIM_MAX, a);
    if (!rc)
        rc = get_int(ld, tetris_yaml_node(&ld->y, n->data.sequence.items.start[1]), label, key,
                     lo, DIM_MAX, b);
    return rc;
}

static int get_bool(loader *ld, const yaml_node_t *n, const char *label, const char *key,
                    int *out)
{
    char field[160];
    field_name(field, sizeof field, label, key);
    return tetris_yaml_bool(&ld->y, n, field, out, ld->err);
}

/* A name: a non-empty scalar that fits a char[64]. */
static int get_name(loader *ld, const yaml_node_t *n, const char *label, const char *key,
                    char out[64])
{
    const char *s = tetris_yaml_scalar(n);
    if (!s)
        return fail(ld, n, label, key, "expected a name, found %s",
                    n->type == YAML_SEQUENCE_NODE ? "a list" : "a mapping");
    size_t len = strlen(s);
    if (len == 0)
        return fail(ld, n, label, key, "empty name");
    if (len > 63)
        return fail(ld, n, label, key, "name longer than 63 characters");
    memcpy(out, s, len + 1);
    return TETRIS_OK;
}

static int find_layer(const tetris_net *net, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(net->layers[i].name, name) == 0)
            return i;
    return -1;
}

/* Whether a layer after index `from` of the layers list is called name. */
static int defined_later(loader *ld, const yaml_node_t *seq, int from, const char *name)
{
    for (yaml_node_item_t *it = seq->data.sequence.items.start + from + 1;
         it < seq->data.sequence.items.top; it++) {
        yaml_node_t *item = tetris_yaml_node(&ld->y, *it);
        if (!item || item->type != YAML_MAPPING_NODE)
            continue;
        for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
             p < item->data.mapping.pairs.top; p++) {
            const char *k = tetris_yaml_scalar(tetris_yaml_node(&ld->y, p->key));
            const char *v = tetris_yaml_scalar(tetris_yaml_node(&ld->y, p->value));
            if (k && v && !strcmp(k, "name") && !strcmp(v, name))
                return 1;
        }
    }
    return 0;
}

/*
 * Resolve a layer's `inputs` (a name or a list of names of earlier layers, or
 * `input`) into l->inputs, and its ifmap shape from them and the merge mode.
 */
static int resolve_inputs(loader *ld, tetris_net *net, const yaml_node_t *seq, int idx,
                          yaml_node_t *node, const char *label, tetris_layer *l)
{
    /* default: the previous layer, or the network input for the first */
    if (idx > 0) {
        l->n_inputs = 1;
        l->inputs[0] = idx - 1;
    }
    if (node) {
        const yaml_node_t *names[TETRIS_MAX_INPUTS];
        int n = 0;
        if (node->type == YAML_SCALAR_NODE) {
            names[n++] = node;
        } else if (node->type == YAML_SEQUENCE_NODE) {
            for (yaml_node_item_t *it = node->data.sequence.items.start;
                 it < node->data.sequence.items.top; it++) {
                if (n == TETRIS_MAX_INPUTS)
                    return fail(ld, node, label, "inputs", "more than %d inputs",
                                TETRIS_MAX_INPUTS);
                names[n++] = tetris_yaml_node(&ld->y, *it);
            }
            if (n == 0)
                return fail(ld, node, label, "inputs", "empty list");
        } else {
            return fail(ld, node, label, "inputs", "expected a layer name or a list of names");
        }
        int uses_input = 0;
        l->n_inputs = 0;
        for (int i = 0; i < n; i++) {
            const char *s = tetris_yaml_scalar(names[i]);
            if (!s)
                return fail(ld, names[i], label, "inputs", "expected a layer name");
            if (!strcmp(s, "input")) {
                uses_input = 1;
                continue;
            }
            int j = find_layer(net, idx, s);
            if (j >= 0) {
                l->inputs[l->n_inputs++] = j;
                continue;
            }
            if (!strcmp(s, l->name))
                return fail(ld, names[i], label, "inputs", "a layer cannot be its own input");
            if (defined_later(ld, seq, idx, s))
                return fail(ld, names[i], label, "inputs",
                            "'%s' is defined later (inputs must name earlier layers)", s);
            return fail(ld, names[i], label, "inputs", "unknown layer '%s'", s);
        }
        if (uses_input && n > 1)
            return fail(ld, node, label, "inputs",
                        "the network input cannot be combined with other inputs");
    }

    if (l->n_inputs == 0) {
        l->c = net->in_c;
        l->hi = net->in_h;
        l->wi = net->in_w;
        return TETRIS_OK;
    }
    const tetris_layer *first = &net->layers[l->inputs[0]];
    l->c = first->m;
    l->hi = first->ho;
    l->wi = first->wo;
    for (int i = 1; i < l->n_inputs; i++) {
        const tetris_layer *p = &net->layers[l->inputs[i]];
        if (l->merge == TETRIS_MERGE_ADD) {
            if (p->m != first->m || p->ho != first->ho || p->wo != first->wo)
                return fail(ld, node, label, "inputs",
                            "add needs identical shapes: '%s' is %dx%dx%d, '%s' is %dx%dx%d",
                            first->name, first->m, first->ho, first->wo, p->name, p->m, p->ho,
                            p->wo);
        } else {
            if (p->ho != first->ho || p->wo != first->wo)
                return fail(ld, node, label, "inputs",
                            "concat needs equal height and width: '%s' is %dx%d, '%s' is %dx%d",
                            first->name, first->ho, first->wo, p->name, p->ho, p->wo);
            l->c += p->m;
            if (l->c > DIM_MAX)
                return fail(ld, node, label, "inputs", "more than %d concatenated channels",
                            DIM_MAX);
        }
    }
    return TETRIS_OK;
}

/* One window axis: pad < k keeps every window on real pixels, k <= in + 2*pad
 * gives at least one output. pn is NULL only when pad is 0, which passes. */
static int check_window(loader *ld, const yaml_node_t *kn, const yaml_node_t *pn,
                        const char *label, const char *axis, int k, int in, int pad)
{
    if (pad >= k)
        return fail(ld, pn, label, "pad", "pad %d must be smaller than the kernel %s %d", pad,
                    axis, k);
    if (k > in + 2 * pad)
        return fail(ld, kn, label, "kernel",
                    "kernel %s %d exceeds the padded input %s %d (%d + 2*%d)", axis, k, axis,
                    in + 2 * pad, in, pad);
    return TETRIS_OK;
}

/* Parse and resolve layer idx (YAML node item) into net->layers[idx]. */
static int load_layer(loader *ld, tetris_net *net, const yaml_node_t *seq, int idx,
                      const yaml_node_t *item)
{
    char idx_label[32];
    snprintf(idx_label, sizeof idx_label, "layers[%d]", idx);
    if (item->type != YAML_MAPPING_NODE)
        return tetris_yaml_expect(&ld->y, item, YAML_MAPPING_NODE, idx_label, ld->err);

    /* Messages name the layer by its name when that is a valid new name (the
     * name's own errors use the index), else by its index. */
    const char *label = idx_label;
    for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
         p++) {
        const char *k = tetris_yaml_scalar(tetris_yaml_node(&ld->y, p->key));
        const char *v = tetris_yaml_scalar(tetris_yaml_node(&ld->y, p->value));
        if (k && v && !strcmp(k, "name") && v[0] && strlen(v) < 64 && strcmp(v, "input") &&
            find_layer(net, idx, v) < 0) {
            label = v;
            break;
        }
    }

    yaml_node_t *v[K_COUNT];
    int rc = collect(ld, item, layer_keys, K_COUNT, label, v);
    if (rc)
        return rc;

    tetris_layer *l = &net->layers[idx];
    l->line = tetris_yaml_line(item);
    if (!v[K_NAME])
        return fail(ld, item, idx_label, "name", "missing (every layer needs a name)");
    rc = get_name(ld, v[K_NAME], idx_label, "name", l->name);
    if (rc)
        return rc;
    if (!strcmp(l->name, "input"))
        return fail(ld, v[K_NAME], idx_label, "name",
                    "'input' is reserved for the network input");
    int dup = find_layer(net, idx, l->name);
    if (dup >= 0)
        return fail(ld, v[K_NAME], idx_label, "name",
                    "duplicate layer name '%s' (first at line %d)", l->name,
                    net->layers[dup].line);

    if (!v[K_TYPE])
        return fail(ld, item, label, "type", "missing (conv, fc, maxpool, avgpool or relu)");
    const char *ts = tetris_yaml_scalar(v[K_TYPE]);
    int t = 0;
    while (ts && t < N_TYPES && strcmp(ts, type_names[t]) != 0)
        t++;
    if (!ts)
        return fail(ld, v[K_TYPE], label, "type", "expected a layer type name");
    if (t == N_TYPES)
        return fail(ld, v[K_TYPE], label, "type",
                    "unknown layer type '%s' (expected conv, fc, maxpool, avgpool or relu)", ts);
    l->type = (enum tetris_layer_type)t;
    for (int k = 0; k < K_COUNT; k++) {
        if (key_rules[t][k] == 'R' && !v[k])
            return fail(ld, item, label, layer_keys[k], "missing (required for %s layers)",
                        type_names[t]);
        if (key_rules[t][k] == '-' && v[k])
            return fail(ld, v[k], label, layer_keys[k], "not allowed for %s layers",
                        type_names[t]);
    }

    int is_mac = t == TETRIS_LAYER_CONV || t == TETRIS_LAYER_FC;
    int out = 0, r = 1, s = 1;
    l->stride = 1;
    l->pad = 0;
    l->groups = 1;
    l->relu = t == TETRIS_LAYER_RELU;
    l->shift = TETRIS_SHIFT_AUTO;
    l->bias = is_mac;
    l->merge = TETRIS_MERGE_CONCAT;
    if (v[K_OUT] && (rc = get_int(ld, v[K_OUT], label, "out", 1, DIM_MAX, &out)))
        return rc;
    if (v[K_KERNEL] && (rc = get_pair(ld, v[K_KERNEL], label, "kernel", 1, &r, &s)))
        return rc;
    if (v[K_STRIDE] && (rc = get_int(ld, v[K_STRIDE], label, "stride", 1, DIM_MAX, &l->stride)))
        return rc;
    if (v[K_PAD] && (rc = get_int(ld, v[K_PAD], label, "pad", 0, DIM_MAX, &l->pad)))
        return rc;
    if (v[K_GROUPS] && (rc = get_int(ld, v[K_GROUPS], label, "groups", 1, DIM_MAX, &l->groups)))
        return rc;
    if (v[K_SHIFT] && (rc = get_int(ld, v[K_SHIFT], label, "shift", 0, 31, &l->shift)))
        return rc;
    if (v[K_RELU]) {
        if ((rc = get_bool(ld, v[K_RELU], label, "relu", &l->relu)))
            return rc;
        if (t == TETRIS_LAYER_RELU && !l->relu)
            return fail(ld, v[K_RELU], label, "relu", "a relu layer always applies ReLU");
    }
    if (v[K_BIAS]) {
        if ((rc = get_bool(ld, v[K_BIAS], label, "bias", &l->bias)))
            return rc;
        if (!is_mac && l->bias)
            return fail(ld, v[K_BIAS], label, "bias", "%s layers have no bias", type_names[t]);
    }
    if (v[K_MERGE]) {
        const char *ms = tetris_yaml_scalar(v[K_MERGE]);
        if (ms && !strcmp(ms, "add"))
            l->merge = TETRIS_MERGE_ADD;
        else if (!ms || strcmp(ms, "concat") != 0)
            return fail(ld, v[K_MERGE], label, "merge", "expected concat or add");
    }
    int want_h = 0, want_w = 0;
    if (v[K_OFMAP] && (rc = get_pair(ld, v[K_OFMAP], label, "ofmap", 1, &want_h, &want_w)))
        return rc;

    if ((rc = resolve_inputs(ld, net, seq, idx, v[K_INPUTS], label, l)))
        return rc;

    switch (l->type) {
    case TETRIS_LAYER_CONV:
    case TETRIS_LAYER_MAXPOOL:
    case TETRIS_LAYER_AVGPOOL:
        l->m = t == TETRIS_LAYER_CONV ? out : l->c;
        l->r = r;
        l->s = s;
        if ((rc = check_window(ld, v[K_KERNEL], v[K_PAD], label, "height", r, l->hi, l->pad)) ||
            (rc = check_window(ld, v[K_KERNEL], v[K_PAD], label, "width", s, l->wi, l->pad)))
            return rc;
        l->ho = (l->hi + 2 * l->pad - r) / l->stride + 1;
        l->wo = (l->wi + 2 * l->pad - s) / l->stride + 1;
        break;
    case TETRIS_LAYER_FC:
        /* the filter covers the whole ifmap: one output pixel per channel */
        l->m = out;
        l->r = l->hi;
        l->s = l->wi;
        l->ho = l->wo = 1;
        break;
    case TETRIS_LAYER_RELU:
        l->m = l->c;
        l->r = l->s = 1;
        l->ho = l->hi;
        l->wo = l->wi;
        break;
    }
    if (l->c % l->groups || l->m % l->groups)
        return fail(ld, v[K_GROUPS], label, "groups",
                    "%d groups do not divide %d input and %d output channels", l->groups, l->c,
                    l->m);
    if (v[K_OFMAP] && (want_h != l->ho || want_w != l->wo))
        return fail(ld, v[K_OFMAP], label, "ofmap",
                    "expected %dx%d, the layer gives %dx%d (input %dx%d, kernel %dx%d, "
                    "stride %d, pad %d)",
                    want_h, want_w, l->ho, l->wo, l->hi, l->wi, l->r, l->s, l->stride, l->pad);
    return TETRIS_OK;
}

static int load_input(loader *ld, tetris_net *net, const yaml_node_t *n)
{
    int rc = tetris_yaml_expect(&ld->y, n, YAML_MAPPING_NODE, "input", ld->err);
    yaml_node_t *v[I_COUNT];
    if (!rc)
        rc = collect(ld, n, input_keys, I_COUNT, "input", v);
    int *dst[I_COUNT] = { &net->in_c, &net->in_h, &net->in_w };
    for (int k = 0; !rc && k < I_COUNT; k++) {
        if (!v[k])
            return fail(ld, n, "input", input_keys[k], "missing");
        rc = get_int(ld, v[k], "input", input_keys[k], 1, DIM_MAX, dst[k]);
    }
    return rc;
}

static int load(loader *ld, tetris_net *net)
{
    yaml_node_t *root = tetris_yaml_root(&ld->y);
    int rc = tetris_yaml_expect(&ld->y, root, YAML_MAPPING_NODE, "network", ld->err);
    yaml_node_t *v[T_COUNT];
    if (!rc)
        rc = collect(ld, root, top_keys, T_COUNT, NULL, v);
    if (rc)
        return rc;
    for (int k = 0; k < T_COUNT; k++)
        if (!v[k])
            return fail(ld, root, NULL, top_keys[k], "missing");
    if ((rc = get_name(ld, v[T_NAME], NULL, "name", net->name)) ||
        (rc = load_input(ld, net, v[T_INPUT])) ||
        (rc = tetris_yaml_expect(&ld->y, v[T_LAYERS], YAML_SEQUENCE_NODE, "layers", ld->err)))
        return rc;

    const yaml_node_t *seq = v[T_LAYERS];
    ptrdiff_t n = seq->data.sequence.items.top - seq->data.sequence.items.start;
    if (n == 0)
        return fail(ld, seq, NULL, "layers", "empty list (a network needs at least one layer)");
    net->layers = calloc((size_t)n, sizeof *net->layers);
    if (!net->layers)
        return tetris_fail(ld->err, TETRIS_ENOMEM, ld->y.path, 0, NULL, "out of memory");
    for (int i = 0; i < n; i++) {
        const yaml_node_t *item = tetris_yaml_node(&ld->y, seq->data.sequence.items.start[i]);
        if ((rc = load_layer(ld, net, seq, i, item)))
            return rc;
        net->n_layers = i + 1;
    }
    return TETRIS_OK;
}

int tetris_net_load(const char *path, tetris_net *net, tetris_error *err)
{
    memset(net, 0, sizeof *net);
    loader ld = { .err = err };
    int rc = tetris_yaml_open(path, &ld.y, err);
    if (!rc) {
        rc = load(&ld, net);
        tetris_yaml_close(&ld.y);
    }
    if (rc) {
        tetris_net_free(net);
        /* echoed YAML text may hold line breaks; the contract is one line */
        for (char *c = err ? err->msg : NULL; c && *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = ' ';
    }
    return rc;
}

int tetris_net_load_named(const char *name, const char *dir, tetris_net *net, tetris_error *err)
{
    size_t len = strlen(name);
    int is_path = strchr(name, '/') || (len >= 5 && !strcmp(name + len - 5, ".yaml"));
    if (is_path)
        return tetris_net_load(name, net, err);
    if (len == 0) {
        memset(net, 0, sizeof *net);
        return tetris_fail(err, TETRIS_EINVAL, NULL, 0, "network", "empty network name");
    }
    if (!dir)
        dir = TETRIS_PKGDATADIR "/examples/nets";
    size_t size = strlen(dir) + len + sizeof "/.yaml";
    char *path = malloc(size);
    if (!path) {
        memset(net, 0, sizeof *net);
        return tetris_fail(err, TETRIS_ENOMEM, NULL, 0, NULL, "out of memory");
    }
    snprintf(path, size, "%s/%s.yaml", dir, name);
    int rc = tetris_net_load(path, net, err);
    free(path);
    return rc;
}

int tetris_net_find(const tetris_net *net, const char *name)
{
    return find_layer(net, net->n_layers, name);
}

void tetris_net_free(tetris_net *net)
{
    free(net->layers);
    memset(net, 0, sizeof *net);
}

uint64_t tetris_layer_macs(const tetris_layer *l, int n)
{
    if (n <= 0)
        return 0;
    /* a hand-built layer may leave groups 0: treat it as dense */
    int groups = l->groups > 0 ? l->groups : 1;
    /* conv/fc: m filters of c/groups channels; pools and relu: one window
     * operation per window element of each of the c channels */
    uint64_t per_out = l->type == TETRIS_LAYER_CONV || l->type == TETRIS_LAYER_FC
                           ? (uint64_t)l->m * (uint64_t)(l->c / groups)
                           : (uint64_t)l->c;
    return (uint64_t)n * per_out * (uint64_t)l->r * (uint64_t)l->s * (uint64_t)l->ho *
           (uint64_t)l->wo;
}

int tetris_layer_shift(const tetris_layer *l, const tetris_config *cfg)
{
    if (l->shift != TETRIS_SHIFT_AUTO)
        return l->shift;
    return l->type == TETRIS_LAYER_CONV || l->type == TETRIS_LAYER_FC ? cfg->frac_bits : 0;
}
