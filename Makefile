# panther-s3-mcp — build, test and demo targets.
GO        ?= go
BIN       := bin/panther-s3-mcp
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -s -w -X main.version=$(VERSION)

.PHONY: all build test test-go lint demo clean

all: build

build: ## Build the server binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/panther-s3-mcp

test: lint test-go ## Everything CI runs

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
