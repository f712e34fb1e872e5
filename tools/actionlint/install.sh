#!/usr/bin/env bash
# make actionlint: build actionlint (the GitHub Actions workflow linter) with `go install`.
#
# Installs into one cache folder outside the repository, like make pulumi-cli:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-devrev/actionlint-<version>/actionlint
# The version is pinned in tools/actionlint/VERSION (the one place). Only the Go module proxy
# is used, through the ordinary `go` client. Idempotent: an installed binary that reports the
# pinned version is reused at once. Prints where the binary is on its last line.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(tr -d '[:space:]' < "$here/VERSION")"
dest="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-devrev/actionlint-$version"

if [[ -x "$dest/actionlint" ]] && [[ "$("$dest/actionlint" -version 2>/dev/null | head -n 1)" == "v$version" ]]; then
    echo "actionlint $version (cached): $dest/actionlint"
    exit 0
fi

if ! command -v go >/dev/null 2>&1; then
    echo "make actionlint needs the Go toolchain: install Go (1.24 or newer) so that 'go' is on PATH, then run it again." >&2
    exit 1
fi

started=$SECONDS
echo "Building actionlint $version with go install..."
# Into a fresh folder first, moved into place once it works: an interrupted build leaves no
# half-installed binary behind.
mkdir -p "$(dirname "$dest")"
work="$(mktemp -d "$(dirname "$dest")/.actionlint-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
if ! GOBIN="$work" CGO_ENABLED=0 go install -trimpath "github.com/rhysd/actionlint/cmd/actionlint@v$version" >"$work/go.log" 2>&1; then
    cat "$work/go.log" >&2
    echo "make actionlint: go install of actionlint v$version failed (output above)." >&2
    exit 1
fi
"$work/actionlint" -version >/dev/null
rm -rf "$dest"
mkdir -p "$dest"
mv "$work/actionlint" "$dest/actionlint"
echo "Built in $((SECONDS - started)) s."
echo "actionlint $version: $dest/actionlint"
