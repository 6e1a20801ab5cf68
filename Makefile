# panther-s3-mcp — build, test and demo targets.
GO        ?= go
BIN       := bin/panther-s3-mcp
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: all build test test-go lint demo clean

all: build

build: ## Build the server binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/panther-s3-mcp

test: lint test-go conformance ## Everything CI runs: vet, gofmt, go test -race, the MCP conformance suite

test-go:
	$(GO) test -race -count=1 ./...

lint: ## go vet and a gofmt check
	$(GO) vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

demo: build ## Run the server against the built-in fake Panther and drive it over stdio
	$(GO) run ./cmd/demo -server $(BIN)

clean:
	rm -rf bin dist

.PHONY: mcpb
mcpb: ## Build the Claude Desktop bundle dist/panther-s3-mcp.mcpb (Node.js 22 and mcpb are fetched into .tools/ when missing)
	bash scripts/mcpb.sh

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
