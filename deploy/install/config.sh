# shellcheck shell=bash
# One settings file per service, each readable only by its own user (least privilege):
#   config/worker.env  (owner $SERVICE_USER, 0600): the 3CX address and API client, the database,
#                      the encryption key. Read by systemd (EnvironmentFile), the worker and the CLI.
#   config/admin.env   (owner $ADMIN_USER, 0600): the database, the encryption key, the session
#                      secret, its URLs and the secret nginx proves itself with. Never a 3CX credential.
# Existing values always win over generated ones, so secrets survive re-runs; only flags change a
# value that is already there. A relay.env of an older release is split into the two and removed.

# Keys only the admin gets; every other key (including unknown ones an operator added) is the worker's.
ADMIN_ONLY_KEYS=(NEXTAUTH_SECRET NEXTAUTH_URL RELAY_PUBLIC_URL ADMIN_PORT TRUSTED_PROXY_SECRET NEXT_TELEMETRY_DISABLED)
# Keys both get.
SHARED_KEYS=(DATABASE_URL RELAY_ENCRYPTION_KEY NODE_ENV)

is_admin_key() { [[ " ${ADMIN_ONLY_KEYS[*]} " == *" $1 "* ]]; }
is_shared_key() { [[ " ${SHARED_KEYS[*]} " == *" $1 "* ]]; }

