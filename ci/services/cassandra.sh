#!/usr/bin/env bash
# Cassandra 5.0 single test node, jars from Maven Central, on the default Java 17.
#   bash ci/services/cassandra.sh up|down|status
# Jars: ci/maven/cassandra/pom.xml resolved into .cache/cassandra/libs (Maven's own
# repository under .cache/maven), so only the first `up` downloads.
# Config: ci/cassandra/cassandra.yaml.in rendered into .services/cassandra/conf/ on every
# start; static JVM flags in ci/cassandra/jvm17-server.options; logging ci/cassandra/logback.xml.
# CQL on 127.0.0.1:$PINPIPE_CASSANDRA_PORT (PasswordAuthenticator, superuser
# $PINPIPE_CASSANDRA_USER), gossip on $PINPIPE_CASSANDRA_STORAGE_PORT, JMX (127.0.0.1 only,
# password required) on $PINPIPE_CASSANDRA_JMX_PORT: user $PINPIPE_CASSANDRA_JMX_USER,
# password $PINPIPE_CASSANDRA_JMX_PASSWORD or, unset, one drawn at random on the first
# start; both kept in .services/cassandra/jmx/nodetool.credentials (mode 0600, the
# format of `nodetool -pwf`). Data: .services/cassandra/{data,commitlog,hints,...}, owner
# only (umask 077).
# Ready = ci/cassandra/cql_ready.py logs in as the superuser and reads system.local.
# Conventions: ci/services/lib.sh.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
pp_svc_init cassandra

CASS_POM="$PINPIPE_ROOT/ci/maven/cassandra/pom.xml"
CASS_VERSION="${PINPIPE_CASSANDRA_VERSION:-$(sed -n 's:.*<cassandra.version>\(.*\)</cassandra.version>.*:\1:p' "$CASS_POM")}"
CASS_LIBS="$SVC_CACHE/libs"
CASS_HEAP="${PINPIPE_CASSANDRA_HEAP:-1G}"
CASS_CONF="$SVC_DIR/conf"
CASS_LOGDIR="$SVC_DIR/logs"
CASS_SRC="$PINPIPE_ROOT/ci/cassandra"
CASS_JMX_DIR="$SVC_DIR/jmx"
CASS_JMX_CREDS="$CASS_JMX_DIR/nodetool.credentials"  # "USER PASSWORD", for nodetool -pwf
CASS_JMX_USER="${PINPIPE_CASSANDRA_JMX_USER:-pinpipe}"

SVC_PORTS="$PINPIPE_CASSANDRA_PORT $PINPIPE_CASSANDRA_STORAGE_PORT $PINPIPE_CASSANDRA_JMX_PORT"
[ "$PINPIPE_CASSANDRA_METRICS_PORT" = 0 ] || SVC_PORTS+=" $PINPIPE_CASSANDRA_METRICS_PORT"
# Unique to this checkout's node: another checkout's Cassandra does not count as ours.
SVC_PID_MATCH="-Dcassandra.storagedir=$SVC_DIR "
SVC_READY_TIMEOUT=180
SVC_STOP_TIMEOUT=40

svc_install() {
  pp_need java mvn python3
  [ "$(cat "$CASS_LIBS/.complete" 2>/dev/null)" = "$CASS_VERSION" ] && return 0
  pp_log "resolving org.apache.cassandra:cassandra-all:$CASS_VERSION and its runtime dependencies (Maven Central)"
  local tmp="$CASS_LIBS.tmp.$$"
  rm -rf "$tmp"
  mvn -B -q -f "$CASS_POM" -Dmaven.repo.local="$PINPIPE_CACHE_DIR/maven/repository" \
    -Dcassandra.version="$CASS_VERSION" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >>"$SVC_LOG" 2>&1 ||
    { rm -rf "$tmp"; pp_log_tail; pp_die "mvn could not resolve the Cassandra jars"; }
  [ -f "$tmp/cassandra-all-$CASS_VERSION.jar" ] ||
    { rm -rf "$tmp"; pp_die "cassandra-all-$CASS_VERSION.jar missing after mvn"; }
  echo "$CASS_VERSION" >"$tmp/.complete"
  rm -rf "$CASS_LIBS"
  mv "$tmp" "$CASS_LIBS"
}

svc_prepare() {
  mkdir -p "$CASS_CONF/triggers" "$CASS_LOGDIR" "$SVC_DIR"/{data,commitlog,hints,saved_caches,cdc_raw}
  sed -e "s|@STORAGE_PORT@|$PINPIPE_CASSANDRA_STORAGE_PORT|g" \
    -e "s|@NATIVE_PORT@|$PINPIPE_CASSANDRA_PORT|g" \
    -e "s|@DATA_DIR@|$SVC_DIR|g" \
    "$CASS_SRC/cassandra.yaml.in" >"$CASS_CONF/cassandra.yaml.tmp"
  mv "$CASS_CONF/cassandra.yaml.tmp" "$CASS_CONF/cassandra.yaml"
  cp "$CASS_SRC/logback.xml" "$CASS_CONF/logback.xml"
  write_jmx_auth
}

