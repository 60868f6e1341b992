#!/usr/bin/env bash
# Network-namespace NAT lab for peer-to-peer tests.  See README.md next to this file.
#
#   lab.sh check                      can the lab run here? (exit 1 + one-line reason if not)
#   lab.sh up                         "internet" namespace + STUN servers
#   lab.sh peer NAME TYPE [--v6] [--cgnat [CTYPE]] [--upnp [--lease SECONDS]]
#                                     peer hdp-p-NAME behind its own router (TYPE: none|cone|restricted|symmetric)
#                                     --v6: global IPv6 for the peer (router: stateful v6 firewall, no NAT66)
#                                     --cgnat: the router's WAN sits behind a carrier NAT hdp-c-NAME (CTYPE, default symmetric)
#                                     --upnp: miniupnpd (UPnP-IGD + NAT-PMP + PCP) on the router
#   lab.sh upnp-rules NAME|SITE       current miniupnpd mappings, one "proto= ext= int=IP:PORT expires=" line each
#   lab.sh lan [--offline] [--nat TYPE] [--site S] NAME...
#                                     peers on one shared L2 segment (default: one restricted router, site "lan")
#   lab.sh del NAME                   remove a peer (and its router once its LAN is empty)
#   lab.sh flush                      forget all NAT state (conntrack + learned cone mappings) in every router
#   lab.sh status | info NAME         print peers as key=value lines
#   lab.sh exec NAME CMD...           run CMD in peer NAME (or in "inet", "r-SITE", or carrier "c-SITE")
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
cgn_pfx() { echo "100.64.$1"; }               # site N with --cgnat: carrier .1, home router WAN .2
# IPv6 (documentation prefix 2001:db8::/32).  Decimal numbers are written into hex groups on
# purpose (site 12 -> 2001:db8:12::/64): easy to read, still valid hex.
INET6_PFX=2001:db8::              # internet bridge (STUN, spare hosts, gateway ::1)
INET6_GW=2001:db8::1
WAN6_GW=2001:db8:ff::1            # second prefix on the internet bridge: WAN sides of sites
STUN1_6=2001:db8::10
STUN2_6=2001:db8::20
HOST_A6=2001:db8::66
HOST_B6=2001:db8::77
wan6_ip() { echo "2001:db8:ff::$((10 + $1))"; }   # site N public v6 (router WAN, carrier WAN or none-peer)
lan6_pfx() { echo "2001:db8:$1:"; }              # site N LAN 2001:db8:N::/64, router ::1, peers ::10+k
cgn6_pfx() { echo "2001:db8:$1:ff:"; }           # carrier <-> home router link 2001:db8:N:ff::/64 (::1, ::2)
UPNP_HTTP_PORT=5000

# Fixed interface names (namespace-local, see header).
BR_INET=hdp-br       # internet bridge in $INET
IF_WAN=hdp-wan       # router side of its uplink
BR_LAN=hdp-lan       # LAN bridge inside a router namespace
IF_PEER=hdp-eth0     # the only interface of a peer
# A carrier namespace (--cgnat) reuses IF_WAN (towards the internet) and BR_LAN (a veth to the home
# router's IF_WAN, not a bridge) so that nat_rules works unchanged for it.

NAT_TYPES="none cone restricted symmetric"

die()  { echo "lab.sh: $*" >&2; exit 1; }
note() { echo "lab.sh: $*" >&2; }

