#!/usr/bin/env bash
# Install what the tests need and run the whole suite. Extra arguments go to pytest.
#   bash scripts/test.sh                      # SQLite
#   TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x .venv/bin/python ]; then
  "${PYTHON:-python3}" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[test,postgres]"

# The browser tests drive Debian's Chromium (Playwright's own browser download is not used); the
# PDF tests read reports back with poppler-utils (and labels' QR codes with zbar-tools), and
# PDFs print Chinese with fonts-noto-cjk.
chromium_bin=${CHROMIUM:-/usr/bin/chromium}
cjk_font=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
if { [ ! -x "$chromium_bin" ] || ! command -v pdftotext >/dev/null || [ ! -f "$cjk_font" ] \
    || ! command -v zbarimg >/dev/null; } \
    && command -v apt-get >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "Installing Chromium, poppler-utils, fonts-noto-cjk and zbar-tools for the tests..."
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq chromium poppler-utils fonts-noto-cjk zbar-tools >/dev/null
fi

# Tests run in one process per core (TEST_WORKERS=0 runs them in this process, one by one).
exec .venv/bin/python -m pytest -n "${TEST_WORKERS:-auto}" "$@"