# JMX credentials: the JVM's password and access files, and a copy for nodetool -pwf.
# All 0600 (umask 077); the password never goes on a command line.
write_jmx_auth() {
  local pw="${PINPIPE_CASSANDRA_JMX_PASSWORD:-}" user
  mkdir -p "$CASS_JMX_DIR"
  chmod 700 "$CASS_JMX_DIR"
  if [ -z "$pw" ] && [ -s "$CASS_JMX_CREDS" ]; then
    read -r user pw <"$CASS_JMX_CREDS" || true
    [ "$user" = "$CASS_JMX_USER" ] || pw=""
  fi
  if [ -z "$pw" ]; then
    pw=$(head -c 24 /dev/urandom | base64 | tr -d '/+=\n')
  fi
  case "$pw$CASS_JMX_USER" in *[[:space:]]*) pp_err "JMX user and password may not hold spaces"; return 1 ;; esac
  printf '%s %s\n' "$CASS_JMX_USER" "$pw" >"$CASS_JMX_CREDS.tmp"
  mv "$CASS_JMX_CREDS.tmp" "$CASS_JMX_CREDS"
  cp "$CASS_JMX_CREDS" "$CASS_JMX_DIR/jmxremote.password"
  printf '%s readwrite\n' "$CASS_JMX_USER" >"$CASS_JMX_DIR/jmxremote.access"
  chmod 600 "$CASS_JMX_DIR"/*
}

# The java command line: static flags from the options file, then the ones that hold
# paths, ports and sizes (what Cassandra's bin/cassandra and cassandra-env.sh add).
cass_java_cmd() {
  local opts=() line
  while IFS= read -r line; do
    case "$line" in -*) opts+=("$line") ;; esac
  done <"$CASS_SRC/jvm17-server.options"
  CASS_CMD=(java "-Xms$CASS_HEAP" "-Xmx$CASS_HEAP" "${opts[@]}"
    "-Xlog:gc=info,safepoint=info:file=$CASS_LOGDIR/gc.log:time,uptime,level:filecount=3,filesize=5242880"
    "-XX:HeapDumpPath=$CASS_LOGDIR"
    "-javaagent:$CASS_JAMM" ${CASS_METRICS_AGENT:+"$CASS_METRICS_AGENT"}
    "-Dcassandra.jmx.local.port=$PINPIPE_CASSANDRA_JMX_PORT"
    "-Dcom.sun.management.jmxremote.rmi.port=$PINPIPE_CASSANDRA_JMX_PORT"
    "-Dcom.sun.management.jmxremote.authenticate=true"
    "-Dcom.sun.management.jmxremote.password.file=$CASS_JMX_DIR/jmxremote.password"
    "-Dcom.sun.management.jmxremote.access.file=$CASS_JMX_DIR/jmxremote.access"
    "-Dcassandra.config=file://$CASS_CONF/cassandra.yaml"
    "-Dlogback.configurationFile=file://$CASS_CONF/logback.xml"
    "-Dcassandra.logdir=$CASS_LOGDIR"
    "-Dcassandra.storagedir=$SVC_DIR"
    "-Dcassandra.triggers_dir=$CASS_CONF/triggers"
    -cp "$CASS_CONF:$CASS_LIBS/*"
    org.apache.cassandra.service.CassandraDaemon)
}

svc_start() {
  # jamm measures object sizes (memtable accounting); Cassandra runs it as a javaagent.
  CASS_JAMM=$(compgen -G "$CASS_LIBS/jamm-*.jar" | head -n 1) ||
    pp_die "no jamm-*.jar in $CASS_LIBS (the javaagent Cassandra needs)"
  # The JMX exporter agent: /metrics on 127.0.0.1:$PINPIPE_CASSANDRA_METRICS_PORT, rules
  # monitoring/jmx/cassandra.yml.
  CASS_METRICS_AGENT=$(pp_jmx_agent "$PINPIPE_CASSANDRA_METRICS_PORT" "$PINPIPE_ROOT/monitoring/jmx/cassandra.yml") ||
    return 1
  cass_java_cmd
  # Cassandra always calls mlockall(MCL_CURRENT); as root (CAP_IPC_LOCK) that faults in
  # and pins the whole reserved heap and code cache (RSS ~1.5 GiB at idle, ~2 s slower).
  # Drop that one capability so root behaves like a normal user: the lock fails, Cassandra
  # logs a warning and goes on. setpriv is util-linux (always on Debian).
  local wrap=()
  if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null 2>&1; then
    wrap=(setpriv --bounding-set=-ipc_lock --)
  fi
  # glibc arenas: cassandra-env.sh caps them at 4 to bound native memory.
  MALLOC_ARENA_MAX=4 pp_spawn "${wrap[@]}" "${CASS_CMD[@]}"
}

svc_down() { pp_down_wait_ports; }  # (lib.sh: a JVM holds its ports a moment after exit)

svc_probe() {
  python3 "$CASS_SRC/cql_ready.py" --timeout 5
}

# nodetool ARGS...: Cassandra's nodetool (from the same jars) against this node's JMX, with
# the credentials file (the password is on no command line).
cass_nodetool() {
  local flags=()
  mapfile -t flags < <(grep -E '^--add-(exports|opens)' "$CASS_SRC/jvm17-server.options")
  java "${flags[@]}" -cp "$CASS_CONF:$CASS_LIBS/*" -Dcassandra.config="file://$CASS_CONF/cassandra.yaml" \
    -Dlogback.configurationFile="file://$CASS_CONF/logback.xml" -Dcassandra.logdir="$CASS_LOGDIR" \
    org.apache.cassandra.tools.NodeTool -h 127.0.0.1 -p "$PINPIPE_CASSANDRA_JMX_PORT" \
    -u "$CASS_JMX_USER" -pwf "$CASS_JMX_CREDS" "$@"
}

svc_info() {
  echo "cql=$PINPIPE_CASSANDRA_HOST:$PINPIPE_CASSANDRA_PORT user=$PINPIPE_CASSANDRA_USER version=$CASS_VERSION rss=$(pp_rss) metrics=127.0.0.1:$PINPIPE_CASSANDRA_METRICS_PORT"
}

# `nodetool` verb: bash ci/services/cassandra.sh nodetool status|info|...
if [ "${1:-}" = nodetool ]; then
  shift
  cass_nodetool "$@"
  exit
fi

pp_main "$@"
