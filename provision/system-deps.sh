#!/usr/bin/env bash
# Installs the system packages the stack needs when they are missing: PostgreSQL's server binaries
# (only when DATABASE_URL does not point at an existing server), Redis's (only when REDIS_URL does
# not point at an existing server) and, with --browser, Chromium.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.sh
. "$here/versions.sh"

want=()
if [ -z "${DATABASE_URL:-}" ] && [ ! -x "/usr/lib/postgresql/$POSTGRES_MAJOR/bin/initdb" ] && [ -z "${PG_BIN_DIR:-}" ]; then
  want+=("postgresql-$POSTGRES_MAJOR")
fi
if [ -z "${REDIS_URL:-}" ]; then
  if ! command -v redis-server >/dev/null 2>&1; then
    want+=(redis-server)
  elif ! redis-server --version | grep -q " v=$REDIS_MAJOR\."; then
    echo "redis-server $(redis-server --version | sed 's/.* v=\([0-9.]*\).*/\1/') found; the gate wants major $REDIS_MAJOR" >&2
  fi
fi
command -v python3 >/dev/null 2>&1 || want+=(python3 python3-venv)
for arg in "$@"; do if [ "$arg" = "--browser" ] && [ ! -x /usr/bin/chromium ]; then want+=(chromium); fi; done

[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "missing system packages: ${want[*]} (install them, or set DATABASE_URL / PG_BIN_DIR)" >&2
  exit 1
fi
echo "installing system packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
# Debian's package starts its own cluster on 5432; the project runs its own, so stop that one.
if [[ " ${want[*]} " == *" postgresql-"* ]] && command -v pg_ctlcluster >/dev/null 2>&1; then
  pg_ctlcluster "$POSTGRES_MAJOR" main stop 2>/dev/null || true
fi
# The same for Redis: the package's own server on 6379 is not the project's.
if [[ " ${want[*]} " == *" redis-server "* ]] && command -v service >/dev/null 2>&1; then
  service redis-server stop >/dev/null 2>&1 || true
fi
