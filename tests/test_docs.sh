#!/bin/sh
# The documentation matches the code: docs/config.md is what
# `tetris config --doc` generates from the parameter table, docs/json.md names
# every event counter, and every docs/ link in the README resolves.
# `make check` sets TETRIS and srcdir. Exit 0 pass, 1 fail, 77 skip.

if [ -z "${TETRIS:-}" ] || [ ! -x "$TETRIS" ]; then
    echo "SKIP: TETRIS does not name the built tetris program"
    exit 77
fi
srcdir=${srcdir:-$(cd "$(dirname "$0")/.." && pwd)}

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

failed=0

if ! "$TETRIS" config --doc >"$tmp/config.md"; then
    echo "FAIL: tetris config --doc exited with an error"
    failed=1
elif ! cmp -s "$tmp/config.md" "$srcdir/docs/config.md"; then
    echo "FAIL: docs/config.md differs from 'tetris config --doc' (regenerate it):"
    diff -u "$srcdir/docs/config.md" "$tmp/config.md" | head -n 40
    failed=1
else
    echo "PASS: docs/config.md is current"
fi

# counter names from the X-macro in the public header
sed -n 's/^ *X([A-Z0-9_]*, "\([a-z0-9_]*\)",.*/\1/p' "$srcdir/refmodel/tetris.h" >"$tmp/counters"
if [ ! -s "$tmp/counters" ]; then
    echo "FAIL: no counter names found in refmodel/tetris.h"
    failed=1
fi
missing=$(while read -r name; do
    grep -q "\`$name\`" "$srcdir/docs/json.md" || printf ' %s' "$name"
done <"$tmp/counters")
if [ -n "$missing" ]; then
    echo "FAIL: docs/json.md does not describe the counters$missing"
    failed=1
else
    echo "PASS: docs/json.md names every counter"
fi

broken=$(for doc in $(grep -o '(docs/[a-z_]*\.md)' "$srcdir/README.md" | tr -d '()'); do
    [ -s "$srcdir/$doc" ] || printf ' %s' "$doc"
done)
if [ -n "$broken" ]; then
    echo "FAIL: README.md links to missing or empty files:$broken"
    failed=1
else
    echo "PASS: every docs/ link of README.md resolves"
fi

[ "$failed" -eq 0 ]
