#!/usr/bin/env bash
# make pulumi-cli: build the real Pulumi CLI from Pulumi's published Go modules.
#
# Installs into one cache folder outside the repository:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-devrev/pulumi-<version>/bin
# holding the four programs the engine needs side by side:
#   pulumi                               package cmd/pulumi of github.com/pulumi/pulumi/pkg/v3
#   pulumi-language-python               the Python language host (see LANGUAGE HOST below)
#   pulumi-resource-pulumi-python        launcher of the dynamic provider, from sdk/v3
#   pulumi-language-python-exec          the SDK's program runner, from sdk/v3
#
# The version is pinned in tools/pulumi-cli/VERSION (the one place). Only the Go module
# proxy is used, through the ordinary `go` client. Idempotent: a finished build is
# reused at once. Prints where the CLI is on its last line.
#
# LANGUAGE HOST: the official module github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
# has no version tags, so it can only be had at the pseudo-version of the pkg/v3 tag's commit.
# The Go module proxy reachable here refuses every version of it ("403 Forbidden ... This module
# version is not available"), so by default the stand-in in tools/pulumi-cli/language-host
# (built against the same sdk/v3) is installed under that name. Where the official one can be
# had, set PULUMI_LANGUAGE_PYTHON_VERSION to its pseudo-version and it is built instead.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="$(tr -d '[:space:]' < "$here/VERSION")"
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/pulumi-devrev"
dest="$cache_root/pulumi-$version/bin"
langhost_version="${PULUMI_LANGUAGE_PYTHON_VERSION:-}"

if ! command -v go >/dev/null 2>&1; then
    echo "make pulumi-cli needs the Go toolchain: install Go (1.24 or newer) so that 'go' is on PATH, then run it again." >&2
    exit 1
fi

# What the finished build was made from: a rebuild happens only when this changes.
fingerprint="pulumi $version; language host ${langhost_version:-stand-in $(sha256sum "$here/language-host/main.go" | cut -c1-16)}; $(go env GOVERSION)"
if [[ -f "$dest/.built-from" && "$(cat "$dest/.built-from")" == "$fingerprint" ]]; then
    echo "Pulumi CLI $version (cached): $dest/pulumi"
    exit 0
fi

started=$SECONDS
work="$(mktemp -d "${TMPDIR:-/tmp}/pulumi-cli-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cd "$work"
# go's progress lines ("go: downloading ...") go to a log, shown in full when a step fails.
quiet() {
    if ! "$@" >"$work/go.log" 2>&1; then
        cat "$work/go.log" >&2
        echo "make pulumi-cli: \`$*\` failed (output above)." >&2
        exit 1
    fi
}
export GOFLAGS="${GOFLAGS:-} -mod=mod"
export CGO_ENABLED=0

echo "Building Pulumi CLI $version from Go modules (a first build takes several minutes)..."
quiet go mod init pulumi-devrev.local/pulumi-cli
# Both pkg/v3 and sdk/v3 pinned at the same version: the language host's own go.mod asks
# for older ones, and the CLI must not run against a different SDK than it was tagged with.
quiet go get "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"

out="$work/bin"
mkdir -p "$out"
flags=(-trimpath -tags osusergo,grpcnotrace)
version_flag="-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$version"

quiet go build "${flags[@]}" -ldflags "$version_flag" -o "$out/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi

if [[ -n "$langhost_version" ]]; then
    module=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
    quiet go get "$module@$langhost_version" "github.com/pulumi/pulumi/pkg/v3@v$version" "github.com/pulumi/pulumi/sdk/v3@v$version"
    quiet go build "${flags[@]}" -ldflags "$version_flag" -o "$out/pulumi-language-python" "$module"
else
    mkdir -p languagehost
    cp "$here/language-host/main.go" languagehost/main.go
    quiet go build "${flags[@]}" -ldflags "-X main.version=$version" -o "$out/pulumi-language-python" ./languagehost
fi

# The two launchers ship as plain files inside sdk/v3; module files are read-only and not
# executable, so copy them and set the execute bit.
sdk_dir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi/sdk/v3)"
install -m 0755 "$sdk_dir/python/dist/pulumi-resource-pulumi-python" "$out/"
install -m 0755 "$sdk_dir/python/cmd/pulumi-language-python-exec" "$out/"

"$out/pulumi" version >/dev/null
echo "$fingerprint" > "$out/.built-from"
mkdir -p "$(dirname "$dest")"
rm -rf "$dest"
mv "$out" "$dest"
echo "Built in $((SECONDS - started)) s."
echo "Pulumi CLI $version: $dest/pulumi"
