// ktstr-vm --test (see test_mode.hpp). The order: boot and collect, build the
// run record, finalize (judge + sidecar + text), apply --expect-fail.
#include "tools/ktstr-vm/test_mode.hpp"

#include <chrono>
#include <fstream>
#include <optional>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/telemetry.hpp"
#include "host/verdict/finalize.hpp"
#include "vmm/guest_output.hpp"

namespace ktstr::vmm {

namespace {

namespace v = ktstr::verdict;
namespace fs = std::filesystem;

// What the channel delivered.
struct Collected {
  std::optional<RunTelemetry> telemetry;
  std::string telemetry_error;
};

// Kernel identity from the cache entry's manifest.json next to the bzImage
// (lib/host/kernel/manifest.hpp); an external kernel keeps its dir name.
v::KernelIdentity kernel_identity(const fs::path& bzimage) {
  fs::path dir = bzimage.parent_path();
  v::KernelIdentity id{.key = dir.filename().string(), .version = ""};
  std::ifstream in(dir / "manifest.json");
  if (!in) return id;
  auto j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_object()) {
    id.key = j.value("key", id.key);
    id.version = j.value("version", std::string());
  }
  return id;
}

// Scheduler identity from the guest run arguments (--scheduler, --sched-arg=).
v::SchedulerIdentity scheduler_identity(const std::vector<std::string>& guest_args) {
  v::SchedulerIdentity s;
  for (size_t i = 0; i < guest_args.size(); ++i) {
    const auto& a = guest_args[i];
    if (a == "--scheduler" && i + 1 < guest_args.size()) {
      s.binary = guest_args[i + 1];
      s.name = fs::path(s.binary).filename().string();
    } else if (a.starts_with("--sched-arg=")) {
      s.args.push_back(a.substr(12));
    }
  }
  return s;
}

Result<std::pair<v::Thresholds, v::Thresholds>> parse_layers(const std::string& text) {
  if (text.empty()) return std::pair<v::Thresholds, v::Thresholds>{};
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return fail("--thresholds: not a JSON object: {}", text);
  try {
    return std::pair{j.value("scheduler", nlohmann::json::object()).get<v::Thresholds>(),
                     j.value("test", nlohmann::json::object()).get<v::Thresholds>()};
  } catch (const std::exception& e) {
    return fail("--thresholds {}: {}", text, e.what());
  }
}

// What the host saw of the VM, for the verdict. The infrastructure error, if
// any: a corrupt channel, else a run the host stopped or that ended without
// the guest's exit frame, else telemetry that did not parse.
v::VmFacts vm_facts(const VmOutcome& o, const Collected& got) {
  using Kind = VmOutcome::Kind;
  std::string infra = got.telemetry_error;
  if (o.kind == Kind::kInterrupted || o.kind == Kind::kNoExitFrame) infra = o.describe();
  if (!o.channel_error.empty()) infra = o.channel_error;
  return {.panic = o.kind == Kind::kPanic,
          .timeout = o.kind == Kind::kTimeout,
          .guest_exit_code = o.kind == Kind::kExited ? std::optional(o.guest_exit_code) : std::nullopt,
          .no_result = !got.telemetry,
          .infra_error = infra};
}

std::string rerun_command(const VmConfig& cfg, const TestModeOptions& opt) {
  std::string cmd = fmt::format("ktstr-vm --kernel {} --initramfs {} --topology {} --test {}", cfg.kernel.string(),
                                cfg.initramfs.empty() ? "" : cfg.initramfs.front().string(), cfg.topology.str(),
                                opt.test);
  if (!opt.thresholds_json.empty()) cmd += fmt::format(" --thresholds '{}'", opt.thresholds_json);
  cmd += " --";
  for (const auto& a : cfg.guest_args) cmd += " " + a;
  return cmd;
}

}  // namespace

int expected_failure_exit(int verdict_exit, const std::string& violations, const std::string& regex, std::string& why) {
  if (verdict_exit == kExitSkip) return kExitSkip;
  if (verdict_exit == kExitPass) {
    why = fmt::format("expected failure matching '{}' did not happen: the run passed", regex);
    return 0;
  }
  if (verdict_exit != kExitFail) {
    why = fmt::format("expected failure matching '{}' not established: infrastructure outcome (exit {})", regex,
                      verdict_exit);
    return 0;
  }
  if (std::regex_search(violations, std::regex(regex))) {
    why = fmt::format("failed as expected (matches '{}')", regex);
    return 1;
  }
  why = fmt::format("failed, but not for the expected reason '{}'", regex);
  return 0;
}

