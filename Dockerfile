# syntax=docker/dockerfile:1
# The container image for Docker users. It matches the image `make dist` builds without a
# container engine (dist/oci, see internal/release): a static binary on an empty base with
# the same CA certificates and passwd/group files, the numeric user 65532:65532, port 8080,
# the same labels. A test (internal/release/dockerfile_test.go) keeps the two in step.
#
# Build for both platforms (the compiler runs natively and cross-compiles):
#   docker buildx build --platform linux/amd64,linux/arm64 \
#     --build-arg VERSION=0.1.0 --build-arg REVISION="$(git rev-parse HEAD)" \
#     --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" -t panther-s3-mcp .
# Run (stdio, for desktop clients): docker run -i --rm -e PANTHER_API_URL -e PANTHER_API_TOKEN panther-s3-mcp
# Run (HTTP): add -e MCP_TRANSPORT=http -e MCP_ADDR=0.0.0.0:8080 -e MCP_AUTH_TOKEN -p 8080:8080
# See docs/deployment.md.

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
# The image's files besides the binary: /etc/passwd, /etc/group and the CA bundle.
RUN go run ./cmd/release rootfs -out /rootfs
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
    -o /rootfs/usr/local/bin/panther-s3-mcp ./cmd/panther-s3-mcp

# No shell and no package manager, so no HEALTHCHECK: probe /healthz and /readyz from the
# orchestrator instead.
FROM scratch
COPY --from=build /rootfs/ /
# Numeric, so that Kubernetes' runAsNonRoot can check it without reading /etc/passwd.
USER 65532:65532
EXPOSE 8080
ENV PATH=/usr/local/bin SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
WORKDIR /
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="panther-s3-mcp" \
      org.opencontainers.image.description="MCP server that manages Panther S3 log sources" \
      org.opencontainers.image.source="https://github.com/panther-s3-mcp/panther-s3-mcp" \
      org.opencontainers.image.url="https://github.com/panther-s3-mcp/panther-s3-mcp" \
      org.opencontainers.image.documentation="https://github.com/panther-s3-mcp/panther-s3-mcp/blob/main/docs/deployment.md" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      io.modelcontextprotocol.server.name="io.github.panther-s3-mcp/panther-s3-mcp"
# stdio by default; MCP_TRANSPORT=http serves /mcp, /sse, /healthz, /readyz and /metrics.
ENTRYPOINT ["/usr/local/bin/panther-s3-mcp"]
