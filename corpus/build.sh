#!/usr/bin/env bash
# corpus/build.sh - builds the Emscripten test corpus into corpus/out/ (git-ignored).
#
#   corpus/out/mquickjs.wasm        MicroQuickJS + corpus/mquickjs/sandbox.c, emcc -O2
#   corpus/out/mquickjs-small.wasm  the same, compiled with emcc -Oz, linked with -O2
#   corpus/out/c/NAME.wasm          each corpus/c/NAME.c, emcc -O2
# (each .wasm has the emcc-generated .js glue beside it; the glue is only used
# as a second opinion, corpus/node/host.js runs the .wasm files directly)
#
# MicroQuickJS's C sources come from the crates.io package mquickjs-sys =0.2.0
# (its vendor/mquickjs/), fetched through cargo; they are never committed.
# Idempotent: a target is rebuilt only when it is missing or older than one of
# its inputs (this script counts as an input of everything). See corpus/README.md.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=$HERE/out
SELF=$HERE/build.sh
MQJS_CRATE=mquickjs-sys
MQJS_VERSION=0.2.0

# emcc's JS optimizer needs acorn from Debian's node-acorn
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}

if ! command -v emcc >/dev/null 2>&1; then
    echo "build.sh: emcc not found. Install Emscripten 3.1.6 (Debian 12) with:" >&2
    echo "    apt-get update && apt-get install -y emscripten node-acorn" >&2
    echo "(and wabt for wasm-objdump, used to inspect the outputs)" >&2
    exit 1
fi
for tool in cargo node; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "build.sh: $tool not found (needed to fetch the MicroQuickJS sources / to run emcc)" >&2
        exit 1
    fi
done
HOSTCC=${HOSTCC:-cc}
if ! command -v "$HOSTCC" >/dev/null 2>&1; then
    echo "build.sh: no host C compiler ($HOSTCC) for the MicroQuickJS stdlib generator:" >&2
    echo "    apt-get install -y gcc" >&2
    exit 1
fi

# The exact flags (also documented in corpus/README.md)
MQJS_CFLAGS=(-D_GNU_SOURCE -Igen -Imquickjs-src -Wno-absolute-value) # the -W flag only silences one vendored warning
MQJS_LDFLAGS=(
    -sALLOW_MEMORY_GROWTH=1
    -sTOTAL_STACK=1048576
    -sEXPORTED_FUNCTIONS=_sandbox_init,_sandbox_eval,_sandbox_get_error,_malloc,_free
)
MQJS_SOURCES=(mquickjs-src/mquickjs.c mquickjs-src/dtoa.c mquickjs-src/libm.c mquickjs-src/cutils.c ../mquickjs/sandbox.c)
C_FLAGS=(-O2 -sALLOW_MEMORY_GROWTH=1)

# needs_build OUTPUT INPUT... : true when OUTPUT is missing or older than an input
needs_build() {
    local out=$1 in
    shift
    [[ -e $out ]] || return 0
    for in in "$@"; do
        [[ $in -nt $out ]] && return 0
    done
    return 1
}

built=0
say() { echo "build.sh: $*" >&2; }

mkdir -p "$OUT/fetch" "$OUT/gen" "$OUT/mquickjs-src" "$OUT/c"

# ---------------------------------------------------------------------------
# 1. MicroQuickJS sources from crates.io via cargo
VENDOR_FILE=$OUT/fetch/vendor-dir.txt
vendor=""
if [[ -f $VENDOR_FILE ]]; then
    vendor=$(cat "$VENDOR_FILE")
fi
if [[ -z $vendor || ! -f $vendor/mquickjs.c || $SELF -nt $VENDOR_FILE ]]; then
    say "fetching $MQJS_CRATE =$MQJS_VERSION with cargo"
    cat > "$OUT/fetch/Cargo.toml" <<EOF
# throwaway manifest written by corpus/build.sh, only used to fetch the sources
[package]
name = "corpus-fetch-mquickjs"
version = "0.0.0"
edition = "2021"
publish = false

[lib]
path = "lib.rs"

[dependencies]
$MQJS_CRATE = "=$MQJS_VERSION"

[workspace]
EOF
    : > "$OUT/fetch/lib.rs"
    cargo fetch --manifest-path "$OUT/fetch/Cargo.toml" >&2
    vendor=$(cargo metadata --format-version 1 --manifest-path "$OUT/fetch/Cargo.toml" |
        node -e '
            let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
                const [name, version] = process.argv.slice(1);
                const p = JSON.parse(s).packages.find(p => p.name === name && p.version === version);
                if (!p) { console.error("package " + name + " " + version + " not in cargo metadata"); process.exit(1); }
                console.log(require("path").join(require("path").dirname(p.manifest_path), "vendor", "mquickjs"));
            });' "$MQJS_CRATE" "$MQJS_VERSION")
    if [[ ! -f $vendor/mquickjs.c ]]; then
        echo "build.sh: $vendor/mquickjs.c not found in the $MQJS_CRATE package" >&2
        exit 1
    fi
    echo "$vendor" > "$VENDOR_FILE"
fi

