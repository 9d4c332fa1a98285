#!/bin/bash
# Apicurio with the settings ./platform up gives it (tools/infra-local/src/components/schema-registry.ts).
# The database password comes from a file (APICURIO_DATASOURCE_PASSWORD_FILE, a mounted secret) into
# the environment Quarkus reads, never onto the command line. `health` is the image's health check.
set -euo pipefail
management_port=$((REGISTRY_PORT + 1))
if [ "${1:-}" = health ]; then
  exec 3<>"/dev/tcp/127.0.0.1/${management_port}"
  printf 'GET /health/ready HTTP/1.0\r\n\r\n' >&3
  IFS= read -r status <&3
  [[ "$status" == *" 200 "* ]]
  exit
fi
APICURIO_DATASOURCE_PASSWORD="$(cat "${APICURIO_DATASOURCE_PASSWORD_FILE:?the file holding the database password}")"
export APICURIO_DATASOURCE_PASSWORD
exec /opt/java/bin/java "-Xmx${REGISTRY_HEAP_MB}m" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:+ExitOnOutOfMemoryError \
  -Djava.io.tmpdir=/tmp \
  -Dquarkus.http.host=0.0.0.0 "-Dquarkus.http.port=${REGISTRY_PORT}" \
  -Dquarkus.management.host=0.0.0.0 "-Dquarkus.management.port=${management_port}" \
  -Dquarkus.http.access-log.enabled=false \
  '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %-5p [%c{2.}] (%t) %s%e%n' \
  -Dapicurio.storage.kind=sql -Dapicurio.storage.sql.kind=postgresql \
  "-Dapicurio.datasource.url=${APICURIO_DATASOURCE_URL:?jdbc:postgresql://host:port/database}" \
  "-Dapicurio.datasource.username=${APICURIO_DATASOURCE_USERNAME:?the database role}" \
  -Dapicurio.datasource.jdbc.initial-size=2 -Dapicurio.datasource.jdbc.min-size=2 -Dapicurio.datasource.jdbc.max-size=8 \
  "-Dapicurio.rules.global.compatibility=${REGISTRY_COMPATIBILITY}" \
  -Dapicurio.storage.snapshot.location=/tmp -Dapicurio.import.work-dir=/tmp \
  -jar /opt/apicurio/quarkus-run.jar
