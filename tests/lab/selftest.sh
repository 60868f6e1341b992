#!/usr/bin/env bash
# Self-test of the NAT lab: builds a lab, proves each NAT type behaves as documented, tears it
# down again.  Prints evidence plus PASS/FAIL lines; exit status = number of failures (0 = all ok).
#
#   tests/lab/selftest.sh            (uses HDP_LAB_ID=st unless HDP_LAB_ID is set, so it does not
#                                     clobber a lab you are using with the default id)
#   KEEP=1 tests/lab/selftest.sh     leave the lab up afterwards for poking around
set -uo pipefail
export HDP_LAB_ID="${HDP_LAB_ID-st}"
export DENO_NO_UPDATE_CHECK=1        # otherwise deno tries DNS from inside the peers (harmless, noisy)
HERE=$(cd "$(dirname "$0")" && pwd)
LAB="$HERE/lab.sh"
P="hdp${HDP_LAB_ID}-"
STUN="198.51.100.10:3478 198.51.100.20:3478"
STRANGER=198.51.100.66               # internet hosts pre-assigned in the inet namespace by lab.sh
FRIEND=198.51.100.77
fails=0

ok()   { echo "PASS: $*"; }
bad()  { echo "FAIL: $*"; fails=$((fails + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }
hdr()  { echo; echo "### $*"; }
pe()   { local who=$1; shift; ip netns exec "${P}p-$who" "$@"; }     # run in peer
ie()   { ip netns exec "${P}inet" "$@"; }                           # run on the "internet"
field() { sed -n "s/.*\b$1=\([^ ]*\).*/\1/p"; }                     # key=value line -> value
mapped() { grep -o '"mapped":"[^"]*"' | cut -d'"' -f4; }             # stun_probe JSON -> ip:port lines
nrecv() { grep -o "\"from\":\"$1\"" | wc -l; }                      # udp_peer JSON -> count from ADDR

trap '[ "${KEEP:-0}" = 1 ] || "$LAB" down >/dev/null 2>&1' EXIT

hdr "0. setup"
"$LAB" down >/dev/null 2>&1
"$LAB" check || exit 1
"$LAB" up 2>/dev/null
for spec in none:none cone:cone ra:restricted rb:restricted sym:symmetric; do
  "$LAB" peer "${spec%%:*}" "${spec#*:}" 2>/dev/null
done
"$LAB" peer v6r restricted --v6 2>/dev/null
"$LAB" peer v6n none --v6 2>/dev/null
"$LAB" peer cg restricted --cgnat --v6 2>/dev/null
if command -v miniupnpd >/dev/null && command -v upnpc >/dev/null && command -v natpmpc >/dev/null; then
  UPNP=1
  "$LAB" peer up restricted --upnp --lease 30 2>/dev/null
  "$LAB" peer upcg restricted --cgnat --upnp 2>/dev/null
else
  UPNP=0
fi
pub() { "$LAB" info "$1" | field public; }
priv() { "$LAB" info "$1" | field private; }

hdr "1. STUN binding from port 40000 to both servers"
for p in none cone ra sym; do
  out=$(pe "$p" deno run -A "$HERE/stun_probe.ts" 40000 $STUN)
  echo "$p: $(echo "$out" | mapped | tr '\n' ' ')"
  m1=$(echo "$out" | mapped | sed -n 1p); m2=$(echo "$out" | mapped | sed -n 2p)
  case $p in
    none) check "none: mapped == own address $(priv none):40000 for both" \
            "[ '$m1' = '$(priv none):40000' ] && [ '$m2' = '$m1' ]" ;;
    cone|ra) check "$p: same mapped port for both servers ($m1, $m2)" \
            "[ '${m1#*:}' = '${m2#*:}' ] && [ '${m1%:*}' = '$(pub $p)' ]" ;;
    sym) check "sym: different mapped ports per server ($m1, $m2)" \
            "[ -n '$m1' ] && [ -n '$m2' ] && [ '${m1#*:}' != '${m2#*:}' ]" ;;
  esac
done

