#include "host/verdict/compare.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "host/verdict/compare_candidate.hpp"
#include "host/verdict/run_stats.hpp"

namespace ktstr::verdict {

namespace {
// Defaults: relative gates sized for TCG run-to-run noise measured as a few
// percent on iteration rates; absolute floors so near-zero figures (a 2 ms
// gap becoming 4 ms) do not trip on their own.
constexpr MetricKind kKinds[] = {
    {"iter_rate", "iter/s", true, {1.0, 10.0}},
    {"spread_pp", "pp", false, {5.0, 25.0}},
    {"gap_ms", "ms", false, {100.0, 25.0}},
    {"p99_wake_us", "us", false, {100.0, 25.0}},
    {"migrations_per_cpu_s", "/cpu-s", false, {10.0, 25.0}},
};

const MetricKind* find_kind(std::string_view kind) {
  for (const auto& k : kKinds)
    if (kind == k.kind) return &k;
  return nullptr;
}

std::string variant_key(const Sidecar& s) {
  return s.variant.empty() ? s.test : s.variant;
}
}  // namespace

std::span<const MetricKind> metric_kinds() { return kKinds; }

Gate GateConfig::gate_for(const std::string& kind) const {
  const auto* k = find_kind(kind);
  Gate g = k ? k->default_gate : Gate{};
  if (abs_all) g.abs = *abs_all;
  if (rel_all) g.rel_pct = *rel_all;
  if (auto it = abs_by_kind.find(kind); it != abs_by_kind.end()) g.abs = it->second;
  if (auto it = rel_by_kind.find(kind); it != rel_by_kind.end()) g.rel_pct = it->second;
  return g;
}

Result<void> parse_gate_option(GateConfig& cfg, bool absolute, std::string_view spec) {
  auto opt = absolute ? "--abs" : "--rel";
  std::string_view kind, value = spec;
  if (auto eq = spec.find('='); eq != std::string_view::npos) kind = spec.substr(0, eq), value = spec.substr(eq + 1);
  double v = 0;
  auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || ptr != value.data() + value.size() || !std::isfinite(v) || v < 0)
    return fail("{} {}: expected a number >= 0 or KIND=NUMBER", opt, spec);
  if (kind.empty()) {
    (absolute ? cfg.abs_all : cfg.rel_all) = v;
    return {};
  }
  if (!find_kind(kind)) {
    std::string known;
    for (const auto& k : kKinds) known += known.empty() ? k.kind : fmt::format(", {}", k.kind);
    return fail("{} {}: unknown metric kind '{}' (known: {})", opt, spec, kind, known);
  }
  (absolute ? cfg.abs_by_kind : cfg.rel_by_kind)[std::string(kind)] = v;
  return {};
}

bool CompareResult::tripped() const {
  return !candidate_faults.empty() ||
         std::any_of(rows.begin(), rows.end(), [](const auto& r) { return r.status == RowStatus::kTripped; });
}

RowStatus judge_change(const MetricKind& kind, double a, double b, const Gate& gate) {
  double worse = kind.higher_is_better ? a - b : b - a;  // > 0 means a regression
  if (worse <= gate.abs) return RowStatus::kOk;
  if (a == 0) return RowStatus::kTripped;  // relative change undefined: absolute gate alone
  double worse_pct = 100.0 * worse / std::fabs(a);
  return worse_pct > gate.rel_pct ? RowStatus::kTripped : RowStatus::kOk;
}

