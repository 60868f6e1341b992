#!/usr/bin/env bash
# Network-namespace NAT lab for peer-to-peer tests.  See README.md next to this file.
#
#   lab.sh check                      can the lab run here? (exit 1 + one-line reason if not)
#   lab.sh up                         "internet" namespace + STUN servers
#   lab.sh peer NAME TYPE             peer hdp-p-NAME behind its own router (TYPE: none|cone|restricted|symmetric)
#   lab.sh lan [--offline] [--nat TYPE] [--site S] NAME...
#                                     peers on one shared L2 segment (default: one restricted router, site "lan")
#   lab.sh del NAME                   remove a peer (and its router once its LAN is empty)
#   lab.sh flush                      forget all NAT state (conntrack + learned cone mappings) in every router
#   lab.sh status | info NAME         print peers as key=value lines
#   lab.sh exec NAME CMD...           run CMD in peer NAME (or in "inet", or "r-SITE")
#   lab.sh down                       kill everything, delete all namespaces, remove the runtime dir
#
# HDP_LAB_ID (0-4 chars [a-z0-9]) lets several labs coexist: it goes into namespace names (hdp<ID>-...)
# and the runtime dir (/tmp/hdp-lab<ID>).  Interfaces are created directly inside the namespaces
# (never in the host namespace), so their short fixed names cannot clash between labs.
#
# Results go to stdout as key=value lines; progress and errors go to stderr.
set -euo pipefail
umask 022

LAB_ID="${HDP_LAB_ID:-}"
P="hdp${LAB_ID}-"                 # namespace prefix
RUN="/tmp/hdp-lab${LAB_ID}"       # runtime dir: pids, logs, metadata
INET="${P}inet"

# ---- address plan (documentation ranges only; nothing here is routable to the real host) ----
STUN1=198.51.100.10
STUN2=198.51.100.20
STUN_PORT=3478
STUN_ALT_PORT=3479                # RFC 5780 CHANGE-REQUEST port
HOST_A=198.51.100.66              # spare "random internet hosts" for tests (bind to them in $INET)
HOST_B=198.51.100.77
INET_GW=203.0.113.1               # the internet namespace, default gateway of every WAN side
MAX_SITE=200
wan_ip() { echo "203.0.113.$((10 + $1))"; }   # site index 1..200 -> 203.0.113.11..210
lan_pfx() { echo "192.168.$1"; }              # site index N -> 192.168.N.0/24, router .1, peers .10+k

# Fixed interface names (namespace-local, see header).
BR_INET=hdp-br       # internet bridge in $INET
IF_WAN=hdp-wan       # router side of its uplink
BR_LAN=hdp-lan       # LAN bridge inside a router namespace
IF_PEER=hdp-eth0     # the only interface of a peer

NAT_TYPES="none cone restricted symmetric"

die()  { echo "lab.sh: $*" >&2; exit 1; }
note() { echo "lab.sh: $*" >&2; }

