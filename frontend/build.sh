#!/usr/bin/env bash
# Builds static/css/wrc.css from scss/wrc.scss and copies GOV.UK Frontend's JavaScript into
# static/js/. The output is committed, so running the product never needs Node.
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules/govuk-frontend ] || npm ci --no-audit --no-fund
static=../static
mkdir -p "$static/css" "$static/js" "$static/images"
npx sass --load-path=node_modules --style=compressed --no-source-map \
  --quiet-deps --silence-deprecation=import --silence-deprecation=global-builtin \
  --silence-deprecation=mixed-decls \
  scss/wrc.scss "$static/css/wrc.css"
cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js "$static/js/govuk-frontend.min.js"
# GOV.UK's crest, crown icons and GDS Transport font files are deliberately not copied: this is not
# a GOV.UK service.
if grep -q "GDS Transport" "$static/css/wrc.css"; then
  echo "static/css/wrc.css mentions GDS Transport: the font settings did not apply" >&2
  exit 1
fi
echo "Built $static/css/wrc.css and $static/js/govuk-frontend.min.js"
