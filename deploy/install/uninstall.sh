# shellcheck shell=bash
# --uninstall removes services, the nginx site, commands and releases but keeps config/ (the
# secrets that decrypt stored data), data/, logs/ and the database. --purge removes those too.

remove_path() {
  local path=$1
  if [[ -e $path || -L $path ]]; then run rm -rf "$path"; fi
}

uninstall() {
  step "Stopping and removing services"
  local unit
  for unit in 3cx-relay-worker 3cx-relay-admin; do
    if [[ $NO_SYSTEMD != 1 ]] && systemd_running; then
      run systemctl disable --now "$unit.service" || true
    fi
    remove_path "$UNIT_DIR/$unit.service"
  done
  if [[ $NO_SYSTEMD != 1 ]] && systemd_running; then run systemctl daemon-reload; fi

  revoke_voicemail_read

  step "Removing the nginx site"
  local had_site=0
  [[ -e $NGINX_DIR/sites-available/3cx-relay || -L $NGINX_DIR/sites-enabled/3cx-relay ]] && had_site=1
  remove_path "$NGINX_DIR/sites-enabled/3cx-relay"
  remove_path "$NGINX_DIR/sites-available/3cx-relay"
  if [[ $had_site == 1 && $NO_NGINX_RELOAD != 1 && $DRY_RUN != 1 ]] && have nginx; then
    if nginx -t -q; then
      if systemd_running; then run systemctl reload nginx || true; else run nginx -s reload || true; fi
    else
      warn "nginx -t fails after removing the relay's site; nginx was not reloaded"
    fi
  fi

  step "Removing commands and releases from $OPT"
  remove_path "$ROOT/usr/local/bin/3cx-relay"
  remove_path "$ROOT/etc/logrotate.d/3cx-relay"
  remove_path "$OPT/bin"
  remove_path "$OPT/current"
  remove_path "$OPT/previous"
  remove_path "$OPT/releases"

  if [[ $PURGE != 1 ]]; then
    say ""
    say "Kept: $OPT/config (secrets), $OPT/data, $OPT/logs, the database and users $SERVICE_USER, $ADMIN_USER."
    say "Run install.sh again to reinstall with the same data, or install.sh --purge to remove them too."
    return 0
  fi

  step "Purging data, configuration, database and user"
  drop_relay_cluster
  remove_path "$OPT"
  local user
  for user in "$SERVICE_USER" "$ADMIN_USER"; do
    if id -u "$user" >/dev/null 2>&1; then run userdel "$user"; fi
  done
  if [[ -n $DATABASE_URL_FLAG ]]; then
    warn "the database behind --database-url is not yours to drop: it was left as it is"
  fi
}
