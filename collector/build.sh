#!/usr/bin/env bash
# Builds this project's OpenTelemetry Collector (collector/manifest.yaml) with the OpenTelemetry
# Collector Builder and prints the binary's absolute path as the LAST line of stdout.
#
#   bash collector/build.sh            build once, then reuse while the manifest is unchanged
#   bash collector/build.sh --force    build again even if a matching binary exists
#
# Everything it makes stays in git-ignored folders next to this script:
#   collector/.tools/builder-<version>/builder   the builder (go install)
#   collector/build/dist/otelcol-mini-agent      the Collector, its generated sources beside it
#   collector/build/manifest.sha256              what the binary was built from
#
# Progress goes to stderr. Exit codes: 0 built or reused; 3 Go is not installed (callers skip
# the Collector tests and say so); anything else: the build failed (its output says why).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
manifest="$here/manifest.yaml"
build_dir="$here/build"
binary="$build_dir/dist/otelcol-mini-agent"
stamp="$build_dir/manifest.sha256"
force=0
[ "${1:-}" = "--force" ] && force=1

say() { printf '[collector] %s\n' "$*" >&2; }

if ! command -v go >/dev/null 2>&1; then
  say "Go is not installed: the Collector cannot be built here (install Go >= 1.26 from your"
  say "distribution or go.dev, then run 'bash collector/build.sh' again)."
  exit 3
fi

# The builder's release is the one of the core modules the manifest names: one release for all.
version=$(sed -n 's#.*go\.opentelemetry\.io/collector/receiver/otlpreceiver \(v[0-9.]*\).*#\1#p' "$manifest")
if [ -z "$version" ]; then
  say "cannot read the Collector release from $manifest (no otlpreceiver line)"
  exit 1
fi

# The binary is reused when the manifest, the builder release and the Go toolchain are the same.
wanted=$( { cat "$manifest"; echo "builder $version"; go env GOVERSION; } | sha256sum | cut -d' ' -f1)
if [ "$force" = 0 ] && [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
  say "reusing $binary (manifest unchanged)"
  echo "$binary"
  exit 0
fi

mkdir -p "$build_dir"
# Two callers at once (two CI steps, a developer and a test) must not build into the same folder.
exec 9>"$build_dir/.lock"
if command -v flock >/dev/null 2>&1; then
  flock 9
  # The other caller may have just built it.
  if [ "$force" = 0 ] && [ -x "$binary" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    say "reusing $binary (built meanwhile)"
    echo "$binary"
    exit 0
  fi
fi

started=$(date +%s)
builder="$here/.tools/builder-$version/builder"
if [ ! -x "$builder" ]; then
  say "installing the OpenTelemetry Collector Builder $version (go install)"
  GOBIN="$here/.tools/builder-$version" nice -n 10 go install "go.opentelemetry.io/collector/cmd/builder@$version" >&2
fi

say "building the Collector $version from $manifest (modules come from the Go module proxy;"
say "a first build downloads and compiles a few hundred modules: minutes on a small machine)"
rm -f "$stamp"
# The builder writes the sources and runs `go mod tidy` and `go build`; its log goes to stderr.
(cd "$here" && nice -n 10 "$builder" --config "$manifest" >&2)
if [ ! -x "$binary" ]; then
  say "the builder finished but $binary is missing"
  exit 1
fi
"$binary" --version >&2
echo "$wanted" >"$stamp"
say "built in $(( $(date +%s) - started )) s"
echo "$binary"
