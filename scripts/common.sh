# Shared by scripts/run and scripts/test: install what is missing, configure, build.
# shellcheck shell=bash

CACHESCOPE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Debian 12 packages: toolchain, Qt 6, QCustomPlot (Qt6 build), hiredis, OpenSSL (TLS under
# hiredis's reader), msgpack-cxx, zlib, lz4, zstd, the QtSql drivers of Superset's metadata
# databases; for tests (each starts its own servers in a temp dir) redis-server/redis-sentinel,
# openssl (test certificates), memcached (with Cyrus SASL tools for its -S tests), PostgreSQL and
# MariaDB; Xvfb and fonts for screenshots, Qt SVG
# (icons), the validators of the .desktop and AppStream files (scripts/package), lupdate
# (scripts/translations), and the Python libraries that prove byte compatibility (Debian's
# python3, not a pyenv one).
CACHESCOPE_PACKAGES=(
  build-essential cmake ninja-build pkg-config ccache clang
  qt6-base-dev qt6-qpa-plugins libqt6sql6-sqlite libqt6sql6-psql libqt6sql6-mysql libgl-dev libqcustomplot-dev
  libhiredis-dev libssl-dev libmsgpack-cxx-dev zlib1g-dev liblz4-dev libzstd-dev libdeflate-dev
  redis-server redis-sentinel openssl postgresql mariadb-server xvfb xauth fonts-dejavu-core
  qt6-svg-dev desktop-file-utils appstream qt6-l10n-tools qtkeychain-qt6-dev poppler-utils
  python3 python3-cachelib python3-flask-caching python3-msgpack python3-pandas python3-redis python3-simplejson
  python3-sqlalchemy python3-sqlalchemy-utils python3-psycopg2 python3-pymysql
  memcached sasl2-bin libsasl2-modules libsasl2-modules-db python3-pylibmc python3-memcache
)

cachescope_missing_packages() {
  local missing=() p
  for p in "${CACHESCOPE_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  echo "${missing[@]}"
}

cachescope_install_missing() {
  local missing
  missing="$(cachescope_missing_packages)"
  [ -z "$missing" ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "CacheScope needs these Debian packages; run as root:" >&2
    echo "  apt-get install -y --no-install-recommends $missing" >&2
    exit 1
  fi
  echo "Installing: $missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $missing
}

# cachescope_build DIR [cmake options...]: configure once, then incremental builds.
cachescope_build() {
  local dir="$1"; shift
  local launcher=()
  command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$CACHESCOPE_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" "$@"
  fi
  # New Q_OBJECT headers that arrive through the source globs are not always re-mocced in an
  # existing tree (CMake 3.25); dropping AUTOMOC's stamps makes it rescan, which is cheap.
  find "$dir" -path '*_autogen*' -name timestamp -delete 2>/dev/null || true
  cmake --build "$dir" --parallel "$(nproc)"
}
