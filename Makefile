# HMS desktop: build, run, test and package.
#
#   make run       install what is missing, build, open the app
#   make demo      open the app on a demo database (credentials are printed)
#   make test      go vet and staticcheck, then every test with -race (the layout test too)
#   make test-deps the PostgreSQL server programs and poppler-utils the tests use (Debian/Ubuntu)
#   make lint      go vet and staticcheck alone
#   make bench     benchmarks on the scaled demo database
#   make soak      the seeded sync simulation over many seeds (needs HMS_TEST_PG)
#   make package   a Linux package with `fyne package`
#   make deb       the Debian package dist/hms_VERSION_amd64.deb, checked
#
# The SQLite driver is built with FTS5: every go command here passes
# -tags sqlite_fts5. A C compiler is needed (cgo).

GO            ?= go
TAGS          := sqlite_fts5
VERSION       ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS       := -X main.version=$(VERSION)
BIN           := hms
FYNE          := $(GO) run fyne.io/tools/cmd/fyne@v1.7.4

# The demo database lives outside the repository and is built once.
DEMO_DB       ?= $(HOME)/.cache/hms/demo.db
DEMO_PATIENTS ?= 2000
# Benchmarks: how long each runs, and the size of their demo database.
BENCHTIME     ?= 2s
export HMS_BENCH_PATIENTS ?= 1000000

# Debian/Ubuntu packages Fyne needs to build (cgo, OpenGL, X11 headers).
APT_PACKAGES  := gcc pkg-config libgl1-mesa-dev xorg-dev

.PHONY: all deps build run demo test test-deps vet lint bench soak package deb deb-check clean

# Release builds go to dist/: stripped, with the
# version stamped in.
DIST          := dist
RELEASE_LDFLAGS = -s -w -X main.version=$(VERSION)

all: build

## deps: install what a fresh machine is missing, then the Go modules.
deps:
	@set -e; \
	case "$$(uname -s)" in \
	Linux) \
		if command -v dpkg >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1; then \
			missing=""; \
			for p in $(APT_PACKAGES); do \
				dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; \
			done; \
			if [ -n "$$missing" ]; then \
				sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
				echo "Installing$$missing (apt-get)"; \
				$$sudo apt-get install -y --no-install-recommends $$missing || \
					{ $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends $$missing; }; \
			fi; \
		else \
			command -v gcc >/dev/null 2>&1 || command -v cc >/dev/null 2>&1 || { \
				echo "Install a C compiler (gcc), pkg-config and the OpenGL and X11 development headers with your package manager; see README.md." >&2; exit 1; }; \
		fi ;; \
	Darwin) \
		xcode-select -p >/dev/null 2>&1 || { \
			echo "Install the Xcode command line tools first: xcode-select --install" >&2; exit 1; }; \
		if ! command -v pkg-config >/dev/null 2>&1; then \
			if command -v brew >/dev/null 2>&1; then brew install pkg-config; \
			else echo "Install Homebrew (https://brew.sh) or pkg-config yourself." >&2; exit 1; fi; \
		fi ;; \
	*) \
		echo "On $$(uname -s), install Go and a gcc (on Windows: MSYS2 mingw-w64 or TDM-GCC); see README.md." ;; \
	esac
	$(GO) mod download

## build: the hms binary.
build:
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN) .

## run: open the app on the default database (or HMS_DB).
run: deps build
	./$(BIN)

## demo: open the app on a demo database, built once at $(DEMO_DB).
demo: deps build
	@if [ ! -f "$(DEMO_DB)" ]; then \
		./$(BIN) --db "$(DEMO_DB)" demo --force --patients $(DEMO_PATIENTS); \
	else \
		echo "Using the demo database $(DEMO_DB) (delete it to build a new one)."; \
		echo "Demo accounts: ./$(BIN) --db $(DEMO_DB) user list; passwords are in README.md."; \
	fi
	./$(BIN) --db "$(DEMO_DB)"

## vet: go vet with the build tags.
vet:
	$(GO) vet -tags $(TAGS) ./...

## lint: go vet, then staticcheck (the version go.mod pins as a tool).
lint: vet
	$(GO) tool staticcheck -tags $(TAGS) ./...

