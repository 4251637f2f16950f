# Throwaway database servers for the demos that read operational databases
# (examples/medikal, examples/unicornhealth). Source it from a demo's run.sh:
#
#   . "$here/../lib/db_servers.sh"
#   start_postgres      # PostgreSQL 15 (Debian's postgresql-15)
#   start_mariadb       # MariaDB (Debian's mariadb-server)
#   start_db_servers    # both at once (quicker than one after the other)
#
# Each server lives in one temporary folder, listens on a free loopback port
# (and a unix socket in the folder), and is stopped and removed when the
# script exits, however it exits. Under root the servers run as `nobody`.
#
# What the demo gets, as environment variables:
#   DEMO_PG_ADMIN_URL, DEMO_MYSQL_ADMIN_URL   superuser over the socket (no
#                                             password): for the generators
#   DEMO_PG_PORT, DEMO_MYSQL_PORT             the loopback ports
#   DEMO_PG_PASSWORD, DEMO_MYSQL_PASSWORD     the password of user `reader`,
#                                             who may only read (carelake's
#                                             sources use it, as in production)
# The reader's password is made up per run; nothing is kept.

DEMO_SERVERS_DIR=$(mktemp -d /tmp/carelake-demo-XXXXXX)
DEMO_RUN_AS=()
if [ "$(id -u)" -eq 0 ]; then
  chown nobody "$DEMO_SERVERS_DIR"
  DEMO_RUN_AS=(runuser -u nobody --)
fi
DEMO_PG_BIN=/usr/lib/postgresql/15/bin
_demo_pg_data=""
_demo_my_pid=""

stop_db_servers() {
  if [ -n "$_demo_pg_data" ] && [ -f "$_demo_pg_data/postmaster.pid" ]; then
    "${DEMO_RUN_AS[@]}" "$DEMO_PG_BIN/pg_ctl" -D "$_demo_pg_data" -w -s -m fast stop >/dev/null 2>&1 || true
  fi
  if [ -n "$_demo_my_pid" ]; then
    kill "$_demo_my_pid" 2>/dev/null || true
    wait "$_demo_my_pid" 2>/dev/null || true
  fi
  rm -rf "$DEMO_SERVERS_DIR"
}
trap stop_db_servers EXIT

_demo_password() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }

# A port in 20000-59999 that nothing listens on now (bash's /dev/tcp).
_demo_free_port() {
  local port
  for _ in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "db_servers: no free loopback port found" >&2
  return 1
}

