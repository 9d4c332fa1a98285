#!/bin/bash
# Renders deploy/local/kafka/server.properties (the file ./platform up renders) for a container:
# its tokens replaced, then the listeners overridden (a later key wins in a properties file):
# INTERNAL for the other containers (kafka:9092), EXTERNAL advertised on the host's loopback port,
# the controller on loopback. Formats the data volume once, then execs the broker (PID 1: SIGTERM
# is a controlled shutdown).
set -euo pipefail
data=/var/lib/kafka/data
config=/tmp/server.properties
sed -e "s|\${controllerPort}|${KAFKA_CONTROLLER_PORT}|g" -e "s|\${port}|${KAFKA_INTERNAL_PORT}|g" -e "s|\${logDir}|${data}/kafka-logs|g" \
  /opt/kafka/config/server.properties > "$config"
cat >> "$config" <<PROPERTIES
listeners=INTERNAL://0.0.0.0:${KAFKA_INTERNAL_PORT},EXTERNAL://0.0.0.0:${KAFKA_EXTERNAL_PORT},CONTROLLER://127.0.0.1:${KAFKA_CONTROLLER_PORT}
advertised.listeners=INTERNAL://${KAFKA_INTERNAL_HOST}:${KAFKA_INTERNAL_PORT},EXTERNAL://${KAFKA_EXTERNAL_ADVERTISED}
listener.security.protocol.map=INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=INTERNAL
PROPERTIES
java=(/opt/java/bin/java "-Dlog4j2.configurationFile=/opt/kafka/config/log4j2.xml" -cp '/opt/kafka/libs/*')
if [ ! -f "$data/kafka-logs/meta.properties" ]; then
  [ -f "$data/cluster-id" ] || head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=' | sed 's/^-/A/' > "$data/cluster-id"
  "${java[@]}" -Xmx256m kafka.tools.StorageTool format --config "$config" --cluster-id "$(cat "$data/cluster-id")" --ignore-formatted
fi
exec "${java[@]}" "-Xms${KAFKA_HEAP_MB}m" "-Xmx${KAFKA_HEAP_MB}m" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true kafka.Kafka "$config"