hdr "2+3. inbound filtering after ONE outbound packet to $FRIEND:9999"
# The peer sends one packet to FRIEND:9999 and listens.  Then three internet senders aim at the
# mapped address read from the router's conntrack entry: a stranger, the friend from another port,
# and the friend from the exact port.  Expected deliveries (stranger/otherport/exact):
#   cone 1/1/1 (endpoint-independent filtering), restricted 0/0/1, symmetric 0/0/1.
for p in cone ra sym; do
  port=44000
  pe "$p" deno run -A "$HERE/udp_peer.ts" --port $port --send $FRIEND:9999 --count 1 --duration 3000 --tag "$p" >/tmp/hdp-st.$$ &
  lp=$!
  sleep 1
  # Reply direction of the router's conntrack entry: its dport is the NAT-mapped port.
  mport=$(ip netns exec "${P}r-$p" conntrack -L -p udp --orig-src "$(priv $p)" --sport $port --orig-dst $FRIEND 2>/dev/null \
          | grep -o 'dport=[0-9]*' | tail -1 | cut -d= -f2)
  dst="$(pub $p):$mport"
  ie deno run -A "$HERE/udp_peer.ts" --bind $STRANGER --port 5555 --send "$dst" --count 2 --duration 200 --tag stranger >/dev/null
  ie deno run -A "$HERE/udp_peer.ts" --bind $FRIEND --port 9998 --send "$dst" --count 2 --duration 200 --tag otherport >/dev/null
  ie deno run -A "$HERE/udp_peer.ts" --bind $FRIEND --port 9999 --send "$dst" --count 2 --duration 200 --tag exact >/dev/null
  wait $lp
  out=$(cat /tmp/hdp-st.$$); rm -f /tmp/hdp-st.$$
  s=$(echo "$out" | nrecv $STRANGER:5555); o=$(echo "$out" | nrecv $FRIEND:9998); e=$(echo "$out" | nrecv $FRIEND:9999)
  echo "$p: mapped $(priv $p):$port -> $dst ; received stranger=$s otherport=$o exact=$e"
  case $p in
    cone) check "cone: inbound from ANY host to the mapped port accepted" "[ $s -gt 0 ] && [ $o -gt 0 ] && [ $e -gt 0 ]" ;;
    *)    check "$p: unsolicited inbound dropped, only the contacted ip:port gets in" "[ $s = 0 ] && [ $o = 0 ] && [ $e -gt 0 ]" ;;
  esac
done
echo "restricted router drop counters (dropped, not rejected):"
ip netns exec "${P}r-ra" nft list table ip hdp | grep -E 'counter' | sed 's/^\s*/  /'
# Full cone still needs a mapping first: a port the peer never sent from stays closed.
pe cone deno run -A "$HERE/udp_peer.ts" --port 44999 --duration 1500 >/tmp/hdp-st.$$ &
sleep 0.5
ie deno run -A "$HERE/udp_peer.ts" --bind $STRANGER --port 5556 --send "$(pub cone):44999" --count 3 --duration 200 >/dev/null
wait
out=$(cat /tmp/hdp-st.$$); rm -f /tmp/hdp-st.$$
check "cone: inbound to a port with no outbound mapping is dropped" "[ \$(echo '$out' | grep -c '\"from\"') = 0 ]"

