# Signalbox: one static binary. Build with `docker build -t signalbox .`
# (--build-arg VERSION=v1.2.3 names the version `signalbox version` prints).
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/signalbox ./cmd/signalbox

# Debian's redis-server beside the binary: the default command keeps its
# store in a redis-server of its own (serve --data-dir), durable in /data.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 65532 --home-dir /data --shell /usr/sbin/nologin signalbox \
 && mkdir -p /data && chown signalbox /data
COPY --from=build /out/signalbox /usr/local/bin/signalbox
COPY examples /examples
USER signalbox
VOLUME /data
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/signalbox"]
# The order example, durable: serve runs redis-server with an append-only
# file (appendfsync everysec) in the /data volume, so a container restarted
# on the same volume keeps every state machine and execution. Without
# --data-dir the store is the embedded one, lost on restart; --redis-url (or
# $SIGNALBOX_REDIS_URL) uses a Redis of your own (docker-compose.yml); give
# --config for your own state machines.
CMD ["serve", "--addr", "0.0.0.0:8080", "--data-dir", "/data", "--config", "/examples/orders/signalbox.yaml"]