CompareResult compare_runs(std::span<const Sidecar> a, std::span<const Sidecar> b, const GateConfig& cfg) {
  CompareResult out;
  std::map<std::string, const Sidecar*> by_a, by_b;
  for (const auto& s : a) by_a.emplace(variant_key(s), &s);  // first of duplicates wins
  for (const auto& s : b) by_b.emplace(variant_key(s), &s);
  for (const auto& [variant, sa] : by_a) {
    auto it = by_b.find(variant);
    if (auto fault = candidate_fault(*sa, it == by_b.end() ? nullptr : it->second))
      out.candidate_faults.push_back(fmt::format("{}: {}", variant, *fault));
    if (it == by_b.end()) {
      out.only_in_a.push_back(variant);
      continue;
    }
    auto ma = metrics_of(compute_stats(sa->telemetry));
    auto mb = metrics_of(compute_stats(it->second->telemetry));
    std::map<std::string, CompareRow> rows;
    for (const auto& m : ma) rows[m.name] = CompareRow{.variant = variant, .metric = m.name, .kind = m.kind, .a = m.value};
    for (const auto& m : mb) {
      auto& r = rows[m.name];
      r.variant = variant, r.metric = m.name, r.kind = m.kind, r.b = m.value;
    }
    for (auto& [name, r] : rows) {
      r.gate = cfg.gate_for(r.kind);
      if (!r.a || !r.b) {
        r.status = RowStatus::kMissing;
      } else {
        r.delta = *r.b - *r.a;
        if (*r.a != 0) r.delta_pct = 100.0 * *r.delta / std::fabs(*r.a);
        r.status = judge_change(*find_kind(r.kind), *r.a, *r.b, r.gate);
      }
      out.rows.push_back(std::move(r));
    }
  }
  for (const auto& [variant, sb] : by_b)
    if (!by_a.contains(variant)) out.only_in_b.push_back(variant);
  return out;
}

Result<std::vector<Sidecar>> load_runs(const std::filesystem::path& path) {
  std::vector<Sidecar> out;
  if (!std::filesystem::is_directory(path)) {
    out.push_back(KTSTR_TRY(read_sidecar(path)));
    return out;
  }
  for (const auto& file : KTSTR_TRY(find_sidecars(path)))
    if (auto s = read_sidecar(file)) out.push_back(std::move(*s));
  if (out.empty()) return fail("{}: no ktstr sidecars found", path.string());
  return out;
}

namespace {
std::string cell(const std::optional<double>& v, const char* suffix = "") {
  return v ? fmt::format("{:.2f}{}", *v, suffix) : std::string("n/a");
}
}  // namespace

std::string format_compare(const CompareResult& r) {
  struct Line { std::string c[7]; };
  std::vector<Line> lines{{{"variant", "metric", "A", "B", "delta", "delta %", "gate"}}};
  for (const auto& row : r.rows) {
    auto gate = fmt::format("{} (abs {:g}, rel {:g}%)",
                            row.status == RowStatus::kTripped ? "TRIPPED"
                            : row.status == RowStatus::kMissing ? "missing"
                                                                : "ok",
                            row.gate.abs, row.gate.rel_pct);
    lines.push_back({{row.variant, row.metric, cell(row.a), cell(row.b), cell(row.delta),
                      row.a && row.b ? cell(row.delta_pct, "%") : "n/a", gate}});
  }
  size_t width[7] = {};
  for (const auto& l : lines)
    for (int i = 0; i < 7; ++i) width[i] = std::max(width[i], l.c[i].size());
  std::string out;
  for (const auto& l : lines) {
    std::string text;
    for (int i = 0; i < 7; ++i) {
      bool left = i < 2 || i == 6;  // names and gate left-aligned, numbers right-aligned
      text += left ? fmt::format("{:<{}}", l.c[i], width[i]) : fmt::format("{:>{}}", l.c[i], width[i]);
      if (i < 6) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  for (const auto& f : r.candidate_faults) out += fmt::format("TRIPPED candidate {}\n", f);
  for (const auto& v : r.only_in_b) out += fmt::format("only in B: {}\n", v);
  size_t tripped = std::count_if(r.rows.begin(), r.rows.end(), [](const auto& x) { return x.status == RowStatus::kTripped; });
  std::string metrics = tripped ? fmt::format("{} of {} metrics regressed beyond both gates", tripped, r.rows.size())
                                : fmt::format("no regression beyond the gates ({} metrics)", r.rows.size());
  if (!r.candidate_faults.empty())
    metrics = fmt::format("{} candidate variant(s) missing or unusable; {}", r.candidate_faults.size(), metrics);
  out += metrics + "\n";
  return out;
}

}  // namespace ktstr::verdict
