#!/usr/bin/env bash
# What `npm test` needs beyond npm packages: Mosquitto (every MQTT suite starts private brokers),
# Chromium with a CJK font (viewer screenshots), docker-compose (compose validation) and PostgreSQL
# with TimescaleDB (the server-backed suites). `npm test` runs this as its `pretest` step and
# `.ci/run` calls it too.
#   - everything present: prints one line, exits 0;
#   - something missing, root on Debian/Ubuntu: installs it with apt-get (TimescaleDB through
#     scripts/install-timescaledb.sh), then exits 0;
#   - something missing elsewhere: prints the exact command to run and exits 1 at once (no suite
#     is ever skipped because a dependency is missing).
#   --check   only report; never install.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
check_only=false
[ "${1:-}" = "--check" ] && check_only=true

have_cmd() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
have_cjk_font() { have_cmd fc-list && fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk\|noto serif cjk'; }
have_timescale() { ls /usr/lib/postgresql/*/lib/timescaledb*.so >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; }

apt=()
have_cmd mosquitto || apt+=(mosquitto)
# The browser tests launch /usr/bin/chromium (Debian's package; on Ubuntu it is a snap wrapper).
[ -x /usr/bin/chromium ] || apt+=(chromium)
have_cjk_font || apt+=(fonts-wqy-microhei fontconfig)
have_cmd docker-compose || apt+=(docker-compose)
timescale=true
have_timescale || timescale=false

if [ ${#apt[@]} -eq 0 ] && $timescale; then
  echo "test-deps: mosquitto, chromium, CJK font, docker-compose, TimescaleDB found"
  exit 0
fi
missing="${apt[*]}"
$timescale || missing="$missing timescaledb"
can_install=false
[ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && can_install=true
if $check_only || ! $can_install; then
  echo "test-deps: missing:$missing" >&2
  echo "test-deps: install them with (Debian/Ubuntu, as root):" >&2
  echo "  sudo bash scripts/install-test-deps.sh" >&2
  if [ ${#apt[@]} -gt 0 ]; then
    echo "  (that is: sudo apt-get install -y ${apt[*]}$($timescale || echo '; sudo bash scripts/install-timescaledb.sh'))" >&2
  else
    echo "  (that is: sudo bash scripts/install-timescaledb.sh)" >&2
  fi
  echo "test-deps: elsewhere install Mosquitto 2, Chromium at /usr/bin/chromium, a CJK font, docker-compose and PostgreSQL 15 with TimescaleDB 2.28 (Timescale's packages)" >&2
  exit 1
fi
if [ ${#apt[@]} -gt 0 ]; then
  echo "test-deps: installing ${apt[*]}"
  # Wait for another apt run (several checkouts on one machine) instead of failing on its lock.
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${apt[@]}" >/dev/null
fi
$timescale || bash "$here/install-timescaledb.sh"
echo "test-deps: installed:$missing"
