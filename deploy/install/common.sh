# shellcheck shell=bash
# Output, dry-run and idempotent file helpers shared by install.sh's steps.

STEP_NO=0
CHANGED=0

say() { printf '%s\n' "$*"; }
step() { STEP_NO=$((STEP_NO + 1)); printf '\n==> [%d] %s\n' "$STEP_NO" "$*"; }
warn() { printf 'warning: %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a command, or prints it under --dry-run. Every command that changes the system goes through here.
run() {
  if [[ $DRY_RUN == 1 ]]; then
    printf '    would run: %s\n' "$*"
    return 0
  fi
  printf '    + %s\n' "$*"
  "$@"
}

# Like run, but for commands whose output must stay off the terminal (secrets).
run_quiet() {
  if [[ $DRY_RUN == 1 ]]; then
    printf '    would run: %s\n' "$1 ..."
    return 0
  fi
  "$@"
}

# write_file PATH MODE OWNER[:GROUP] < content
# Writes only when the content differs, so a re-run leaves files (and their mtimes) alone.
write_file() {
  local path=$1 mode=$2 owner=$3 tmp
  tmp=$(mktemp)
  cat >"$tmp"
  if [[ -f $path ]] && cmp -s "$tmp" "$path"; then
    rm -f "$tmp"
  elif [[ $DRY_RUN == 1 ]]; then
    printf '    would write %s (mode %s, owner %s)\n' "$path" "$mode" "$owner"
    rm -f "$tmp"
    return 0
  else
    printf '    writing %s\n' "$path"
    mkdir -p "$(dirname "$path")"
    install -m "$mode" "$tmp" "$path"
    rm -f "$tmp"
    CHANGED=1
  fi
  ensure_mode "$path" "$mode" "$owner"
}

# Sets mode and owner only when they differ (chown/chmod are idempotent, this keeps ctime still too).
ensure_mode() {
  local path=$1 mode=$2 owner=$3
  [[ $DRY_RUN == 1 ]] && return 0
  [[ -e $path ]] || return 0
  local current
  if [[ $(stat -c '%a' "$path") != "${mode#0}" ]]; then chmod "$mode" "$path"; fi
  if [[ $owner == *:* ]]; then current=$(stat -c '%U:%G' "$path"); else current=$(stat -c '%U' "$path"); fi
  if [[ $current != "$owner" ]]; then chown "$owner" "$path"; fi
}

# ensure_dir PATH MODE OWNER[:GROUP]
ensure_dir() {
  local path=$1 mode=$2 owner=$3
  if [[ ! -d $path ]]; then
    run mkdir -p "$path"
  fi
  ensure_mode "$path" "$mode" "$owner"
}

# ensure_symlink TARGET LINK: points LINK at TARGET unless it already does.
ensure_symlink() {
  local target=$1 link=$2
  if [[ -L $link && $(readlink "$link") == "$target" ]]; then return 0; fi
  run mkdir -p "$(dirname "$link")"
  run ln -sfn "$target" "$link"
  CHANGED=1
}

# render TEMPLATE: replaces @@NAME@@ with the value of shell variable NAME.
render() {
  local template=$1 line out name
  out=$(<"$template")
  while [[ $out =~ @@([A-Z_]+)@@ ]]; do
    name=${BASH_REMATCH[1]}
    [[ -v $name ]] || die "template $template uses @@${name}@@, which install.sh does not set"
    line=${!name}
    out=${out//"@@${name}@@"/"$line"}
  done
  printf '%s\n' "$out"
}

have() { command -v "$1" >/dev/null 2>&1; }

# True when this machine runs systemd as its service manager (not in containers/CI).
systemd_running() { [[ -d /run/systemd/system ]]; }
