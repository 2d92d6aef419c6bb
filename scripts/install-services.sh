#!/usr/bin/env bash
# Installs the local services the hub and its tests need when they are missing:
#   - FerretDB v1.24.2 (MongoDB wire protocol, SQLite backend) into ./.tools/bin, built from source
#     with its _id lookups on its _id index (see below)
#   - redis-server (Debian package, when run as root)
#   - chromium (Debian package, for the browser tests, when run as root)
#   - dovecot-imapd + dovecot-lmtpd (Debian packages, the IMAP server of the email tests, when run as root)
#   - the fax tools (Debian packages, when run as root): poppler-utils, libtiff-tools, ghostscript,
#     tesseract-ocr with its Chinese (simplified) and English data, fonts-noto-cjk
# Safe to run repeatedly; does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."
QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1
say() { [ "$QUIET" = 1 ] || echo "services: $*"; }

FERRET_VERSION=v1.24.2
TOOLS="$PWD/.tools"
BIN="$TOOLS/bin"
mkdir -p "$BIN"

# FerretDB's SQLite backend looks documents up by `_ferretdb_sjson->'$._id'`, while the unique
# index it creates for `_id` is on `_ferretdb_sjson->"_id"`: SQLite only uses an index for the
# expression it was built on, so every find, update and delete by _id scans the whole table
# (measured: updateOne by _id 11 ms at 5,000 documents, 66 ms at 50,000). The build below
# changes that one expression to the indexed form (same value, see SQLite's -> operator), so
# _id lookups are index lookups as on MongoDB. BUILD names the change; a binary without it is rebuilt.
FERRET_BUILD="$FERRET_VERSION+id-index-1"
FERRET_ID_FROM="IDColumn = DefaultColumn + \"->'\$._id'\""
FERRET_ID_TO="IDColumn = DefaultColumn + \"->'_id'\""

# Capture first: `ferretdb --version | grep -q` under pipefail fails when grep exits early (SIGPIPE).
ferret_ok() {
  [ -x "$BIN/ferretdb" ] || return 1
  [ "$(cat "$BIN/ferretdb.build" 2>/dev/null)" = "$FERRET_BUILD" ] || return 1
  local out
  out=$("$BIN/ferretdb" --version 2>/dev/null) || return 1
  [[ "$out" == *"version: $FERRET_VERSION"* ]]
}

if ! ferret_ok; then
  command -v go >/dev/null || { echo "services: Go is needed to build FerretDB (install golang)" >&2; exit 1; }
  echo "services: building FerretDB $FERRET_VERSION (one-time, about a minute)..."
  # From a throwaway module with the dependency vendored: the vendored source takes the _id
  # change above, and the version file (generated upstream, absent from the module) is written in.
  work="$TOOLS/ferretdb-build"
  rm -rf "$work" "$BIN/ferretdb.build"; mkdir -p "$work"
  cat > "$work/go.mod" <<GOMOD
module ferretdbbuild

go 1.24

require github.com/FerretDB/FerretDB $FERRET_VERSION
GOMOD
  cat > "$work/tools.go" <<'GOSRC'
//go:build tools

package tools

import _ "github.com/FerretDB/FerretDB/cmd/ferretdb"
GOSRC
  meta="vendor/github.com/FerretDB/FerretDB/internal/backends/sqlite/metadata/metadata.go"
  (cd "$work" && go mod tidy >"$TOOLS/ferret-install.log" 2>&1 && go mod vendor >>"$TOOLS/ferret-install.log" 2>&1 \
    && echo "$FERRET_VERSION" > vendor/github.com/FerretDB/FerretDB/build/version/version.txt \
    && node -e 'const fs = require("fs"); const [f, from, to] = process.argv.slice(1); const src = fs.readFileSync(f, "utf8"); if (!src.includes(from)) process.exit(3); fs.writeFileSync(f, src.replace(from, to));' "$meta" "$FERRET_ID_FROM" "$FERRET_ID_TO" \
    && GOFLAGS=-buildvcs=false go build -mod=vendor -o "$BIN/ferretdb" github.com/FerretDB/FerretDB/cmd/ferretdb >>"$TOOLS/ferret-install.log" 2>&1) \
    || { echo "services: FerretDB build failed, see $TOOLS/ferret-install.log" >&2; tail -20 "$TOOLS/ferret-install.log" >&2; exit 1; }
  rm -rf "$work"
  echo "$FERRET_BUILD" > "$BIN/ferretdb.build"
  ferret_ok || { echo "services: FerretDB binary does not run" >&2; exit 1; }
  say "FerretDB $FERRET_VERSION installed in $BIN"
else
  say "FerretDB $FERRET_VERSION present"
fi

apt_install() {
  if [ "$(id -u)" != 0 ]; then
    echo "services: $1 is missing; install it (apt-get install $2) or set the matching URL" >&2
    return 1
  fi
  echo "services: installing $2 with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  if [ ! -f "$TOOLS/.apt-updated" ]; then apt-get update -q >/dev/null && touch "$TOOLS/.apt-updated"; fi
  apt-get install -y -q "$2" >/dev/null
}

if [ -z "${REDIS_URL:-}" ] && ! command -v redis-server >/dev/null; then
  apt_install redis-server redis-server
fi
say "redis-server: $(command -v redis-server || echo 'not needed (REDIS_URL set)')"

if [ "${SKIP_BROWSER:-0}" != 1 ] && ! command -v chromium >/dev/null && [ -z "${CHROMIUM_PATH:-}" ]; then
  apt_install chromium chromium || echo "services: chromium missing; browser tests will fail" >&2
fi

if [ "${SKIP_DOVECOT:-0}" != 1 ] && ! command -v dovecot >/dev/null && [ ! -x "${DOVECOT_PATH:-/usr/sbin/dovecot}" ]; then
  apt_install dovecot "dovecot-imapd" && apt_install dovecot "dovecot-lmtpd" || echo "services: dovecot missing; the email (IMAP) tests will fail" >&2
fi
say "dovecot: $(command -v dovecot || echo "${DOVECOT_PATH:-missing}")"

# Fax documents: TIFF → PDF (libtiff-tools), pages (poppler-utils), OCR (tesseract + chi_sim + eng);
# the fax tests render their fixtures with the CJK fonts and ghostscript.
if [ "${SKIP_FAX:-0}" != 1 ]; then
  fax_missing=0
  for pair in pdftoppm:poppler-utils pdfinfo:poppler-utils tiff2pdf:libtiff-tools tiffcp:libtiff-tools gs:ghostscript tesseract:tesseract-ocr; do
    command -v "${pair%%:*}" >/dev/null || { apt_install "${pair%%:*}" "${pair#*:}" || fax_missing=1; }
  done
  for lang in chi_sim eng; do
    compgen -G "/usr/share/tesseract-ocr/*/tessdata/$lang.traineddata" >/dev/null || { apt_install "tesseract $lang data" "tesseract-ocr-${lang//_/-}" || fax_missing=1; }
  done
  compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK-*" >/dev/null || { apt_install "CJK fonts" fonts-noto-cjk || fax_missing=1; }
  [ "$fax_missing" = 0 ] || echo "services: fax tools missing; fax OCR and the fax tests will fail" >&2
  say "fax tools: $(command -v tesseract || echo 'tesseract missing') $(command -v pdftoppm || echo 'pdftoppm missing') $(command -v tiff2pdf || echo 'tiff2pdf missing')"
fi