# copy them into out/mquickjs-src (so compiled-in paths like __FILE__ do not
# depend on where cargo keeps its registry); keep mtimes, copy only changes
for f in "$vendor"/*.c "$vendor"/*.h "$vendor"/LICENSE; do
    dst=$OUT/mquickjs-src/$(basename "$f")
    if [[ ! -f $dst ]] || ! cmp -s "$f" "$dst"; then
        cp -p "$f" "$dst"
    fi
done
SRC=$OUT/mquickjs-src
MQJS_INPUTS=("$SELF" "$SRC"/*.c "$SRC"/*.h "$HERE/mquickjs/sandbox.c")

# ---------------------------------------------------------------------------
# 2. the stdlib/atom generator, built and run natively (32-bit tables)
GEN=$OUT/gen
if needs_build "$GEN/mqjs_stdlib" "$SELF" "$SRC/mqjs_stdlib.c" "$SRC/mquickjs_build.c" "$SRC"/*.h; then
    say "building the stdlib generator with $HOSTCC"
    "$HOSTCC" -O2 -I"$SRC" -o "$GEN/mqjs_stdlib.tmp" "$SRC/mqjs_stdlib.c" "$SRC/mquickjs_build.c"
    mv "$GEN/mqjs_stdlib.tmp" "$GEN/mqjs_stdlib"
    built=$((built + 1))
fi
# it prints a harmless "Too many properties, consider increasing ATOM_ALIGN" on stderr
if needs_build "$GEN/mqjs_stdlib.h" "$GEN/mqjs_stdlib"; then
    "$GEN/mqjs_stdlib" -m32 > "$GEN/mqjs_stdlib.h.tmp" 2> "$GEN/mqjs_stdlib.log" ||
        { cat "$GEN/mqjs_stdlib.log" >&2; exit 1; }
    mv "$GEN/mqjs_stdlib.h.tmp" "$GEN/mqjs_stdlib.h"
    built=$((built + 1))
fi
if needs_build "$GEN/mquickjs_atom.h" "$GEN/mqjs_stdlib"; then
    "$GEN/mqjs_stdlib" -a -m32 > "$GEN/mquickjs_atom.h.tmp" 2> "$GEN/mquickjs_atom.log" ||
        { cat "$GEN/mquickjs_atom.log" >&2; exit 1; }
    mv "$GEN/mquickjs_atom.h.tmp" "$GEN/mquickjs_atom.h"
    built=$((built + 1))
fi
MQJS_INPUTS+=("$GEN/mqjs_stdlib.h" "$GEN/mquickjs_atom.h")

# ---------------------------------------------------------------------------
# 3. MicroQuickJS + sandbox wrapper (JS-host flavour: -o X.js, use X.wasm)
# mquickjs.wasm: one emcc -O2 command.
# mquickjs-small.wasm: compiled with -Oz but linked with -O2, because an -Oz
# (or -Os/-O3) link makes emcc 3.1.6 minify every import/export name ("a.a",
# "p", ...) and only its own .js glue knows what they mean; a generic host
# (corpus/node/host.js, our engine) needs the real names.
build_mqjs() { # NAME COMPILE_OPT
    local name=$1 opt=$2
    if needs_build "$OUT/$name.wasm" "${MQJS_INPUTS[@]}" || [[ ! -e $OUT/$name.js ]]; then
        rm -f "$OUT/$name.wasm" "$OUT/$name.js"
        if [[ $opt == -O2 ]]; then
            say "emcc -O2 -> out/$name.wasm"
            (cd "$OUT" && emcc -O2 "${MQJS_CFLAGS[@]}" "${MQJS_SOURCES[@]}" "${MQJS_LDFLAGS[@]}" -o "$name.js")
        else
            say "emcc $opt -c, emcc -O2 link -> out/$name.wasm"
            local objdir=obj$opt objs=() src
            mkdir -p "$OUT/$objdir"
            for src in "${MQJS_SOURCES[@]}"; do
                objs+=("$objdir/$(basename "$src" .c).o")
                (cd "$OUT" && emcc "$opt" "${MQJS_CFLAGS[@]}" -c "$src" -o "${objs[-1]}")
            done
            (cd "$OUT" && emcc -O2 "${objs[@]}" "${MQJS_LDFLAGS[@]}" -o "$name.js")
        fi
        built=$((built + 1))
    fi
}
build_mqjs mquickjs -O2
build_mqjs mquickjs-small -Oz

# ---------------------------------------------------------------------------
# 4. the project's own C programs
for src in "$HERE"/c/*.c; do
    name=$(basename "$src" .c)
    if needs_build "$OUT/c/$name.wasm" "$SELF" "$src" || [[ ! -e $OUT/c/$name.js ]]; then
        say "emcc ${C_FLAGS[*]} -> out/c/$name.wasm"
        rm -f "$OUT/c/$name.wasm" "$OUT/c/$name.js"
        # relative source path: assert() messages embed __FILE__ = "c/NAME.c"
        (cd "$HERE" && emcc "${C_FLAGS[@]}" "c/$name.c" -o "out/c/$name.js")
        built=$((built + 1))
    fi
done

# outputs of C programs that no longer exist
for out in "$OUT"/c/*.wasm; do
    [[ -e $out ]] || continue
    name=$(basename "$out" .wasm)
    if [[ ! -e $HERE/c/$name.c ]]; then
        say "removing out/c/$name.* (no c/$name.c)"
        rm -f "$OUT/c/$name.wasm" "$OUT/c/$name.js"
    fi
done

# ---------------------------------------------------------------------------
say "$built target(s) rebuilt"
cd "$OUT"
sha256sum gen/mqjs_stdlib.h gen/mquickjs_atom.h mquickjs.wasm mquickjs.js \
    mquickjs-small.wasm mquickjs-small.js c/*.wasm c/*.js
