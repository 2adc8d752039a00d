/* libyaml document loading and strict scalar conversion with file:line errors. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

int tetris_fail(tetris_error *err, int status, const char *file, int line, const char *field,
                const char *fmt, ...)
{
    if (!err)
        return status;
    /* built piece by piece; each piece is cut at the end of the buffer */
    size_t cap = sizeof err->msg, n = 0;
    err->msg[0] = '\0';
    if (file && line > 0)
        n += (size_t)snprintf(err->msg, cap, "%s:%d: ", file, line);
    else if (file)
        n += (size_t)snprintf(err->msg, cap, "%s: ", file);
    if (field && n < cap)
        n += (size_t)snprintf(err->msg + n, cap - n, "%s: ", field);
    if (n < cap) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg + n, cap - n, fmt, ap);
        va_end(ap);
    }
    return status;
}

/* A file holds one document: a second one would be silently ignored. */
static int single_document(yaml_parser_t *p, const char *path, tetris_error *err)
{
    yaml_document_t next;
    if (!yaml_parser_load(p, &next))
        return tetris_fail(err, TETRIS_EINVAL, path, (int)(p->problem_mark.line + 1), "syntax", "%s",
                           p->problem ? p->problem : "malformed YAML");
    yaml_node_t *root = yaml_document_get_root_node(&next);
    int line = root ? (int)root->start_mark.line + 1 : 0;
    yaml_document_delete(&next);
    if (root)
        return tetris_fail(err, TETRIS_EINVAL, path, line, NULL,
                           "a second YAML document; the file must hold one");
    return TETRIS_OK;
}

int tetris_yaml_open(const char *path, tetris_yaml *y, tetris_error *err)
{
    memset(y, 0, sizeof *y);
    y->path = path;
    FILE *f = fopen(path, "rb");
    if (!f)
        return tetris_fail(err, TETRIS_EIO, path, 0, NULL, "cannot open: %s", strerror(errno));
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        fclose(f);
        return tetris_fail(err, TETRIS_ENOMEM, path, 0, NULL, "cannot initialise YAML parser");
    }
    yaml_parser_set_input_file(&p, f);
    int ok = yaml_parser_load(&p, &y->doc);
    int status = TETRIS_OK;
    if (!ok) {
        /* libyaml marks are 0-based */
        int line = (int)(p.problem_mark.line + 1);
        status = tetris_fail(err, TETRIS_EINVAL, path, line, "syntax", "%s%s%s",
                             p.problem ? p.problem : "malformed YAML",
                             p.context ? " " : "", p.context ? p.context : "");
    } else {
        y->loaded = 1;
        if (!yaml_document_get_root_node(&y->doc))
            status = tetris_fail(err, TETRIS_EINVAL, path, 1, NULL, "empty document");
        else
            status = single_document(&p, path, err);
    }
    yaml_parser_delete(&p);
    fclose(f);
    if (status)
        tetris_yaml_close(y);
    return status;
}

void tetris_yaml_close(tetris_yaml *y)
{
    if (y->loaded)
        yaml_document_delete(&y->doc);
    y->loaded = 0;
}

yaml_node_t *tetris_yaml_root(tetris_yaml *y)
{
    return y->loaded ? yaml_document_get_root_node(&y->doc) : NULL;
}

yaml_node_t *tetris_yaml_node(tetris_yaml *y, int id)
{
    return yaml_document_get_node(&y->doc, id);
}

int tetris_yaml_line(const yaml_node_t *n)
{
    return n ? (int)n->start_mark.line + 1 : 0;
}

const char *tetris_yaml_scalar(const yaml_node_t *n)
{
    return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

static const char *kind_name(yaml_node_type_t k)
{
    switch (k) {
    case YAML_SCALAR_NODE: return "a scalar";
    case YAML_SEQUENCE_NODE: return "a list";
    case YAML_MAPPING_NODE: return "a mapping";
    default: return "nothing";
    }
}

int tetris_yaml_expect(tetris_yaml *y, const yaml_node_t *n, yaml_node_type_t kind,
                       const char *field, tetris_error *err)
{
    if (n && n->type == kind)
        return TETRIS_OK;
    return tetris_fail(err, TETRIS_EINVAL, y->path, tetris_yaml_line(n), field,
                       "expected %s, found %s", kind_name(kind),
                       n ? kind_name(n->type) : "nothing");
}

int tetris_text_long(const char *s, long *out)
{
    char *end;
    errno = 0;
    /* decimal only: a leading zero must not turn 010 into eight */
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end != '\0')
        return TETRIS_EINVAL;
    *out = v;
    return TETRIS_OK;
}

int tetris_text_double(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end != '\0' || !isfinite(v))
        return TETRIS_EINVAL;
    *out = v;
    return TETRIS_OK;
}

int tetris_yaml_long(tetris_yaml *y, const yaml_node_t *n, const char *field, long *out,
                     tetris_error *err)
{
    const char *s = tetris_yaml_scalar(n);
    if (!s)
        return tetris_yaml_expect(y, n, YAML_SCALAR_NODE, field, err);
    if (tetris_text_long(s, out))
        return tetris_fail(err, TETRIS_EINVAL, y->path, tetris_yaml_line(n), field,
                           "expected an integer, found '%s'", s);
    return TETRIS_OK;
}

int tetris_yaml_double(tetris_yaml *y, const yaml_node_t *n, const char *field, double *out,
                       tetris_error *err)
{
    const char *s = tetris_yaml_scalar(n);
    if (!s)
        return tetris_yaml_expect(y, n, YAML_SCALAR_NODE, field, err);
    if (tetris_text_double(s, out))
        return tetris_fail(err, TETRIS_EINVAL, y->path, tetris_yaml_line(n), field,
                           "expected a number, found '%s'", s);
    return TETRIS_OK;
}

int tetris_yaml_bool(tetris_yaml *y, const yaml_node_t *n, const char *field, int *out,
                     tetris_error *err)
{
    const char *s = tetris_yaml_scalar(n);
    if (!s)
        return tetris_yaml_expect(y, n, YAML_SCALAR_NODE, field, err);
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
        *out = 1;
        return TETRIS_OK;
    }
    if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
        *out = 0;
        return TETRIS_OK;
    }
    return tetris_fail(err, TETRIS_EINVAL, y->path, tetris_yaml_line(n), field,
                       "expected true or false, found '%s'", s);
}
