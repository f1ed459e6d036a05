// Test registration and the per-test derived values.
#include "registry.hpp"

#include <algorithm>
#include <regex>

#include "base/version.hpp"

namespace ktstr {

TopologySpec::TopologySpec(const char* s) : text(s) {}

namespace detail {

namespace {

// Function-local static: registration runs during static initialization of
// other translation units, whose order is unspecified.
std::vector<RegisteredTest>& registry() {
  static std::vector<RegisteredTest> tests;
  return tests;
}

}  // namespace

bool register_test(const char* name, const char* file, int line, TestAttrs attrs, Body body) {
  registry().push_back({.id = name, .file = file, .line = line, .attrs = std::move(attrs), .body = body});
  return true;
}

const std::vector<RegisteredTest>& registered_tests() { return registry(); }

const RegisteredTest* find_test(std::string_view id) {
  for (const auto& t : registry())
    if (t.id == id) return &t;
  return nullptr;
}

Result<Topology> topology_of(const RegisteredTest& t) {
  const auto& s = t.attrs.topology;
  std::string text = s.text.empty() ? fmt::format("{}n{}l{}c{}t", s.nodes, s.llcs, s.cores, s.threads) : s.text;
  return with_context(Topology::parse(text), fmt::format("test {} ({}:{})", t.id, t.file, t.line));
}

int attach_timeout_of(const RegisteredTest& t) {
  if (t.attrs.attach_timeout_s > 0) return t.attrs.attach_timeout_s;
  return t.attrs.scheduler ? std::max(t.attrs.scheduler->attach_timeout_s, 0) : 0;
}

int timeout_of(const RegisteredTest& t) {
  if (t.attrs.timeout_s > 0) return t.attrs.timeout_s;
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(t.attrs.duration).count();
  const auto& b = t.attrs.baseline;
  // An A/B run plays every scenario twice; a sched_ext baseline attaches with
  // the same attach timeout as the scheduler under test.
  constexpr int kDefaultAttachS = 30;  // the guest's default (lib/guest/guest_args.hpp)
  int attach_extra = std::max(attach_timeout_of(t) - kDefaultAttachS, 0);
  int base = b.declared() ? 180 + 6 * static_cast<int>(secs) : 120 + 3 * static_cast<int>(secs);
  return base + (b.scheduler ? 2 : 1) * attach_extra;
}

std::string baseline_name(const Baseline& b) {
  if (!b.scheduler) return b.name;
  return b.scheduler->name.empty() ? b.scheduler->binary : b.scheduler->name;
}

std::vector<std::string> guest_args_of(const RegisteredTest& t, const Topology& topo) {
  std::vector<std::string> a = {"--test", t.id, "--topology", topo.str(), "--duration",
                                fmt::format("{}ms", t.attrs.duration.count())};
  if (const auto* s = t.attrs.scheduler) {
    a.insert(a.end(), {"--scheduler", "/bin/" + s->binary});
    std::vector<std::string> args = s->args;
    args.insert(args.end(), t.attrs.sched_args.begin(), t.attrs.sched_args.end());
    // --sched-arg=VALUE keeps CLI11 from reading "-l" as an option of its own.
    for (const auto& arg : args) a.push_back("--sched-arg=" + arg);
    if (int attach = attach_timeout_of(t); attach > 0) a.insert(a.end(), {"--enable-timeout", fmt::format("{}s", attach)});
  }
  if (const auto& b = t.attrs.baseline; b.declared()) {
    a.insert(a.end(), {"--baseline", b.scheduler ? "/bin/" + b.scheduler->binary : b.name});
    if (b.scheduler)
      for (const auto& arg : b.scheduler->args) a.push_back("--baseline-arg=" + arg);
  }
  return a;
}

Result<nlohmann::json> listing_entry(const RegisteredTest& t) {
  static const std::regex kName("^[A-Za-z0-9_]+$");
  if (!std::regex_match(t.id, kName)) return fail("test name '{}' ({}:{}): use [A-Za-z0-9_] only", t.id, t.file, t.line);
  Topology topo = KTSTR_TRY(topology_of(t));
  const auto* s = t.attrs.scheduler;
  std::string sched = s ? (s->name.empty() ? s->binary : s->name) : "eevdf";
  std::vector<std::string> labels = {"ktstr", sched, topo.str()};
  labels.insert(labels.end(), t.attrs.labels.begin(), t.attrs.labels.end());
  if (!t.attrs.expect_fail.empty()) labels.push_back("will_fail");
  if (const auto& b = t.attrs.baseline; !b.scheduler && !b.name.empty() && b.name != "eevdf")
    return fail("test {} ({}:{}): baseline '{}': use \"eevdf\" or the address of a declared scheduler (&decl)", t.id,
                t.file, t.line, b.name);
  try {
    (void)std::regex(t.attrs.expect_fail);
  } catch (const std::regex_error& e) {
    return fail("test {}: expect_fail '{}' is not a regex: {}", t.id, t.attrs.expect_fail, e.what());
  }
  return nlohmann::json{
      {"id", t.id},
      {"topology", topo.str()},
      {"vcpus", topo.vcpus()},
      {"memory_mib", t.attrs.memory_mib},
      {"timeout_s", timeout_of(t)},
      {"duration_ms", t.attrs.duration.count()},
      {"scheduler", sched},
      {"scheduler_binary", s ? s->binary : ""},
      {"baseline", baseline_name(t.attrs.baseline)},
      {"guest_args", guest_args_of(t, topo)},
      {"thresholds", {{"scheduler", s ? s->thresholds : ThresholdSet::object()}, {"test", t.attrs.thresholds}}},
      {"labels", labels},
      {"file", t.file},
      {"line", t.line},
      {"gauntlet", t.attrs.gauntlet},
      {"expect_fail", t.attrs.expect_fail},
      {"attach_timeout_s", attach_timeout_of(t)},
      {"ktstr_version", ktstr_version()},
  };
}

}  // namespace detail
}  // namespace ktstr
