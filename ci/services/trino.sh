#!/usr/bin/env bash
# Trino 476, a single node (coordinator that also runs the work), for ad-hoc SQL over the
# batch store, the stream store and the raw lake (docs/sql.md).
#   bash ci/services/trino.sh up|down|status|java
# Server: io.trino:trino-server:476 (tar.gz, ~820 MB) and the CLI io.trino:trino-cli:476
# (executable jar) from Maven Central via ci/maven/trino/pom.xml. The tarball is unpacked
# into .cache/trino/trino-server-<version> keeping only the plugins the catalogs use
# (cassandra; postgresql and the geospatial plugin it needs; hive without its legacy
# HDFS file system), then deleted: the cache holds ~310 MB, not 1.7 GB.
# Java: Trino 476 needs Java 22+; PINPIPE_TRINO_JAVA_HOME (default Temurin 25 at
# /usr/lib/jvm/temurin-25-jdk-amd64). `java` prints what is used, or why it cannot be.
# HTTP on 127.0.0.1:$PINPIPE_TRINO_PORT only (node.bind-ip); no other port.
# Catalogs, written under .services/trino/etc/catalog (0600) on every start from the same
# settings every component reads (ci/services/env.sh):
#   batch   Cassandra connector: every keyspace (PINPIPE_CASSANDRA_*)
#   stream  PostgreSQL connector: every schema of PINPIPE_PG_DSN's database
#   lake    hive connector, file metastore in .services/trino/metastore, native S3 file
#           system on the local S3 server (path-style, SigV4; PINPIPE_S3_*)
# Ready = a real `SELECT 1` through the HTTP API (POST /v1/statement, following nextUri)
# returns [[1]]. Data: .services/trino/data. Conventions: ci/services/lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init trino

TRINO_POM="$PINPIPE_ROOT/ci/maven/trino/pom.xml"
TRINO_VERSION="$(sed -n 's:.*<trino.version>\(.*\)</trino.version>.*:\1:p' "$TRINO_POM")"
TRINO_HOME="$SVC_CACHE/trino-server-$TRINO_VERSION"
TRINO_CLI="$SVC_CACHE/trino-cli-$TRINO_VERSION-executable.jar"
TRINO_JAVA="$PINPIPE_TRINO_JAVA_HOME/bin/java"
TRINO_ETC="$SVC_DIR/etc"
TRINO_CONF="$TRINO_ETC/config.properties"
TRINO_PLUGINS=(cassandra postgresql geospatial hive)

SVC_PORTS="$PINPIPE_TRINO_PORT"
SVC_PID_MATCH="-Dconfig=$TRINO_CONF "  # this checkout's server only
SVC_READY_TIMEOUT=120
SVC_STOP_TIMEOUT=30

