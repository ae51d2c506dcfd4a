# dispatchoor build, test and benchmark targets.
VERSION    ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
COMMIT     ?= $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS    := -X main.Version=$(VERSION) -X main.GitCommit=$(COMMIT) -X main.BuildDate=$(BUILD_DATE)
GO         ?= go

.PHONY: all build build-go ui ui-deps dev-ui run demo test test-go test-ui test-e2e lint bench fmt clean

all: build

## build: the dashboard and the binary (bin/dispatchoor) with the dashboard embedded
build: ui build-go

## build-go: the binary alone (serves a "UI not built" page without `make ui`)
build-go:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/dispatchoor ./cmd/dispatchoor

ui-deps:
	cd ui && npm ci --no-audit --no-fund

## ui: the production build of the dashboard into ui/dist (embedded by build-go)
ui: ui-deps
	cd ui && npm run build

## dev-ui: Vite dev server with the API proxied to 127.0.0.1:9090
dev-ui: ui-deps
	cd ui && npm run dev

## run: the server with ./config.toml
run: build-go
	./bin/dispatchoor server --config config.toml

## demo: the server against the built-in GitHub simulator (http://127.0.0.1:9090, admin/admin)
demo: build
	./bin/dispatchoor demo

## test: every test (Go, dashboard unit tests, browser end-to-end tests)
test: test-go test-ui test-e2e

test-go:
	$(GO) vet ./...
	$(GO) test -race -timeout 20m ./...

test-ui: ui-deps
	cd ui && npm test

## test-e2e: browser tests of the dashboard against the real binary (headless Chromium, $$CHROMIUM_PATH or /usr/bin/chromium)
test-e2e: build
	cd ui && npm run e2e

## lint: formatting and vet (golangci-lint too when installed)
lint:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo "gofmt needed"; exit 1; }
	$(GO) vet ./...
	@if command -v golangci-lint >/dev/null; then golangci-lint run ./...; fi

## bench: every benchmark with its figures (targets are in each benchmark's comment);
## the HTTP ones run three times, since a shared machine moves them by 10-20%
bench:
	$(GO) test -run '^$$' -bench 'DurableEnqueueHTTP' -benchtime 40000x -count 3 ./cmd/dispatchoor/
	$(GO) test -run '^$$' -bench 'EnqueueLatencyAt1000' -benchtime 20000x ./cmd/dispatchoor/
	$(GO) test -run '^$$' -bench 'QueueGet10k' -benchtime 300x -count 3 ./cmd/dispatchoor/
	$(GO) test -run '^$$' -bench 'Startup1M' -benchtime 1x -timeout 30m ./cmd/dispatchoor/
	$(GO) test -run '^$$' -bench 'HeapPerQueuedJob|Enqueue$$|HistoryPage' ./actors/state/
	$(GO) test -run '^$$' -bench . ./wal/
	$(GO) test -run '^$$' -bench 'Fanout500' -benchtime 300x ./http/

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin ui/dist/assets ui/dist/index.html
