# shellcheck shell=bash
# The relay's own database: a separate PostgreSQL 15 cluster (Debian's pg_createcluster) on its
# own port by default; never a database inside 3CX's cluster (database_single). Or DATABASE_URL.

PG_MAJOR=15

cluster_line() { pg_lsclusters -h 2>/dev/null | awk -v v="$PG_MAJOR" -v n="$PG_CLUSTER" '$1 == v && $2 == n'; }

port_taken() {
  pg_lsclusters -h 2>/dev/null | awk -v p="$1" '$3 == p { found = 1 } END { exit !found }' && return 0
  have ss && ss -Hltn "sport = :$1" 2>/dev/null | grep -q .
}

psql_admin() {
  runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$PG_PORT" -d postgres
}

create_relay_cluster() {
  if ! have pg_createcluster || [[ ! -x /usr/lib/postgresql/$PG_MAJOR/bin/postgres ]]; then
    say "    PostgreSQL $PG_MAJOR server is not installed; installing Debian's postgresql-$PG_MAJOR"
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "postgresql-$PG_MAJOR"
  fi
  if [[ -z $(cluster_line) ]]; then
    if port_taken "$PG_PORT"; then
      die "port $PG_PORT is already used (see pg_lsclusters / ss -ltn); choose another with --pg-port"
    fi
    run pg_createcluster "$PG_MAJOR" "$PG_CLUSTER" -p "$PG_PORT" --start-conf=auto -- \
      --auth-local=peer --auth-host=scram-sha-256 --encoding=UTF8
    # Remember that this cluster is ours, so --purge drops it and nothing else.
    printf '%s %s\n' "$PG_MAJOR" "$PG_CLUSTER" | write_file "$OPT/config/pg-cluster" 0644 root:root
    CHANGED=1
  else
    PG_PORT=$(cluster_line | awk '{ print $3 }')
    say "    cluster $PG_MAJOR/$PG_CLUSTER exists (port $PG_PORT)"
  fi
  if [[ $DRY_RUN == 1 || $(cluster_line | awk '{ print $4 }') != online ]]; then
    run pg_ctlcluster "$PG_MAJOR" "$PG_CLUSTER" start
  fi
}

# Creates (or re-passwords) the login role and database `relay` in the relay's cluster.
create_relay_database() {
  local password=$1
  if [[ $DRY_RUN == 1 ]]; then
    say "    would create role and database \"relay\" in cluster $PG_MAJOR/$PG_CLUSTER (port $PG_PORT)"
    return 0
  fi
  psql_admin <<SQL
SELECT format('CREATE ROLE relay LOGIN PASSWORD %L', '$password')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'relay') \gexec
SELECT format('ALTER ROLE relay LOGIN PASSWORD %L', '$password') \gexec
SELECT 'CREATE DATABASE relay OWNER relay ENCODING ''UTF8'' TEMPLATE template0'
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'relay') \gexec
SQL
}

# Sets DATABASE_URL: the --database-url flag, else the one the settings already have, else a new cluster.
setup_database() {
  step "Own database"
  if [[ -n $DATABASE_URL_FLAG ]]; then
    DATABASE_URL=$DATABASE_URL_FLAG
    say "    using the DATABASE_URL given with --database-url"
    return 0
  fi
  DATABASE_URL=$(env_get DATABASE_URL)
  if [[ -n $DATABASE_URL ]]; then
    say "    keeping DATABASE_URL from the settings"
    if [[ -n $(cluster_line) && $(cluster_line | awk '{ print $4 }') != online ]]; then
      run pg_ctlcluster "$PG_MAJOR" "$PG_CLUSTER" start
    fi
    return 0
  fi
  say "    creating PostgreSQL cluster $PG_MAJOR/$PG_CLUSTER on 127.0.0.1:$PG_PORT (3CX's own cluster is not touched)"
  create_relay_cluster
  local password
  password=$(openssl rand -hex 24)
  create_relay_database "$password"
  DATABASE_URL="postgresql://relay:$password@127.0.0.1:$PG_PORT/relay"
  CHANGED=1
}

# Drops the cluster install.sh created (recorded in config/pg-cluster), never any other.
drop_relay_cluster() {
  local marker=$OPT/config/pg-cluster major name
  [[ -r $marker ]] || return 0
  read -r major name <"$marker"
  if pg_lsclusters -h 2>/dev/null | awk -v v="$major" -v n="$name" '$1 == v && $2 == n { f = 1 } END { exit !f }'; then
    run pg_dropcluster --stop "$major" "$name"
  fi
}