# trino_java_check: Java 22+ at PINPIPE_TRINO_JAVA_HOME, or say what to do.
trino_java_check() {
  local v
  if [ ! -x "$TRINO_JAVA" ]; then
    pp_err "Trino $TRINO_VERSION needs Java 22 or newer; none at $PINPIPE_TRINO_JAVA_HOME."
    pp_err "Install a JDK 22+ (e.g. Temurin 25: https://adoptium.net/installation/linux/, package"
    pp_err "temurin-25-jdk) or point PINPIPE_TRINO_JAVA_HOME at one. Java 17 (Kafka, Cassandra) is too old."
    return 1
  fi
  v=$("$TRINO_JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if ! [[ "$v" =~ ^[0-9]+$ ]] || ((v < 22)); then
    pp_err "Trino $TRINO_VERSION needs Java 22 or newer; $TRINO_JAVA is Java ${v:-unknown}."
    pp_err "Point PINPIPE_TRINO_JAVA_HOME at a JDK 22+ (e.g. /usr/lib/jvm/temurin-25-jdk-amd64)."
    return 1
  fi
  printf '%s\n' "$v"
}

svc_install() {
  pp_need mvn curl jq python3 tar
  trino_java_check >/dev/null || return 1
  if [ -f "$TRINO_HOME/.complete" ] && [ -f "$TRINO_CLI" ]; then return 0; fi
  local start repo="$PINPIPE_CACHE_DIR/maven/repository" dl="$SVC_CACHE/dl.tmp.$$" tmp="$TRINO_HOME.tmp.$$" p
  start=$(pp_now)
  pp_log "fetching io.trino:trino-server:$TRINO_VERSION (~820 MB) and trino-cli from Maven Central"
  rm -rf "$dl" "$tmp"
  mvn -B -q -f "$TRINO_POM" -Dmaven.repo.local="$repo" dependency:copy-dependencies \
    -DexcludeTransitive=true -DoutputDirectory="$dl" >>"$SVC_LOG" 2>&1 ||
    { rm -rf "$dl"; pp_log_tail; pp_die "mvn could not fetch the Trino server and CLI"; }
  [ -f "$dl/trino-server-$TRINO_VERSION.tar.gz" ] || { rm -rf "$dl"; pp_die "trino-server-$TRINO_VERSION.tar.gz missing after mvn"; }
  # Maven's own copy of the tarball is not kept: the unpacked, pruned tree is the cache.
  rm -f "$repo/io/trino/trino-server/$TRINO_VERSION/trino-server-$TRINO_VERSION.tar.gz"
  pp_log "unpacking, keeping the plugins ${TRINO_PLUGINS[*]}"
  mkdir -p "$tmp"
  # The tarball hard-links jars shared between plugins: unpack all, then prune.
  tar -xzf "$dl/trino-server-$TRINO_VERSION.tar.gz" -C "$tmp" --strip-components=1 ||
    { rm -rf "$dl" "$tmp"; pp_die "could not unpack the Trino tarball"; }
  for p in "$tmp"/plugin/*; do
    case " ${TRINO_PLUGINS[*]} " in *" ${p##*/} "*) ;; *) rm -rf "$p" ;; esac
  done
  # hive's Hadoop file system (fs.hadoop.enabled) is not used: the native S3 one is.
  rm -rf "$tmp/plugin/hive/hdfs" "$tmp/secrets-plugin"
  for p in "${TRINO_PLUGINS[@]}"; do
    [ -d "$tmp/plugin/$p" ] || { rm -rf "$dl" "$tmp"; pp_die "plugin/$p missing from the tarball"; }
  done
  echo "$TRINO_VERSION" >"$tmp/.complete"
  rm -rf "$TRINO_HOME"
  mv "$tmp" "$TRINO_HOME"
  mv "$dl/trino-cli-$TRINO_VERSION-executable.jar" "$TRINO_CLI"
  rm -rf "$dl"
  pp_log "installed in $(pp_since "$start")s: $TRINO_HOME ($(du -sh "$TRINO_HOME" | cut -f1)), $TRINO_CLI"
}

# prop VALUE: VALUE escaped for a Java properties file (one line).
prop() {
  case "$1" in *$'\n'* | *$'\r'*) pp_die "a setting holds a line break" ;; esac
  printf '%s' "${1//\\/\\\\}"
}

write_catalogs() {
  local cat="$TRINO_ETC/catalog"
  mkdir -p "$cat"
  chmod 700 "$cat"
  {
    echo "# Generated by ci/services/trino.sh on every start. Secrets are \${ENV:...}: Trino reads them"
    echo "# from its environment, so no file holds one."
    echo "connector.name=cassandra"
    echo "cassandra.contact-points=$(prop "$PINPIPE_CASSANDRA_HOST")"
    echo "cassandra.native-protocol-port=$PINPIPE_CASSANDRA_PORT"
    echo "cassandra.load-policy.dc-aware.local-dc=datacenter1"
    echo "cassandra.security=PASSWORD"
    echo "cassandra.username=$(prop "$PINPIPE_CASSANDRA_USER")"
    echo "cassandra.password=\${ENV:PINPIPE_CASSANDRA_PASSWORD}"
    echo "cassandra.consistency-level=LOCAL_ONE"
  } >"$cat/batch.properties.tmp"
  mv "$cat/batch.properties.tmp" "$cat/batch.properties"
  # the stream's password: into Trino's environment, never into a file
  PINPIPE_TRINO_PG_PASSWORD="$(python3 "$PINPIPE_ROOT/ci/trino/pg_catalog.py" "$cat/stream.properties")" || return 1
  export PINPIPE_TRINO_PG_PASSWORD
  {
    echo "# Generated by ci/services/trino.sh on every start (the S3 keys are \${ENV:...}, as above)."
    echo "connector.name=hive"
    echo "hive.metastore=file"
    echo "# local:/// is local.location: table and view definitions stay on this machine"
    echo "hive.metastore.catalog.dir=local:///"
    echo "fs.native-local.enabled=true"
    echo "local.location=$(prop "$SVC_DIR/metastore")"
    echo "fs.native-s3.enabled=true"
    echo "s3.endpoint=$(prop "$PINPIPE_S3_ENDPOINT")"
    echo "s3.region=$(prop "$PINPIPE_S3_REGION")"
    echo "s3.path-style-access=true"
    echo "s3.aws-access-key=\${ENV:PINPIPE_S3_ACCESS_KEY}"
    echo "s3.aws-secret-key=\${ENV:PINPIPE_S3_SECRET_KEY}"
    echo "# the lake is immutable input: Trino never writes into it"
    echo "hive.non-managed-table-writes-enabled=false"
    echo "hive.recursive-directories=false"
  } >"$cat/lake.properties.tmp"
  mv "$cat/lake.properties.tmp" "$cat/lake.properties"
}

