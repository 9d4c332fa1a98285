#!/bin/sh
# One database and one least-privilege role per service, as ./platform up creates them locally
# (tools/infra-local/src/components/postgres.ts). Passwords come from the environment; these
# defaults are for a developer's laptop only.
set -eu
for name in api_gateway webhook_ingress booking payment ledger notification audit schema_registry; do
  password_var="SVC_$(echo "$name" | tr 'a-z' 'A-Z')_PASSWORD"
  password="$(eval "echo \${$password_var:-local-only-$name}")"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE svc_$name LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '$password';
CREATE DATABASE $name OWNER $POSTGRES_USER ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE $name FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE $name TO svc_$name;
\connect $name
ALTER SCHEMA public OWNER TO svc_$name;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
done
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -c 'REVOKE CONNECT ON DATABASE postgres FROM PUBLIC' -c 'REVOKE CONNECT ON DATABASE template1 FROM PUBLIC'
