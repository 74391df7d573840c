# HMS desktop: build, run, test and package.
#
#   make run       install what is missing, build, open the app
#   make demo      open the app on a demo database (credentials are printed)
#   make test      go vet and staticcheck, then every test with -race (the layout test too)
#   make test-deps the PostgreSQL server programs and poppler-utils the tests use (Debian/Ubuntu)
#   make lint      go vet and staticcheck alone
#   make crossvet  go vet for macOS and Windows of the packages without cgo
#   make bench     benchmarks on the scaled demo database
#   make soak      the seeded sync simulation over many seeds (needs HMS_TEST_PG)
#   make package   a Linux package with `fyne package`
#   make deb       the Debian package dist/hms_VERSION_amd64.deb, checked
#   make windows   the Windows build and installer (mingw-w64, NSIS) in dist/
#   make release VERSION=x.y.z   every package of a release, SHA256SUMS,
#                  and the signed update manifest when a release key is set
#   make sign      Authenticode-sign the Windows files when SIGN_PFX is set
#   make release-test   the Windows installer under Wine, the .deb, signing
#                  (slow: not part of make test; README.md says when to run it)
#   make macos     on a Mac: the universal HMS.app in dist/HMS-VERSION.dmg
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
.PHONY: linux tarball windows release release-check sign sign-test release-test macos crossvet

# Release builds go to dist/: stripped, with the version and the update
# key stamped in.
DIST          := dist
# The release key's public half (base64), built into HMS for update checks;
# derived from UPDATE_SIGNING_KEY (the private half's file, kept outside the
# repository) when not given. Without either, the build's update checks are
# off and say so.
UPDATE_SIGNING_KEY ?=
ifeq ($(UPDATE_PUBLIC_KEY),)
ifneq ($(UPDATE_SIGNING_KEY),)
UPDATE_PUBLIC_KEY := $(shell $(GO) run ./packaging/updatesign public "$(UPDATE_SIGNING_KEY)")
endif
endif
export UPDATE_PUBLIC_KEY
RELEASE_LDFLAGS = -s -w -X main.version=$(VERSION) -X main.updateKey=$(UPDATE_PUBLIC_KEY)

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

## crossvet: the packages that build without cgo (the domain, the command
## line, the sync server's client, the release tools) type-check for macOS
## and Windows: code with a Linux-only path fails here. The rest need cgo
## (SQLite, Fyne's window) and are built for Windows by make windows.
CROSS_PKGS    := ./app/... ./ui/cli/... ./data/sync/hlc/ ./data/sync/server/... ./packaging/...
crossvet:
	GOOS=darwin CGO_ENABLED=0 $(GO) vet -tags $(TAGS) $(CROSS_PKGS)
	GOOS=windows CGO_ENABLED=0 $(GO) vet -tags $(TAGS) $(CROSS_PKGS)

## test: vet and staticcheck (for macOS and Windows too), then every test
## with the race detector.
## The sync tests use the PostgreSQL server HMS_TEST_PG names or, without
## it, a throwaway server of their own when the PostgreSQL server programs
## are installed (make test-deps); a test that could use neither skips, and
## the run ends with one line saying so.
SKIPS_FILE    := $(or $(TMPDIR),/tmp)/hms-test-skips-$(shell id -u)
test: deps lint crossvet
	@rm -f $(SKIPS_FILE)
	@HMS_TEST_SKIPS=$(SKIPS_FILE) $(GO) test -race -tags $(TAGS) -count=1 -timeout 40m ./...; status=$$?; \
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

## soak: the seeded sync simulation (SYNC.md, tests) over SOAK_SEEDS seeds
## from SOAK_FROM, against the PostgreSQL server HMS_TEST_PG names. A failing
## seed is named, with the command that runs it alone (HMS_SIM_SEED=n).
SOAK_SEEDS    ?= 200
SOAK_FROM     ?= 1
soak:
	@[ -n "$$HMS_TEST_PG" ] || { echo "Set HMS_TEST_PG to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable (see SYNC.md)." >&2; exit 1; }
	HMS_SOAK_SEEDS=$(SOAK_SEEDS) HMS_SOAK_FROM=$(SOAK_FROM) $(GO) test -tags $(TAGS) -count=1 -run '^TestSyncSimulation$$' -timeout 12h ./data/sync/

## package: a Linux package (HMS.tar.xz) from FyneApp.toml's metadata.
# fyne package bumps Build in FyneApp.toml; the file is put back afterwards
# so packaging leaves the tree clean.
package: deps
	cp FyneApp.toml .FyneApp.toml.keep
	$(FYNE) package --target linux --tags $(TAGS) --release --icon assets/icon.png; \
		status=$$?; mv .FyneApp.toml.keep FyneApp.toml; exit $$status

## linux: the stripped Linux build the .deb and the tarball hold.
linux: deps
	$(GO) build -tags $(TAGS) -ldflags "$(RELEASE_LDFLAGS)" -o $(DIST)/linux/hms .

