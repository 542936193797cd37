#!/bin/bash
# Lost messages: cn-east writes while cut off from both peers, then its peer outbox rows are
# deleted (region killed, storage edited, restarted). Time until npm run converge agrees.
set -u
cd "$(dirname "$0")/../.."
LABEL=$1; REPAIR=$2; N=${3:-5}
DD=${DATA:-.data/anti-entropy-drill}
KEY=lk_dev_demo_integrator
log() { echo "[$(date +%T)] $LABEL: $*"; }
npm run -s chaos -- --data-dir $DD fault partition cn-east cn-south > /dev/null
npm run -s chaos -- --data-dir $DD fault partition cn-east eu-central > /dev/null
for i in $(seq 1 $N); do
  curl -s -o /dev/null -w "%{http_code} %header{lifeline-durability}\n" -X POST http://127.0.0.1:8801/v1/customers \
    -H "authorization: Bearer $KEY" -H "content-type: application/json" -H "idempotency-key: $LABEL-$i-$RANDOM$RANDOM" \
    -d "{\"name\":\"Lost $LABEL $i\",\"residency\":\"cn\",\"contacts\":[{\"name\":\"王芳\",\"phone\":\"+86 139 1234 5678\"}]}"
done | sort | uniq -c
sleep 3   # the alarm registers the accounts in cn-east's index
npm run -s chaos -- --data-dir $DD region kill cn-east
node chaos/drills/drop-peer-outbox.mjs $DD/cn-east/wrangler
npm run -s chaos -- --data-dir $DD heal > /dev/null
npm run -s chaos -- --data-dir $DD region restart cn-east | tail -1
H=$(date +%s.%N)
log "cn-east back, its messages lost"
if [ "$REPAIR" = yes ]; then
  npm run -s chaos -- --data-dir $DD repair | tail -1
  log "repair returned at +$(echo "$(date +%s.%N) - $H" | bc) s"
fi
npm run -s converge -- --wait 400 > "${TMPDIR:-/tmp}/converge-$LABEL.txt"; RC=$?
tail -1 "${TMPDIR:-/tmp}/converge-$LABEL.txt"
log "converge exit $RC at +$(echo "$(date +%s.%N) - $H" | bc) s after cn-east came back"