start_postgres() {
  if [ ! -x "$DEMO_PG_BIN/pg_ctl" ]; then
    echo "db_servers: PostgreSQL 15 is not installed (scripts/bootstrap.sh installs postgresql-15)" >&2
    return 1
  fi
  local dir="$DEMO_SERVERS_DIR/pg"
  mkdir -p "$dir"
  if [ ${#DEMO_RUN_AS[@]} -gt 0 ]; then chown nobody "$dir"; fi
  "${DEMO_RUN_AS[@]}" "$DEMO_PG_BIN/initdb" -D "$dir/data" -U postgres --auth-local=trust \
    --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; return 1; }
  _demo_pg_data="$dir/data"
  for _ in 1 2 3 4 5; do
    DEMO_PG_PORT=$(_demo_free_port) || return 1
    if "${DEMO_RUN_AS[@]}" "$DEMO_PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -s \
      -o "-k $dir -c listen_addresses=127.0.0.1 -p $DEMO_PG_PORT -c fsync=off -c wal_level=logical -c TimeZone=UTC" \
      start >/dev/null 2>&1; then
      break
    fi
    DEMO_PG_PORT=""
  done
  if [ -z "$DEMO_PG_PORT" ]; then
    echo "db_servers: PostgreSQL did not start:" >&2
    cat "$dir/server.log" >&2
    return 1
  fi
  DEMO_PG_PASSWORD=$(_demo_password)
  "${DEMO_RUN_AS[@]}" psql -q -h "$dir" -p "$DEMO_PG_PORT" -U postgres -d postgres -v ON_ERROR_STOP=1 \
    -c "CREATE ROLE reader LOGIN PASSWORD '$DEMO_PG_PASSWORD'" \
    -c "GRANT pg_read_all_data TO reader" >/dev/null || return 1
  DEMO_PG_ADMIN_URL="postgresql://postgres@/postgres?host=$dir&port=$DEMO_PG_PORT"
  export DEMO_PG_PORT DEMO_PG_PASSWORD DEMO_PG_ADMIN_URL
}

# MariaDB's data folder (mariadb-install-db: the slow part of start_mariadb).
_demo_mariadb_install() {
  if ! command -v mariadbd >/dev/null && [ ! -x /usr/sbin/mariadbd ]; then
    echo "db_servers: MariaDB is not installed (scripts/bootstrap.sh installs mariadb-server)" >&2
    return 1
  fi
  local dir="$DEMO_SERVERS_DIR/my"
  mkdir -p "$dir/tmp"
  if [ ${#DEMO_RUN_AS[@]} -gt 0 ]; then chown -R nobody "$dir"; fi
  "${DEMO_RUN_AS[@]}" mariadb-install-db --no-defaults --datadir="$dir/data" \
    --auth-root-authentication-method=normal --skip-test-db --skip-name-resolve \
    --tmpdir="$dir/tmp" >"$dir/install.log" 2>&1 || { cat "$dir/install.log" >&2; return 1; }
}
_demo_my_installed=""

start_mariadb() {
  if [ -z "$_demo_my_installed" ]; then _demo_mariadb_install || return 1; fi
  local dir="$DEMO_SERVERS_DIR/my"
  local socket="$dir/mysqld.sock"
  for _ in 1 2 3 4 5; do
    DEMO_MYSQL_PORT=$(_demo_free_port) || return 1
    "${DEMO_RUN_AS[@]}" /usr/sbin/mariadbd --no-defaults --datadir="$dir/data" --socket="$socket" \
      --pid-file="$dir/mysqld.pid" --log-error="$dir/server.log" --skip-name-resolve \
      --skip-log-bin --skip-performance-schema --innodb-buffer-pool-size=64M \
      --innodb-flush-log-at-trx-commit=0 --innodb-doublewrite=0 --tmpdir="$dir/tmp" \
      --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
      --default-time-zone=+00:00 --bind-address=127.0.0.1 --port="$DEMO_MYSQL_PORT" \
      >"$dir/stdout.log" 2>&1 &
    _demo_my_pid=$!
    for _ in $(seq 600); do
      mariadb-admin --no-defaults --socket="$socket" -u root ping >/dev/null 2>&1 && break
      kill -0 "$_demo_my_pid" 2>/dev/null || break
      sleep 0.1
    done
    if mariadb-admin --no-defaults --socket="$socket" -u root ping >/dev/null 2>&1; then break; fi
    kill "$_demo_my_pid" 2>/dev/null || true
    wait "$_demo_my_pid" 2>/dev/null || true
    _demo_my_pid=""
    DEMO_MYSQL_PORT=""
  done
  if [ -z "$DEMO_MYSQL_PORT" ]; then
    echo "db_servers: MariaDB did not start:" >&2
    cat "$dir/server.log" >&2
    return 1
  fi
  DEMO_MYSQL_PASSWORD=$(_demo_password)
  mariadb --no-defaults --socket="$socket" -u root -e \
    "CREATE USER 'reader'@'127.0.0.1' IDENTIFIED BY '$DEMO_MYSQL_PASSWORD';
     GRANT SELECT, SHOW VIEW ON *.* TO 'reader'@'127.0.0.1'" || return 1
  DEMO_MYSQL_ADMIN_URL="mysql://root@localhost/?socket=$socket"
  export DEMO_MYSQL_PORT DEMO_MYSQL_PASSWORD DEMO_MYSQL_ADMIN_URL
}

# Both servers, faster than one after the other: MariaDB's data folder is
# made while PostgreSQL starts.
start_db_servers() {
  _demo_mariadb_install &
  local install=$!
  if ! start_postgres; then
    wait "$install" || true
    return 1
  fi
  wait "$install" || return 1
  _demo_my_installed=1
  start_mariadb
}
