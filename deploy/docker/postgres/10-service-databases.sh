#!/bin/sh
# One database per service, as ./platform up creates them locally
# (tools/infra-local/src/components/postgres.ts, docs/decisions/0015-database-roles.md): an owner
# role (svc_<name>_owner) that owns the schema and runs the migrations, and a runtime role
# (svc_<name>) that the running service logs in as, with only what its migrations' grants.sql
# declares (the migration step grants it). The schema registry manages its own tables: one role
# owning its schema. Passwords come from the environment; these defaults are for a developer's
# laptop only.
set -eu
for name in api_gateway webhook_ingress booking payment ledger notification audit; do
  password_var="SVC_$(echo "$name" | tr 'a-z' 'A-Z')_PASSWORD"
  password="$(eval "echo \${$password_var:-local-only-$name}")"
  owner_password_var="SVC_$(echo "$name" | tr 'a-z' 'A-Z')_OWNER_PASSWORD"
  owner_password="$(eval "echo \${$owner_password_var:-local-only-${name}-owner}")"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE svc_${name}_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '$owner_password';
CREATE ROLE svc_$name LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '$password';
CREATE DATABASE $name OWNER $POSTGRES_USER ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE $name FROM PUBLIC;
GRANT CONNECT ON DATABASE $name TO svc_${name}_owner, svc_$name;
\connect $name
ALTER SCHEMA public OWNER TO svc_${name}_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO svc_$name;
SQL
done
registry_password="${SVC_SCHEMA_REGISTRY_PASSWORD:-local-only-schema_registry}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE ROLE svc_schema_registry LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD '$registry_password';
CREATE DATABASE schema_registry OWNER $POSTGRES_USER ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE schema_registry FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE schema_registry TO svc_schema_registry;
\connect schema_registry
ALTER SCHEMA public OWNER TO svc_schema_registry;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -c 'REVOKE CONNECT ON DATABASE postgres FROM PUBLIC' -c 'REVOKE CONNECT ON DATABASE template1 FROM PUBLIC'
