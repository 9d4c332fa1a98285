#!/bin/sh
# First start: initdb with the administrator's password from its file (as ./platform up does),
# accepting scram-sha-256 logins from the container network. Then exec postgres (PID 1).
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="${POSTGRES_PASSWORD_FILE:?the file holding the administrator password}" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  printf 'host all all 0.0.0.0/0 scram-sha-256\nhost all all ::/0 scram-sha-256\n' >> "$PGDATA/pg_hba.conf"
fi
exec postgres -D "$PGDATA" -c listen_addresses='*' -c port=5432 -c unix_socket_directories= \
  -c max_connections=300 -c shared_buffers=128MB -c log_min_messages=warning -c 'log_line_prefix=%m [%p] %q%u@%d ' "$@"
