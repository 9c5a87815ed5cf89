# shellcheck shell=bash
# INI_EXPORT, INI_CREDENTIAL, NGINX_LOG_DIR and TRUSTED_PROXY_SECRET are read by render() through @@NAME@@.
# shellcheck disable=SC2034
# Commands on PATH, systemd units, logrotate and the nginx site.

TEMPLATES=$SCRIPT_DIR/deploy/templates

install_commands() {
  step "Commands in $OPT/bin (3cx-relay on PATH)"
  if [[ -n $INI_PATH ]]; then
    INI_EXPORT="export PBX_INI_PATH=\"\${PBX_INI_PATH:-$INI_PATH}\""
  else
    INI_EXPORT="# no 3CXPhoneSystem.ini was found at install time; PBX_INI_PATH may be set in worker.env"
  fi
  local name
  for name in 3cx-relay 3cx-relay-worker 3cx-relay-admin 3cx-relay-pbx-ini; do
    render "$TEMPLATES/bin-$name" | write_file "$OPT/bin/$name" 0755 root:root
  done
  ensure_symlink "$OPT/bin/3cx-relay" "$ROOT/usr/local/bin/3cx-relay"
}

install_units() {
  step "systemd units in $UNIT_DIR"
  if [[ -n $INI_PATH ]]; then
    # Before each start, as root, bin/3cx-relay-pbx-ini copies only the database location and the
    # [DbAdminREADONLY] login into the worker's private runtime folder: 3CX's file keeps its owner
    # and mode, and the worker's user never sees its other sections (the master password).
    INI_CREDENTIAL="RuntimeDirectory=3cx-relay-worker
RuntimeDirectoryMode=0700
ExecStartPre=+$OPT/bin/3cx-relay-pbx-ini $INI_PATH %t/3cx-relay-worker/3CXPhoneSystem.ini $SERVICE_USER
Environment=PBX_INI_PATH=%t/3cx-relay-worker/3CXPhoneSystem.ini"
  else
    INI_CREDENTIAL="# no 3CXPhoneSystem.ini found at install time (PBX_INI_PATH or PBX_DB_URL in worker.env)"
  fi
  local unit
  for unit in 3cx-relay-worker 3cx-relay-admin; do
    render "$TEMPLATES/$unit.service" | write_file "$UNIT_DIR/$unit.service" 0644 root:root
  done
  render "$TEMPLATES/logrotate" | write_file "$ROOT/etc/logrotate.d/3cx-relay" 0644 root:root
}

# Enables and (re)starts the units; restarts only when something this run did changed.
start_units() {
  if [[ $NO_SYSTEMD == 1 ]]; then
    say "    --no-systemd: units written, not enabled or started"
    return 0
  fi
  if ! systemd_running && [[ $DRY_RUN != 1 ]]; then
    warn "systemd is not running here; units written but not started (use --no-systemd to silence this)"
    return 0
  fi
  local units=(3cx-relay-worker.service 3cx-relay-admin.service)
  # Without a built panel `next start` would only crash-loop: leave the admin unit alone then.
  if [[ $DRY_RUN != 1 && ! -f $OPT/current/admin/.next/BUILD_ID ]]; then
    warn "the admin panel of this release is not built; 3cx-relay-admin is not started"
    units=(3cx-relay-worker.service)
  fi
  run systemctl daemon-reload
  run systemctl enable "${units[@]}"
  if [[ $CHANGED == 1 ]]; then
    run systemctl restart "${units[@]}"
  else
    run systemctl start "${units[@]}"
  fi
  if [[ $DRY_RUN != 1 ]]; then
    sleep 3
    systemctl --no-pager --lines=0 status "${units[@]}" || {
      warn "a service is not healthy; see: journalctl -u 3cx-relay-worker -u 3cx-relay-admin -n 50"
      return 0
    }
  fi
}

