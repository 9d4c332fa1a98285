#!/bin/sh
# Starts the program named at build time (TXN_PROGRAM) the way ./platform up does
# (tools/infra-local/src/components/services.ts serviceNodeArgs); exec, so Node is PID 1 and gets SIGTERM.
# Arguments go to the program (e.g. `migrate` for a service, `topics` for platform-init).
set -eu
cd /app
loader="--import tsx --import /app/tools/decorator-metadata/register.cjs"
case "$TXN_PROGRAM" in
  psp-proxy) exec node --import tsx tools/psp-proxy/src/main.ts "$@" ;;
  platform-init) exec node $loader --disable-warning=TimeoutNegativeWarning tools/platform/src/images-init-main.ts "$@" ;;
  *) exec node $loader --import /app/libs/service-kit/src/instrument.ts --disable-warning=TimeoutNegativeWarning "services/$TXN_PROGRAM/src/main.ts" "$@" ;;
esac