ns_list() { ip netns list 2>/dev/null | awk '{print $1}'; }
ns_exists() { ns_list | grep -qxF -- "$1"; }
# Every namespace this lab may have created (including a leftover from an interrupted `check`).
ns_ours() { ns_list | grep -E "^${P}(inet|r-.+|c-.+|p-.+|chk[0-9]+)\$" || true; }
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
  elif [ "$v6" = v6 ]; then
    # IPv6 wanted: no duplicate address detection, or fresh addresses stay "tentative" for 1-2 s
    # and bind() fails with EADDRNOTAVAIL (addresses are added with `nodad` as well).
    nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
      net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 >/dev/null
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
  # Optional: only `peer ... --upnp` (miniupnpd) and the selftest's UPnP part (upnpc, natpmpc) need them.
  local opt="" t2
  for t2 in miniupnpd upnpc natpmpc; do
    if command -v "$t2" >/dev/null 2>&1; then opt+=", $t2"; else opt+=", no $t2"; fi
  done
  echo "lab.sh check: ok (root, ip netns, veth, bridge, nft nat, conntrack, turnserver $(turnserver --version 2>/dev/null | head -1); optional: ${opt#, })"
  case $opt in *"no "*) echo "lab.sh check: note: --upnp needs miniupnpd, upnpc and natpmpc (apt-get install -y miniupnpd-nftables miniupnpc natpmpc)" >&2 ;; esac
}

# ---------------------------------------------------------------- up
ensure_inet() {
  if ! ns_exists "$INET"; then
    note "creating $INET"
    new_ns "$INET" v6
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
  ensure_inet6
}

# The internet is dual-stack: 2001:db8::/64 (STUN, spare hosts) and 2001:db8:ff::/64 (WAN sides of
# sites) on the bridge, one routed /64 per --v6 site.  Idempotent, and it upgrades an internet that
# an older lab.sh created IPv4-only.  No router advertisements: nobody gets a v6 address by accident.
ensure_inet6() {
  nsx "$INET" sysctl -qw net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0 \
    net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
    "net.ipv6.conf.$BR_INET.disable_ipv6=0" "net.ipv6.conf.$BR_INET.accept_dad=0" \
    net.ipv6.conf.all.forwarding=1 >/dev/null
  local a
  for a in "$INET6_GW/64" "$STUN1_6/64" "$STUN2_6/64" "$HOST_A6/64" "$HOST_B6/64" "$WAN6_GW/64"; do
    ip -n "$INET" addr replace "$a" dev "$BR_INET" nodad
  done
}

stun_running() {
  local pid
  pid=$(cat "$RUN/stun.pid" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat /proc/"$pid"/comm 2>/dev/null)" = turnserver ]
}

ensure_stun() {
  stun_running || adopt_or_start_stun
  # An internet from an older lab.sh may have a coturn without the IPv6 listeners: start a second,
  # IPv6-only one next to it (pid in $RUN/stun6.pid) instead of restarting the first.
  if ! stun_listens "$STUN1_6"; then
    start_coturn stun6 --listening-ip "$STUN1_6" --listening-ip "$STUN2_6"
    wait_coturn stun6 "$STUN1_6" "$STUN2_6"
  fi
}

stun_listens() {   # IP -> is something listening on IP:STUN_PORT/udp in $INET?
  nsx "$INET" ss -Hlun "sport = :$STUN_PORT" 2>/dev/null | grep -qE -- "(^|[[:space:]])\\[?$1\\]?:$STUN_PORT[[:space:]]"
}

adopt_or_start_stun() {
  # Runtime dir lost but the lab still up? Adopt the coturn already bound in $INET instead of
  # starting a second one that would fail to bind.
  local p
  for p in $(ip netns pids "$INET" 2>/dev/null); do
    if [ "$(cat /proc/"$p"/comm 2>/dev/null)" = turnserver ]; then echo "$p" >"$RUN/stun.pid"; return 0; fi
  done
  note "starting coturn (STUN only) on $STUN1, $STUN2, $STUN1_6 and $STUN2_6"
  # One process on both IPs: that is what enables RFC 5780 (OTHER-ADDRESS / CHANGE-REQUEST);
  # clients still see two independent server addresses for mapping-behaviour tests.
  start_coturn stun --listening-ip "$STUN1" --listening-ip "$STUN2" \
    --listening-ip "$STUN1_6" --listening-ip "$STUN2_6"
  wait_coturn stun "$STUN1" "$STUN2" "$STUN1_6" "$STUN2_6"
}

