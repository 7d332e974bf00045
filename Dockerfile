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
ENTRYPOINT ["/usr/local/bin/signalbox"]
CMD ["run", "/examples/hello/hello.asl.json", "--input", "{\"name\":\"world\"}"]
