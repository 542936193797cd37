#!/bin/bash
# Usage: drill.sh <label> <partitionSeconds> <repair:yes|no> <writesPerSide>
# Against a running npm start on --data-dir $DATA. Partition cn-east|cn-south, write on both
# sides, hold, heal, (repair), time until npm run converge agrees.
set -u
cd "$(dirname "$0")/../.."
LABEL=$1; HOLD=$2; REPAIR=$3; N=${4:-10}
DD=${DATA:-.data/anti-entropy-drill}
KEY=lk_dev_demo_integrator
log() { echo "[$(date +%T)] $LABEL: $*"; }
write() { # region port i
  curl -s -o /dev/null -w "%{http_code} %header{lifeline-durability}\n" -X POST "http://127.0.0.1:$2/v1/customers" \
    -H "authorization: Bearer $KEY" -H "content-type: application/json" -H "idempotency-key: $LABEL-$1-$3-$RANDOM$RANDOM" \
    -d "{\"name\":\"Drill $LABEL $1 $3\",\"residency\":\"cn\",\"contacts\":[{\"name\":\"王芳\",\"phone\":\"+86 139 1234 5678\"}]}"
}
npm run -s chaos -- --data-dir $DD fault partition cn-east cn-south
T0=$(date +%s.%N)
log "partitioned; writing $N customers in each of cn-east and cn-south"
for i in $(seq 1 $N); do write cn-east 8801 $i & write cn-south 8802 $i & wait; done | sort | uniq -c
log "writes done at +$(echo "$(date +%s.%N) - $T0" | bc | cut -d. -f1) s; holding the partition until +$HOLD s"
while (( $(echo "$(date +%s.%N) - $T0 < $HOLD" | bc) )); do sleep 1; done
npm run -s chaos -- --data-dir $DD heal > /dev/null
H=$(date +%s.%N)
log "healed"
if [ "$REPAIR" = yes ]; then
  npm run -s chaos -- --data-dir $DD repair
  log "repair returned at +$(echo "$(date +%s.%N) - $H" | bc) s"
fi
npm run -s converge -- --wait 400 > "${TMPDIR:-/tmp}/converge-$LABEL.txt"; RC=$?
E=$(date +%s.%N)
tail -2 "${TMPDIR:-/tmp}/converge-$LABEL.txt"
log "converge exit $RC at +$(echo "$E - $H" | bc) s after heal"
