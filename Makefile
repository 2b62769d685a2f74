# The two commands of the quick start, plus what they need. `make up` and `make test` install the Debian
# packages gfs links against (Intel ISA-L for CRC32C, GNU readline for the shell) when they are missing.
SHELL := /bin/bash
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)
PORT ?= 7700

.PHONY: deps build up test completions manual

deps:
	@pkg-config --exists libisal 2>/dev/null && [ -e /usr/include/readline/readline.h ] || { \
		echo "installing libisal-dev (Intel ISA-L, for CRC32C) and libreadline-dev"; \
		$(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq libisal-dev libreadline-dev pkg-config; }

build: deps
	swift build -c release --product gfs

up: build
	.build/release/gfs up --port $(PORT)

# One test at a time: every end-to-end test runs its own cluster of processes, and on 2 cores tests run side
# by side only starve each other's deadlines. The ceiling turns any hang into a failure with a message.
# The failures are printed again at the end, so the last lines of a long log say what failed.
test: deps
	@mkdir -p .build
	@set -o pipefail; SWIFT_DETERMINISTIC_HASHING=1 timeout --kill-after=30s 30m swift test --no-parallel 2>&1 | tee .build/test.log \
		|| { status=$$?; echo "== failures =="; grep -B3 -A12 '✘' .build/test.log | tail -200; exit $$status; }

# Regenerates Completions/ and Man/gfs.1 from the command definitions (a test fails when they are stale).
completions:
	swift build --product gfs
	for shell in bash zsh fish; do .build/debug/gfs --generate-completion-script $$shell > Completions/gfs.$$shell; done
	mv Completions/gfs.zsh Completions/_gfs

# gfs(1) and one page per subcommand, named like git's: gfs-cat(1) for `gfs cat`.
manual:
	swift package plugin --allow-writing-to-package-directory generate-manual --multi-page --configuration debug
	rm -f Man/gfs.1 Man/gfs-*.1
	for page in .build/plugins/GenerateManual/outputs/gfs/gfs*.1; do \
		name=$$(basename $$page .1 | sed 's/^gfs\./gfs-/; s/\./-/g').1; \
		cp $$page Man/$$name; \
	done

# The deterministic simulation (Sources/GFSSimulation): SEEDS=N histories from SEED on, in a release build;
# SIM_SEED=S replays one seed and prints its history if it fails. Deterministic hashing makes a seed replay
# bit for bit (Swift seeds each dictionary's hashing by default).
.PHONY: sim
sim:
	SWIFT_DETERMINISTIC_HASHING=1 SIM_SEEDS=$(if $(SEEDS),$(SEEDS),100) SIM_FIRST=$(SEED) SIM_VERBOSE=$(SIM_VERBOSE) \
		swift test -c release --filter SimulationTests

# Seeded fault injection against real gfs processes on loopback (usage and checks: Examples/chaos/chaos.py).
# SEED=1 DURATION=60 (seconds of faults); SEEDS="1 2 3" runs those seeds in turn, SEEDS=5 runs five seeds
# from SEED on; GFS= picks the binary; CHAOS_FLAGS= passes more options (e.g. --no-master-faults -v).
# Fails if any run fails, naming the failing seeds.
SEED ?= 1
DURATION ?= 60
GFS ?= .build/debug/gfs
CHAOS_FLAGS ?=

.PHONY: chaos
chaos:
	@seeds="$(if $(SEEDS),$(SEEDS),$(SEED))"; \
	if [ -n "$(SEEDS)" ] && [[ "$$seeds" =~ ^[[:space:]]*[0-9]+[[:space:]]*$$ ]]; then seeds=$$(seq $(SEED) $$(( $(SEED) + $$seeds - 1 ))); fi; \
	failed=""; \
	for seed in $$seeds; do \
		python3 Examples/chaos/chaos.py --seed $$seed --duration $(DURATION) --binary $(GFS) $(CHAOS_FLAGS) || failed="$$failed $$seed"; \
	done; \
	if [ -n "$$failed" ]; then echo "chaos: failing seeds:$$failed"; exit 1; fi; \
	echo "chaos: all seeds passed:" $$seeds

# libFuzzer (Fuzz/): the frame decoder and both roles' request parsers (FuzzWire), and each role's
# dispatcher over its in-memory state (FuzzMaster, FuzzChunkServer), built with AddressSanitizer into
# .build-fuzz. FUZZ_SECONDS per target (default 30), or FUZZ_RUNS inputs each; new inputs that reach new
# code are kept in .build-fuzz/corpus/TARGET beside the seeds checked in under Fuzz/corpus/TARGET. A crash leaves
# its input in .build-fuzz/crashes (Swift's backtracer is off, or it would take the trap first and the input
# would be lost). Linked with lld (Fuzz/toolset.json): gold crashes on libFuzzer with SwiftPM.
FUZZ_TARGETS ?= FuzzWire FuzzMaster FuzzChunkServer
FUZZ_SECONDS ?= 30
FUZZ_RUNS ?= -1

.PHONY: fuzz
fuzz:
	@mkdir -p .build-fuzz/crashes
	@for target in $(FUZZ_TARGETS); do \
		GFS_FUZZ=1 swift build -c release --scratch-path .build-fuzz --toolset Fuzz/toolset.json -Xswiftc -sanitize=fuzzer,address \
			--product $$target || exit 1; \
	done
	@for target in $(FUZZ_TARGETS); do \
		mkdir -p .build-fuzz/corpus/$$target; \
		echo "== $$target"; \
		SWIFT_BACKTRACE=enable=no .build-fuzz/release/$$target .build-fuzz/corpus/$$target Fuzz/corpus/$$target -max_len=4096 \
			-max_total_time=$(FUZZ_SECONDS) -runs=$(FUZZ_RUNS) -artifact_prefix=.build-fuzz/crashes/$$target- \
			-print_final_stats=1 2>&1 | grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' ; \
		test $${PIPESTATUS[0]} -eq 0 || exit 1; \
	done
