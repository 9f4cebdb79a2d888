#!/usr/bin/env bash
# Copies the built GOV.UK Frontend CSS, JavaScript, fonts and images from npm into
# crates/web/assets/govuk/, where the server embeds them (rust-embed). The copies are
# committed, so building the server needs no npm; run this after changing the version
# in package.json:  cd crates/web/frontend && npm ci && ./vendor.sh
set -euo pipefail
cd "$(dirname "$0")"
src=node_modules/govuk-frontend/dist/govuk
dest=../assets/govuk
rm -rf "$dest"
mkdir -p "$dest/fonts" "$dest/images"
cp "$src/govuk-frontend.min.css" "$src/govuk-frontend.min.js" "$dest/"
cp "$src"/assets/fonts/*.woff2 "$src"/assets/fonts/*.woff "$dest/fonts/"
cp "$src/assets/images/favicon.ico" "$src/assets/images/favicon.svg" "$src/assets/images/govuk-crest.svg" "$dest/images/"
echo "GOV.UK Frontend $(node -p "require('govuk-frontend/package.json').version") copied to $dest"
