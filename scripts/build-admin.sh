#!/usr/bin/env bash
# Builds the admin panel (`next build`) and records what it was built from in
# admin/.next/relay-build-inputs, so `install.sh --admin-build reuse` and `npm start` can tell by
# content, not by file times, whether the build is still fresh (prebuilt_admin_problem).
# Run as `npm run build -w @3cx-relay/admin`; extra arguments go to `next build`.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# shellcheck source=deploy/install/release.sh
. "$root/deploy/install/release.sh"

# Taken before the build: a source edited while it runs then no longer matches, and the next
# check rebuilds rather than trusting a build that may predate the edit.
manifest=$(admin_inputs_manifest "$root")
rm -f "$root/admin/$ADMIN_BUILD_STAMP"
(cd "$root/admin" && "$root/node_modules/.bin/next" build "$@")
printf '%s\n' "$manifest" >"$root/admin/$ADMIN_BUILD_STAMP"