# Sets TLS_CERT/TLS_KEY: the flags, else the PBX's certificate, else a self-signed one of our own.
find_tls_certificate() {
  if [[ -n $TLS_CERT && -n $TLS_KEY ]]; then
    [[ -r $TLS_CERT && -r $TLS_KEY ]] || die "--tls-cert/--tls-key: cannot read $TLS_CERT or $TLS_KEY"
    say "    TLS certificate: $TLS_CERT (given)"
    return 0
  fi
  local crt key
  # 3CX keeps the FQDN's certificate beside its own nginx configuration ([UNVERIFIED] for all V20 builds).
  for crt in "$ROOT"/var/lib/3cxpbx/Bin/nginx/conf/Instance1/*-crt.pem \
    "$ROOT"/var/lib/3cxpbx/Instance1/Bin/nginx/conf/Instance1/*-crt.pem; do
    key=${crt%-crt.pem}-key.pem
    if [[ -r $crt && -r $key ]]; then
      TLS_CERT=$crt TLS_KEY=$key
      say "    TLS certificate: the PBX's own, $crt (read in place, not copied)"
      return 0
    fi
  done
  TLS_CERT=$OPT/config/tls/relay.crt TLS_KEY=$OPT/config/tls/relay.key
  if [[ -r $TLS_CERT && -r $TLS_KEY ]]; then
    say "    TLS certificate: $TLS_CERT (generated earlier)"
    return 0
  fi
  warn "no PBX certificate found; generating a self-signed one for $PUBLIC_HOST (browsers will warn; pass --tls-cert/--tls-key)"
  run mkdir -p "$OPT/config/tls"
  run openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -sha256 -days 825 -nodes -subj "/CN=$PUBLIC_HOST" \
    -addext "subjectAltName=DNS:$PUBLIC_HOST,DNS:localhost,IP:127.0.0.1" -keyout "$TLS_KEY" -out "$TLS_CERT"
  ensure_mode "$TLS_KEY" 0600 root:root
  CHANGED=1
}

# Checks the site alone in a throw-away nginx.conf, so a broken site never reaches the live config.
check_site_alone() {
  local site=$1 dir
  dir=$(mktemp -d)
  printf 'pid %s/nginx.pid;\nerror_log %s/error.log;\nevents {}\nhttp {\n  include %s;\n}\n' "$dir" "$dir" "$site" >"$dir/nginx.conf"
  if ! nginx -t -q -p "$dir" -c "$dir/nginx.conf" 2>"$dir/out"; then
    cat "$dir/out" >&2
    rm -rf "$dir"
    die "the generated nginx site $site does not pass nginx -t (see above); the live nginx was not reloaded"
  fi
  rm -rf "$dir"
}

# After installing Debian's nginx for the relay: its default site would open port 80 to a
# welcome page nobody asked for, so it is disabled (the file stays in sites-available).
disable_default_site() {
  local link=$NGINX_DIR/sites-enabled/default
  [[ -e $link || -L $link ]] || return 0
  say "    disabling Debian's default nginx site (port 80), which came with the nginx just installed"
  run rm -f "$link"
}

# Installs Debian's nginx when there is none (and then disables its default site).
ensure_nginx_installed() {
  have nginx && return 0
  say "    nginx is not installed; installing Debian's nginx"
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nginx
  disable_default_site
}

install_nginx_site() {
  step "nginx site on port $HTTPS_PORT ($NGINX_DIR/sites-available/3cx-relay)"
  ensure_nginx_installed
  find_tls_certificate
  NGINX_LOG_DIR=$ROOT/var/log/nginx
  ensure_dir "$NGINX_LOG_DIR" 0755 root
  local site=$NGINX_DIR/sites-available/3cx-relay before=$CHANGED
  CHANGED=0
  # 0600: the site holds the secret nginx proves itself to the admin with (X-Relay-Proxy).
  render "$TEMPLATES/nginx-site.conf" | write_file "$site" 0600 root:root
  ensure_symlink "$site" "$NGINX_DIR/sites-enabled/3cx-relay"
  local site_changed=$CHANGED
  CHANGED=$((before | site_changed))
  [[ $DRY_RUN == 1 ]] && { say "    would run: nginx -t, then systemctl reload nginx"; return 0; }
  check_site_alone "$site"
  if [[ $NO_NGINX_RELOAD == 1 ]]; then
    say "    --no-nginx-reload: site checked with nginx -t, live nginx not reloaded"
    return 0
  fi
  [[ $site_changed == 1 ]] || { say "    site unchanged; nginx not reloaded"; return 0; }
  run nginx -t
  if systemd_running; then run systemctl reload-or-restart nginx; else run nginx -s reload; fi
}