hdr "2b. UDP hole punching ra <-> rb (both restricted)"
for p in ra rb; do pe "$p" deno run -A "$HERE/stun_probe.ts" 45000 198.51.100.10:3478 | mapped >/tmp/hdp-st.$p.$$; done
ma=$(cat /tmp/hdp-st.ra.$$); mb=$(cat /tmp/hdp-st.rb.$$); rm -f /tmp/hdp-st.r?.$$
echo "ra mapped $ma, rb mapped $mb (from STUN)"
before=$(ip netns exec "${P}r-rb" nft list chain ip hdp input | grep -o 'packets [0-9]*' | cut -d' ' -f2)
# ra starts 1 s early: its first packets hit rb's router before rb has sent anything -> dropped.
pe ra deno run -A "$HERE/udp_peer.ts" --port 45000 --send "$mb" --count 20 --interval 200 --duration 5000 --tag ra >/tmp/hdp-st.a.$$ &
sleep 1
pe rb deno run -A "$HERE/udp_peer.ts" --port 45000 --send "$ma" --count 15 --interval 200 --duration 3500 --tag rb >/tmp/hdp-st.b.$$ &
wait
after=$(ip netns exec "${P}r-rb" nft list chain ip hdp input | grep -o 'packets [0-9]*' | cut -d' ' -f2)
ra_got=$(nrecv "$mb" </tmp/hdp-st.a.$$); rb_got=$(nrecv "$ma" </tmp/hdp-st.b.$$)
rm -f /tmp/hdp-st.[ab].$$
echo "ra received $ra_got packets from $mb; rb received $rb_got packets from $ma; rb router dropped $((after - before)) early packets"
check "hole punching between two restricted peers" "[ $ra_got -ge 3 ] && [ $rb_got -ge 3 ]"
check "packets before the punch were dropped by rb's router" "[ $((after - before)) -gt 0 ]"

hdr "2c. (expected failure) hole punching sym <-> ra using STUN-learned addresses"
ms=$(pe sym deno run -A "$HERE/stun_probe.ts" 46000 198.51.100.10:3478 | mapped)
ma=$(pe ra deno run -A "$HERE/stun_probe.ts" 46000 198.51.100.10:3478 | mapped)
pe sym deno run -A "$HERE/udp_peer.ts" --port 46000 --send "$ma" --count 10 --duration 2500 >/tmp/hdp-st.s.$$ &
pe ra deno run -A "$HERE/udp_peer.ts" --port 46000 --send "$ms" --count 10 --duration 2500 >/tmp/hdp-st.r.$$ &
wait
s_got=$(grep -o '"from"' /tmp/hdp-st.s.$$ | wc -l); r_got=$(grep -o '"from"' /tmp/hdp-st.r.$$ | wc -l)
rm -f /tmp/hdp-st.[sr].$$
echo "sym received $s_got, ra received $r_got (symmetric NAT picked a new port towards ra)"
check "symmetric vs port-restricted cannot punch (ra never hears from sym)" "[ $r_got = 0 ]"

