/*
 * Networks for the commands that run layers (run, cosim, vectors): load one
 * by name or path, select layers from a --layers list, check that a layer
 * fits, and prepare a layer's job on seeded data.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

/*
 * Load the network: a file, or NAME looked up in $TETRIS_NET_DIR, beside the
 * configuration (so a source tree works from any directory), the installed
 * examples, and ./examples/nets.
 */
int cli_load_net(const char *arg, const char *config_path, tetris_net *net, char *path,
                 size_t size)
{
    tetris_error err = {""};
    int status;
    if (cli_is_path(arg)) {
        snprintf(path, size, "%s", arg);
        status = tetris_net_load(path, net, &err);
    } else {
        const char *slash = strrchr(config_path, '/');
        int dir_len = slash ? (int)(slash - config_path) : 1;
        char beside[CLI_PATH_MAX];
        snprintf(beside, sizeof beside, "%.*s/../nets", dir_len, slash ? config_path : ".");
        const char *dirs[] = {getenv("TETRIS_NET_DIR"), beside, TETRIS_PKGDATADIR "/examples/nets",
                              "examples/nets"};
        int i = cli_search(arg, "network", dirs, 4, path, size);
        if (i < 0)
            return CLI_EXIT_BAD;
        status = tetris_net_load_named(arg, dirs[i], net, &err);
    }
    if (status) {
        cli_error("%s", err.msg[0] ? err.msg : tetris_strerror(status));
        return CLI_EXIT_BAD;
    }
    return 0;
}

/* Mark in sel the layers named in the comma list (every layer when NULL); count them. */
int cli_select_layers(const tetris_net *net, const char *net_path, const char *list, char *sel,
                      int *n_sel)
{
    *n_sel = 0;
    if (!list) {
        memset(sel, 1, (size_t)net->n_layers);
        *n_sel = net->n_layers;
        return 0;
    }
    for (const char *p = list;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        char name[sizeof net->layers[0].name];
        int i = -1;
        if (len > 0 && len < sizeof name) {
            memcpy(name, p, len);
            name[len] = '\0';
            i = tetris_net_find(net, name);
        }
        if (len == 0) {
            cli_error("%s: --layers: empty layer name in '%s'", net_path, list);
            return CLI_EXIT_BAD;
        }
        if (i < 0) {
            cli_error("%s: --layers: no layer named '%.*s'", net_path, (int)len, p);
            return CLI_EXIT_BAD;
        }
        *n_sel += !sel[i];
        sel[i] = 1;
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

int cli_layer_fits(const tetris_config *cfg, const tetris_layer *l, int batch,
                   const char *net_path)
{
    tetris_error err = {""};
    tetris_mapping map;
    tetris_blocking b;
    tetris_program prog = {0};
    tetris_vault_layout lay;
    int rc = tetris_map_layer(l, cfg, &map, &err);
    if (!rc)
        rc = tetris_blocking_default(l, batch, cfg, &b, &err);
    if (!rc)
        rc = tetris_compile(l, batch, cfg, tetris_layer_shift(l, cfg), &b, &prog, &lay, &err);
    tetris_program_free(&prog);
    if (!rc)
        return 0;
    cli_error("%s:%d: %s", net_path, l->line, err.msg[0] ? err.msg : tetris_strerror(rc));
    return CLI_EXIT_BAD;
}

int cli_prepare_job(const tetris_config *cfg, const tetris_layer *l, int index, int batch,
                    uint64_t seed, tetris_job *job, tetris_error *err)
{
    tetris_layer_data d;
    if (tetris_layer_data_alloc(l, batch, &d)) {
        snprintf(err->msg, sizeof err->msg, "%s: out of memory for the layer data", l->name);
        return TETRIS_ENOMEM;
    }
    tetris_arith a;
    tetris_arith_from_config(cfg, &a);
    /* the data stream is the layer's index in the network, as in `tetris run` */
    tetris_layer_data_random(l, &a, seed, (uint64_t)index, &d);
    return tetris_job_prepare(cfg, l, &d, job, err);
}
