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

if [ "${KEEP:-0}" != 1 ]; then
  hdr "5. down"
  "$LAB" down
  echo "ip netns list | grep $P: $(ip netns list | grep -c "^$P")"
  echo "ip link | grep hdp: $(ip link | grep -c hdp)"
  check "no namespaces left" "! ip netns list | grep -q '^$P'"
  check "no links left in the host namespace" "! ip -o link | grep -q hdp"
  check "runtime dir removed" "[ ! -e /tmp/hdp-lab$HDP_LAB_ID ]"
  check "no turnserver left from this lab" "! pgrep -f 'hdp-lab$HDP_LAB_ID/' >/dev/null"
  trap - EXIT
fi
echo; echo "failures: $fails"
exit $fails
