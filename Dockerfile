# syntax=docker/dockerfile:1
# Build: docker build --build-arg VERSION=$(git describe --tags --always) -t panther-s3-mcp .
# Run (stdio, for desktop clients): docker run -i --rm -e PANTHER_API_URL -e PANTHER_API_TOKEN panther-s3-mcp
# Run (HTTP): add -e MCP_TRANSPORT=http -e MCP_ADDR=0.0.0.0:8080 -e MCP_AUTH_TOKEN -p 8080:8080
# See docs/deployment.md.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
    -o /out/panther-s3-mcp ./cmd/panther-s3-mcp

# Static, non-root (uid 65532), with CA certificates for https://api.<instance>.runpanther.net.
# No shell, so no HEALTHCHECK: probe /healthz and /readyz from the orchestrator instead.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/panther-s3-mcp /usr/local/bin/panther-s3-mcp
USER nonroot:nonroot
EXPOSE 8080
# stdio by default; MCP_TRANSPORT=http serves /mcp, /sse, /healthz, /readyz and /metrics.
ENTRYPOINT ["/usr/local/bin/panther-s3-mcp"]
