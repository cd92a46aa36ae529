#!/usr/bin/env bash
# Extract every translatable string and merge it into the three catalogues.
# Run after adding or changing user-visible text; then translate the new entries.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PYTHON:-.venv/bin/python}
pot=$(mktemp --suffix=.pot)
"$py" -m babel.messages.frontend -q extract -F babel.cfg -k _l -k N_ -k t -k "tn:1,2" --no-location --sort-output \
  --project Rounds -o "$pot" . >/dev/null
"$py" -m babel.messages.frontend -q update -i "$pot" -d webapp/translations --no-fuzzy-matching \
  --ignore-obsolete >/dev/null
rm -f "$pot"
echo "Catalogues updated: webapp/translations/*/LC_MESSAGES/messages.po"
