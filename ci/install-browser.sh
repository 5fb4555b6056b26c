#!/usr/bin/env bash
# The headless browser of the dashboard test: Debian's chromium (from ci/install-deps.sh)
# driven by Playwright, installed from PyPI into a virtualenv in the cache. Playwright
# is pointed at /usr/bin/chromium, so no browser is downloaded. Idempotent.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
. "$ROOT/ci/services/env.sh"
PLAYWRIGHT_VERSION=1.65.2
venv="$PINPIPE_CACHE_DIR/browser-venv"
if ! "$venv/bin/python" -c "import playwright, sys; from importlib.metadata import version; sys.exit(version('playwright') != '$PLAYWRIGHT_VERSION')" 2>/dev/null; then
  echo "install-browser: playwright $PLAYWRIGHT_VERSION into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q "playwright==$PLAYWRIGHT_VERSION"
fi
[ -x /usr/bin/chromium ] || { echo "install-browser: /usr/bin/chromium missing: run bash ci/install-deps.sh" >&2; exit 1; }
