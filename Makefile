# entretien — `make demo` to try it on a local dev cluster, `make test` for
# the whole suite (integration tests on real Nomad and Consul agents).

SHELL := /bin/bash
GO ?= go
BIN := bin/entretien
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
# Where tools/agents/build.sh caches the Nomad and Consul binaries.
export ENTRETIEN_AGENTS_DIR ?= $(if $(XDG_CACHE_HOME),$(XDG_CACHE_HOME),$(HOME)/.cache)/entretien/agents
# go-sqlite3 needs cgo.
export CGO_ENABLED := 1

.PHONY: all build demo run agents test test-short bench bench-live bench-anchors bench-failover vet man completion clean

all: build

build:
	$(GO) build -trimpath -ldflags "-X main.version=$(VERSION)" -o $(BIN) ./cmd/entretien

## agents: build the pinned Nomad v1.6.3 and Consul v1.16.3 once (cached).
agents:
	@tools/agents/build.sh >/dev/null

## demo: a local 3-site dev cluster, a seeded collective, the TUI on it.
demo: agents build
	$(BIN) demo --agents "$(ENTRETIEN_AGENTS_DIR)"

## run: the TUI against NOMAD_ADDR / CONSUL_HTTP_ADDR (default 127.0.0.1).
run: build
	$(BIN)

## test: vet and the whole suite, integration tests included.
test: agents build
	$(GO) vet ./...
	ENTRETIEN_BIN=$(CURDIR)/$(BIN) $(GO) test -count=1 -timeout 30m ./...
	$(GO) test -count=1 -tags manpages -run TestManPages ./cmd/entretien
	$(GO) -C third_party/bubbletea test -count=1 -run 'TestRendererSleepsWhileIdle|TestRendererDrawsAfterExec|TestLeadingEdge' .
	$(GO) -C third_party/go-runewidth test -count=1 .

## test-short: unit tests only (no agents).
test-short:
	$(GO) test -short ./...

## bench: benchmarks of the hot paths.
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

## bench-live: idle CPU and churn requests of sources/ on a dev cluster (~5 min),
## then the idle CPU of the whole binary in a real terminal.
bench-live: agents build
	$(GO) run ./bench/live
	bench/tui-idle.sh

## bench-failover: the primary's site SIGKILLed 5 times under Patroni on
## loopback; time to the promotion and to the first note written (~4 min).
bench-failover: agents build
	$(GO) run ./bench/failover -bin $(BIN)

## bench-anchors: entretien beside wander and damon (WANDER=… DAMON=… their
## binaries; else bench/live's wander-like and damon-like patterns), quiet and
## under churn, 3 rounds (~35 min at WINDOW=30). See bench/anchors.sh.
bench-anchors: agents build
	bench/anchors.sh

## man: man pages of every command into man/ (generated, not committed).
man:
	$(GO) build -tags manpages -o bin/entretien-man ./cmd/entretien
	bin/entretien-man man man

## completion: shell completion scripts into bin/completion/ (also: entretien completion bash|zsh|fish).
completion: build
	mkdir -p bin/completion
	$(BIN) completion bash > bin/completion/entretien.bash
	$(BIN) completion zsh > bin/completion/_entretien
	$(BIN) completion fish > bin/completion/entretien.fish

clean:
	rm -rf bin man