ns_list() { ip netns list 2>/dev/null | awk '{print $1}'; }
ns_exists() { ns_list | grep -qxF -- "$1"; }
# Every namespace this lab may have created (including a leftover from an interrupted `check`).
ns_ours() { ns_list | grep -E "^${P}(inet|r-.+|p-.+|chk[0-9]+)\$" || true; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

valid_name() { [[ "$1" =~ ^[A-Za-z0-9_]{1,24}$ ]] || die "bad name '$1' (use 1-24 chars [A-Za-z0-9_])"; }

# Serialize mutating commands of one lab (parallel `peer` calls would race on index allocation).
lock() {
  mkdir -p "$RUN/site" "$RUN/peer"
  exec 9>"$RUN/.lock"
  flock 9
}

# A fresh namespace with the settings every lab namespace needs.
new_ns() {
  local ns=$1 v6=${2:-keep}
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  # br_netfilter (if loaded on the host) defaults to 1 in *new* namespaces: bridged frames would
  # then traverse the router's nft forward chain (policy drop) and conntrack -> LAN peers could not
  # talk to each other.  The sysctl only exists when the module is loaded.
  nsx "$ns" sh -c 'for f in /proc/sys/net/bridge/bridge-nf-call-*; do [ -e "$f" ] && echo 0 > "$f"; done; true'
  if [ "$v6" = nov6 ]; then
    # Keep the "internet" and routers IPv4-only; must be set before interfaces are created.
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
  fi
}

# Kill processes living in a namespace (test programs, coturn), then delete it.
# Without the kill, `ip netns del` only drops the name: the namespace and its veths live on.
ns_destroy() {
  local ns=$1 pids i
  ns_exists "$ns" || return 0
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [ -n "$pids" ]; then
    kill -TERM $pids 2>/dev/null || true
    for i in $(seq 50); do                      # coturn needs ~1-2 s to exit on TERM
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      if [ -z "$pids" ]; then break; fi
      sleep 0.1
    done
    [ -n "$pids" ] && kill -KILL $pids 2>/dev/null || true
  fi
  ip netns del "$ns" 2>/dev/null || true
}

bridge_add() {   # ns name
  ip -n "$1" link add "$2" type bridge stp_state 0 forward_delay 0 mcast_snooping 0
  # mcast_snooping off: without an IGMP querier, snooping may stop forwarding joined groups later.
  ip -n "$1" link set "$2" up
}

# ---------------------------------------------------------------- check
cmd_check() {
  local t ns="${P}chk$$"
  [ "$(id -u)" = 0 ] || { echo "lab.sh check: FAIL: must run as root" >&2; return 1; }
  for t in ip nft conntrack turnserver flock; do
    command -v "$t" >/dev/null 2>&1 || {
      echo "lab.sh check: FAIL: '$t' not found (apt-get install -y iproute2 nftables conntrack coturn util-linux)" >&2
      return 1; }
  done
  ip netns add "$ns" 2>/dev/null || { echo "lab.sh check: FAIL: 'ip netns add' does not work here" >&2; return 1; }
  local why=""
  ip -n "$ns" link add hdp-a type veth peer name hdp-b 2>/dev/null || why="cannot create veth pairs"
  [ -z "$why" ] && { ip -n "$ns" link add hdp-c type bridge 2>/dev/null || why="cannot create bridges"; }
  # Multi-line on purpose: nft 1.0.6 fails to parse "masquerade fully-random; }" on one line.
  [ -z "$why" ] && { printf 'table ip t {\n chain c {\n  type nat hook postrouting priority srcnat;\n  masquerade fully-random\n }\n}\n' \
                       | nsx "$ns" nft -f - 2>/dev/null || why="nftables NAT (masquerade) does not work in a namespace"; }
  [ -z "$why" ] && { nsx "$ns" conntrack -L >/dev/null 2>&1 || why="conntrack cannot read the conntrack table"; }
  ip netns del "$ns" 2>/dev/null || true
  [ -z "$why" ] || { echo "lab.sh check: FAIL: $why" >&2; return 1; }
  echo "lab.sh check: ok (root, ip netns, veth, bridge, nft nat, conntrack, turnserver $(turnserver --version 2>/dev/null | head -1))"
}

# ---------------------------------------------------------------- up
ensure_inet() {
  if ! ns_exists "$INET"; then
    note "creating $INET"
    new_ns "$INET" nov6
    bridge_add "$INET" "$BR_INET"
    # Forwarding lets extra "internet hosts" in other namespaces on 198.51.100.0/24 reach WAN sides
    # via the gateway; no default route here, so anything else gets "network unreachable".
    nsx "$INET" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 \
      net.ipv4.conf.default.send_redirects=0 >/dev/null
  fi
  local a
  for a in "$INET_GW/24" 198.51.100.1/24 "$STUN1/24" "$STUN2/24" "$HOST_A/24" "$HOST_B/24"; do
    ip -n "$INET" addr replace "$a" dev "$BR_INET"
  done
}

stun_running() {
  local pid
  pid=$(cat "$RUN/stun.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = turnserver ]
}

ensure_stun() {
  stun_running && return 0
  # Runtime dir lost but the lab still up? Adopt the coturn already bound in $INET instead of
  # starting a second one that would fail to bind.
  local p
  for p in $(ip netns pids "$INET" 2>/dev/null); do
    if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = turnserver ]; then echo "$p" >"$RUN/stun.pid"; return 0; fi
  done
  note "starting coturn (STUN only) on $STUN1 and $STUN2"
  # One process on both IPs: that is what enables RFC 5780 (OTHER-ADDRESS / CHANGE-REQUEST);
  # clients still see two independent server addresses for mapping-behaviour tests.
  # -n: ignore /etc/turnserver.conf; --db/--pidfile: keep every file inside $RUN.
  # Not daemonized (no -o): $! is the turnserver pid (setsid and `ip netns exec` both exec).
  # 9>&-: it must not inherit the lock fd, or it would hold the lab lock for its whole life.
  setsid ip netns exec "$INET" turnserver -n --stun-only --no-cli --no-tls --no-dtls \
    --listening-ip "$STUN1" --listening-ip "$STUN2" \
    --listening-port "$STUN_PORT" --alt-listening-port "$STUN_ALT_PORT" \
    --log-file "$RUN/stun.log" --simple-log --no-stdout-log \
    --pidfile "$RUN/turnserver.pid" --db "$RUN/turndb" \
    </dev/null >>"$RUN/stun.out" 2>&1 9>&- &
  echo $! >"$RUN/stun.pid"
  local i n=0
  for i in $(seq 50); do
    n=$(nsx "$INET" ss -Hlun "sport = :$STUN_PORT" 2>/dev/null | wc -l)
    if [ "$n" -ge 2 ]; then break; fi
    stun_running || break
    sleep 0.1
  done
  [ "$n" -ge 2 ] || die "coturn did not start, see $RUN/stun.log and $RUN/stun.out"
}

cmd_up() {
  cmd_check >/dev/null || exit 1
  lock
  ensure_inet
  ensure_stun
  echo "inet=$INET stun1=$STUN1:$STUN_PORT stun2=$STUN2:$STUN_PORT stun_alt_port=$STUN_ALT_PORT hosts=$HOST_A,$HOST_B runtime=$RUN"
}

# ---------------------------------------------------------------- routers and peers
# Metadata lives in $RUN/site/SITE and $RUN/peer/NAME as one line of key=value pairs.
site_file() { echo "$RUN/site/$1"; }
meta() {   # FILE KEY -> value of KEY=value in FILE (read, never sourced)
  awk -v k="$2" '{ for (i = 1; i <= NF; i++) if (index($i, k "=") == 1) print substr($i, length(k) + 2) }' "$1"
}
peer_file() { echo "$RUN/peer/$1"; }

alloc_site_index() {
  local i f used=" "
  for f in "$RUN"/site/*; do
    if [ -e "$f" ]; then used+="$(meta "$f" idx) "; fi
  done
  for i in $(seq 1 $MAX_SITE); do
    [[ "$used" == *" $i "* ]] || { echo "$i"; return; }
  done
  die "no free site index (max $MAX_SITE)"
}

nat_rules() {   # TYPE -> nft ruleset on stdout
  local type=$1 masq="masquerade"
  [ "$type" = symmetric ] && masq="masquerade fully-random"
  cat <<EOF
table ip hdp {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "$IF_WAN" ct state established,related accept
    # Unsolicited traffic to the router itself (incl. ping): silently dropped, never rejected.
    iifname "$IF_WAN" counter drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "$BR_LAN" oifname "$IF_WAN" accept
$( [ "$type" = cone ] && echo "    iifname \"$IF_WAN\" ct status dnat accept   # inbound to a learned cone mapping" )
    counter drop
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    # Linux masquerade keeps the source port unless that would clash -> endpoint-independent
    # mapping; fully-random picks a new random port for every new 5-tuple -> symmetric NAT.
    oifname "$IF_WAN" $masq
  }
EOF
  if [ "$type" = cone ]; then
    cat <<EOF
  # Full cone (endpoint-independent filtering) for UDP: remember "WAN port -> LAN ip.port" for
  # every outbound flow, and DNAT any new inbound packet to a remembered WAN port back to it.
  map cone {
    type inet_service : ipv4_addr . inet_service
    flags dynamic, timeout
    timeout 120s
  }
  chain learn {
    # Runs after srcnat, so udp sport is already the translated WAN port.
    type filter hook postrouting priority srcnat + 10; policy accept;
    oifname "$IF_WAN" meta l4proto udp ct direction original ct status snat update @cone { udp sport : ct original ip saddr . ct original proto-src }
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    iifname "$IF_WAN" udp dport @cone dnat ip to udp dport map @cone
  }
EOF
  fi
  echo "}"
}

make_router() {   # SITE IDX TYPE(cone|restricted|symmetric|offline)
  local site=$1 idx=$2 type=$3 r="${P}r-$1"
  new_ns "$r" nov6
  bridge_add "$r" "$BR_LAN"
  [ "$type" = offline ] && return 0        # offline LAN: just a switch, no IP, no uplink
  ip -n "$r" addr add "$(lan_pfx "$idx").1/24" dev "$BR_LAN"
  nsx "$r" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
  ip -n "$INET" link add "hdp-w$idx" type veth peer name "$IF_WAN" netns "$r"
  ip -n "$INET" link set "hdp-w$idx" master "$BR_INET" up
  ip -n "$r" addr add "$(wan_ip "$idx")/24" dev "$IF_WAN"
  ip -n "$r" link set "$IF_WAN" up
  ip -n "$r" route add default via "$INET_GW"
  nat_rules "$type" | nsx "$r" nft -f -
}

# Peer with a public address directly on the internet bridge.
make_public_peer() {   # NAME IDX
  local name=$1 idx=$2 p="${P}p-$1"
  new_ns "$p"
  ip -n "$INET" link add "hdp-w$idx" type veth peer name "$IF_PEER" netns "$p"
  ip -n "$INET" link set "hdp-w$idx" master "$BR_INET" up
  ip -n "$p" addr add "$(wan_ip "$idx")/24" dev "$IF_PEER"
  ip -n "$p" link set "$IF_PEER" up
  ip -n "$p" route add default via "$INET_GW"
  ip -n "$p" route add 224.0.0.0/4 dev "$IF_PEER"
  echo "name=$name site=$name nat=none k=0 priv=$(wan_ip "$idx") pub=$(wan_ip "$idx")" >"$(peer_file "$name")"
}

make_lan_peer() {   # NAME SITE IDX OFFLINE(0|1)
  local name=$1 site=$2 idx=$3 offline=$4 p="${P}p-$1" r="${P}r-$2" k f used=" "
  for f in "$RUN"/peer/*; do
    if [ -e "$f" ] && [ "$(meta "$f" site)" = "$site" ]; then used+="$(meta "$f" k) "; fi
  done
  for k in $(seq 0 200); do [[ "$used" == *" $k "* ]] || break; done
  local priv
  priv="$(lan_pfx "$idx").$((10 + k))"
  new_ns "$p"
  ip -n "$r" link add "hdp-l$k" type veth peer name "$IF_PEER" netns "$p"
  ip -n "$r" link set "hdp-l$k" master "$BR_LAN" up
  ip -n "$p" addr add "$priv/24" dev "$IF_PEER"
  ip -n "$p" link set "$IF_PEER" up
  [ "$offline" = 1 ] || ip -n "$p" route add default via "$(lan_pfx "$idx").1"
  # Needed when there is no default route (offline LAN): otherwise sending to 224.0.0.251
  # fails with ENETUNREACH and IP_ADD_MEMBERSHIP on INADDR_ANY has no interface to pick.
  ip -n "$p" route add 224.0.0.0/4 dev "$IF_PEER"
  local nat pub
  nat=$(meta "$(site_file "$site")" nat)
  pub=$([ "$offline" = 1 ] && echo "-" || wan_ip "$idx")
  echo "name=$name site=$site nat=$nat k=$k priv=$priv pub=$pub" >"$(peer_file "$name")"
}

peer_line() {   # NAME -> key=value line
  local f
  f=$(peer_file "$1")
  [ -e "$f" ] || die "no such peer '$1'"
  local nat site router
  nat=$(meta "$f" nat); site=$(meta "$f" site)
  router="${P}r-$site"
  [ "$nat" = none ] && router="-"
  echo "peer=$1 ns=${P}p-$1 nat=$nat private=$(meta "$f" priv) public=$(meta "$f" pub) router=$router site=$site"
}

# Run a build step in a subshell with errexit really active (set -e is ignored inside `if`/`||`
# contexts); on failure, roll back the half-built site so a rerun starts clean.
build_or_rollback() {   # SITE FUNC ARGS...
  local site=$1 rc; shift
  set +e
  ( set -e; "$@" )
  rc=$?
  set -e
  if [ $rc -ne 0 ]; then
    note "failed building site '$site', rolling back"
    del_site "$site"
    exit $rc
  fi
}

del_site() {
  local site=$1 f
  for f in "$RUN"/peer/*; do
    [ -e "$f" ] || continue
    if [ "$(meta "$f" site)" = "$site" ]; then
      ns_destroy "${P}p-$(basename "$f")"
      rm -f "$f"
    fi
  done
  ns_destroy "${P}r-$site"
  rm -f "$(site_file "$site")"
}

cmd_peer() {
  [ $# -eq 2 ] || die "usage: lab.sh peer NAME none|cone|restricted|symmetric"
  local name=$1 type=$2 idx
  valid_name "$name"
  [[ " $NAT_TYPES " == *" $type "* ]] || die "bad NAT type '$type' (one of: $NAT_TYPES)"
  cmd_check >/dev/null || exit 1
  lock
  ensure_inet
  ensure_stun
  if [ -e "$(peer_file "$name")" ] && ns_exists "${P}p-$name"; then
    local have
    have="$(meta "$(peer_file "$name")" site)/$(meta "$(peer_file "$name")" nat)"
    [ "$have" = "$name/$type" ] || die "peer '$name' already exists as site/nat=$have; 'lab.sh del $name' first"
    peer_line "$name"; return 0                     # idempotent rerun
  fi
  [ -e "$(site_file "$name")" ] && die "site '$name' already exists (a LAN?); pick another name"
  idx=$(alloc_site_index)
  echo "idx=$idx nat=$type" >"$(site_file "$name")"
  if [ "$type" = none ]; then
    build_or_rollback "$name" make_public_peer "$name" "$idx"
  else
    build_or_rollback "$name" make_router "$name" "$idx" "$type"
    build_or_rollback "$name" make_lan_peer "$name" "$name" "$idx" 0
  fi
  peer_line "$name"
}

cmd_lan() {
  local offline=0 nat=restricted site=lan names=() n
  while [ $# -gt 0 ]; do
    case $1 in
      --offline) offline=1 ;;
      --nat) nat=${2:?--nat needs a type}; shift ;;
      --site) site=${2:?--site needs a name}; shift ;;
      -*) die "unknown option $1" ;;
      *) names+=("$1") ;;
    esac
    shift
  done
  [ ${#names[@]} -ge 1 ] || die "usage: lab.sh lan [--offline] [--nat cone|restricted|symmetric] [--site S] NAME..."
  valid_name "$site"
  for n in "${names[@]}"; do valid_name "$n"; done
  [ $offline = 1 ] && nat=offline
  [[ " cone restricted symmetric offline " == *" $nat "* ]] || die "LAN NAT type must be cone|restricted|symmetric"
  cmd_check >/dev/null || exit 1
  lock
  ensure_inet
  ensure_stun
  local idx
  if [ -e "$(site_file "$site")" ]; then
    # Rerun / extension of an existing LAN: same config required, missing peers are added.
    local have
    have=$(meta "$(site_file "$site")" nat)
    [ "$have" = "$nat" ] || die "site '$site' exists with nat=$have; use --site or 'lab.sh down'"
    idx=$(meta "$(site_file "$site")" idx)
  else
    idx=$(alloc_site_index)
    echo "idx=$idx nat=$nat" >"$(site_file "$site")"
    build_or_rollback "$site" make_router "$site" "$idx" "$nat"
  fi
  for n in "${names[@]}"; do
    if [ -e "$(peer_file "$n")" ]; then
      [ "$(meta "$(peer_file "$n")" site)" = "$site" ] || die "peer '$n' exists on another site"
    else
      build_or_rollback "$site" make_lan_peer "$n" "$site" "$idx" "$offline"
    fi
    peer_line "$n"
  done
}

cmd_del() {
  [ $# -eq 1 ] || die "usage: lab.sh del NAME"
  local name=$1 site f left=0
  lock
  [ -e "$(peer_file "$name")" ] || { ns_destroy "${P}p-$name"; return 0; }
  site=$(meta "$(peer_file "$name")" site)
  ns_destroy "${P}p-$name"
  rm -f "$(peer_file "$name")"
  for f in "$RUN"/peer/*; do
    if [ -e "$f" ] && [ "$(meta "$f" site)" = "$site" ]; then left=1; fi
  done
  [ $left = 1 ] || del_site "$site"
}

cmd_flush() {
  local ns
  for ns in $(ns_list | grep -E "^${P}r-" || true); do
    nsx "$ns" conntrack -F >/dev/null 2>&1 || true
    # Learned full-cone mappings are NAT state too.
    nsx "$ns" nft flush map ip hdp cone >/dev/null 2>&1 || true
    echo "flushed=$ns"
  done
}

cmd_status() {
  local f
  if ns_exists "$INET"; then
    echo "inet=$INET stun1=$STUN1:$STUN_PORT stun2=$STUN2:$STUN_PORT stun=$(stun_running && echo running || echo stopped) runtime=$RUN"
  else
    echo "inet=down"
  fi
  for f in "$RUN"/peer/*; do
    if [ -e "$f" ]; then peer_line "$(basename "$f")"; fi
  done
}

cmd_exec() {
  [ $# -ge 2 ] || die "usage: lab.sh exec NAME|inet|r-SITE CMD..."
  local who=$1 ns; shift
  if ns_exists "${P}p-$who"; then ns="${P}p-$who"
  elif ns_exists "${P}$who"; then ns="${P}$who"
  else die "no namespace for '$who'"; fi
  exec ip netns exec "$ns" "$@"
}

cmd_down() {
  local ns pid
  [ -d "$RUN" ] && lock
  # coturn first (it lives in $INET, ns_destroy would get it too, but its pid file is authoritative).
  if stun_running; then
    pid=$(cat "$RUN/stun.pid")
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do [ -d /proc/"$pid" ] || break; sleep 0.1; done
    [ -d /proc/"$pid" ] && kill -KILL "$pid" 2>/dev/null || true
  fi
  # Peers first, then routers, then the internet (order only matters for tidiness).
  for ns in $(ns_ours | sort -r); do ns_destroy "$ns"; done
  rm -rf "$RUN"
  local left
  left=$(ns_ours)
  [ -z "$left" ] || die "namespaces still present: $left"
  echo "down=ok"
}

usage() { awk 'NR == 1 { next } /^#/ { sub(/^# ?/, ""); print; next } { exit }' "$0"; }

[[ "$LAB_ID" =~ ^[a-z0-9]{0,4}$ ]] || die "HDP_LAB_ID must be 0-4 characters [a-z0-9]"
cmd=${1:-help}; [ $# -gt 0 ] && shift
case $cmd in
  check) cmd_check ;;
  up) cmd_up ;;
  peer) cmd_peer "$@" ;;
  lan) cmd_lan "$@" ;;
  del) cmd_del "$@" ;;
  flush) [ -d "$RUN" ] && lock; cmd_flush ;;
  status) cmd_status ;;
  info) [ $# -eq 1 ] || die "usage: lab.sh info NAME"; peer_line "$1" ;;
  exec) cmd_exec "$@" ;;
  down) cmd_down ;;
  help|-h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
