#!/usr/bin/env bash
# deb_package_test.sh SOURCE_DIR BUILD_DIR APP_ID VERSION
# The .deb scripts/package makes from BUILD_DIR holds the install layout, takes its Depends from
# dpkg-shlibdeps, and (as root) installs with apt-get, runs `cachescope --version` and
# `cachescope config show` from /usr/bin, and removes without leaving a file behind.
set -euo pipefail
src="$1" build="$2" id="$3" version="$4"
fail() { echo "FAIL: $*" >&2; exit 1; }

deb="$("$src/scripts/package" --no-build "$build" | tail -n1)"
echo "package: $deb ($(du -h "$deb" | cut -f1))"
case "$(basename "$deb")" in cachescope_"$version"*_*.deb) ;; *) fail "unexpected file name $deb" ;; esac

contents="$(dpkg-deb -c "$deb" | awk '{print $NF}')"
expected=(./usr/bin/cachescope "./usr/share/applications/$id.desktop" "./usr/share/metainfo/$id.metainfo.xml"
          "./usr/share/icons/hicolor/scalable/apps/$id.svg" ./usr/share/cachescope/guide/README.md
          ./usr/share/cachescope/guide/images/overview.png)
for size in 16 22 24 32 48 64 128 256; do
  expected+=("./usr/share/icons/hicolor/${size}x${size}/apps/$id.png")
done
for f in "${expected[@]}"; do
  grep -qxF "$f" <<<"$contents" || fail "$f is not in the package"
done

# dpkg-shlibdeps found the libraries' packages (with versions); nobody typed them.
depends="$(dpkg-deb -f "$deb" Depends)"
echo "Depends: $depends"
for p in libc6 libqt6core6 libqt6widgets6 libhiredis0.14 qt6-qpa-plugins libqt6svg6; do
  grep -qE "(^|, )$p( |,|$)" <<<"$depends" || fail "Depends lacks $p"
done
grep -qE 'libqt6core6 \(>= ' <<<"$depends" || fail "Depends has no shlibdeps version constraint"

# The packaged files validate as they are installed.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp/root"
desktop-file-validate "$tmp/root/usr/share/applications/$id.desktop"
appstreamcli validate --no-net "$tmp/root/usr/share/metainfo/$id.metainfo.xml" >/dev/null
for size in 16 256; do # a PNG's IHDR holds width and height at bytes 16..23
  python3 -c 'import struct,sys; w,h=struct.unpack(">II",open(sys.argv[1],"rb").read(24)[16:24]); sys.exit(w!=h or w!=int(sys.argv[2]))' \
    "$tmp/root/usr/share/icons/hicolor/${size}x${size}/apps/$id.png" "$size" || fail "the ${size} px icon is not ${size}x${size}"
done

if [ "$(id -u)" -ne 0 ]; then
  echo "*************************************************************************************" >&2
  echo "*** NOT TESTED: apt-get install/remove of the .deb needs root; run ctest as root.  ***" >&2
  echo "*** Checked only: the package builds, its contents, Depends and metadata.          ***" >&2
  echo "*************************************************************************************" >&2
  exit 77
fi

# One install at a time on this machine (other worktrees run the same test); apt waits for dpkg.
exec 9>/run/lock/cachescope-deb-test.lock
flock 9
apt=(apt-get -y -q -o DPkg::Lock::Timeout=600 --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive
if dpkg-query -W -f='${Status}' cachescope 2>/dev/null | grep -q 'ok installed'; then
  echo "note: a cachescope package was installed before this test; it is replaced, then removed" >&2
fi
"${apt[@]}" install "$deb"
trap 'apt-get -y -q -o DPkg::Lock::Timeout=600 purge cachescope >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

[ "$(command -v cachescope)" = /usr/bin/cachescope ] || fail "cachescope is not /usr/bin/cachescope on PATH"
first="$(env -u DISPLAY -u WAYLAND_DISPLAY -u QT_QPA_PLATFORM /usr/bin/cachescope --version | head -n1)"
[ "$first" = "cachescope $version" ] || fail "--version printed '$first'"
echo "installed: $first"
env -u DISPLAY -u WAYLAND_DISPLAY /usr/bin/cachescope config show --json "$src/tests/fixtures/configs/01_literals.py" >"$tmp/show.json" \
  || fail "cachescope config show failed"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d, "empty"' "$tmp/show.json" \
  || fail "config show printed no JSON object"
echo "config show: $(wc -c <"$tmp/show.json") bytes of JSON"

files="$(dpkg -L cachescope)"
"${apt[@]}" remove cachescope
if dpkg-query -W -f='${Status}' cachescope 2>/dev/null | grep -q 'ok installed'; then fail "still installed after remove"; fi
left=0
while read -r f; do
  if [ -f "$f" ] || [ -L "$f" ]; then echo "left behind: $f" >&2; left=1; fi
done <<<"$files"
[ "$left" -eq 0 ] || fail "files left after apt-get remove"
# A package without conffiles is gone after remove (apt no longer knows it); purge what is left.
if dpkg-query -W cachescope >/dev/null 2>&1; then dpkg --purge cachescope >/dev/null; fi
echo "removed cleanly: none of the $(wc -l <<<"$files") packaged paths is left"
