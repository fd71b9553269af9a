#!/usr/bin/env bash
# Runs the Cosmos DB cases of the test suite (the store contract, the fault and change feed tests)
# against the Linux Cosmos DB emulator in Docker instead of the in-process double:
#   bash tests/cosmos-emulator.sh
# The emulator image and its options: https://learn.microsoft.com/azure/cosmos-db/emulator-linux
# (gateway mode only, HTTPS with a self-signed certificate, which the app accepts only for the
# emulator's published key on a loopback endpoint).
set -euo pipefail
cd "$(dirname "$0")/.."

image="mcr.microsoft.com/cosmosdb/linux/azure-cosmos-emulator:vnext-preview"
name="messaging-cosmos-emulator"
key="C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw=="

docker rm --force "$name" >/dev/null 2>&1 || true
docker run --detach --name "$name" --publish 8081:8081 "$image" --protocol https >/dev/null
trap 'docker rm --force "$name" >/dev/null 2>&1 || true' EXIT

echo "waiting for the emulator on https://localhost:8081/ ..."
for _ in $(seq 1 120); do
  if curl --insecure --silent --output /dev/null "https://localhost:8081/"; then break; fi
  sleep 1
done

[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
COSMOS_TEST_CONNECTION_STRING="AccountEndpoint=https://localhost:8081/;AccountKey=$key" \
COSMOS_TEST_CONNECTION_MODE=Gateway \
  dotnet test tests/Messaging.Tests --filter "FullyQualifiedName~Cosmos"
