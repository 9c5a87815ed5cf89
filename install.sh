#!/usr/bin/env bash
# Installs, upgrades or removes 3CX Relay on a 3CX V20 server (Debian 12). Safe to run again:
# a re-run upgrades in place and leaves everything else as it is. docs/install.md explains
# every step; ./install.sh --help lists the options.
set -Eeuo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
  cat <<'USAGE'
Usage: sudo ./install.sh [options]          install or upgrade
       sudo ./install.sh --uninstall         remove services, site and program; keep config, data, database
       sudo ./install.sh --purge             remove everything, including the relay's database and user
       sudo ./install.sh --rollback          switch back to the previous release

3CX:
  --pbx-url URL             3CX web address for the XAPI and Call Control (e.g. https://pbx.example.com:5001)
  --client-id ID            XAPI client ID (Admin Console > Integrations > API, role System Owner)
  --client-secret SECRET    XAPI client secret (shown once when the API client is created)
  --ini-path FILE           3CXPhoneSystem.ini (default: /var/lib/3cxpbx/Bin/, then /var/lib/3cxpbx/Instance1/Bin/)
  --voicemail-dir DIR       3CX's voicemail folder (default: PBX_VOICEMAIL_DIR in worker.env, else
                            /var/lib/3cxpbx/Instance1/Data/Voicemail); written to worker.env when given
  --no-voicemail-access     do not give the worker's user read access (ACL) to that folder
Own database:
  --database-url URL        use this PostgreSQL database instead of creating a cluster
  --pg-cluster NAME         name of the PostgreSQL 15 cluster to create (default: relay)
  --pg-port PORT            its port (default: 5434)
Web:
  --port PORT               HTTPS port of the relay's nginx site (default: 8443)
  --public-host NAME        host name the panel is reached at (default: hostname -f)
  --tls-cert FILE --tls-key FILE   certificate for the site (default: the PBX's own, else self-signed)
  --relay-port PORT         worker port on 127.0.0.1 (default: 8082)
  --admin-port PORT         admin panel port on 127.0.0.1 (default: 3000)
Behaviour:
  --dry-run                 print every step without changing anything
  --non-interactive         never prompt (also the case when stdin is not a terminal)
  --prefix DIR              write everything under DIR instead of / (tests, packaging)
  --source DIR              the checkout to install from (default: the folder holding install.sh)
  --no-systemd              write units but do not enable or start them
  --no-nginx-reload         write and check the nginx site but do not reload nginx
  --skip-node-install       never install Node.js; fail if no Node >= 20.9 is on PATH
  --admin-build MODE        build (default): run next build in the release;
                            reuse: copy the source's prebuilt admin/.next when it was built from the
                            same admin sources (by content), else build; skip: no admin (will not start)
  --no-admin-build          same as --admin-build skip
  --service-user NAME       system user the worker runs as (default: 3cx-relay)
  --admin-user NAME         system user the admin panel runs as (default: the worker's user + -admin)
  --force                   continue on an operating system other than Debian 12
  -h, --help                this text
USAGE
}

DRY_RUN=0 NON_INTERACTIVE=0 NO_SYSTEMD=0 NO_NGINX_RELOAD=0 SKIP_NODE_INSTALL=0 ADMIN_BUILD=build FORCE=0
MODE=install PURGE=0 ROOT='' SOURCE=$SCRIPT_DIR INI_PATH_FLAG='' VOICEMAIL_DIR_FLAG='' VOICEMAIL_ACCESS=1
PBX_URL_FLAG='' PBX_CLIENT_ID_FLAG='' PBX_CLIENT_SECRET_FLAG='' DATABASE_URL_FLAG=''
PG_CLUSTER=relay PG_PORT=5434 HTTPS_PORT=8443 HTTPS_PORT_FLAG='' PUBLIC_HOST_FLAG=''
RELAY_PORT_FLAG='' ADMIN_PORT_FLAG='' TLS_CERT='' TLS_KEY='' SERVICE_USER=3cx-relay ADMIN_USER=''

need_value() { [[ $# -ge 2 && -n $2 ]] || { printf 'error: %s needs a value\n' "$1" >&2; exit 2; }; }

while [[ $# -gt 0 ]]; do
  case $1 in
    --dry-run) DRY_RUN=1 ;;
    --non-interactive) NON_INTERACTIVE=1 ;;
    --no-systemd) NO_SYSTEMD=1 ;;
    --no-nginx-reload) NO_NGINX_RELOAD=1 ;;
    --skip-node-install) SKIP_NODE_INSTALL=1 ;;
    --no-admin-build) ADMIN_BUILD=skip ;;
    --admin-build)
      need_value "$@"
      [[ $2 == build || $2 == reuse || $2 == skip ]] || { printf 'error: --admin-build is build, reuse or skip, not %s\n' "$2" >&2; exit 2; }
      ADMIN_BUILD=$2
      shift
      ;;
    --force) FORCE=1 ;;
    --uninstall) MODE=uninstall ;;
    --purge) MODE=uninstall PURGE=1 ;;
    --rollback) MODE=rollback ;;
    --prefix) need_value "$@"; ROOT=${2%/}; shift ;;
    --source) need_value "$@"; SOURCE=${2%/}; shift ;;
    --ini-path) need_value "$@"; INI_PATH_FLAG=$2; shift ;;
    --voicemail-dir) need_value "$@"; VOICEMAIL_DIR_FLAG=${2%/}; shift ;;
    --no-voicemail-access) VOICEMAIL_ACCESS=0 ;;
    --pbx-url) need_value "$@"; PBX_URL_FLAG=$2; shift ;;
    --client-id) need_value "$@"; PBX_CLIENT_ID_FLAG=$2; shift ;;
    --client-secret) need_value "$@"; PBX_CLIENT_SECRET_FLAG=$2; shift ;;
    --database-url) need_value "$@"; DATABASE_URL_FLAG=$2; shift ;;
    --pg-cluster) need_value "$@"; PG_CLUSTER=$2; shift ;;
    --pg-port) need_value "$@"; PG_PORT=$2; shift ;;
    --port) need_value "$@"; HTTPS_PORT=$2 HTTPS_PORT_FLAG=$2; shift ;;
    --public-host) need_value "$@"; PUBLIC_HOST_FLAG=$2; shift ;;
    --relay-port) need_value "$@"; RELAY_PORT_FLAG=$2; shift ;;
    --admin-port) need_value "$@"; ADMIN_PORT_FLAG=$2; shift ;;
    --tls-cert) need_value "$@"; TLS_CERT=$2; shift ;;
    --tls-key) need_value "$@"; TLS_KEY=$2; shift ;;
    --service-user) need_value "$@"; SERVICE_USER=$2; shift ;;
    --admin-user) need_value "$@"; ADMIN_USER=$2; shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'error: unknown option %s (see --help)\n' "$1" >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source=deploy/install/common.sh
