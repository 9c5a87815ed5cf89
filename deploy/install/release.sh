# shellcheck shell=bash
# Releases: each install copies the source into releases/<version>-<UTC timestamp>/, installs its
# dependencies, builds the admin (or copies a fresh prebuilt one) and only then points `current` at it. The previous release
# stays (and `previous` points at it) for rollback; older ones are removed.

# Paths never copied from the source into a release.
RELEASE_EXCLUDES=(node_modules .git .next dist .data .turbo test-results playwright-report coverage
  e2e/artifacts prisma/generated '*.tsbuildinfo' '*.log' .env .env.local)

# The workspaces a release runs compiled (tsc to their dist/), in dependency order; the services
# and the CLI run this JavaScript with --conditions=relay-compiled, never a TypeScript loader.
COMPILED_WORKSPACES=(packages/events prisma relay-worker)

# A short hash of everything a release is built from, so a re-run with the same source reuses it.
source_fingerprint() {
  local args=() e
  for e in "${RELEASE_EXCLUDES[@]}"; do args+=(-name "${e##*/}" -prune -o); done
  (cd "$SOURCE" && find . "${args[@]}" -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum) |
    sha256sum | cut -c1-16
}

product_version() {
  "$NODE" -p "require(process.argv[1]).version" "$SOURCE/relay-worker/package.json"
}

copy_source() {
  local dest=$1 args=() e
  for e in "${RELEASE_EXCLUDES[@]}"; do args+=("--exclude=./$e" "--exclude=$e"); done
  run mkdir -p "$dest"
  if [[ $DRY_RUN == 1 ]]; then
    say "    would copy $SOURCE into $dest (without node_modules, .git, build output)"
    return 0
  fi
  tar -C "$SOURCE" "${args[@]}" -cf - . | tar -C "$dest" --no-same-owner -xf -
}

# npm install without --omit=dev, on purpose: the build needs TypeScript, and the admin's
# `next build` the Tailwind/PostCSS toolchain, all devDependencies; `prisma generate`
# (postinstall) needs the prisma CLI. The release is self-contained instead.
install_dependencies() {
  local dir=$1
  run npm install --prefix "$dir" --no-audit --no-fund --loglevel=error
}

# Compiles the worker, the CLI and the packages they and the admin load at run time to dist/.
build_workspaces() {
  local dir=$1 ws
  for ws in "${COMPILED_WORKSPACES[@]}"; do
    run "$NODE" "$dir/node_modules/typescript/bin/tsc" -p "$dir/$ws/tsconfig.build.json"
  done
}

# What the admin's `next build` output depends on, relative to the source: everything under admin/
# but the build itself, its dependencies and its tests, plus the root manifests and shared tsconfig.
ADMIN_BUILD_INPUTS=(admin package.json package-lock.json tsconfig.base.json)
# Where a build records what it was built from (under admin/): admin_inputs_manifest's output.
ADMIN_BUILD_STAMP=.next/relay-build-inputs

# Prints `sha256  path` for every admin build input under the source root $1, sorted by path: the
# files of ADMIN_BUILD_INPUTS a release would get (not RELEASE_EXCLUDES), but the admin's tests
# and next-env.d.ts (which `next build` itself writes).
admin_inputs_manifest() {
  local args=(-path admin/test -prune -o -path admin/next-env.d.ts -prune) e
  for e in "${RELEASE_EXCLUDES[@]}"; do args+=(-o -name "${e##*/}" -prune); done
  (cd "$1" && { find "${ADMIN_BUILD_INPUTS[@]}" \( "${args[@]}" \) -o -type f -print0 2>/dev/null || true; } |
    LC_ALL=C sort -z | xargs -0 -r sha256sum)
}

# Prints why the source's prebuilt admin (admin/.next) must not be reused, or nothing when it may:
# it has to be a complete production build (BUILD_ID, manifests, server output) made by
# `npm run build -w @3cx-relay/admin` (scripts/build-admin.sh), whose record of its inputs matches
# the source file for file, by content. File times play no part, so a copy or checkout that moves
# them neither hides a changed source nor forces a needless build.
prebuilt_admin_problem() {
  local next=$SOURCE/admin/.next f built now changed
  for f in BUILD_ID routes-manifest.json prerender-manifest.json server static; do
    [[ -e $next/$f ]] || { printf 'no production build in %s (admin/.next/%s missing)' "$SOURCE" "$f"; return 0; }
  done
  if [[ ! -f $SOURCE/admin/$ADMIN_BUILD_STAMP ]]; then
    printf 'admin/%s is missing, so what the build was made from is unknown (build it with npm run build -w @3cx-relay/admin)' "$ADMIN_BUILD_STAMP"
    return 0
  fi
  built=$(<"$SOURCE/admin/$ADMIN_BUILD_STAMP")
  now=$(admin_inputs_manifest "$SOURCE")
  [[ $built != "$now" ]] || return 0
  changed=$({ diff <(printf '%s\n' "$built") <(printf '%s\n' "$now") || true; } |
    sed -n 's/^[<>] [0-9a-f]\{64\}  //p;T;q')
  printf '%s was added, changed or removed since admin/.next was built' "${changed:-an admin source}"
}

