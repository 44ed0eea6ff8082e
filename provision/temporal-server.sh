#!/usr/bin/env bash
# Installs the production Temporal server (`temporal-server`), its schema tool
# (`temporal-sql-tool`) and the standalone Web UI server (`temporal-ui-server`) at the pinned versions: built once with `go install` into a cache outside the
# clone (a second clone, or a second run, reuses it; Go's own module and build caches make a rebuild
# take seconds), then linked into .tools/bin. The schema the sql tool applies is embedded in it.
# The first build takes about 20 minutes on two cores. Idempotent; quiet when everything is there.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=versions.sh
. provision/versions.sh

tools="$root/.tools"
version=$TEMPORAL_SERVER_VERSION
cache="${XDG_CACHE_HOME:-$HOME/.cache}/saga-orchestra/temporal-server-$version"
ui_cache="${XDG_CACHE_HOME:-$HOME/.cache}/saga-orchestra/temporal-ui-server-$TEMPORAL_UI_SERVER_VERSION"
want="$version ui-$TEMPORAL_UI_SERVER_VERSION"
if [ "$(cat "$tools/temporal-server.stamp" 2>/dev/null)" = "$want" ] && [ -x "$tools/bin/temporal-server" ] &&
  [ -x "$tools/bin/temporal-sql-tool" ] && [ -x "$tools/bin/temporal-ui-server" ]; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1 && { [ ! -x "$cache/server" ] || [ ! -x "$ui_cache/server" ]; }; then
  echo "temporal-server: Go is needed to build the Temporal server $version (apt-get install golang, or put go on PATH)" >&2
  exit 1
fi

if [ ! -x "$cache/server" ] || [ ! -x "$cache/sql" ]; then
  echo "temporal-server: building the Temporal server and temporal-sql-tool $version with go install (about 20 minutes the first time) ..."
  started=$SECONDS
  (while sleep 60; do echo "temporal-server: still building ($((SECONDS - started)) s)"; done) &
  ticker=$!
  trap 'kill $ticker 2>/dev/null || true' EXIT
  mkdir -p "$cache"
  GOBIN="$cache" go install "go.temporal.io/server/cmd/server@$version" "go.temporal.io/server/cmd/tools/sql@$version"
  kill "$ticker" 2>/dev/null || true
  echo "temporal-server: built in $((SECONDS - started)) s"
fi

if [ ! -x "$ui_cache/server" ]; then
  echo "temporal-server: building the Web UI server $TEMPORAL_UI_SERVER_VERSION with go install ..."
  started=$SECONDS
  mkdir -p "$ui_cache"
  GOBIN="$ui_cache" go install "github.com/temporalio/ui-server/v2/cmd/server@$TEMPORAL_UI_SERVER_VERSION"
  echo "temporal-server: Web UI server built in $((SECONDS - started)) s"
fi

mkdir -p "$tools/bin"
ln -sf "$cache/server" "$tools/bin/temporal-server"
ln -sf "$cache/sql" "$tools/bin/temporal-sql-tool"
ln -sf "$ui_cache/server" "$tools/bin/temporal-ui-server"
echo "$want" >"$tools/temporal-server.stamp"
