# panther-s3-mcp — build, test and demo targets.
GO        ?= go
BIN       := bin/panther-s3-mcp
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: all build test test-go test-tools test-short lint demo clean

all: build

build: ## Build the server binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/panther-s3-mcp

test: lint test-go test-deploy conformance sdk-client ## Everything CI runs but the release build: vet, gofmt, linters, go test -race (every test), the Kubernetes manifests, the MCP conformance suite, the TypeScript SDK client

# Every test, with the race detector: the slow AWS checks too (the AWS CLI script against
# moto, terraform validate: PANTHER_S3_MCP_SLOW_AWS=1), and the mcpb validator, whose
# Node.js and CLI test-tools installs first (go test itself never downloads).
test-go: test-tools
	PANTHER_S3_MCP_SLOW_AWS=1 $(GO) test -race -count=1 ./...

test-tools: ## Install what the tests run beyond Go (Node.js 22, the pinned mcpb CLI) into .tools/ from the npm registry
	@bash scripts/mcpb.sh path >/dev/null

test-short: ## The inner loop: go test -short ./... (no PostgreSQL, load, process-shutdown or external-tool tests)
	$(GO) test -short ./...

# Linters, pinned; `go run pkg@version` builds each once into the Go build cache (the first
# run of golangci-lint takes a few minutes on two cores).
STATICCHECK     ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
GOLANGCI_LINT   ?= github.com/golangci/golangci-lint/v2/cmd/golangci-lint@v2.15.0
# Go modules of this repository: the server's, and the Kubernetes manifests' test module.
MODULES         := . deploy/kubernetes

# Every stage runs, so that one run shows every finding; lint fails at the end if any did.
lint: ## go vet, gofmt, staticcheck and golangci-lint (.golangci.yml) on every module
	@failed=; \
	for m in $(MODULES); do echo "== go vet ($$m)"; (cd $$m && $(GO) vet ./...) || failed="$$failed vet($$m)"; done; \
	echo "== gofmt"; out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; failed="$$failed gofmt"; fi; \
	for m in $(MODULES); do echo "== staticcheck ($$m)"; (cd $$m && $(GO) run $(STATICCHECK) ./...) || failed="$$failed staticcheck($$m)"; done; \
	for m in $(MODULES); do echo "== golangci-lint ($$m)"; (cd $$m && $(GO) run $(GOLANGCI_LINT) run --config $(CURDIR)/.golangci.yml ./...) || failed="$$failed golangci-lint($$m)"; done; \
	if [ -n "$$failed" ]; then echo "lint failed:$$failed"; exit 1; fi

demo: build ## Run the server against the built-in fake Panther and drive it over stdio
	$(GO) run ./cmd/demo -server $(BIN)

clean:
	rm -rf bin dist

.PHONY: mcpb
mcpb: ## Build this platform's Claude Desktop bundle into dist/ (TARGET=darwin/universal for another; Node.js 22 and mcpb are fetched into .tools/ when missing)
	bash scripts/mcpb.sh

.PHONY: dist test-dist
dist: ## Every release artefact into dist/: binaries for 5 platforms + macOS universal, archives, .mcpb bundles, OCI image layout, server.json, SHA256SUMS
	bash scripts/dist.sh

test-dist: dist ## Build dist/, then check it: checksums, archives, universal binary, bundles (mcpb validate), server.json, the image (runs its binary)
	PANTHER_S3_MCP_DIST=$(CURDIR)/dist PANTHER_S3_MCP_MCPB=$$(bash scripts/mcpb.sh path) \
		$(GO) test -count=1 ./internal/release/disttest/

.PHONY: test-deploy
test-deploy: ## The Kubernetes manifests: strict decoding, kustomize build, Pod Security "restricted" (a module of its own)
	cd deploy/kubernetes && $(GO) test -race -count=1 ./...

.PHONY: bench
bench: ## Measure what the server adds to a Panther call and write BENCHMARKS.md (a few minutes)
	$(GO) run ./bench/cmd/benchdriver -out BENCHMARKS.md

.PHONY: conformance
conformance: ## Run the MCP conformance suite against the HTTP transport (Node.js 22 and the pinned suite are fetched into .tools/ when missing)
	bash scripts/conformance.sh

.PHONY: sdk-client
sdk-client: build ## Drive bin/ with the official MCP TypeScript SDK client over stdio and HTTP and validate every result (Node.js 22 and the pinned SDK are fetched into .tools/ when missing)
	bash scripts/sdk-client.sh

FUZZTIME ?= 20s
.PHONY: fuzz
fuzz: ## Run every fuzz target for FUZZTIME each (default 20s), one after another; `make test` runs their seed corpora
	@set -e; for f in $$(find . -name '*_fuzz_test.go' -not -path './.tools/*' -not -path '*/node_modules/*' | sort); do \
		for name in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "== $$(dirname $$f) $$name for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$(dirname $$f); \
		done; \
	done