# Puts a production build of the admin into the release: `next build` there (build), a copy of the
# source's prebuilt admin/.next when it is fresh (reuse; otherwise it builds), or nothing (skip).
build_admin() {
  local dir=$1 problem
  case $ADMIN_BUILD in
    skip)
      warn "--admin-build skip: the admin panel is not built; 3cx-relay-admin will not start until a release is built"
      return 0
      ;;
    reuse)
      problem=$(prebuilt_admin_problem)
      if [[ -z $problem ]]; then
        say "    reusing the prebuilt admin (admin/.next, build $(<"$SOURCE/admin/.next/BUILD_ID")): built from the same sources"
        run mkdir -p "$dir/admin/.next"
        if [[ $DRY_RUN == 1 ]]; then
          say "    would copy $SOURCE/admin/.next into $dir/admin/.next (without its cache)"
        else
          tar -C "$SOURCE/admin/.next" --exclude=./cache --exclude=./dev -cf - . |
            tar -C "$dir/admin/.next" --no-same-owner -xf -
        fi
        return 0
      fi
      say "    not reusing the prebuilt admin: $problem; building it"
      ;;
  esac
  run env NEXT_TELEMETRY_DISABLED=1 NODE_ENV=production "$NODE" "$dir/node_modules/next/dist/bin/next" build "$dir/admin"
  [[ $DRY_RUN == 1 ]] || admin_inputs_manifest "$dir" >"$dir/admin/$ADMIN_BUILD_STAMP"
}

# The real path of the release `current` points at, or nothing before the first install.
current_release() {
  [[ -L $OPT/current ]] && readlink -f "$OPT/current"
  return 0
}

# Sets RELEASE_DIR to the release `current` should point at, building a new one when needed.
prepare_release() {
  step "Release from $SOURCE"
  local fingerprint version current_dir name
  fingerprint=$(source_fingerprint)
  version=$(product_version)
  current_dir=$(current_release)
  if [[ -n $current_dir && -f $current_dir/.release-complete &&
    $(cat "$current_dir/.release-fingerprint" 2>/dev/null) == "$fingerprint" &&
    -f $current_dir/relay-worker/dist/main.js &&
    ($ADMIN_BUILD == skip || -f $current_dir/admin/.next/BUILD_ID) ]]; then
    say "    $OPT/current ($(basename "$current_dir")) already holds this source (fingerprint $fingerprint); keeping it"
    RELEASE_DIR=$current_dir
    return 0
  fi
  name="$version-$(date -u +%Y%m%d%H%M%S)"
  RELEASE_DIR="$OPT/releases/$name"
  say "    new release $name (version $version, fingerprint $fingerprint)"
  [[ $DRY_RUN == 1 ]] || trap 'rm -rf "$RELEASE_DIR"; warn "release $RELEASE_DIR failed and was removed; $OPT/current is unchanged"' ERR
  copy_source "$RELEASE_DIR"
  install_dependencies "$RELEASE_DIR"
  build_workspaces "$RELEASE_DIR"
  build_admin "$RELEASE_DIR"
  if [[ $DRY_RUN != 1 ]]; then
    printf '%s\n' "$fingerprint" >"$RELEASE_DIR/.release-fingerprint"
    date -u +%Y-%m-%dT%H:%M:%SZ >"$RELEASE_DIR/.release-complete"
    trap - ERR
  fi
  CHANGED=1
}

# Points `current` at RELEASE_DIR (and `previous` at the one it replaces); keeps only those two.
activate_release() {
  local old keep_prev dir
  old=$(current_release)
  if [[ -n $old && $old != "$RELEASE_DIR" ]]; then
    ensure_symlink "releases/$(basename "$old")" "$OPT/previous"
  fi
  ensure_symlink "releases/$(basename "$RELEASE_DIR")" "$OPT/current"
  keep_prev=''
  [[ -L $OPT/previous ]] && keep_prev=$(readlink -f "$OPT/previous")
  [[ -d $OPT/releases ]] || return 0
  for dir in "$OPT"/releases/*/; do
    dir=${dir%/}
    [[ $dir == "$RELEASE_DIR" || $dir == "$keep_prev" ]] && continue
    [[ -d $dir ]] || continue
    say "    removing old release $(basename "$dir")"
    run rm -rf "$dir"
  done
}

# --rollback: swaps `current` and `previous`, then restarts the services.
rollback_release() {
  step "Rollback"
  local cur prev
  cur=$(readlink "$OPT/current" 2>/dev/null || true)
  prev=$(readlink "$OPT/previous" 2>/dev/null || true)
  [[ -n $prev && -d $OPT/$prev ]] || die "no previous release under $OPT to roll back to"
  say "    current: $cur -> $prev"
  run ln -sfn "$prev" "$OPT/current"
  [[ -n $cur ]] && run ln -sfn "$cur" "$OPT/previous"
  CHANGED=1
  warn "the database keeps migrations the newer release applied; the older release must tolerate them"
}
