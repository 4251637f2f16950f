#!/usr/bin/env bash
# Installs what carelake needs to build and test, on Debian 12. Idempotent:
# installs only what is missing, so a second run does nothing and is quick.
#   - Debian packages (apt-get): compiler, CMake, libraries, test servers.
#   - npm (npm ci): the pinned DuckDB shared library and C header.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: build tools and the well-kept libraries carelake uses
# instead of hand-written code.
PACKAGES=(
  build-essential cmake pkg-config git ca-certificates
  nodejs npm
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev   # JSON
  libyaml-cpp-dev      # YAML (project files)
  libcli11-dev         # command-line parsing
  libspdlog-dev libfmt-dev  # logging, formatting
  libcpp-httplib-dev libssl-dev zlib1g-dev  # HTTP, TLS, compression
  libroaring-dev       # Roaring bitmaps (Delta deletion vectors)
  libhowardhinnant-date-dev tzdata  # time zones (IANA database) for schedules
  libcurl4-openssl-dev # alert delivery: webhooks (HTTPS) and mail (SMTP)
  libsystemd-dev systemd  # sd_notify readiness; systemd-analyze verify (tests)
  python3-aiosmtpd     # tests: a real SMTP server receives the alert mails
  postgresql-client-15 # tests: psql, a real client of the pgwire server
  postgresql-15 libpq-dev  # tests: pgwire values compared with a real PostgreSQL 15 (libpq)
  # tests: the pgwire server's real clients
  python3-psycopg2 python3-sqlalchemy  # psycopg2, SQLAlchemy 1.4's inspector
  openjdk-17-jdk-headless libpostgresql-jdbc-java  # pgjdbc (java runs the check's source)
  odbc-postgresql unixodbc python3-pyodbc  # psqlODBC through unixODBC
  libmariadb-dev       # database sources: MySQL/MariaDB client library
  mariadb-server mariadb-client  # tests: throwaway MariaDB instances
  clang-format         # make format-check (CI)
)

missing=()
for pkg in "${PACKAGES[@]}"; do
  # nodejs/npm may come from elsewhere (e.g. a preinstalled Node): accept
  # the command being on PATH.
  case "$pkg" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# DuckDB from npm, pinned by package-lock.json. --ignore-scripts: we need the
# files, not the Node.js add-on build (which would try to download).
stamp=node_modules/.carelake-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "bootstrap: installing DuckDB (npm ci)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
