# Consulta — the two commands a new user needs are `make run` and `make test`.
# Everything else here is a step of those two.

BUILD      ?= build
TESTBUILD  ?= build-test
DB         ?= var/consulta.db
LISTEN     ?= 127.0.0.1:8080
DEMO_SECRETARIAT ?= secretariat@gca-demo.example
# The demo's mail: from this address (its Message-IDs in its domain), written to MAIL_DIR/new/*.eml (a Maildir
# any mail client opens) instead of being sent: nothing leaves the machine.
DEMO_MAIL_FROM   ?= consultation@gca-demo.example
MAIL_DIR         ?= var/mail

.PHONY: all setup setup-run build run test bench bench-large bench-scale clean format

all: build

# What building and running need (make run), and everything (make test, bench, CI).
setup-run:
	@scripts/setup.sh run

setup:
	@scripts/setup.sh test

# A user's build: optimized, no unit tests (no cmocka needed), and warnings are not errors, so that
# a newer compiler's new warning does not stop `make run`. make test and CI use -Dwerror=true.
$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release -Dunit_tests=false

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

run: setup-run build
	@mkdir -p var $(dir $(DB))
	$(BUILD)/consulta --db sqlite:$(DB) init
	@# The demo secretariat, with a random password kept in var/ (mode 600); made
	@# again with the same password if the database was made anew. Made before the
	@# demo, which lets this account answer the sample comments.
	@if [ ! -s var/demo-secretariat.txt ]; then \
		(umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=\n' | cut -c1-20 > var/demo-secretariat.txt); \
	fi
	@$(BUILD)/consulta --db sqlite:$(DB) user add --role secretariat --email $(DEMO_SECRETARIAT) \
		--name "Demo secretariat" --password-stdin < var/demo-secretariat.txt >/dev/null 2>&1 || true
	$(BUILD)/consulta --db sqlite:$(DB) --public-url http://$(LISTEN) --mail-from $(DEMO_MAIL_FROM) demo --live --contributions
	@echo
	@echo "Consulta is serving the demo: open http://$(LISTEN)/ in a browser (Ctrl-C stops it)."
	@echo "Secretariat login: $(DEMO_SECRETARIAT), password $$(cat var/demo-secretariat.txt)"
	@echo "Mail is not sent: each mail is written to $(MAIL_DIR)/new/ as an .eml file (open it with any mail"
	@echo "client, or run: mutt -f $(MAIL_DIR)); the back office's Outbox lists it too."
	@echo
	@# exec: the server takes the recipe's shell's place, so that a signal sent to it (or Ctrl-C) stops
	@# the server itself, which exits 0 after a clean stop, and make with it.
	exec $(BUILD)/consulta --db sqlite:$(DB) --public-url http://$(LISTEN) --mail-from $(DEMO_MAIL_FROM) \
		serve --listen $(LISTEN) --mail-dir $(MAIL_DIR)

$(TESTBUILD)/build.ninja:
	meson setup $(TESTBUILD) --buildtype=debug -Dwerror=true -Db_sanitize=address,undefined -Db_lundef=false

test: setup $(TESTBUILD)/build.ninja
	ninja -C $(TESTBUILD)
	@scripts/run-tests.sh $(TESTBUILD)

bench: setup build
	bench/version-page.sh $(BUILD)

bench-large: setup build
	BENCH_ROUNDS=3 bench/large-version.sh $(BUILD)

# Issue 11's figures side by side: the write path against raw SQLite, a burst of 75,000, a docket
# ingested, clustered and read against nginx, peak RSS. SCALE=1m by default; SCALE=21.7m for the FCC's size.
bench-scale: setup build
	bench/scale.sh $(BUILD)

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c')

clean:
	rm -rf $(BUILD) $(TESTBUILD)