# Tests and benchmarks run in English: deterministic, and it keeps Fyne from
# logging "Error parsing user locale C" under LANG=C.UTF-8 (fyne-io/fyne#5271).
test bench soak: export LANGUAGE = en

## test: vet and staticcheck, then every test with the race detector.
## The sync tests use the PostgreSQL server HMS_TEST_PG names or, without
## it, a throwaway server of their own when the PostgreSQL server programs
## are installed (make test-deps); a test that could use neither skips, and
## the run ends with one line saying so.
SKIPS_FILE    := $(or $(TMPDIR),/tmp)/hms-test-skips-$(shell id -u)
test: deps lint
	@rm -f $(SKIPS_FILE)
	@HMS_TEST_SKIPS=$(SKIPS_FILE) $(GO) test -race -tags $(TAGS) -count=1 -timeout 25m ./...; status=$$?; \
	if [ -s $(SKIPS_FILE) ]; then \
		echo "make test: $$(wc -l < $(SKIPS_FILE)) sync tests skipped: $$(sort $(SKIPS_FILE) | uniq -c | sort -rn | head -1 | sed 's/^ *[0-9]* //')"; \
	fi; rm -f $(SKIPS_FILE); exit $$status

## test-deps: what the tests use beyond the build (Debian/Ubuntu): the
## PostgreSQL server programs for the sync tests' throwaway server, and
## poppler-utils for reading PDFs back. For a developer's or CI machine, never
## a clinic's desk: make deps does not install them.
TEST_APT_PACKAGES := postgresql poppler-utils
test-deps:
	@missing=""; for p in $(TEST_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		sudo=""; [ "$$(id -u)" -eq 0 ] || sudo=sudo; \
		echo "Installing$$missing (apt-get)"; \
		$$sudo apt-get install -y --no-install-recommends $$missing || \
			{ $$sudo apt-get update && $$sudo apt-get install -y --no-install-recommends $$missing; }; \
	fi

## bench: the benchmarks, on the demo database of HMS_BENCH_PATIENTS patients.
bench: deps
	$(GO) test -tags $(TAGS) -run '^$$' -bench . -benchtime $(BENCHTIME) -timeout 60m ./...

## soak: the seeded sync simulation (SYNC.md, tests) over SOAK_SEEDS seeds,
## against the PostgreSQL server HMS_TEST_PG names. A failing seed is named,
## with the command that runs it alone (HMS_SIM_SEED=n).
SOAK_SEEDS    ?= 200
soak:
	@[ -n "$$HMS_TEST_PG" ] || { echo "Set HMS_TEST_PG to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable (see SYNC.md)." >&2; exit 1; }
	HMS_SOAK_SEEDS=$(SOAK_SEEDS) $(GO) test -tags $(TAGS) -count=1 -run '^TestSyncSimulation$$' -timeout 12h ./data/sync/

## package: a Linux package (HMS.tar.xz) from FyneApp.toml's metadata.
# fyne package bumps Build in FyneApp.toml; the file is put back afterwards
# so packaging leaves the tree clean.
package: deps
	cp FyneApp.toml .FyneApp.toml.keep
	$(FYNE) package --target linux --tags $(TAGS) --release --icon assets/icon.png; \
		status=$$?; mv .FyneApp.toml.keep FyneApp.toml; exit $$status

## deb: the Debian package $(DIST)/hms_$(VERSION)_amd64.deb (packaging/linux),
## then its checks (lintian, Depends, dpkg-deb -x, hms version).
deb: deps
	$(GO) build -tags $(TAGS) -ldflags "$(RELEASE_LDFLAGS)" -o $(DIST)/linux/hms .
	packaging/linux/mkdeb.sh "$(VERSION)" $(DIST)/linux/hms $(DIST)
	$(MAKE) --no-print-directory deb-check

## deb-check: the checks of the Debian package already built in $(DIST).
deb-check:
	packaging/linux/checkdeb.sh "$$(ls -t $(DIST)/hms_*_amd64.deb | head -n1)" "$(VERSION)"

## clean: remove what the build made (not the demo database).
clean:
	rm -f $(BIN) $(BIN).exe HMS.tar.xz .FyneApp.toml.keep
	rm -rf $(DIST)
	$(GO) clean -testcache