## deb: the Debian package $(DIST)/hms_$(VERSION)_amd64.deb (packaging/linux),
## then its checks (lintian, Depends, dpkg-deb -x, hms version).
deb: linux
	packaging/linux/mkdeb.sh "$(VERSION)" $(DIST)/linux/hms $(DIST)
	$(MAKE) --no-print-directory deb-check

## deb-check: the checks of the Debian package already built in $(DIST).
deb-check:
	packaging/linux/checkdeb.sh "$$(ls -t $(DIST)/hms_*_amd64.deb | head -n1)" "$(VERSION)"

## tarball: $(DIST)/hms-$(VERSION)-linux-amd64.tar.xz, for Linux without dpkg.
tarball: linux
	packaging/linux/mktar.sh "$(VERSION)" $(DIST)/linux/hms $(DIST)

## windows: $(DIST)/windows/hms.exe (icon and version in its properties) and
## the installer $(DIST)/HMS-Setup-$(VERSION).exe, cross-built with mingw-w64
## and NSIS; both signed when SIGN_PFX is set (make sign).
windows:
	GO="$(GO)" packaging/windows/mkwin.sh "$(VERSION)" $(DIST) "$(RELEASE_LDFLAGS)"

## sign: sign the Windows files in $(DIST) with the certificate SIGN_PFX
## (osslsigncode; see README.md); without one, say they are unsigned.
sign:
	packaging/windows/sign.sh $(DIST)/windows/hms.exe $(DIST)/HMS-Setup-$(VERSION).exe

## sign-test: make sign's signing with a throw-away self-signed certificate,
## checked with osslsigncode verify.
sign-test:
	packaging/windows/sign-test.sh $(DIST)/HMS-Setup-$(VERSION).exe

## release-check: what a release needs before anything is built: VERSION
## given as x.y.z, its section in CHANGELOG.md, a committed tree.
release-check:
	@echo "$(VERSION)" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+$$' || \
		{ echo "make release: give the version as x.y.z: make release VERSION=1.2.3" >&2; exit 1; }
	@grep -Eq '^## \[?$(subst .,\.,$(VERSION))\]?( |$$)' CHANGELOG.md || \
		{ echo "make release: CHANGELOG.md has no section for $(VERSION) (a line '## [$(VERSION)] - date'); write it first" >&2; exit 1; }
	@[ -z "$$(git status --porcelain 2>/dev/null)" ] || \
		{ echo "make release: the tree has uncommitted changes; a release is built from a commit" >&2; git status --short >&2; exit 1; }

## release: every package of VERSION in $(DIST): the Windows installer, the
## .deb, the tarball, SHA256SUMS, and hms-update.json signed with
## UPDATE_SIGNING_KEY when it is set. The tree is left as it was.
release: release-check
	rm -rf $(DIST)
	$(MAKE) --no-print-directory deb tarball windows VERSION=$(VERSION)
	cd $(DIST) && sha256sum HMS-Setup-$(VERSION).exe hms_$(VERSION)_amd64.deb hms-$(VERSION)-linux-amd64.tar.xz >SHA256SUMS
	@if [ -n "$(UPDATE_SIGNING_KEY)" ]; then \
		notes=$$(mktemp); \
		awk '/^## /{if(p)exit} /^## \[?$(subst .,\.,$(VERSION))\]?( |$$)/{p=1;next} p' CHANGELOG.md >"$$notes"; \
		$(GO) run ./packaging/updatesign manifest -key "$(UPDATE_SIGNING_KEY)" -version $(VERSION) -notes "$$notes" \
			-out $(DIST)/hms-update.json $(DIST)/HMS-Setup-$(VERSION).exe:windows/amd64 $(DIST)/hms_$(VERSION)_amd64.deb:linux/amd64; \
		status=$$?; rm -f "$$notes"; [ $$status -eq 0 ] || exit $$status; \
		echo "Signed the update manifest $(DIST)/hms-update.json"; \
	else \
		echo "No UPDATE_SIGNING_KEY: no update manifest, and this build's update checks are off."; \
	fi
	@[ -z "$$(git status --porcelain)" ] || { echo "make release: the build changed the tree:" >&2; git status --short >&2; exit 1; }
	@[ -n "$$SIGN_PFX" ] || echo "No SIGN_PFX: the Windows files are UNSIGNED."
	@echo "Release $(VERSION):"; cd $(DIST) && cat SHA256SUMS

## release-test: the Windows build and installer tried under Wine (install,
## the installed hms.exe's commands, the login window, uninstall), the .deb's
## checks, and signing with a test certificate. Slow; see README.md.
release-test: windows deb
	$(MAKE) --no-print-directory sign-test VERSION=$(VERSION)
	packaging/windows/release-test.sh "$(VERSION)" $(DIST)

## macos: on a Mac, the universal HMS.app (arm64 and amd64) in
## $(DIST)/HMS-$(VERSION).dmg; see README.md for signing and notarisation.
macos: deps
	packaging/macos/mkdmg.sh "$(VERSION)" $(DIST) "$(RELEASE_LDFLAGS)"

## clean: remove what the build made (not the demo database).
clean:
	rm -f $(BIN) $(BIN).exe HMS.tar.xz .FyneApp.toml.keep
	rm -rf $(DIST)
	$(GO) clean -testcache
