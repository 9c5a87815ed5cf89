# shellcheck shell=bash
# config/relay.env: KEY=value lines read by systemd (EnvironmentFile), the worker
# (RELAY_CONFIG_FILE) and the admin. Existing values always win over generated ones, so secrets
# survive re-runs; only flags change a value that is already there.

# Prints KEY's value from relay.env (quotes removed), or nothing.
env_get() {
  local key=$1 line value
  [[ -r $CONFIG_FILE ]] || return 0
  line=$(grep -E "^${key}=" "$CONFIG_FILE" | tail -n 1) || return 0
  value=${line#*=}
  if [[ $value =~ ^\'(.*)\'$ || $value =~ ^\"(.*)\"$ ]]; then value=${BASH_REMATCH[1]}; fi
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

# Resolves each setting: flag, else existing, else prompt/generated/default. Fills CONFIG_KEYS/CONFIG_VALUES.
resolve_settings() {
  declare -gA SETTING=()
  local key
  for key in PBX_URL PBX_CLIENT_ID PBX_CLIENT_SECRET NEXTAUTH_SECRET RELAY_ENCRYPTION_KEY NEXTAUTH_URL \
    RELAY_PUBLIC_URL RELAY_PORT ADMIN_PORT; do
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
  [[ -n $RELAY_PORT_FLAG || -z ${SETTING[RELAY_PORT]} ]] && SETTING[RELAY_PORT]=${RELAY_PORT_FLAG:-8082}
  [[ -n $ADMIN_PORT_FLAG || -z ${SETTING[ADMIN_PORT]} ]] && SETTING[ADMIN_PORT]=${ADMIN_PORT_FLAG:-3000}
  local public="https://$PUBLIC_HOST:$HTTPS_PORT"
  if [[ -n $PUBLIC_HOST_FLAG || -n $HTTPS_PORT_FLAG || -z ${SETTING[RELAY_PUBLIC_URL]} ]]; then
    SETTING[RELAY_PUBLIC_URL]=$public
    SETTING[NEXTAUTH_URL]="$public/admin/api/auth"
  fi
  RELAY_PORT=${SETTING[RELAY_PORT]}
  ADMIN_PORT=${SETTING[ADMIN_PORT]}
  if [[ -z ${SETTING[PBX_URL]} || -z ${SETTING[PBX_CLIENT_ID]} || -z ${SETTING[PBX_CLIENT_SECRET]} ]]; then
    warn "3CX URL, XAPI client ID or secret not set: the XAPI and Call Control sources stay off until you add
  PBX_URL, PBX_CLIENT_ID and PBX_CLIENT_SECRET to $CONFIG_FILE (then: systemctl restart 3cx-relay-worker)"
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

config_header() {
  cat <<HEADER
# 3CX Relay settings. Read by systemd (3cx-relay-worker, 3cx-relay-admin) and by the 3cx-relay CLI.
# install.sh adds missing keys and never replaces a value unless given a flag for it.
# After editing: systemctl restart 3cx-relay-worker 3cx-relay-admin; then: 3cx-relay doctor
# Optional: LOG_FILE=$OPT/logs/worker.log also writes JSON logs there (rotated by logrotate).
NODE_ENV=production
NEXT_TELEMETRY_DISABLED=1
RELAY_HOST=127.0.0.1
HEADER
}

write_config() {
  step "Configuration $CONFIG_FILE"
  resolve_settings
  local text key
  if [[ -f $CONFIG_FILE ]]; then text=$(cat "$CONFIG_FILE"); else text=$(config_header); fi
  text=$(env_upsert DATABASE_URL "$DATABASE_URL" <<<"$text")
  for key in RELAY_PORT ADMIN_PORT PBX_URL PBX_CLIENT_ID PBX_CLIENT_SECRET RELAY_ENCRYPTION_KEY \
    NEXTAUTH_SECRET NEXTAUTH_URL RELAY_PUBLIC_URL; do
    # Never remove a value the file has: an empty setting here only means "not known".
    [[ -z ${SETTING[$key]} ]] && continue
    text=$(env_upsert "$key" "${SETTING[$key]}" <<<"$text")
  done
  printf '%s\n' "$text" | write_file "$CONFIG_FILE" 0600 "$SERVICE_USER:$SERVICE_USER"
}
