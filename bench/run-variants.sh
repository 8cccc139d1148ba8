#!/usr/bin/env bash
# Runs Tollgate's benchmark variants through the shared harness, one after the other, on a quiet
# machine, and keeps each run's output in one folder. Every run has openresty-chain in it, so each
# table's ratios stand on their own.
#   npm run build && bench/run-variants.sh [variant ...]      (default: all of them)
# Variants: core core-node scaling-1 scaling-2 idle-plugins cluster tgrpc grpc targets-10
#           observability control-plane auth protocols
# BENCH_ROUNDS (default 3 for core and core-node, 2 for the others) and the harness's other
# settings pass through. Output: bench/results/<UTC time>/<variant>.log (gitignored).
set -euo pipefail
cd "$(dirname "$0")/.."
HARNESS=${HARNESS:-../shared/bench/run.sh}
OUT=bench/results/$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$OUT"
variants=("$@")
[[ ${#variants[@]} -gt 0 ]] || variants=(core core-node scaling-1 scaling-2 idle-plugins cluster tgrpc grpc targets-10 observability control-plane auth protocols)

harness() { # variant rounds gateways env...
  local name=$1 rounds=$2 gateways=$3; shift 3
  echo "== $name ($(date -u +%H:%M:%S))"
  env BENCH_ROUNDS="${BENCH_ROUNDS:-$rounds}" BENCH_GATEWAYS="$gateways" "$@" \
    TOLLGATE_CMD="node bench/tollgate-bench.mjs" TOLLGATE_PORT="${TOLLGATE_PORT:-18080}" \
    "$HARNESS" > "$OUT/$name.log" 2>&1 || echo "   (exit $?: see $OUT/$name.log)"
  sed -n '/^gateway /,/^gw core/p' "$OUT/$name.log" | grep -v '^gw core' || true
}

for variant in "${variants[@]}"; do
  case $variant in
    core) harness core 3 "openresty-chain node-naive tollgate" ;;
    core-node) harness core-node 3 "openresty-chain node-naive tollgate" TOLLGATE_INGRESS=node ;;
    scaling-1) harness scaling-1 2 "openresty-chain tollgate" BENCH_PIN=0 TOLLGATE_WORKERS=1 ;;
    scaling-2) harness scaling-2 2 "openresty-chain tollgate" BENCH_PIN=0 TOLLGATE_WORKERS=2 ;;
    idle-plugins) harness idle-plugins 2 "openresty-chain tollgate" BENCH_IDLE_PLUGINS=1 ;;
    cluster) harness cluster 2 "openresty-chain tollgate" BENCH_RATE_POLICY=cluster ;;
    tgrpc) harness tgrpc 2 "openresty-chain tollgate" BENCH_TGRPC=1 ;;
    grpc) harness grpc 2 "openresty-chain tollgate" BENCH_GRPC=1 ;;
    targets-10) harness targets-10 2 "openresty-chain tollgate" BENCH_TARGETS=10 ;;
    observability) harness observability 2 "openresty-chain tollgate" TOLLGATE_OBSERVABILITY=on ;;
    control-plane) harness control-plane 2 "openresty-chain tollgate" TOLLGATE_SOURCE=control-plane ;;
    auth)
      echo "== auth ($(date -u +%H:%M:%S))"
      node bench/auth-compare.mjs "${BENCH_ROUNDS:-2}" 10 > "$OUT/auth.log" 2>&1 || echo "   (exit $?: see $OUT/auth.log)"
      sed -n '/^variant /,$p' "$OUT/auth.log" ;;
    protocols)
      # HTTP → HTTP, → TG-RPC and → gRPC interleaved in one run, backend CPU counted apart.
      echo "== protocols ($(date -u +%H:%M:%S))"
      node bench/protocol-compare.mjs "${BENCH_ROUNDS:-3}" 10 http,tgrpc,grpc > "$OUT/protocols.log" 2>&1 || echo "   (exit $?: see $OUT/protocols.log)"
      sed -n '/^variant /,$p' "$OUT/protocols.log" ;;
    *) echo "unknown variant: $variant" >&2; exit 2 ;;
  esac
done
echo "logs: $OUT"
