#!/usr/bin/env bash
# Finds an installed TimescaleDB for PostgreSQL 15, or builds it from a source tarball.
# Used by .ci/run and `npm test`'s pretest step; documented in the README.
#   TIMESCALEDB_TARBALL   source tarball (default: ../shared/vendor/timescaledb-2.28.3.tar.gz beside
#                         the checkout). On other machines install Timescale's own packages instead.
#   PG_MAJOR              PostgreSQL major version (default 15; TimescaleDB 2.28.3 is the last for 15)
set -euo pipefail
PG_MAJOR=${PG_MAJOR:-15}
here=$(cd "$(dirname "$0")/.." && pwd)
tarball=${TIMESCALEDB_TARBALL:-$here/../shared/vendor/timescaledb-2.28.3.tar.gz}
pgbin=/usr/lib/postgresql/$PG_MAJOR/bin
libdir=/usr/lib/postgresql/$PG_MAJOR/lib

if [ -x "$pgbin/initdb" ] && ls "$libdir"/timescaledb*.so >/dev/null 2>&1; then
  echo "timescaledb: found in $libdir"
  exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "timescaledb: not installed. Install PostgreSQL $PG_MAJOR with TimescaleDB (Timescale's packages), e.g." >&2
  echo "  sudo apt-get install postgresql-$PG_MAJOR timescaledb-2-postgresql-$PG_MAJOR" >&2
  echo "or run this script as root on Debian/Ubuntu with TIMESCALEDB_TARBALL=<source tarball>." >&2
  exit 1
fi
if [ ! -f "$tarball" ]; then
  echo "timescaledb: no source tarball at $tarball (set TIMESCALEDB_TARBALL)" >&2
  exit 1
fi
echo "timescaledb: building from $tarball"
need=()
for p in postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR cmake gcc make; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar xzf "$tarball" -C "$work"
src=$(find "$work" -maxdepth 1 -mindepth 1 -type d | head -1)
cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF \
  -DWARNINGS_AS_ERRORS=OFF -DGENERATE_DOWNGRADE_SCRIPT=OFF -DSEND_TELEMETRY_DEFAULT=NO \
  -DPG_CONFIG="$pgbin/pg_config" >/dev/null
make -C "$work/build" -j"$(nproc)" >/dev/null
make -C "$work/build" install >/dev/null
echo "timescaledb: installed into $libdir"
