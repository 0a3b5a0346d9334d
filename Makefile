# The project's vocabulary. Each target is documented in CONTRIBUTING.md.
GO ?= go

.PHONY: all generate test contract vet lint fmt-check check-generated spec-gate crosscheck accept-spec fuzz bench verify demo

all: test

## generate: regenerate gen/ from spec/productupgrades.yaml with the pinned oapi-codegen.
generate:
	$(GO) generate ./...

## test: formatting, vet, the linters, generated-code drift, the spec's breaking-change gate,
## the second opinion on every fixture, then every test with the race detector.
test: fmt-check vet lint check-generated spec-gate crosscheck
	$(GO) test -race -count=1 ./...

## contract: the contract tests alone, verbose, one line per exchange and check.
contract:
	$(GO) test -count=1 -v -run 'TestContract' ./contracttests/

vet:
	$(GO) vet ./...
	cd spec/compat && $(GO) vet ./...
	cd spec/crosscheck && $(GO) vet $(CROSSCHECK_FLAGS) ./...

## lint: golangci-lint with the linters of .golangci.yml (errcheck, govet, staticcheck, unused,
## ineffassign, ...) on the main module. The version is pinned by a `tool` directive in the
## nested module internal/tools/lint, so the main go.mod and importers' module graphs stay as
## they are; `go tool` builds it once and keeps the binary in the build cache.
LINT_TOOL = $(GO) tool -modfile=internal/tools/lint/go.mod
lint:
	$(LINT_TOOL) golangci-lint run ./...

## spec-gate: fails on an error-level breaking change of the spec against
## spec/baseline/productupgrades.yaml (oasdiff, in the nested module spec/compat).
spec-gate:
	cd spec/compat && $(GO) test -count=1 ./...

## crosscheck: the second opinion: libopenapi-validator judges every fixture and every
## corrupted copy; a verdict that differs from ours fails unless listed with its reason
## (nested module spec/crosscheck).
## libopenapi and libopenapi-validator are slow to compile optimised (their generic ordered
## maps): about 350 CPU-seconds with a cold build cache, 245 without optimisation and
## inlining, which a test of verdicts does not need (its run takes 0.3 s either way). vet and
## test use the same flags, so they share the build cache.
CROSSCHECK_FLAGS = -gcflags='github.com/pb33f/...=-N -l'
crosscheck:
	cd spec/crosscheck && $(GO) test $(CROSSCHECK_FLAGS) -count=1 ./...

## accept-spec: takes the current spec as the new baseline; commit the result on purpose.
accept-spec:
	cp spec/productupgrades.yaml spec/baseline/productupgrades.yaml

fmt-check:
	@out=$$(gofmt -l $$(find . -name '*.go' -not -path './.git/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

## check-generated: fails when regenerating would change the committed gen/.
check-generated:
	@tmp=$$(mktemp -d); cp -R gen/. "$$tmp"; \
	$(GO) generate ./gen || { rm -rf "$$tmp"; exit 1; }; \
	if ! diff -ru "$$tmp" gen; then \
		echo "gen/ was out of date with spec/ and has been regenerated: review and commit it."; \
		rm -rf "$$tmp"; exit 1; \
	fi; rm -rf "$$tmp"

## fuzz: runs each fuzz target for a bounded time (FUZZTIME, default 20s); a crash is saved
## under testdata/fuzz/ and becomes a regression test of every later `go test`.
FUZZTIME ?= 20s
fuzz:
	$(GO) test -run XXX -fuzz FuzzParseExchange -fuzztime $(FUZZTIME) ./contracttests/
	$(GO) test -run XXX -fuzz FuzzMask -fuzztime $(FUZZTIME) ./internal/secrets/
	$(GO) test -run XXX -fuzz '^FuzzRedactor$$' -fuzztime $(FUZZTIME) ./internal/secrets/
	$(GO) test -run XXX -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./internal/guid/
	$(GO) test -run XXX -fuzz '^FuzzParseLocation$$' -fuzztime $(FUZZTIME) ./client/
	$(GO) test -run XXX -fuzz FuzzParseLocationFastPath -fuzztime $(FUZZTIME) ./client/
	$(GO) test -run XXX -fuzz FuzzIndexFold -fuzztime $(FUZZTIME) ./internal/secrets/
	$(GO) test -run XXX -fuzz FuzzErrorBody -fuzztime $(FUZZTIME) ./client/
	$(GO) test -run XXX -fuzz FuzzDecodeWireStatus -fuzztime $(FUZZTIME) ./client/
	$(GO) test -run XXX -fuzz '^FuzzRedact$$' -fuzztime $(FUZZTIME) ./client/
	$(GO) test -run XXX -fuzz FuzzInert -fuzztime $(FUZZTIME) ./cmd/pcupgrade/
	$(GO) test -run XXX -fuzz FuzzFastPath -fuzztime $(FUZZTIME) ./spec/

## bench: every performance goal as a ratio against a baseline measured in the same run,
## then a summary table (internal/benchsummary) with each goal met or not: the client against a
## hand-written net/http call per operation (x-handwritten, allocs-over; interleaved, one core
## and all); the verifier's exchanges/s from files against the validation-only floor
## (verify/floor; one core and all) and its peak heap over 100,000 exchanges with JUnit; the
## fake with spec validation against the same handler without it (x-novalidate) and the bytes
## it holds per upgrade.
BENCH_CPUS ?= 1,$(shell nproc 2>/dev/null || echo 2)
bench:
	@{ $(GO) test -run XXX -bench 'VsHandWritten' -benchtime 20000x -cpu $(BENCH_CPUS) ./client/ && \
	  $(GO) test -run XXX -bench 'VerifyFiles$$' -benchtime 5x -cpu $(BENCH_CPUS) ./contracttests/ && \
	  $(GO) test -run XXX -bench 'VerifyPeakHeap/streamed$$' -benchtime 1x ./contracttests/ && \
	  $(GO) test -run XXX -bench 'CreateValidationRatio' -cpu 1 ./fake/ && \
	  $(GO) test -run XXX -bench 'RequestLogHeap' -benchtime 1x ./fake/; } | $(GO) run ./internal/benchsummary

## verify: validates recorded exchanges against the spec (VERIFY_PATHS, default the testdata).
VERIFY_PATHS ?= contracttests/testdata/exchanges
verify:
	$(GO) run ./cmd/pcupgrade verify $(VERIFY_PATHS)

## demo: the whole upgrade workflow (eligibility, create, wait) with the real client against
## the in-process fake Partner Center; no credentials, no network.
demo:
	$(GO) run ./cmd/pcupgrade demo
