# regal: `make demo` and `make test` work on a fresh Debian 12 machine.
# Each target bootstraps (installs missing Debian packages), configures and
# builds first, so nothing needs to be run by hand before them.

BUILD_DIR    ?= build
BUILD_TYPE   ?= RelWithDebInfo
REGAL_WERROR ?= OFF
REGAL_SANITIZE ?=
JOBS         ?= $(shell nproc)
GENERATOR    := $(shell command -v ninja >/dev/null 2>&1 && echo "-G Ninja")

PREFIX       ?= /usr/local

.PHONY: all bootstrap configure build test demo report bench fuzz install package clean

all: build

bootstrap:
	@bash scripts/bootstrap.sh

configure: bootstrap
	@if [ -f $(BUILD_DIR)/CMakeCache.txt ]; then gen=; else gen='$(GENERATOR)'; fi; \
	cmake -S . -B $(BUILD_DIR) $$gen -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) \
	  -DREGAL_WERROR=$(REGAL_WERROR) -DREGAL_SANITIZE=$(REGAL_SANITIZE) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

demo: build
	@echo "== sweep --spec sweeps/quickstart.toml: 12 runs (3 languages x LSTM/transformer x 2 seeds) =="
	@$(BUILD_DIR)/sweep --spec sweeps/quickstart.toml
	@echo
	@echo "Tables: results/quickstart/aggregate/{runs,summary,overall,profiles}.{csv,json}, sweep.h5; again offline: build/aggregate results/quickstart"
	@echo "LSTM against transformer: build/aggregate results/quickstart --compare 'model.arch=lstm' 'model.arch=transformer' --by language"
	@echo "Report (open in a browser): $(CURDIR)/results/quickstart/report/report.html"

# The quickstart's report: runs what is not done yet, then (re)writes report/.
report: build
	@$(BUILD_DIR)/sweep --spec sweeps/quickstart.toml >/dev/null
	@echo "$(CURDIR)/results/quickstart/report/report.html"

bench: build
	@bash bench/run.sh $(BUILD_DIR)

fuzz: bootstrap
	@bash tests/fuzz/fuzz_test.sh . $(BUILD_DIR)/fuzz-build $(or $(FUZZ_SECONDS),600)

install: build
	@cmake --install $(BUILD_DIR) --prefix $(PREFIX)

package: build
	@cd $(BUILD_DIR) && cpack -G DEB

clean:
	rm -rf $(BUILD_DIR)
