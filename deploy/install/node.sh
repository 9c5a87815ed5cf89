# shellcheck shell=bash
# Node.js: use an installed Node >= 20.9, else install Node 22 LTS from NodeSource's apt repository.

NODE_MIN_MAJOR=20
NODE_MIN_MINOR=9

# Prints the path of a node that is new enough, or nothing.
find_node() {
  local node version major minor
  node=$(command -v node 2>/dev/null) || return 0
  version=$("$node" -p 'process.versions.node' 2>/dev/null) || return 0
  major=${version%%.*}
  minor=${version#*.}; minor=${minor%%.*}
  if ((major > NODE_MIN_MAJOR || (major == NODE_MIN_MAJOR && minor >= NODE_MIN_MINOR))); then
    readlink -f "$node"
  fi
}

install_node_from_nodesource() {
  local keyring=/etc/apt/keyrings/nodesource.gpg list=/etc/apt/sources.list.d/nodesource.list
  if [[ $DRY_RUN != 1 ]] && ! curl -fsS --max-time 15 -o /dev/null https://deb.nodesource.com/; then
    die "no Node.js >= ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} on this server, and deb.nodesource.com cannot be reached (no internet?).
  Install Node.js 22 yourself (for example the nodejs .deb from https://deb.nodesource.com/node_22.x copied to this server:
  apt-get install ./nodejs_22*.deb), then run install.sh again."
  fi
  run install -d -m 0755 /etc/apt/keyrings
  if [[ $DRY_RUN == 1 ]]; then
    say "    would run: curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor -o $keyring"
  else
    curl -fsSL https://deb.nodesource.com/gpgkey/nodesource-repo.gpg.key | gpg --dearmor --yes -o "$keyring"
  fi
  printf 'deb [signed-by=%s] https://deb.nodesource.com/node_22.x nodistro main\n' "$keyring" |
    write_file "$list" 0644 root:root
  run apt-get update -q
  run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q nodejs
}

# Sets NODE to the absolute path of a suitable node binary and puts its folder (npm) first on PATH.
ensure_node() {
  step "Node.js (>= ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} needed)"
  NODE=$(find_node)
  if [[ -n $NODE ]]; then
    say "    using $NODE ($("$NODE" -v))"
    PATH="$(dirname "$NODE"):$PATH"
    return 0
  fi
  if [[ $SKIP_NODE_INSTALL == 1 ]]; then
    die "no Node.js >= ${NODE_MIN_MAJOR}.${NODE_MIN_MINOR} on PATH and --skip-node-install was given; install Node.js 22 and run again"
  fi
  say "    no suitable Node.js found; installing Node.js 22 LTS from NodeSource"
  install_node_from_nodesource
  NODE=$(find_node)
  if [[ -z $NODE ]]; then
    [[ $DRY_RUN == 1 ]] && { NODE=/usr/bin/node; return 0; }
    die "Node.js was installed but 'node' is still missing or too old; check 'node -v'"
  fi
  say "    using $NODE ($("$NODE" -v))"
  PATH="$(dirname "$NODE"):$PATH"
}

# The paths bin/3cx-relay-worker looks for jemalloc at (Debian's multiarch folders).
JEMALLOC_PATHS="/usr/lib/x86_64-linux-gnu/libjemalloc.so.2 /usr/lib/aarch64-linux-gnu/libjemalloc.so.2"

# Prints the first jemalloc library the worker's command would load, or nothing.
find_jemalloc() {
  local lib
  for lib in $JEMALLOC_PATHS; do
    [[ -r $lib ]] && { printf '%s' "$lib"; return 0; }
  done
  return 0
}

# Debian's libjemalloc2, which the worker's command preloads (see deploy/templates/bin-3cx-relay-worker):
# it hands memory the worker freed back to the system, where glibc's malloc kept 8-25 MiB of it.
# Optional: without it (no package source reachable) the worker runs on glibc's malloc.
ensure_jemalloc() {
  step "Memory allocator for the worker (jemalloc)"
  local lib
  lib=$(find_jemalloc)
  if [[ -n $lib ]]; then
    say "    using $lib"
    return 0
  fi
  say "    installing Debian's libjemalloc2"
  if run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libjemalloc2 ||
    { run apt-get update -q && run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q libjemalloc2; }; then
    [[ $DRY_RUN == 1 || -n $(find_jemalloc) ]] && return 0
  fi
  warn "could not install libjemalloc2: the worker runs on glibc's malloc, which keeps more memory
  at idle. apt-get install libjemalloc2, then restart 3cx-relay-worker (no re-install needed)."
}
