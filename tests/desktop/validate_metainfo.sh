#!/usr/bin/env bash
# validate_metainfo.sh FILE VERSION: appstreamcli finds no error or warning (offline), and the
# newest <release> is the project's VERSION (a release bump that forgets the metainfo fails here).
set -euo pipefail
file="$1" version="$2"
appstreamcli validate --no-net "$file"
newest="$(grep -o '<release [^>]*version="[^"]*"' "$file" | head -n1 | sed 's/.*version="\([^"]*\)"/\1/')"
if [ "$newest" != "$version" ]; then
  echo "FAIL: $file: the newest <release> is '$newest', the project's VERSION is '$version'" >&2
  exit 1
fi
echo "newest release $newest = project VERSION"
