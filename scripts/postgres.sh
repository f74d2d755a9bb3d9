# shellcheck shell=bash
# Provides a PostgreSQL server for the store's contract tests and benchmark.
#
#   source scripts/postgres.sh
#   ensure_postgres || { echo "no PostgreSQL" >&2; exit 1; }   # exports STORMDESK_TEST_DATABASE_URL
#
# 1. A server already answers on 127.0.0.1:$STORMDESK_PG_PORT (default 5432): find a role that
#    logs in (trust, our own password, or $PGPASSWORD), create database "test" if missing.
# 2. Otherwise (Debian/Ubuntu): apt-get install postgresql, create/start cluster "main" with
#    pg_ctlcluster (no systemd in containers), set the postgres role's password, create "test".
# Needs root or sudo only in case 2. Never edits pg_hba.conf. Safe to call twice (idempotent).
# The password in case 2 is for a throwaway local test server listening on localhost only.

STORMDESK_PG_HOST=${STORMDESK_PG_HOST:-127.0.0.1}
STORMDESK_PG_PORT=${STORMDESK_PG_PORT:-5432}
STORMDESK_PG_DB=${STORMDESK_PG_DB:-test}
STORMDESK_PG_PASSWORD=${STORMDESK_PG_PASSWORD:-stormdesk}

_pg_log() { echo "== postgres: $*" >&2; }

_pg_root() {  # run a command as root (directly, or through sudo)
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

_pg_as_postgres() {  # run a command as the postgres OS user (peer auth on the local socket)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

_pg_answers() {  # is something accepting connections on host:port?
  local port=${1:-$STORMDESK_PG_PORT}
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$STORMDESK_PG_HOST" -p "$port" -t 3
  else
    (exec 3<>"/dev/tcp/$STORMDESK_PG_HOST/$port") 2>/dev/null
  fi
}

_pg_can_login() {  # can we run "select 1" with this libpq URL (postgresql://...)?
  local url=$1
  if command -v psql >/dev/null 2>&1; then
    PGCONNECT_TIMEOUT=5 psql "$url" -w -X -Atqc 'select 1' >/dev/null 2>&1
  else
    local python=${PYTHON_FOR_PG:-${STORMDESK_VENV:-.venv}/bin/python}
    [ -x "$python" ] || python=python3
    "$python" - "$url" >/dev/null 2>&1 <<'PY'
import sys
import psycopg
psycopg.connect(sys.argv[1], connect_timeout=5).close()
PY
  fi
}

_pg_create_db_via() {  # CREATE DATABASE through a role that can log in to database "postgres"
  local base=$1 db=$STORMDESK_PG_DB
  command -v psql >/dev/null 2>&1 || return 1
  PGCONNECT_TIMEOUT=5 psql "$base/postgres" -w -X -Atqc "CREATE DATABASE \"$db\"" >/dev/null 2>&1
}

_pg_find_url() {  # prints a working libpq URL for $STORMDESK_PG_DB, or fails
  local port=$1 hostport="$STORMDESK_PG_HOST:$port" user base
  local candidates=("postgres@$hostport" "postgres:$STORMDESK_PG_PASSWORD@$hostport")
  [ -n "${PGPASSWORD:-}" ] && candidates+=("${PGUSER:-postgres}:$PGPASSWORD@$hostport")
  for user in "${PGUSER:-}" "$(id -un)"; do
    [ -n "$user" ] && [ "$user" != postgres ] && candidates+=("$user@$hostport")
  done
  for base in "${candidates[@]}"; do
    if _pg_can_login "postgresql://$base/$STORMDESK_PG_DB"; then
      echo "postgresql://$base/$STORMDESK_PG_DB"; return 0
    fi
    if _pg_can_login "postgresql://$base/postgres" \
        && _pg_create_db_via "postgresql://$base" \
        && _pg_can_login "postgresql://$base/$STORMDESK_PG_DB"; then
      echo "postgresql://$base/$STORMDESK_PG_DB"; return 0
    fi
  done
  return 1
}

_pg_export() {  # libpq URL -> SQLAlchemy URL (psycopg 3), exported for pytest and the bench
  export STORMDESK_TEST_DATABASE_URL="postgresql+psycopg://${1#postgresql://}"
  _pg_log "STORMDESK_TEST_DATABASE_URL=${STORMDESK_TEST_DATABASE_URL/:$STORMDESK_PG_PASSWORD@/:***@}"
}

_pg_install_and_start() {  # Debian's packaged server, started without systemd; prints its port
  local version port
  if ! command -v pg_ctlcluster >/dev/null 2>&1 || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    _pg_log "installing Debian's postgresql (about 15 s)"
    _pg_root apt-get update -qq >&2 || return 1
    _pg_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null || return 1
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then  # packages present but no cluster (create_main_cluster = false)
    version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
    _pg_root pg_createcluster "$version" main >&2 || return 1
  elif [ ! -d "/etc/postgresql/$version/main" ]; then
    _pg_root pg_createcluster "$version" main >&2 || return 1
  fi
  port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
  port=${port:-$STORMDESK_PG_PORT}
  _pg_log "starting cluster $version/main on port $port"
  _pg_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2 || true
  for _ in $(seq 30); do
    _pg_answers "$port" && break
    sleep 1
  done
  _pg_answers "$port" || { _pg_log "cluster $version/main did not start"; return 1; }
  # Debian's pg_hba: "peer" on the socket, scram passwords over TCP: give postgres a password.
  _pg_as_postgres psql -X -q -c "ALTER ROLE postgres PASSWORD '$STORMDESK_PG_PASSWORD'" >&2 \
    || return 1
  if ! _pg_as_postgres psql -X -Atqc "SELECT 1 FROM pg_database WHERE datname = '$STORMDESK_PG_DB'" \
      | grep -q 1; then
    _pg_as_postgres createdb "$STORMDESK_PG_DB" || return 1
  fi
  echo "$port"
}

ensure_postgres() {
  local url port
  if [ -n "${STORMDESK_TEST_DATABASE_URL:-}" ] \
      && _pg_can_login "postgresql://${STORMDESK_TEST_DATABASE_URL#*://}"; then
    _pg_log "using the STORMDESK_TEST_DATABASE_URL already set"
    return 0
  fi
  port=$STORMDESK_PG_PORT
  if ! _pg_answers "$port"; then
    _pg_log "nothing answers on $STORMDESK_PG_HOST:$port"
    port=$(_pg_install_and_start) || { _pg_log "could not install or start PostgreSQL"; return 1; }
  fi
  if ! command -v psql >/dev/null 2>&1 && ! "${PYTHON_FOR_PG:-${STORMDESK_VENV:-.venv}/bin/python}" \
      -c 'import psycopg' 2>/dev/null; then
    _pg_log "installing postgresql-client (to probe logins)"
    _pg_root apt-get update -qq >&2 \
      && _pg_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client \
        >/dev/null
  fi
  if url=$(_pg_find_url "$port"); then
    _pg_export "$url"
    return 0
  fi
  _pg_log "a server answers on $STORMDESK_PG_HOST:$port but no role could log in" \
    "(tried postgres with trust and with \$STORMDESK_PG_PASSWORD, \$PGUSER/\$PGPASSWORD)"
  return 1
}
