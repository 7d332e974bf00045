#!/usr/bin/env bash
# The tools integrations/schemas/codegen's tests compile the generated
# bindings with, besides go, javac/java 17 (Debian's openjdk-17-jdk-headless),
# python3 and node 20: TypeScript, installed with npm into a cache directory
# (once; later runs find it there). Prints the tsc to pass as SIGNALBOX_TSC.
#
# Usage: .ci/codegen-tools.sh   (needs npm and the npm registry the first time)
set -euo pipefail
TS_VERSION=5.9.3
dir="${SIGNALBOX_CI_CACHE:-$HOME/.cache/signalbox-ci}/ts"
tsc="$dir/node_modules/.bin/tsc"
if [ ! -x "$tsc" ] || [ "$("$tsc" --version)" != "Version $TS_VERSION" ]; then
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --save-exact "typescript@$TS_VERSION" >&2
fi
for t in javac java python3 node; do
  command -v "$t" >/dev/null || { echo "codegen-tools: $t is not installed" >&2; exit 1; }
done
echo "$tsc"