// The test's source file, from KTSTR_TEST_SOURCE ("FILE:LINE", set on every
// discovered CTest entry); empty when unset.
static std::filesystem::path test_source_file() {
  const char* s = std::getenv("KTSTR_TEST_SOURCE");
  if (!s || !*s) return {};
  std::string v = s;
  const auto colon = v.rfind(':');
  return colon == std::string::npos ? v : v.substr(0, colon);
}

void add_test_mode_options(CLI::App& app, TestModeOptions& opt) {
  app.add_option("--test", opt.test, "CTest mode: judge the run as this test variant (report, sidecar, measurements)");
  app.add_option("--thresholds", opt.thresholds_json, "with --test: JSON {\"scheduler\": {...}, \"test\": {...}}");
  app.add_option("--expect-fail", opt.expect_fail,
                 "with --test: the run must fail with a violation matching this regex (CTest WILL_FAIL)");
  app.add_option("--build-dir", opt.build_dir, "with --test: sidecars go under DIR/ktstr (default: current dir)");
  app.add_option("--commit", opt.project_commit,
                 "with --test: the commit sidecars are grouped under (default: $KTSTR_COMMIT, else the git HEAD of the "
                 "test's source, else 'local')");
}

int run_test_mode(const VmConfig& cfg, const TestModeOptions& opt) {
  auto layers = parse_layers(opt.thresholds_json);
  if (!layers) return report_failure("ktstr-vm", layers.error().message, kExitInfra);

  Collected got;
  auto sink = [&](proto::MsgType type, std::string_view payload) {
    switch (type) {
      case proto::MsgType::kTelemetry: {
        auto j = nlohmann::json::parse(payload, nullptr, false);
        if (j.is_discarded()) got.telemetry_error = "guest telemetry is not valid JSON";
        else got.telemetry = j.get<RunTelemetry>();
        break;
      }
      default: print_guest_output(type, payload, OutputRoute::kAllToStderr); break;
    }
  };
  const auto start = std::chrono::steady_clock::now();
  auto outcome = run_vm(cfg, sink);
  if (!outcome) return report_failure("ktstr-vm", outcome.error().message, kExitInfra);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  v::RunRecord rec{
      .build_dir = opt.build_dir,
      .test = opt.test,
      .variant = opt.test,
      .topology = cfg.topology.str(),
      .project_commit = !opt.project_commit.empty() ? opt.project_commit : verdict::project_commit(test_source_file()),
      .kernel = kernel_identity(cfg.kernel),
      .scheduler = scheduler_identity(cfg.guest_args),
      .scheduler_thresholds = layers->first,
      .test_thresholds = layers->second,
      .facts = vm_facts(*outcome, got),
      .telemetry = got.telemetry.value_or(RunTelemetry{.test = opt.test}),
      .timings = {.boot_s = outcome->boot_seconds, .run_s = got.telemetry ? got.telemetry->duration_ns / 1e9 : 0,
                  .total_s = total},
      .console_log = outcome->console_log_path,
      .console_tail = fmt::format("{}", fmt::join(outcome->console_tail, "\n")),
      .rerun_command = rerun_command(cfg, opt),
  };
  v::Finalized fin = v::finalize_run(rec);
  fmt::print(stderr, "{}", fin.text);
  // ATTACHED_FILES_ON_FAIL names <out-dir>/sidecar.json and timeline.svg:
  // link them to the sidecar and its picture.
  if (!cfg.out_dir.empty() && !fin.sidecar.empty()) {
    for (const auto& [name, target] : {std::pair{"sidecar.json", fin.sidecar}, std::pair{"timeline.svg", fin.timeline.svg}}) {
      std::error_code ec;
      fs::remove(cfg.out_dir / name, ec);
      fs::create_symlink(fs::absolute(target), cfg.out_dir / name, ec);
    }
  }
  if (opt.expect_fail.empty()) return fin.exit_code;

  std::string lines;
  for (const auto& viol : fin.verdict.violations) lines += v::format_violation(viol) + "\n";
  std::string why;
  int code = expected_failure_exit(fin.exit_code, lines, opt.expect_fail, why);
  fmt::print(stderr, "ktstr-vm: {}\n", why);
  return code;
}

}  // namespace ktstr::vmm
