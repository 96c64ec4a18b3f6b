#!/bin/sh
# Container launcher. `maskkv controller` runs the controller, configured only by application.yml and the
# environment (MASKKV_*, GRPC_SERVER_PORT); `maskkv ANYTHING ELSE` runs the CLI (worker, client, health, ...).
set -e
if [ "$1" = "controller" ]; then
  shift
  main=io.maskkv.controller.ControllerServer
else
  main=io.maskkv.server.Main
fi
# glibc's dynamic mmap threshold keeps freed tensor buffers (up to 32 MiB each) in the heap for reuse: fast (no
# fresh pages to fault in), and the heap stays at the largest step's working set (a 16k-token prefill: ~440 MiB of
# freed buffers kept). MASKKV_MEMORY=lean fixes the threshold so that they are returned instead: a request's
# memory falls back after it (the bench's memory sweeps run so), at a price in time (512-token needle sessions:
# 52 -> 81 ms each; a 16k prefill: 2.9 -> 4.6 s with huge pages). docs/performance.md, "Peak memory".
if [[ "${MASKKV_MEMORY:-fast}" == "lean" ]]; then
  export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}"
fi
export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# Huge pages for large mappings where transparent huge pages are on "madvise" (most of the lean setting's page-fault
# time comes back: 16k prefill 7.4 s -> 4.6 s).
case "${GLIBC_TUNABLES:-}" in
  *glibc.malloc.hugetlb*) ;;
  "") export GLIBC_TUNABLES="glibc.malloc.hugetlb=1" ;;
  *) export GLIBC_TUNABLES="$GLIBC_TUNABLES:glibc.malloc.hugetlb=1" ;;
esac
exec java $JAVA_OPTS -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${LOG_LEVEL:-info}" \
  -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda=error -cp '/app/lib/*' "$main" "$@"