svc_prepare() {
  mkdir -p "$TRINO_ETC" "$SVC_DIR/data" "$SVC_DIR/metastore"
  cat >"$TRINO_CONF" <<EOF
# Generated by ci/services/trino.sh on every start; edit that script, not this file.
coordinator=true
node-scheduler.include-coordinator=true
node.environment=pinpipe
node.id=pinpipe-trino-1
node.bind-ip=127.0.0.1
node.internal-address=127.0.0.1
http-server.http.port=$PINPIPE_TRINO_PORT
discovery.uri=http://127.0.0.1:$PINPIPE_TRINO_PORT
plugin.dir=$TRINO_HOME/plugin
catalog.config-dir=$TRINO_ETC/catalog
# log to stderr, which pp_spawn appends to .services/trino/trino.log
log.enable-console=true
# sized for one small shared machine (2 cores, Kafka, Cassandra, PostgreSQL beside it)
query.max-memory=1GB
query.max-memory-per-node=768MB
task.concurrency=2
EOF
  cat >"$TRINO_ETC/log.properties" <<'EOF'
io.trino=INFO
io.airlift=WARN
EOF
  write_catalogs
}

svc_start() {
  # shellcheck disable=SC2206 # PINPIPE_TRINO_HEAP is a list of JVM options
  local heap=($PINPIPE_TRINO_HEAP)
  cd "$SVC_DIR/data"  # the server's working directory: anything relative lands here
  pp_spawn "$TRINO_JAVA" "${heap[@]}" -XX:+UseG1GC -XX:G1HeapRegionSize=32M -XX:+ExplicitGCInvokesConcurrent \
    -XX:+ExitOnOutOfMemoryError -XX:-OmitStackTraceInFastThrow -XX:ReservedCodeCacheSize=256M \
    -XX:PerMethodRecompilationCutoff=10000 -XX:PerBytecodeRecompilationCutoff=10000 \
    -XX:+EnableDynamicAgentLoading -Djdk.attach.allowAttachSelf=true -Djdk.nio.maxCachedBufferSize=2000000 \
    -Dfile.encoding=UTF-8 -XX:ActiveProcessorCount=2 \
    "-Dconfig=$TRINO_CONF" "-Dlog.levels-file=$TRINO_ETC/log.properties" \
    -cp "$TRINO_HOME/lib/*" io.trino.server.TrinoServer
}

# trino_select_one: POST SELECT 1, follow nextUri; 0 iff the data is [[1]].
trino_select_one() {
  local base="http://127.0.0.1:$PINPIPE_TRINO_PORT" body next data="" i
  body=$(curl -sf --max-time 5 -H 'X-Trino-User: pinpipe-probe' --data-binary 'SELECT 1' "$base/v1/statement") || return 1
  for ((i = 0; i < 100; i++)); do
    data=$(jq -c '.data // empty' <<<"$body")
    [ -n "$data" ] && break
    [ -n "$(jq -r '.error.message // empty' <<<"$body")" ] && return 1
    next=$(jq -r '.nextUri // empty' <<<"$body")
    [ -n "$next" ] || break
    case "$next" in "$base"/*) ;; *) return 1 ;; esac  # never follow a link elsewhere
    body=$(curl -sf --max-time 5 -H 'X-Trino-User: pinpipe-probe' "$next") || return 1
  done
  [ "$data" = '[[1]]' ]
}

svc_probe() { trino_select_one; }

svc_down() { pp_down_wait_ports; }  # (lib.sh: a JVM holds its port a moment after exit)

svc_info() { echo "url=$PINPIPE_TRINO_URL version=$TRINO_VERSION catalogs=batch,stream,lake rss=$(pp_rss)"; }

# `java` verb: exit 0 and print the Java version Trino would use, or explain and exit 1.
if [ "${1:-}" = java ]; then
  trino_java_check
  exit
fi
# `cli` verb: the Trino CLI (interactive prompt) on this server: bash ci/services/trino.sh cli [ARGS]
if [ "${1:-}" = cli ]; then
  shift
  [ -f "$TRINO_CLI" ] || pp_die "no $TRINO_CLI yet: run bash ci/services/trino.sh up"
  exec java -jar "$TRINO_CLI" --server "$PINPIPE_TRINO_URL" --user "${USER:-pinpipe}" "$@"
fi

pp_main "$@"
