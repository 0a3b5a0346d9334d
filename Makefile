# The project's vocabulary. Each target is documented in README.md.
GO ?= go

.PHONY: all generate test contract vet fmt-check check-generated

all: test

## generate: regenerate gen/ from spec/productupgrades.yaml with the pinned oapi-codegen.
generate:
	$(GO) generate ./...

## test: formatting, vet, generated-code drift, then every test with the race detector.
test: fmt-check vet check-generated
	$(GO) test -race -count=1 ./...

## contract: the contract tests alone, verbose, one line per exchange and check.
contract:
	$(GO) test -count=1 -v -run 'TestContract' ./contracttests/

vet:
	$(GO) vet ./...

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
