# Signalbox: one static binary. Build with `docker build -t signalbox .`
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o /out/signalbox ./cmd/signalbox

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/signalbox /usr/local/bin/signalbox
COPY examples /examples
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/signalbox"]
# The order example on the embedded store; set SIGNALBOX_REDIS_URL (or pass
# --redis-url) for a real Redis, and --config for your own state machines.
CMD ["serve", "--addr", "0.0.0.0:8080", "--config", "/examples/orders/signalbox.yaml"]
