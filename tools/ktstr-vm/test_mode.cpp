// ktstr-vm --test (see test_mode.hpp). The order: boot and collect, build the
// run record, finalize (judge + sidecar + text), apply --expect-fail.
#include "tools/ktstr-vm/test_mode.hpp"

#include <chrono>
#include <fstream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/telemetry.hpp"
#include "base/version.hpp"
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
          .infra_error = infra,
          .monitor = o.monitor};
}

// The run's clocks as the host saw them (verdict_s: VM gone -> now).
v::RunClock run_clock(const VmOutcome& o, double vm_gone_s, double now_s) {
  return {.prepare_s = o.prepare_seconds,
          .first_frame_s = o.boot_seconds,
          .exit_frame_s = o.exit_seconds,
          .wall_s = o.wall_seconds,
          .verdict_s = now_s - vm_gone_s,
          .hello_uptime_s = o.hello_uptime_seconds};
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

v::RunEnd launch_error(const std::string& message) {
  return {.kind = v::RunEnd::Kind::kNoVerdict, .exit_code = report_failure("ktstr-vm", message, kExitInfra),
          .reason = message};
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
  auto* test = app.add_option("--test", opt.test,
                              "CTest mode: judge the run as this test variant (report, sidecar, measurements)");
  app.add_option("--thresholds", opt.thresholds_json, "with --test: JSON {\"scheduler\": {...}, \"test\": {...}}");
  app.add_option("--expect-fail", opt.expect_fail,
                 "with --test: exit 0 only when the verdict fails with a violation matching this regex; any other "
                 "end (pass, skip, infrastructure, another failure) fails with one line saying what happened")
      ->needs(test);
  app.add_option("--build-dir", opt.build_dir, "with --test: sidecars go under DIR/ktstr (default: current dir)");
  app.add_flag("-v,--verbose", opt.verbose,
               "with --test: the full report and where the time went (phases) for passing runs too (also "
               "KTSTR_VERBOSE=1)");
  app.add_option("--adapter-version", opt.adapter_version,
                 "with --test: the ktstr version the test executable was built with; a different ktstr-vm refuses");
  app.add_option("--commit", opt.project_commit,
                 "with --test: the commit sidecars are grouped under (default: $KTSTR_COMMIT, else the git HEAD of the "
                 "test's source, else 'local')");
}

void recover_expect_fail(const CLI::App& app, TestModeOptions& opt) {
  if (!opt.expect_fail.empty()) return;
  const CLI::Option* o = app.get_option_no_throw("--expect-fail");
  if (o && !o->results().empty()) opt.expect_fail = o->results().back();
}

int conclude(const v::RunEnd& end, const TestModeOptions& opt) {
  if (opt.expect_fail.empty()) return end.exit_code;
  auto r = v::apply_expectation(end, opt.expect_fail);
  fmt::print(stderr, "ktstr-vm: {}\n", r.line);
  return r.exit_code;
}

namespace {

// The channel's frames: telemetry kept (or why not), the rest printed.
void take_frame(Collected& got, proto::MsgType type, std::string_view payload) {
  if (type != proto::MsgType::kTelemetry) return print_guest_output(type, payload, OutputRoute::kAllToStderr);
  auto j = nlohmann::json::parse(payload, nullptr, false);
  if (j.is_discarded()) {
    got.telemetry_error = "guest telemetry is not valid JSON";
    return;
  }
  try {
    got.telemetry = j.get<RunTelemetry>();
  } catch (const nlohmann::json::exception& e) {
    got.telemetry_error = fmt::format("guest telemetry does not fit the schema: {}", e.what());
  }
}

bool verbose_requested(const TestModeOptions& opt) {
  const char* env = std::getenv("KTSTR_VERBOSE");
  return opt.verbose || (env && std::string_view(env) == "1");
}

// Everything known about the finished run, for the verdict library.
v::RunRecord make_record(const VmConfig& cfg, const TestModeOptions& opt, const VmOutcome& o, Collected got,
                         const std::pair<v::Thresholds, v::Thresholds>& layers, double total) {
  const double vm_gone = o.prepare_seconds + o.wall_seconds;
  return {
      .build_dir = opt.build_dir,
      .test = opt.test,
      .variant = opt.test,
      .topology = cfg.topology.str(),
      .project_commit = !opt.project_commit.empty() ? opt.project_commit : verdict::project_commit(test_source_file()),
      .kernel = kernel_identity(cfg.kernel),
      .scheduler = scheduler_identity(cfg.guest_args),
      .scheduler_thresholds = layers.first,
      .test_thresholds = layers.second,
      .facts = vm_facts(o, got),
      .telemetry = got.telemetry.value_or(RunTelemetry{.test = opt.test}),
      .timings = {.boot_s = o.boot_seconds, .run_s = got.telemetry ? got.telemetry->duration_ns / 1e9 : 0,
                  .total_s = total},
      .clock = run_clock(o, vm_gone, total),
      .console_log = o.console_log_path,
      .console_tail = fmt::format("{}", fmt::join(o.console_tail, "\n")),
      .rerun_command = rerun_command(cfg, opt),
      .verbose = verbose_requested(opt),
  };
}

// ATTACHED_FILES_ON_FAIL names <out-dir>/sidecar.json and timeline.svg:
// link them to the sidecar and its picture.
void link_attachments(const VmConfig& cfg, const v::Finalized& fin) {
  if (cfg.out_dir.empty() || fin.sidecar.empty()) return;
  for (const auto& [name, target] : {std::pair{"sidecar.json", fin.sidecar}, std::pair{"timeline.svg", fin.timeline.svg}}) {
    std::error_code ec;
    fs::remove(cfg.out_dir / name, ec);
    fs::create_symlink(fs::absolute(target), cfg.out_dir / name, ec);
  }
}

}  // namespace

v::RunEnd run_test_mode(const VmConfig& cfg, const TestModeOptions& opt) {
  if (auto skew = version_skew(opt.adapter_version, ktstr_version()); !skew.empty()) return launch_error(skew);
  auto layers = parse_layers(opt.thresholds_json);
  if (!layers) return launch_error(layers.error().message);

  Collected got;
  const auto start = std::chrono::steady_clock::now();
  auto outcome = run_vm(cfg, [&](proto::MsgType t, std::string_view p) { take_frame(got, t, p); });
  if (!outcome) return launch_error(outcome.error().message);
  const double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  v::Finalized fin = v::finalize_run(make_record(cfg, opt, *outcome, std::move(got), *layers, total));
  fmt::print(stderr, "{}", fin.text);
  link_attachments(cfg, fin);
  return {.kind = v::RunEnd::Kind::kVerdict, .exit_code = fin.exit_code, .failures = v::fail_lines(fin.verdict),
          .reason = v::infra_lines(fin.verdict)};
}

}  // namespace ktstr::vmm
