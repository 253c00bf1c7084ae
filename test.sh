#!/usr/bin/env bash
# The project's test command: builds the corpus, then runs every test (the spec suite in
# release mode) and checks that the benchmarks compile.
set -euo pipefail
cd "$(dirname "$0")"
corpus/build.sh
cargo build --release --workspace
# The spec suite with lazy compilation first (the workspace run below is eager).
SPEC_LAZY=1 cargo test --release -p engine --test spec
cargo test --release --workspace
cargo bench --workspace --no-run
