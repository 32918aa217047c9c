#!/usr/bin/env bash
# Build the one-folder desktop package (Linux, macOS) and check it.
#
#   packaging/build.sh            # from the checkout; needs the runtime deps + pyinstaller
#   NICE=1 packaging/build.sh     # at the lowest CPU priority (a shared machine)
#
# Result: dist/ColorStudio/ (and dist/ColorStudio.app on macOS). Prints its size.
set -euo pipefail
cd "$(dirname "$0")/.."
run() { if [ "${NICE:-0}" = 1 ]; then nice -n 19 "$@"; else "$@"; fi; }

python -c "import PyInstaller" 2>/dev/null || python -m pip install "pyinstaller>=6.0"
if [ -f resources/icons/make_icons.py ]; then             # not in the sdist: its icons are final
    run python resources/icons/make_icons.py >/dev/null  # the icons are committed; this keeps them current
fi
run python -m PyInstaller --noconfirm --clean --distpath dist --workpath build packaging/colorstudio.spec

APP=dist/ColorStudio
"$APP/ColorStudio" --version
"$APP/colorstudio-cli" --version
QT_QPA_PLATFORM=offscreen run "$APP/ColorStudio" --selftest
run "$APP/colorstudio-cli" --selftest
du -sh "$APP"
