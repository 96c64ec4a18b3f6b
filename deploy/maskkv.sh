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
# glibc's dynamic mmap threshold keeps freed tensor buffers (up to 32 MiB each) in the heap instead of returning
# them: a 16k-token prefill held ~440 MiB of freed memory that way. A fixed threshold returns them
# (docs/performance.md, "Peak memory").
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}" MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
# Returning every freed buffer means fresh pages, faulted in 4 KiB at a time: a 16k prefill took 7.4 s instead of
# 2.9 s. Huge pages for those mappings (where transparent huge pages are on "madvise") win most of it back:
# 4.6 s, with the same peak memory.
case "${GLIBC_TUNABLES:-}" in
  *glibc.malloc.hugetlb*) ;;
  "") export GLIBC_TUNABLES="glibc.malloc.hugetlb=1" ;;
  *) export GLIBC_TUNABLES="$GLIBC_TUNABLES:glibc.malloc.hugetlb=1" ;;
esac
exec java $JAVA_OPTS -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${LOG_LEVEL:-info}" \
  -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda=error -cp '/app/lib/*' "$main" "$@"