# Prints KEY's value from FILE (quotes removed), or nothing.
env_get_from() {
  local file=$1 key=$2 line value
  [[ -r $file ]] || return 0
  line=$(grep -E "^${key}=" "$file" | tail -n 1) || return 0
  value=${line#*=}
  if [[ $value =~ ^\'(.*)\'$ || $value =~ ^\"(.*)\"$ ]]; then value=${BASH_REMATCH[1]}; fi
  printf '%s' "$value"
}

# Prints KEY's current value: from the service file it belongs to, else from a legacy relay.env.
env_get() {
  local key=$1 value
  if is_admin_key "$key"; then value=$(env_get_from "$ADMIN_ENV" "$key"); else value=$(env_get_from "$WORKER_ENV" "$key"); fi
  [[ -n $value ]] || value=$(env_get_from "$LEGACY_ENV" "$key")
  printf '%s' "$value"
}

# Formats one KEY=value line that systemd, node's parseEnv and sh all read the same way.
env_line() {
  local key=$1 value=$2
  [[ $value != *$'\n'* && $value != *"'"* ]] || die "$key: values with newlines or single quotes are not supported"
  if [[ $value =~ ^[A-Za-z0-9_./:@%+=,-]*$ ]]; then
    printf '%s=%s\n' "$key" "$value"
  else
    printf "%s='%s'\n" "$key" "$value"
  fi
}

# Asks on the terminal for a value unless --non-interactive or stdin is not a TTY.
prompt_value() {
  local label=$1 secret=${2:-0} answer=''
  if [[ $NON_INTERACTIVE == 1 || ! -t 0 ]]; then return 0; fi
  if [[ $secret == 1 ]]; then
    read -r -s -p "    $label: " answer
    printf '\n' >&2
  else
    read -r -p "    $label: " answer
  fi
  printf '%s' "$answer"
}

# Resolves each setting: flag, else existing, else prompt/generated/default. Fills SETTING.
resolve_settings() {
  declare -gA SETTING=()
  local key
  for key in PBX_URL PBX_CLIENT_ID PBX_CLIENT_SECRET NEXTAUTH_SECRET RELAY_ENCRYPTION_KEY NEXTAUTH_URL \
    RELAY_PUBLIC_URL RELAY_PORT ADMIN_PORT TRUSTED_PROXY_SECRET; do
    SETTING[$key]=$(env_get "$key")
  done
  [[ -n $PBX_URL_FLAG ]] && SETTING[PBX_URL]=$PBX_URL_FLAG
  [[ -n $PBX_CLIENT_ID_FLAG ]] && SETTING[PBX_CLIENT_ID]=$PBX_CLIENT_ID_FLAG
  [[ -n $PBX_CLIENT_SECRET_FLAG ]] && SETTING[PBX_CLIENT_SECRET]=$PBX_CLIENT_SECRET_FLAG
  [[ -z ${SETTING[PBX_URL]} ]] && SETTING[PBX_URL]=$(prompt_value "3CX web address for the XAPI (e.g. https://pbx.example.com:5001)")
  [[ -z ${SETTING[PBX_CLIENT_ID]} ]] && SETTING[PBX_CLIENT_ID]=$(prompt_value "XAPI client ID (Admin Console > Integrations > API)")
  [[ -z ${SETTING[PBX_CLIENT_SECRET]} ]] && SETTING[PBX_CLIENT_SECRET]=$(prompt_value "XAPI client secret (API key)" 1)
  [[ -z ${SETTING[NEXTAUTH_SECRET]} ]] && SETTING[NEXTAUTH_SECRET]=$(openssl rand -base64 48 | tr -d '\n')
  [[ -z ${SETTING[RELAY_ENCRYPTION_KEY]} ]] && SETTING[RELAY_ENCRYPTION_KEY]=$(openssl rand -hex 32)
  [[ -z ${SETTING[TRUSTED_PROXY_SECRET]} ]] && SETTING[TRUSTED_PROXY_SECRET]=$(openssl rand -hex 24)
  [[ -n $RELAY_PORT_FLAG || -z ${SETTING[RELAY_PORT]} ]] && SETTING[RELAY_PORT]=${RELAY_PORT_FLAG:-8082}
  [[ -n $ADMIN_PORT_FLAG || -z ${SETTING[ADMIN_PORT]} ]] && SETTING[ADMIN_PORT]=${ADMIN_PORT_FLAG:-3000}
  local public="https://$PUBLIC_HOST:$HTTPS_PORT"
  if [[ -n $PUBLIC_HOST_FLAG || -n $HTTPS_PORT_FLAG || -z ${SETTING[RELAY_PUBLIC_URL]} ]]; then
    SETTING[RELAY_PUBLIC_URL]=$public
    SETTING[NEXTAUTH_URL]="$public/admin/api/auth"
  fi
  RELAY_PORT=${SETTING[RELAY_PORT]}
  ADMIN_PORT=${SETTING[ADMIN_PORT]}
  TRUSTED_PROXY_SECRET=${SETTING[TRUSTED_PROXY_SECRET]}
  if [[ -z ${SETTING[PBX_URL]} || -z ${SETTING[PBX_CLIENT_ID]} || -z ${SETTING[PBX_CLIENT_SECRET]} ]]; then
    warn "3CX URL, XAPI client ID or secret not set: the XAPI and Call Control sources stay off until you add
  PBX_URL, PBX_CLIENT_ID and PBX_CLIENT_SECRET to $WORKER_ENV (then: systemctl restart 3cx-relay-worker)"
  fi
}

# Replaces KEY's line in the text on stdin, or appends it; an empty value removes the key.
env_upsert() {
  local key=$1 value=$2 text found=0 line out=''
  text=$(cat)
  while IFS= read -r line || [[ -n $line ]]; do
    if [[ $line == "$key="* ]]; then
      found=1
      [[ -n $value ]] && out+=$(env_line "$key" "$value")$'\n'
    else
      out+=$line$'\n'
    fi
  done <<<"$text"
  [[ $found == 0 && -n $value ]] && out+=$(env_line "$key" "$value")$'\n'
  printf '%s' "$out"
}

worker_header() {
  cat <<HEADER
# 3CX Relay worker settings: read by systemd (3cx-relay-worker) and by the 3cx-relay CLI (as root).
# Only the worker's user may read this file. install.sh adds missing keys and never replaces a
# value unless given a flag for it. After editing: systemctl restart 3cx-relay-worker; then: 3cx-relay doctor
# Optional: LOG_FILE=$OPT/logs/worker.log also writes JSON logs there (rotated by logrotate).
NODE_ENV=production
RELAY_HOST=127.0.0.1
HEADER
}

admin_header() {
  cat <<HEADER
# 3CX Relay admin panel settings: read by systemd (3cx-relay-admin). Only the admin's user may
# read this file; it holds no 3CX credential. install.sh adds missing keys and never replaces a
# value unless given a flag for it. After editing: systemctl restart 3cx-relay-admin
NODE_ENV=production
NEXT_TELEMETRY_DISABLED=1
HEADER
}

# The keys of a legacy relay.env that belong in the worker's file (its own and unknown ones).
legacy_worker_keys() {
  local line key
  [[ -r $LEGACY_ENV ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    [[ $line =~ ^([A-Z0-9_]+)= ]] || continue
    key=${BASH_REMATCH[1]}
    is_admin_key "$key" || is_shared_key "$key" || printf '%s\n' "$key"
  done <"$LEGACY_ENV"
}

write_config() {
  step "Configuration: $WORKER_ENV (worker) and $ADMIN_ENV (admin panel)"
  resolve_settings
  local worker admin key
  if [[ -f $WORKER_ENV ]]; then worker=$(cat "$WORKER_ENV"); else worker=$(worker_header); fi
  if [[ -f $ADMIN_ENV ]]; then admin=$(cat "$ADMIN_ENV"); else admin=$(admin_header); fi
  if [[ ! -f $WORKER_ENV ]]; then
    for key in $(legacy_worker_keys); do
      worker=$(env_upsert "$key" "$(env_get_from "$LEGACY_ENV" "$key")" <<<"$worker")
    done
  fi
  worker=$(env_upsert DATABASE_URL "$DATABASE_URL" <<<"$worker")
  admin=$(env_upsert DATABASE_URL "$DATABASE_URL" <<<"$admin")
  for key in RELAY_PORT PBX_URL PBX_CLIENT_ID PBX_CLIENT_SECRET RELAY_ENCRYPTION_KEY; do
    # Never remove a value the file has: an empty setting here only means "not known".
    [[ -z ${SETTING[$key]} ]] || worker=$(env_upsert "$key" "${SETTING[$key]}" <<<"$worker")
  done
  for key in ADMIN_PORT RELAY_ENCRYPTION_KEY NEXTAUTH_SECRET NEXTAUTH_URL RELAY_PUBLIC_URL TRUSTED_PROXY_SECRET; do
    [[ -z ${SETTING[$key]} ]] || admin=$(env_upsert "$key" "${SETTING[$key]}" <<<"$admin")
  done
  [[ -z $VOICEMAIL_DIR_FLAG ]] || worker=$(env_upsert PBX_VOICEMAIL_DIR "$VOICEMAIL_DIR_FLAG" <<<"$worker")
  printf '%s\n' "$worker" | write_file "$WORKER_ENV" 0600 "$SERVICE_USER:$SERVICE_USER"
  printf '%s\n' "$admin" | write_file "$ADMIN_ENV" 0600 "$ADMIN_USER:$ADMIN_USER"
  if [[ -e $LEGACY_ENV ]]; then
    say "    $LEGACY_ENV (one file for both services) was split into the two above; removing it"
    run rm -f "$LEGACY_ENV"
    CHANGED=1
  fi
}