start_coturn() {   # NAME LISTEN-ARGS... (NAME: stun or stun6 -> $RUN/NAME.pid, .log, .out)
  local name=$1; shift
  # -n: ignore /etc/turnserver.conf; --db/--pidfile: keep every file inside $RUN.
  # Not daemonized (no -o): $! is the turnserver pid (setsid and `ip netns exec` both exec).
  # 9>&-: it must not inherit the lock fd, or it would hold the lab lock for its whole life.
  setsid ip netns exec "$INET" turnserver -n --stun-only --no-cli --no-tls --no-dtls \
    "$@" \
    --listening-port "$STUN_PORT" --alt-listening-port "$STUN_ALT_PORT" \
    --log-file "$RUN/$name.log" --simple-log --no-stdout-log \
    --pidfile "$RUN/turnserver-$name.pid" --db "$RUN/turndb-$name" \
    </dev/null >>"$RUN/$name.out" 2>&1 9>&- &
  echo $! >"$RUN/$name.pid"
}

wait_coturn() {   # NAME IP... -> wait until coturn listens on every IP:STUN_PORT
  local name=$1 i ip ok=0; shift
  for i in $(seq 50); do
    ok=1
    for ip in "$@"; do stun_listens "$ip" || ok=0; done
    if [ $ok = 1 ]; then break; fi
    [ "$(cat /proc/"$(cat "$RUN/$name.pid")"/comm 2>/dev/null)" = turnserver ] || break
    sleep 0.1
  done
  [ $ok = 1 ] || die "coturn did not start, see $RUN/$name.log and $RUN/$name.out"
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

nat_rules() {   # TYPE [UPNP(0|1)] -> nft ruleset on stdout
  local type=$1 upnp=${2:-0} masq="masquerade"
  [ "$type" = symmetric ] && masq="masquerade fully-random"
  cat <<EOF
table ip hdp {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "$IF_WAN" ct state established,related accept
$( [ "$upnp" = 1 ] && echo "    # miniupnpd's own STUN check: CHANGE-REQUEST answers come from other ports/IPs (else: \"restrictive NAT\", forwarding off)
    iifname \"$IF_WAN\" ip saddr { $STUN1, $STUN2 } udp sport { $STUN_PORT, $STUN_ALT_PORT } accept" )
    # Unsolicited traffic to the router itself (incl. ping): silently dropped, never rejected.
    iifname "$IF_WAN" counter drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "$BR_LAN" oifname "$IF_WAN" accept
$( [ "$type" = cone ] && echo "    iifname \"$IF_WAN\" ct status dnat accept   # inbound to a learned cone mapping" )
$( [ "$type" != cone ] && [ "$upnp" = 1 ] && echo "    iifname \"$IF_WAN\" ct status dnat accept   # inbound to a miniupnpd port mapping (its DNAT is in table inet miniupnpd)" )
    counter drop
  }
  chain output {
    # The router's own traffic (miniupnpd's STUN check, for one) leaves from its own address and
    # port, untranslated, as on a real router: only what it forwards from the LAN is NATed.
    type filter hook output priority filter; policy accept;
    meta mark set 0x4844
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    # Linux masquerade keeps the source port unless that would clash -> endpoint-independent
    # mapping; fully-random picks a new random port for every new 5-tuple -> symmetric NAT.
    oifname "$IF_WAN" meta mark != 0x4844 $masq
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

# IPv6 on a home router: routed, no NAT66, a stateful firewall like a home router's.
fw6_rules() {
  cat <<EOF
table ip6 hdp6 {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "$IF_WAN" ct state established,related accept
    # Neighbour discovery must work on the WAN link, or nothing gets routed to the LAN.
    iifname "$IF_WAN" icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } accept
    iifname "$IF_WAN" counter drop
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "$BR_LAN" oifname "$IF_WAN" accept
    # Unsolicited inbound (UDP, TCP, ICMPv6 echo, ...) from the internet: dropped, never rejected.
    counter drop
  }
}
EOF
}

# Carrier-grade NAT in front of a home router: hdp-c-SITE owns the site's public address on the
# internet bridge, the home router's WAN is 100.64.N.2 on a veth to it.  With IPv6 the carrier
# just routes the site's /64 (no NAT66, no firewall: that is the home router's job).
make_carrier() {   # SITE IDX CTYPE V6
  local idx=$2 ctype=$3 v6=$4 c="${P}c-$1" r="${P}r-$1"
  new_ns "$c" "$([ "$v6" = 1 ] && echo v6 || echo nov6)"
  nsx "$c" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
  ip -n "$INET" link add "hdp-w$idx" type veth peer name "$IF_WAN" netns "$c"
  ip -n "$INET" link set "hdp-w$idx" master "$BR_INET" up
  ip -n "$c" addr add "$(wan_ip "$idx")/24" dev "$IF_WAN"
  ip -n "$c" link set "$IF_WAN" up
  ip -n "$c" route add default via "$INET_GW"
  ip -n "$c" link add "$BR_LAN" type veth peer name "$IF_WAN" netns "$r"
  ip -n "$c" addr add "$(cgn_pfx "$idx").1/24" dev "$BR_LAN"
  ip -n "$c" link set "$BR_LAN" up
  ip -n "$r" addr add "$(cgn_pfx "$idx").2/24" dev "$IF_WAN"
  ip -n "$r" link set "$IF_WAN" up
  ip -n "$r" route add default via "$(cgn_pfx "$idx").1"
  nat_rules "$ctype" | nsx "$c" nft -f -
  if [ "$v6" = 1 ]; then
    nsx "$c" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null
    ip -n "$c" addr add "$(wan6_ip "$idx")/64" dev "$IF_WAN" nodad
    ip -n "$c" -6 route add default via "$WAN6_GW"
    ip -n "$c" addr add "$(cgn6_pfx "$idx"):1/64" dev "$BR_LAN" nodad
    ip -n "$r" addr add "$(cgn6_pfx "$idx"):2/64" dev "$IF_WAN" nodad
    ip -n "$r" -6 route add default via "$(cgn6_pfx "$idx"):1"
    ip -n "$c" -6 route add "$(lan6_pfx "$idx"):/64" via "$(cgn6_pfx "$idx"):2"
  fi
}

make_router() {   # SITE IDX TYPE(cone|restricted|symmetric|offline) [V6(0|1) CGNAT(CTYPE|-) UPNP(0|1) LEASE(S|-)]
  local site=$1 idx=$2 type=$3 v6=${4:-0} cgnat=${5:--} upnp=${6:-0} lease=${7:--} r="${P}r-$1"
  new_ns "$r" "$([ "$v6" = 1 ] && echo v6 || echo nov6)"
  bridge_add "$r" "$BR_LAN"
  [ "$type" = offline ] && return 0        # offline LAN: just a switch, no IP, no uplink
  ip -n "$r" addr add "$(lan_pfx "$idx").1/24" dev "$BR_LAN"
  nsx "$r" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
  if [ "$cgnat" != - ]; then
    make_carrier "$site" "$idx" "$cgnat" "$v6"
  else
    ip -n "$INET" link add "hdp-w$idx" type veth peer name "$IF_WAN" netns "$r"
    ip -n "$INET" link set "hdp-w$idx" master "$BR_INET" up
    ip -n "$r" addr add "$(wan_ip "$idx")/24" dev "$IF_WAN"
    ip -n "$r" link set "$IF_WAN" up
    ip -n "$r" route add default via "$INET_GW"
    if [ "$v6" = 1 ]; then
      ip -n "$r" addr add "$(wan6_ip "$idx")/64" dev "$IF_WAN" nodad
      ip -n "$r" -6 route add default via "$WAN6_GW"
    fi
  fi
  nat_rules "$type" "$upnp" | nsx "$r" nft -f -
  if [ "$v6" = 1 ]; then
    nsx "$r" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null
    ip -n "$r" addr add "$(lan6_pfx "$idx"):1/64" dev "$BR_LAN" nodad
    ip -n "$INET" -6 route replace "$(lan6_pfx "$idx"):/64" via "$(wan6_ip "$idx")" dev "$BR_INET"
    fw6_rules | nsx "$r" nft -f -
  fi
  if [ "$upnp" = 1 ]; then start_upnp "$site" "$idx" "$lease"; fi
}

# ---------------------------------------------------------------- miniupnpd (--upnp)
# One miniupnpd per router namespace, every file under $RUN/upnp (its defaults, /etc/miniupnpd.conf
# and /var/run/miniupnpd.pid, would be shared by all namespaces).  UPnP-IGD (http port 5000) and
# NAT-PMP/PCP (5351) on the LAN bridge, nftables backend on the WAN.  It puts its rules into its own
# `table inet miniupnpd` (created here; it does not create it itself); the DNATed inbound traffic
# still has to pass the lab's forward chain (policy drop), hence `ct status dnat accept` there.
upnp_table() {
  cat <<EOF
table inet miniupnpd {
  chain forward {
    type filter hook forward priority filter - 5; policy accept;
    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority dstnat - 5; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat - 5; policy accept;
    jump postrouting_miniupnpd
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
EOF
}

upnp_conf() {   # SITE IDX LEASE
  local site=$1 idx=$2 lease=$3 d="$RUN/upnp"
  cat <<EOF
# generated by lab.sh for site $site
ext_ifname=$IF_WAN
listening_ip=$BR_LAN
http_port=$UPNP_HTTP_PORT
enable_upnp=yes
enable_natpmp=yes
# A WAN address in 203.0.113.0/24 (TEST-NET-3) or 100.64.0.0/10 counts as "reserved": miniupnpd
# then refuses to forward (and ext_ip= with it is fatal) unless STUN says the address is public.
ext_perform_stun=yes
ext_stun_host=$STUN1
ext_stun_port=$STUN_PORT
lease_file=$d/$site.leases
secure_mode=yes
system_uptime=no
notify_interval=30
clean_ruleset_interval=600
uuid=3f1c2d4e-0000-4000-8000-$(printf '%012d' "$idx")
friendly_name=hdp lab router $site
upnp_table_name=miniupnpd
upnp_nat_table_name=miniupnpd
upnp_forward_chain=miniupnpd
upnp_nat_chain=prerouting_miniupnpd
upnp_nat_postrouting_chain=postrouting_miniupnpd
EOF
  if [ "$lease" != - ]; then
    # PCP lifetimes are clamped into [min_lifetime, max_lifetime]; see README for NAT-PMP/UPnP.
    echo "min_lifetime=1"
    echo "max_lifetime=$lease"
  fi
  echo "allow 1024-65535 $(lan_pfx "$idx").0/24 1024-65535"
  echo "deny 0-65535 0.0.0.0/0 0-65535"
}

start_upnp() {   # SITE IDX LEASE
  local site=$1 idx=$2 lease=$3 r="${P}r-$1" d="$RUN/upnp" i
  mkdir -p "$d"
  upnp_table | nsx "$r" nft -f -
  upnp_conf "$site" "$idx" "$lease" >"$d/$site.conf"
  # -d: foreground, log to stderr (our log file); -4: IPv4 only (no IPv6 pinholes, see README);
  # 9>&-: must not hold the lab lock.  setsid + ip netns exec both exec: $! is miniupnpd.
  setsid ip netns exec "$r" miniupnpd -d -4 -f "$d/$site.conf" -P "$d/$site.pid" \
    </dev/null >>"$d/$site.log" 2>&1 9>&- &
  echo $! >"$d/$site.mpid"
  # STUN takes 1-3 s (it waits for 4 answers); then it listens on NAT-PMP/PCP port 5351.
  for i in $(seq 100); do
    if nsx "$r" ss -Hlun "sport = :5351" 2>/dev/null | grep -q .; then break; fi
    [ -d /proc/"$(cat "$d/$site.mpid")" ] || break
    sleep 0.1
  done
  nsx "$r" ss -Hlun "sport = :5351" 2>/dev/null | grep -q . || die "miniupnpd did not start in $r, see $d/$site.log"
  local fwd=disabled
  grep -q "Port forwarding is now enabled" "$d/$site.log" && fwd=enabled
  echo "$fwd" >"$d/$site.forwarding"
}

upnp_url() { echo "http://$(lan_pfx "$1").1:$UPNP_HTTP_PORT/rootDesc.xml"; }

cmd_upnp_rules() {   # NAME|SITE -> one line per mapping from miniupnpd's DNAT chain (the truth)
  [ $# -eq 1 ] || die "usage: lab.sh upnp-rules NAME|SITE"
  local site=$1 r
  if [ ! -e "$(site_file "$site")" ] && [ -e "$(peer_file "$site")" ]; then site=$(meta "$(peer_file "$site")" site); fi
  [ -e "$(site_file "$site")" ] || die "no such site or peer '$1'"
  [ "$(meta "$(site_file "$site")" upnp)" = 1 ] || die "site '$site' has no miniupnpd (lab.sh peer NAME TYPE --upnp)"
  r="${P}r-$site"
  # Rules look like: iif "hdp-wan" @nh,72,8 0x11 th dport 42000 dnat ip to 192.168.1.10:42000
  # (@nh,72,8 is the IPv4 protocol byte: 0x11 udp, 0x6 tcp).  Lease ends come from the lease file
  # (PROTO:EXT:IP:INT:UNIXTIME:DESC).
  nsx "$r" nft list chain inet miniupnpd prerouting_miniupnpd 2>/dev/null | awk -v leases="$RUN/upnp/$site.leases" '
    BEGIN { while ((getline l < leases) > 0) { split(l, f, ":"); ends[tolower(f[1]) ":" f[2]] = f[5] } }
    / dnat / {
      proto = "?"; ext = ""; dst = ""; rhost = "-"
      for (i = 1; i <= NF; i++) {
        if ($i == "@nh,72,8") proto = ($(i + 1) == "0x11" ? "udp" : ($(i + 1) == "0x06" || $(i + 1) == "0x6") ? "tcp" : $(i + 1))
        if ($i == "dport" && $(i - 1) == "th") ext = $(i + 1)
        if ($i == "to") dst = $(i + 1)
        if ($i == "saddr") rhost = $(i + 1)
      }
      e = ends[proto ":" ext]; if (e == "") e = "-"
      print "proto=" proto " ext=" ext " int=" dst " rhost=" rhost " expires=" e
    }'
}

# Peer with a public address directly on the internet bridge.
make_public_peer() {   # NAME IDX [V6]
  local name=$1 idx=$2 v6=${3:-0} p="${P}p-$1" a6=-
  new_ns "$p" "$([ "$v6" = 1 ] && echo v6 || echo keep)"
  ip -n "$INET" link add "hdp-w$idx" type veth peer name "$IF_PEER" netns "$p"
  ip -n "$INET" link set "hdp-w$idx" master "$BR_INET" up
  ip -n "$p" addr add "$(wan_ip "$idx")/24" dev "$IF_PEER"
  ip -n "$p" link set "$IF_PEER" up
  ip -n "$p" route add default via "$INET_GW"
  ip -n "$p" route add 224.0.0.0/4 dev "$IF_PEER"
  if [ "$v6" = 1 ]; then
    a6=$(wan6_ip "$idx")
    ip -n "$p" addr add "$a6/64" dev "$IF_PEER" nodad
    ip -n "$p" -6 route add default via "$WAN6_GW"
  fi
  echo "name=$name site=$name nat=none k=0 priv=$(wan_ip "$idx") pub=$(wan_ip "$idx") v6=$a6" >"$(peer_file "$name")"
}

make_lan_peer() {   # NAME SITE IDX OFFLINE(0|1) [V6(0|1)]
  local name=$1 site=$2 idx=$3 offline=$4 v6=${5:-0} p="${P}p-$1" r="${P}r-$2" k f used=" "
  for f in "$RUN"/peer/*; do
    if [ -e "$f" ] && [ "$(meta "$f" site)" = "$site" ]; then used+="$(meta "$f" k) "; fi
  done
  for k in $(seq 0 200); do [[ "$used" == *" $k "* ]] || break; done
  local priv a6=-
  priv="$(lan_pfx "$idx").$((10 + k))"
  new_ns "$p" "$([ "$v6" = 1 ] && echo v6 || echo keep)"
  ip -n "$r" link add "hdp-l$k" type veth peer name "$IF_PEER" netns "$p"
  ip -n "$r" link set "hdp-l$k" master "$BR_LAN" up
  ip -n "$p" addr add "$priv/24" dev "$IF_PEER"
  ip -n "$p" link set "$IF_PEER" up
  [ "$offline" = 1 ] || ip -n "$p" route add default via "$(lan_pfx "$idx").1"
  # Needed when there is no default route (offline LAN): otherwise sending to 224.0.0.251
  # fails with ENETUNREACH and IP_ADD_MEMBERSHIP on INADDR_ANY has no interface to pick.
  ip -n "$p" route add 224.0.0.0/4 dev "$IF_PEER"
  if [ "$v6" = 1 ]; then
    a6="$(lan6_pfx "$idx"):$((10 + k))"
    ip -n "$p" addr add "$a6/64" dev "$IF_PEER" nodad
    ip -n "$p" -6 route add default via "$(lan6_pfx "$idx"):1"
  fi
  local nat pub
  nat=$(meta "$(site_file "$site")" nat)
  pub=$([ "$offline" = 1 ] && echo "-" || wan_ip "$idx")
  echo "name=$name site=$site nat=$nat k=$k priv=$priv pub=$pub v6=$a6" >"$(peer_file "$name")"
}

peer_line() {   # NAME -> key=value line
  local f
  f=$(peer_file "$1")
  [ -e "$f" ] || die "no such peer '$1'"
  local nat site router sf idx cg wan carrier upnp v6
  nat=$(meta "$f" nat); site=$(meta "$f" site)
  router="${P}r-$site"
  [ "$nat" = none ] && router="-"
  sf=$(site_file "$site"); idx=$(meta "$sf" idx)
  cg=$(meta "$sf" cgnat); cg=${cg:--}
  v6=$(meta "$f" v6); v6=${v6:--}
  wan=-; carrier=-; upnp=-
  if [ "$nat" != none ] && [ "$nat" != offline ]; then
    wan=$(wan_ip "$idx")
    if [ "$cg" != - ]; then wan="$(cgn_pfx "$idx").2"; carrier=$(wan_ip "$idx"); fi
  fi
  [ "$(meta "$sf" upnp)" = 1 ] && upnp=$(upnp_url "$idx")
  # New fields go at the end; the first seven are unchanged from the IPv4-only lab.
  echo "peer=$1 ns=${P}p-$1 nat=$nat private=$(meta "$f" priv) public=$(meta "$f" pub) router=$router site=$site" \
       "ipv6=$v6 wan=$wan cgnat=$cg carrier=$carrier upnp=$upnp"
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
  ns_destroy "${P}c-$site"
  local idx
  idx=$(meta "$(site_file "$site")" idx 2>/dev/null || true)
  if [ -n "$idx" ]; then ip -n "$INET" -6 route del "$(lan6_pfx "$idx"):/64" 2>/dev/null || true; fi
  rm -f "$(site_file "$site")" "$RUN/upnp/$site".*
}

cmd_peer() {
  local usage="usage: lab.sh peer NAME none|cone|restricted|symmetric [--v6] [--cgnat [CTYPE]] [--upnp [--lease SECONDS]]"
  [ $# -ge 2 ] || die "$usage"
  local name=$1 type=$2 idx v6=0 cgnat=- upnp=0 lease=-
  shift 2
  while [ $# -gt 0 ]; do
    case $1 in
      --v6) v6=1 ;;
      --cgnat)
        cgnat=symmetric
        if [ $# -ge 2 ] && [[ " cone restricted symmetric " == *" $2 "* ]]; then cgnat=$2; shift; fi ;;
      --upnp) upnp=1 ;;
      --lease)
        lease=${2:-}; [ $# -ge 2 ] && shift
        [[ "$lease" =~ ^[0-9]+$ ]] && [ "$lease" -ge 2 ] || die "--lease needs a number of seconds >= 2" ;;
      *) die "unknown option '$1'; $usage" ;;
    esac
    shift
  done
  valid_name "$name"
  [[ " $NAT_TYPES " == *" $type "* ]] || die "bad NAT type '$type' (one of: $NAT_TYPES)"
  if [ "$type" = none ]; then
    [ "$cgnat" = - ] || die "--cgnat needs a home router (TYPE cone|restricted|symmetric, not none)"
    [ "$upnp" = 0 ] || die "--upnp needs a router (TYPE cone|restricted|symmetric, not none)"
  fi
  [ "$lease" = - ] || [ "$upnp" = 1 ] || die "--lease only goes with --upnp"
  if [ "$upnp" = 1 ] && ! command -v miniupnpd >/dev/null 2>&1; then
    die "--upnp needs miniupnpd (apt-get install -y miniupnpd-nftables miniupnpc natpmpc)"
  fi
  local opts="v6=$v6 cgnat=$cgnat upnp=$upnp lease=$lease"
  cmd_check >/dev/null || exit 1
  lock
  ensure_inet
  ensure_stun
  if [ -e "$(peer_file "$name")" ] && ns_exists "${P}p-$name"; then
    local have want sf
    sf=$(site_file "$(meta "$(peer_file "$name")" site)")
    have="$(meta "$(peer_file "$name")" site)/$(meta "$(peer_file "$name")" nat)"
    # Sites from before these options have no such keys: they mean the defaults.
    have+=" v6=$(meta "$sf" v6 | sed 's/^$/0/') cgnat=$(meta "$sf" cgnat | sed 's/^$/-/')"
    have+=" upnp=$(meta "$sf" upnp | sed 's/^$/0/') lease=$(meta "$sf" lease | sed 's/^$/-/')"
    want="$name/$type $opts"
    [ "$have" = "$want" ] || die "peer '$name' already exists as site/nat=$have; 'lab.sh del $name' first"
    peer_line "$name"; return 0                     # idempotent rerun
  fi
  [ -e "$(site_file "$name")" ] && die "site '$name' already exists (a LAN?); pick another name"
  idx=$(alloc_site_index)
  echo "idx=$idx nat=$type $opts" >"$(site_file "$name")"
  if [ "$type" = none ]; then
    build_or_rollback "$name" make_public_peer "$name" "$idx" "$v6"
  else
    build_or_rollback "$name" make_router "$name" "$idx" "$type" "$v6" "$cgnat" "$upnp" "$lease"
    build_or_rollback "$name" make_lan_peer "$name" "$name" "$idx" 0 "$v6"
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
  for ns in $(ns_list | grep -E "^${P}[rc]-" || true); do
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
  [ $# -ge 2 ] || die "usage: lab.sh exec NAME|inet|r-SITE|c-SITE CMD..."
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
  upnp-rules) cmd_upnp_rules "$@" ;;
  down) cmd_down ;;
  help|-h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
