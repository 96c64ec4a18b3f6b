#!/bin/sh
# Container launcher. `maskkv controller` runs the controller, configured only by application.yml and the
# environment (MASKKV_*, GRPC_SERVER_PORT); `maskkv ANYTHING ELSE` runs the CLI (worker, client, health, ...).
set -e
if [ "$1" = "controller" ]; then
  shift
  main=io.maskkv.controller.ControllerServer
else
  main=io.maskkv.cli.Main
fi
exec java $JAVA_OPTS -Dai.djl.offline=true -Dai.djl.default_engine=PyTorch \
  -Dorg.slf4j.simpleLogger.defaultLogLevel="${LOG_LEVEL:-info}" \
  -Dorg.slf4j.simpleLogger.log.ai.djl.util.cuda=error -cp '/app/lib/*' "$main" "$@"