hdr "4. LAN multicast 224.0.0.251:5353 (offline LAN and NATed LAN)"
"$LAB" lan --offline --site dark m1 m2 2>/dev/null
"$LAB" lan --site home h1 h2 2>/dev/null
for pair in m1:m2 h1:h2; do
  a=${pair%:*} b=${pair#*:}
  pe "$a" deno run -A "$HERE/udp_peer.ts" --port 5353 --mcast 224.0.0.251 --send 224.0.0.251:5353 --count 5 --duration 2000 --tag "$a" >/tmp/hdp-st.a.$$ &
  pe "$b" deno run -A "$HERE/udp_peer.ts" --port 5353 --mcast 224.0.0.251 --send 224.0.0.251:5353 --count 5 --duration 2000 --tag "$b" >/tmp/hdp-st.b.$$ &
  wait
  x=$(nrecv "$(priv $b):5353" </tmp/hdp-st.a.$$); y=$(nrecv "$(priv $a):5353" </tmp/hdp-st.b.$$)
  echo "$a got $x multicast packets from $b; $b got $y from $a"
  check "multicast between $a and $b" "[ $x -ge 1 ] && [ $y -ge 1 ]"
  rm -f /tmp/hdp-st.[ab].$$
done
pe m1 ip route | sed 's/^/  m1 route: /'
out=$(pe m1 deno run -A "$HERE/stun_probe.ts" 47000 198.51.100.10:3478 --timeout 1000 2>&1)
check "offline LAN has no internet (STUN from m1 fails)" "! echo '$out' | grep -q mapped"
out=$(pe h1 deno run -A "$HERE/stun_probe.ts" 47000 198.51.100.10:3478)
echo "h1 (NATed LAN) STUN: $(echo "$out" | mapped)"
check "NATed LAN reaches STUN via its router ($(pub h1))" "echo '$out' | mapped | grep -q '^$(pub h1):'"

hdr "6. IPv6: routed /64 behind a stateful firewall (v6r), public v6 without firewall (v6n)"
v6() { "$LAB" info "$1" | field ipv6; }
FRIEND6=2001:db8::77; STRANGER6=2001:db8::66
echo "v6r ipv6=$(v6 v6r)  v6n ipv6=$(v6 v6n)  ra ipv6=$(v6 ra)"
check "a peer without --v6 has no global IPv6 (ra)" "[ '$(v6 ra)' = - ] && [ -z \"\$(pe ra ip -6 -o addr show scope global)\" ]"
check "v6r has a global IPv6 and a v6 default route" "pe v6r ip -6 -o addr show scope global | grep -q '$(v6 v6r)/64' && pe v6r ip -6 route show default | grep -q via"
# Peer sends first to FRIEND6:9999 and listens; a stranger and the friend then send to it.
pe v6r deno run -A "$HERE/udp_peer.ts" --port 48000 --send "[$FRIEND6]:9999" --count 1 --duration 3000 --tag v6r >/tmp/hdp-st.$$ &
sleep 1
drop0=$(ip netns exec "${P}r-v6r" nft list chain ip6 hdp6 forward | grep -o 'packets [0-9]*' | tail -1 | cut -d' ' -f2)
ie deno run -A "$HERE/udp_peer.ts" --bind $STRANGER6 --port 5555 --send "[$(v6 v6r)]:48000" --count 2 --duration 200 >/dev/null
ie deno run -A "$HERE/udp_peer.ts" --bind $FRIEND6 --port 9999 --send "[$(v6 v6r)]:48000" --count 2 --duration 200 >/dev/null
wait
drop1=$(ip netns exec "${P}r-v6r" nft list chain ip6 hdp6 forward | grep -o 'packets [0-9]*' | tail -1 | cut -d' ' -f2)
out=$(cat /tmp/hdp-st.$$); rm -f /tmp/hdp-st.$$
s=$(echo "$out" | nrecv "\\[$STRANGER6\\]:5555"); e=$(echo "$out" | nrecv "\\[$FRIEND6\\]:9999")
echo "v6r received stranger=$s friend=$e; v6 firewall dropped $((drop1 - drop0))"
check "v6r: unsolicited inbound UDP from the internet dropped by the router's v6 firewall" "[ $s = 0 ] && [ $((drop1 - drop0)) -gt 0 ]"
check "v6r: the host it sent to gets back in (stateful, peer sent first)" "[ $e -gt 0 ]"
# Outbound: an echo server on the internet answers the peer.
ie deno run -A "$HERE/udp_peer.ts" --bind $FRIEND6 --port 9998 --echo 1 --duration 2500 >/dev/null &
sleep 0.8
out=$(pe v6r deno run -A "$HERE/udp_peer.ts" --port 48001 --send "[$FRIEND6]:9998" --count 3 --duration 1200)
wait
check "v6r reaches a public v6 host and gets the echo (source seen as its own global address)" \
  "echo '$out' | grep -q '\"from\":\"\\[$FRIEND6\\]:9998\",\"data\":\"echo '"
out=$(pe v6r deno run -A "$HERE/stun_probe.ts" 48003 "[2001:db8::10]:3478" "[2001:db8::20]:3478")
echo "v6r STUN over IPv6: $(echo "$out" | mapped | tr '\n' ' ')"
check "v6r: IPv6 STUN sees the peer's own address and port (no NAT66)" \
  "[ \"\$(echo '$out' | mapped | sort -u)\" = '[$(v6 v6r)]:48003' ]"
pe v6n deno run -A "$HERE/udp_peer.ts" --bind :: --port 48002 --duration 1500 >/tmp/hdp-st.$$ &
sleep 0.8
ie deno run -A "$HERE/udp_peer.ts" --bind $STRANGER6 --port 5556 --send "[$(v6 v6n)]:48002" --count 2 --duration 200 >/dev/null
wait
out=$(cat /tmp/hdp-st.$$); rm -f /tmp/hdp-st.$$
check "v6n (none --v6): unsolicited inbound v6 arrives (no firewall)" "[ \$(echo '$out' | nrecv '\\[$STRANGER6\\]:5556') -gt 0 ]"

hdr "7. carrier-grade NAT (cg: restricted home router behind a symmetric carrier NAT)"
"$LAB" info cg
out=$(pe cg deno run -A "$HERE/stun_probe.ts" 49000 $STUN)
echo "cg STUN: $(echo "$out" | mapped | tr '\n' ' ')"
cgm1=$(echo "$out" | mapped | sed -n 1p); cgm2=$(echo "$out" | mapped | sed -n 2p)
carrier=$("$LAB" info cg | field carrier)
check "cg: STUN sees the carrier's public address ($carrier), not the home WAN ($("$LAB" info cg | field wan))" \
  "[ '${cgm1%:*}' = '$carrier' ] && [ '$carrier' = '$(pub cg)' ]"
check "cg: double NAT with a symmetric carrier maps per destination" "[ '${cgm1#*:}' != '${cgm2#*:}' ]"
check "cg: the home router's WAN is 100.64.x.2" "ip -n ${P}r-cg -4 -o addr show dev hdp-wan | grep -q ' 100\\.64\\.[0-9]*\\.2/24'"
pe cg deno run -A "$HERE/udp_peer.ts" --port 49001 --send "[$FRIEND6]:9999" --count 1 --duration 2500 >/tmp/hdp-st.$$ &
sleep 0.8
ie deno run -A "$HERE/udp_peer.ts" --bind $FRIEND6 --port 9999 --send "[$(v6 cg)]:49001" --count 2 --duration 200 >/dev/null
ie deno run -A "$HERE/udp_peer.ts" --bind $STRANGER6 --port 5557 --send "[$(v6 cg)]:49001" --count 2 --duration 200 >/dev/null
wait
out=$(cat /tmp/hdp-st.$$); rm -f /tmp/hdp-st.$$
check "cg --v6: IPv6 routed through the carrier (no NAT66), home firewall stateful" \
  "[ \$(echo '$out' | nrecv '\\[$FRIEND6\\]:9999') -gt 0 ] && [ \$(echo '$out' | nrecv '\\[$STRANGER6\\]:5557') = 0 ]"

if [ "$UPNP" = 1 ]; then
hdr "8. miniupnpd (up: restricted router with --upnp --lease 30; upcg: the same behind CGNAT)"
"$LAB" info up
URL=$("$LAB" info up | field upnp); UPRIV=$(priv up); UGW=${UPRIV%.*}.1
out=$(pe up natpmpc -g "$UGW" -a 50000 50000 udp 60 2>&1)
echo "$out" | grep -E 'Public IP|Mapped' | sed 's/^/  natpmpc: /'
check "NAT-PMP mapping granted on $(pub up):50000" "echo '$out' | grep -q 'Mapped public port 50000 protocol UDP to local port 50000'"
out=$(pe up upnpc -u "$URL" -e selftest -a "$UPRIV" 50001 50001 UDP 60 2>&1)
echo "$out" | grep -E 'external' | sed 's/^/  upnpc: /'
check "UPnP-IGD mapping granted (upnpc -u, the IGD is \"not connected?\" for GetValidIGD)" "echo '$out' | grep -q 'external $(pub up):50001 UDP is redirected to internal $UPRIV:50001'"
rules=$("$LAB" upnp-rules up); echo "$rules" | sed 's/^/  upnp-rules: /'
check "upnp-rules lists both mappings" "echo '$rules' | grep -q 'proto=udp ext=50000 int=$UPRIV:50000' && echo '$rules' | grep -q 'proto=udp ext=50001 int=$UPRIV:50001'"
for port in 50000 50001; do
  pe up deno run -A "$HERE/udp_peer.ts" --port $port --duration 1800 >/tmp/hdp-st.$$ &
  sleep 0.8
  ie deno run -A "$HERE/udp_peer.ts" --bind $STRANGER --port 5560 --send "$(pub up):$port" --count 2 --duration 200 >/dev/null
  wait
  n=$(nrecv $STRANGER:5560 </tmp/hdp-st.$$); rm -f /tmp/hdp-st.$$
  check "unsolicited datagram from the internet to $(pub up):$port arrives at the peer ($n)" "[ $n -gt 0 ]"
done
pe up natpmpc -g "$UGW" -a 50000 50000 udp 0 >/dev/null 2>&1
pe up upnpc -u "$URL" -d 50001 UDP >/dev/null 2>&1
rules=$("$LAB" upnp-rules up)
check "deleting both mappings empties upnp-rules" "[ -z '$rules' ]"
pe up deno run -A "$HERE/udp_peer.ts" --port 50000 --duration 1500 >/tmp/hdp-st.$$ &
sleep 0.8
ie deno run -A "$HERE/udp_peer.ts" --bind $STRANGER --port 5561 --send "$(pub up):50000" --count 2 --duration 200 >/dev/null
wait
n=$(nrecv $STRANGER:5561 </tmp/hdp-st.$$); rm -f /tmp/hdp-st.$$
check "after deletion the port is closed again" "[ $n = 0 ]"
# Short NAT-PMP lease: expires on its own (the lifetime is the client's choice).
pe up natpmpc -g "$UGW" -a 50002 50002 udp 3 >/dev/null 2>&1
r1=$("$LAB" upnp-rules up); sleep 5; r2=$("$LAB" upnp-rules up)
echo "  3 s lease: before '$r1', after 5 s '$r2'"
check "a 3 s NAT-PMP mapping expires by itself" "echo '$r1' | grep -q ext=50002 && [ -z '$r2' ]"
echo "  PCP: no PCP command-line client in Debian bookworm; not tested here"
"$LAB" info upcg
CPRIV=$(priv upcg)
out=$(pe upcg natpmpc -g "${CPRIV%.*}.1" -a 50003 50003 udp 60 2>&1)
echo "$out" | grep -E 'Public IP|Mapped|FAILED' | sed 's/^/  natpmpc (upcg): /'
check "upcg (CGNAT): miniupnpd's STUN sees a symmetric carrier and refuses NAT-PMP mappings" \
  "echo '$out' | grep -q 'readnatpmpresponseorretry returned -52' && [ -z \"\$($LAB upnp-rules upcg)\" ]"
fi

hdr "flush"
n1=$(ip netns exec "${P}r-ra" conntrack -C)
"$LAB" flush >/dev/null
n2=$(ip netns exec "${P}r-ra" conntrack -C)
echo "ra router conntrack entries: $n1 before flush, $n2 after"
check "flush empties router conntrack" "[ $n2 = 0 ]"

hdr "idempotence"
if "$LAB" up >/dev/null 2>&1 && "$LAB" peer cone cone >/dev/null 2>&1 && "$LAB" lan --site home h1 h2 >/dev/null 2>&1
then ok "rerunning up/peer/lan succeeds"; else bad "rerunning up/peer/lan succeeds"; fi
check "rerun did not start a second coturn" "[ \$(ip netns pids ${P}inet | wc -l) = 1 ]"
if "$LAB" peer v6r restricted --v6 >/dev/null 2>&1 && ! "$LAB" peer v6r restricted >/dev/null 2>&1
then ok "rerun with the same flags succeeds, with other flags fails"; else bad "rerun with the same flags succeeds, with other flags fails"; fi

if [ "${KEEP:-0}" != 1 ]; then
  hdr "5. down"
  "$LAB" down
  echo "ip netns list | grep $P: $(ip netns list | grep -c "^$P")"
  echo "ip link | grep hdp: $(ip link | grep -c hdp)"
  check "no namespaces left" "! ip netns list | grep -q '^$P'"
  check "no links left in the host namespace" "! ip -o link | grep -q hdp"
  check "runtime dir removed" "[ ! -e /tmp/hdp-lab$HDP_LAB_ID ]"
  check "no turnserver or miniupnpd left from this lab" "! pgrep -f 'hdp-lab$HDP_LAB_ID/' >/dev/null"
  trap - EXIT
fi
echo; echo "failures: $fails"
exit $fails
