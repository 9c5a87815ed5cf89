# shellcheck shell=bash
# Voicemail audio: the worker streams 3CX's voicemail files (/relay/voicemails/{id}), so its user
# must read 3CX's voicemail folder, and nothing else of 3CX's. 3CX's files belong to its own user
# (phonesystem); adding the worker to that group, or opening the folders above the voicemail
# folder to it, would also open 3CXPhoneSystem.ini and its master database password. Instead:
#   - a POSIX ACL gives the worker's user read on that one folder and everything in it, inherited
#     by the mailboxes and messages 3CX writes later (default ACL); no folder above it is touched;
#   - the worker's unit replaces /var/lib/3cxpbx with an empty read-only tmpfs in the worker's own
#     mount namespace and binds only the voicemail folder into it (systemd's TemporaryFileSystem= +
#     BindReadOnlyPaths=), so the worker reaches that folder at its usual path and sees no other
#     file of 3CX's at all. (3cx-relay-pbx-ini runs with ExecStartPre=+, outside that namespace.)
# --uninstall and --purge take the ACL entries back.

# Unit lines for the worker (rendered as @@VOICEMAIL_UNIT@@); set by grant_voicemail_read.
VOICEMAIL_UNIT="# voicemail audio: no access granted (see install.sh --voicemail-dir)"

# The folder: --voicemail-dir, else PBX_VOICEMAIL_DIR in worker.env, else 3CX's default.
voicemail_dir() {
  local dir=$VOICEMAIL_DIR_FLAG
  [[ -z $dir && -r $WORKER_ENV ]] && dir=$(env_get_from "$WORKER_ENV" PBX_VOICEMAIL_DIR)
  printf '%s' "${dir:-$ROOT/var/lib/3cxpbx/Instance1/Data/Voicemail}"
}

ensure_acl_tools() {
  have setfacl && return 0
  say "    setfacl not found: installing Debian's acl package"
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q acl ||
    { run apt-get update -q && run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q acl; } || return 1
  [[ $DRY_RUN == 1 ]] || have setfacl
}

# True when PATH's ACL already gives the worker's user ENTRY (e.g. "user:NAME:r-x"), unmasked.
acl_has() {
  getfacl -p -c "$1" 2>/dev/null | grep -E "^$2([[:space:]]|$)" | grep -vq '#effective:---'
}

grant_voicemail_read() {
  local dir pbx_root=$ROOT/var/lib/3cxpbx
  dir=$(voicemail_dir)
  step "Voicemail audio: read access for $SERVICE_USER to $dir only"
  if [[ $VOICEMAIL_ACCESS == 0 ]]; then
    say "    skipped (--no-voicemail-access): /relay/voicemails/{id} answers 502 until the worker's user can read $dir"
    return 0
  fi
  if [[ ! -d $dir ]]; then
    say "    $dir not found: skipped. voicemail.received still arrives; for its audio, run"
    say "    install.sh --voicemail-dir <3CX's voicemail folder>"
    return 0
  fi
  if ! ensure_acl_tools; then
    warn "could not install the acl package, so the worker's user cannot read $dir and
  /relay/voicemails/{id} answers 502: apt-get install acl, then run install.sh again"
    return 0
  fi
  if [[ $dir == "$pbx_root"/* ]]; then
    VOICEMAIL_UNIT="# Of 3CX's files the worker sees only its voicemail folder (install.sh, voicemail.sh).
TemporaryFileSystem=$pbx_root:ro
BindReadOnlyPaths=-$dir"
  else
    VOICEMAIL_UNIT="# voicemail audio from $dir (outside 3CX's folder: its parents are not hidden)"
  fi
  if acl_has "$dir" "user:$SERVICE_USER:r-x" && acl_has "$dir" "default:user:$SERVICE_USER:r-x"; then
    say "    already granted"
  else
    run setfacl -R -m "u:$SERVICE_USER:rX" "$dir"
    # Default ACLs (folders only) make mailboxes and messages that 3CX writes later readable too.
    run find "$dir" -type d -exec setfacl -d -m "u:$SERVICE_USER:rX" {} +
  fi
  [[ $DRY_RUN == 1 ]] && return 0
  local sample
  sample=$(find "$dir" -type f -name '*.wav' -print -quit 2>/dev/null || true)
  if ! acl_has "$dir" "user:$SERVICE_USER:r-x"; then
    warn "the ACL on $dir did not take (does its file system support ACLs?): /relay/voicemails/{id} answers 502"
  elif [[ -n $sample ]] && ! acl_has "$sample" "user:$SERVICE_USER:r--"; then
    warn "$sample has no group read bit, which masks the ACL: the worker cannot read messages 3CX writes that way"
  else
    say "    $SERVICE_USER may read $dir${sample:+ (checked on $sample)}"
  fi
}

# Takes back every ACL entry of the worker's user on the folder and everything in it.
revoke_voicemail_read() {
  local dir
  dir=$(voicemail_dir)
  [[ -d $dir ]] && have setfacl && id -u "$SERVICE_USER" >/dev/null 2>&1 || return 0
  getfacl -p -c "$dir" 2>/dev/null | grep -Eq "^(default:)?user:$SERVICE_USER:" || return 0
  step "Voicemail audio: removing $SERVICE_USER's read access to $dir"
  run setfacl -R -x "u:$SERVICE_USER" "$dir" || true
  run find "$dir" -type d -exec setfacl -d -x "u:$SERVICE_USER" {} + || true
}
