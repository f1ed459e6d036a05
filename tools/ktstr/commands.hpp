// Command groups of the `ktstr` CLI. Each group lives in its own
// <group>_cmd.cpp and registers its subcommands on the root app; main.cpp
// calls every add_*_commands once. Handlers return Result; main prints errors.
#pragma once

#include <CLI/CLI.hpp>

#include "base/error.hpp"

namespace ktstr::cli {

// Outcome of a command handler: an exit code, or an error main prints.
using CommandResult = Result<int>;

// Where a handler leaves its outcome for main (CLI11 callbacks return void).
CommandResult& command_result();

// `ktstr kernel build|plan|list|clean|path`.
void add_kernel_commands(CLI::App& app);

// `ktstr topo list` (gauntlet presets).
void add_topo_commands(CLI::App& app);

// `ktstr initramfs --out FILE BIN... [--file SRC:DST]...` (initramfs/).
void add_initramfs_commands(CLI::App& app);

// `ktstr run -- PROGRAM [ARGS]` and `ktstr shell` (payload mode, tools/ktstr/payload_*.cpp).
void add_run_commands(CLI::App& app);

// `ktstr replay SIDECAR [--set check=value ...] [--verbose]` (lib/host/verdict).
void add_replay_commands(CLI::App& app);

// `ktstr stats list [DIR]` and `ktstr stats compare A B [--abs ..] [--rel ..]` (lib/host/verdict).
void add_stats_commands(CLI::App& app);

// `ktstr show SIDECAR [--svg OUT] [--trace OUT] [--html OUT]` (timeline of a recorded run).
void add_show_commands(CLI::App& app);

// `ktstr resources [--out FILE] [--cpus N]` (CTest resource spec, lib/host/ci).
void add_resources_commands(CLI::App& app);

// `ktstr shard --count K --index I [--test-dir B] [-L/-R/-E]` (lib/host/ci).
void add_shard_commands(CLI::App& app);

}  // namespace ktstr::cli