. "$SCRIPT_DIR/deploy/install/common.sh"
# shellcheck source=deploy/install/node.sh
. "$SCRIPT_DIR/deploy/install/node.sh"
# shellcheck source=deploy/install/release.sh
. "$SCRIPT_DIR/deploy/install/release.sh"
# shellcheck source=deploy/install/database.sh
. "$SCRIPT_DIR/deploy/install/database.sh"
# shellcheck source=deploy/install/config.sh
. "$SCRIPT_DIR/deploy/install/config.sh"
# shellcheck source=deploy/install/services.sh
. "$SCRIPT_DIR/deploy/install/services.sh"
# shellcheck source=deploy/install/voicemail.sh
. "$SCRIPT_DIR/deploy/install/voicemail.sh"
# shellcheck source=deploy/install/uninstall.sh
. "$SCRIPT_DIR/deploy/install/uninstall.sh"

OPT=$ROOT/opt/3cx-relay
ADMIN_USER=${ADMIN_USER:-$SERVICE_USER-admin}
WORKER_ENV=$OPT/config/worker.env
ADMIN_ENV=$OPT/config/admin.env
# One file for both services before release 0.2; split into the two above on upgrade.
LEGACY_ENV=$OPT/config/relay.env
UNIT_DIR=$ROOT/etc/systemd/system
NGINX_DIR=$ROOT/etc/nginx
PUBLIC_HOST=${PUBLIC_HOST_FLAG:-$(hostname -f 2>/dev/null || hostname)}
[[ -n $ROOT && $ROOT != /* ]] && die "--prefix must be an absolute path"
[[ -d $SOURCE && -f $SOURCE/relay-worker/package.json ]] || die "--source $SOURCE is not a 3CX Relay checkout"
SOURCE=$(cd "$SOURCE" && pwd)

check_root() {
  [[ $(id -u) == 0 || $DRY_RUN == 1 ]] || die "run as root (sudo ./install.sh ...)"
}

check_os() {
  step "Operating system"
  local id='' version=''
  if [[ -r /etc/os-release ]]; then
    id=$(. /etc/os-release && printf '%s' "${ID:-}")
    version=$(. /etc/os-release && printf '%s' "${VERSION_ID:-}")
  fi
  if [[ $id == debian && $version == 12 ]]; then
    say "    Debian 12: supported"
  elif [[ $FORCE == 1 ]]; then
    warn "this is ${id:-unknown} ${version:-}, not Debian 12 (what 3CX V20 runs); continuing because of --force"
  else
    die "this is ${id:-an unknown system} ${version:-}, not Debian 12 (what 3CX V20 runs). Use --force to try anyway."
  fi
}

# Sets INI_PATH to the 3CX ini that exists, and says what was found where.
find_ini() {
  step "3CX configuration (3CXPhoneSystem.ini)"
  INI_PATH=''
  local candidates=() p
  if [[ -n $INI_PATH_FLAG ]]; then
    candidates=("$INI_PATH_FLAG")
  else
    candidates=("$ROOT/var/lib/3cxpbx/Bin/3CXPhoneSystem.ini" "$ROOT/var/lib/3cxpbx/Instance1/Bin/3CXPhoneSystem.ini")
  fi
  for p in "${candidates[@]}"; do
    if [[ -r $p ]]; then
      say "    found: $p"
      [[ -z $INI_PATH ]] && INI_PATH=$(readlink -f "$p")
    else
      say "    not found: $p"
    fi
  done
  if [[ -n $INI_PATH ]]; then
    local sections
    sections=$(grep -oE '^\[[A-Za-z0-9_]+\]' "$INI_PATH" | tr -d '[]' | paste -sd, - || true)
    say "    using $INI_PATH (sections: ${sections:-none})"
    grep -q '^\[DbAdminREADONLY\]' "$INI_PATH" ||
      warn "$INI_PATH has no [DbAdminREADONLY] section: the relay may not find 3CX's read-only database login (set PBX_DB_URL)"
  elif [[ -n $INI_PATH_FLAG ]]; then
    die "--ini-path $INI_PATH_FLAG: file not found or not readable"
  else
    warn "no 3CX ini found: is 3CX V20 installed? The call-history (database) source needs it, or PBX_DB_URL in worker.env"
  fi
}

# One system user per service, so neither can read the other's settings or /proc/<pid>/environ.
ensure_users() {
  step "System users $SERVICE_USER (worker) and $ADMIN_USER (admin panel)"
  local user comment
  for user in "$SERVICE_USER" "$ADMIN_USER"; do
    if id -u "$user" >/dev/null 2>&1; then
      say "    $user exists"
      continue
    fi
    comment="3CX Relay"
    [[ $user == "$ADMIN_USER" ]] && comment="3CX Relay admin panel"
    run useradd --system --user-group --home-dir "$OPT/data" --no-create-home --shell /usr/sbin/nologin \
      --comment "$comment" "$user"
  done
}

create_layout() {
  step "Folders under $OPT"
  ensure_dir "$OPT" 0755 root:root
  ensure_dir "$OPT/releases" 0755 root:root
  ensure_dir "$OPT/bin" 0755 root:root
  # Each service reads its own file in here (0600, its owner); no one may list the folder.
  ensure_dir "$OPT/config" 0711 root:root
  ensure_dir "$OPT/logs" 0750 "$SERVICE_USER:$SERVICE_USER"
  ensure_dir "$OPT/data" 0750 "$SERVICE_USER:$SERVICE_USER"
}

migrate_and_first_admin() {
  step "Database migrations (offline, SQL files of this release)"
  run "$OPT/bin/3cx-relay" migrate
  step "First admin user"
  run "$OPT/bin/3cx-relay" create-admin --if-none
}

summary() {
  say ""
  if [[ $DRY_RUN == 1 ]]; then
    say "Dry run: nothing was changed."
    return 0
  fi
  say "3CX Relay is installed in $OPT ($(basename "$(readlink -f "$OPT/current")"))."
  say "  Admin panel:  https://$PUBLIC_HOST:$HTTPS_PORT/admin/"
  say "  Relay API:    https://$PUBLIC_HOST:$HTTPS_PORT/relay/health"
  say "  Check it:     3cx-relay doctor"
  say "  Settings:     $WORKER_ENV (then systemctl restart 3cx-relay-worker)"
  say "                $ADMIN_ENV (then systemctl restart 3cx-relay-admin)"
  say "  Logs:         journalctl -u 3cx-relay-worker -u 3cx-relay-admin -f"
}

main() {
  check_root
  [[ $DRY_RUN == 1 ]] && say "Dry run: printing every step, changing nothing."
  case $MODE in
    uninstall)
      uninstall
      return 0
      ;;
    rollback)
      rollback_release
      start_units
      return 0
      ;;
  esac
  check_os
  find_ini
  ensure_node
  ensure_jemalloc
  ensure_users
  create_layout
  prepare_release
  activate_release
  setup_database
  write_config
  install_commands
  migrate_and_first_admin
  grant_voicemail_read
  install_units
  install_nginx_site
  step "Services"
  start_units
  summary
}

main
