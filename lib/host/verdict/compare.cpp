#include "host/verdict/compare.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "host/verdict/compare_candidate.hpp"
#include "host/verdict/run_stats.hpp"
#include "host/verdict/welch.hpp"

namespace ktstr::verdict {

namespace {
// Defaults: relative gates sized for TCG run-to-run noise measured as a few
// percent on iteration rates; absolute floors so near-zero figures (a 2 ms
// gap becoming 4 ms) do not trip on their own.
// spread_pp is a difference of percentages (0 when fair): tested as is;
// the others are positive quantities tested on a log scale.
constexpr MetricKind kKinds[] = {
    {"iter_rate", "iter/s", true, {1.0, 10.0}, true},
    {"spread_pp", "pp", false, {5.0, 25.0}, false},
    {"gap_ms", "ms", false, {100.0, 25.0}, true},
    {"p99_wake_us", "us", false, {100.0, 25.0}, true},
    {"migrations_per_cpu_s", "/cpu-s", false, {10.0, 25.0}, true},
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

Result<void> parse_alpha_option(GateConfig& cfg, std::string_view spec) {
  double v = 0;
  auto [ptr, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), v);
  if (ec != std::errc() || ptr != spec.data() + spec.size() || !(v > 0 && v < 1))
    return fail("--alpha {}: expected a significance level between 0 and 1 (exclusive), e.g. 0.01", spec);
  cfg.alpha = v;
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

namespace {

// One side's values of every metric of a variant, over its runs.
struct Samples {
  std::string kind;
  std::vector<double> values;
};

std::map<std::string, Samples> collect(const std::vector<const Sidecar*>& runs) {
  std::map<std::string, Samples> out;
  for (const auto* run : runs)
    for (const auto& m : metrics_of(compute_stats(run->telemetry))) {
      auto& s = out[m.name];
      s.kind = m.kind;
      s.values.push_back(m.value);
    }
  return out;
}

// The sample the Welch test sees: ln(values) for a log-scale kind when
// every value on both sides is positive, else the values' own statistics.
SampleStats test_scale(const MetricKind& kind, const std::vector<double>& side, const std::vector<double>& other,
                       const SampleStats& plain) {
  auto positive = [](const std::vector<double>& v) { return std::all_of(v.begin(), v.end(), [](double x) { return x > 0; }); };
  if (!kind.log_scale || !positive(side) || !positive(other)) return plain;
  std::vector<double> logs;
  for (double x : side) logs.push_back(std::log(x));
  return sample_stats(logs);
}

// One metric: means against the gates; with >= 2 runs per side the change
// must also be significant (one-sided Welch p < alpha) to trip.
CompareRow compare_metric(CompareRow r, const std::vector<double>& a, const std::vector<double>& b,
                          const GateConfig& cfg) {
  r.gate = cfg.gate_for(r.kind);
  const auto sa = sample_stats(a), sb = sample_stats(b);
  r.n_a = sa.n, r.n_b = sb.n;
  if (sa.n > 0) r.a = sa.mean, r.sd_a = std::sqrt(sa.variance);
  if (sb.n > 0) r.b = sb.mean, r.sd_b = std::sqrt(sb.variance);
  if (!r.a || !r.b) {
    r.status = RowStatus::kMissing;
    return r;
  }
  r.delta = *r.b - *r.a;
  if (*r.a != 0) r.delta_pct = 100.0 * *r.delta / std::fabs(*r.a);
  const auto& kind = *find_kind(r.kind);
  r.status = judge_change(kind, *r.a, *r.b, r.gate);
  if (auto w = welch_t(test_scale(kind, a, b, sa), test_scale(kind, b, a, sb))) {
    r.p = p_worse(*w, kind.higher_is_better);
    if (r.status == RowStatus::kTripped && !(*r.p < cfg.alpha)) r.status = RowStatus::kNotSignificant;
  }
  return r;
}

std::map<std::string, std::vector<const Sidecar*>> by_variant(std::span<const Sidecar> runs) {
  std::map<std::string, std::vector<const Sidecar*>> out;
  for (const auto& s : runs) out[variant_key(s)].push_back(&s);
  return out;
}

// A's reference run for candidate_fault: the first one that was not skipped
// and measured something (so B is held to the best A offers), else the first.
const Sidecar& reference_run(const std::vector<const Sidecar*>& runs_a) {
  for (const auto* s : runs_a)
    if (s->verdict.outcome != Outcome::kSkip && !metrics_of(compute_stats(s->telemetry)).empty()) return *s;
  return *runs_a.front();
}

// One fault per unusable B run of a variant ("run K of N: ..." with several
// runs); a single fault when B has no run of it.
std::vector<std::string> candidate_faults(const std::vector<const Sidecar*>& runs_a,
                                          const std::vector<const Sidecar*>* runs_b) {
  const Sidecar& ref = reference_run(runs_a);
  if (!runs_b) return {*candidate_fault(ref, nullptr)};
  std::vector<std::string> out;
  for (size_t i = 0; i < runs_b->size(); ++i)
    if (auto f = candidate_fault(ref, (*runs_b)[i]))
      out.push_back(runs_b->size() > 1 ? fmt::format("run {} of {}: {}", i + 1, runs_b->size(), *f) : *f);
  return out;
}

}  // namespace

CompareResult compare_runs(std::span<const Sidecar> a, std::span<const Sidecar> b, const GateConfig& cfg) {
  CompareResult out{.alpha = cfg.alpha};
  const auto va = by_variant(a), vb = by_variant(b);
  for (const auto& [variant, runs_a] : va) {
    auto it = vb.find(variant);
    for (auto& fault : candidate_faults(runs_a, it == vb.end() ? nullptr : &it->second))
      out.candidate_faults.push_back(fmt::format("{}: {}", variant, fault));
    if (it == vb.end()) {
      out.only_in_a.push_back(variant);
      continue;
    }
    auto ma = collect(runs_a), mb = collect(it->second);
    std::map<std::string, std::string> names;  // metric -> kind, over both sides
    for (const auto& [name, s] : ma) names[name] = s.kind;
    for (const auto& [name, s] : mb) names[name] = s.kind;
    for (const auto& [name, kind] : names)
      out.rows.push_back(compare_metric(CompareRow{.variant = variant, .metric = name, .kind = kind},
                                        ma.contains(name) ? ma[name].values : std::vector<double>{},
                                        mb.contains(name) ? mb[name].values : std::vector<double>{}, cfg));
  }
  for (const auto& [variant, runs] : vb)
    if (!va.contains(variant)) out.only_in_b.push_back(variant);
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

Result<std::vector<Sidecar>> load_runs(std::span<const std::string> paths) {
  std::vector<Sidecar> out;
  for (const auto& p : paths) {
    auto runs = KTSTR_TRY(load_runs(std::filesystem::path(p)));
    std::move(runs.begin(), runs.end(), std::back_inserter(out));
  }
  return out;
}

namespace {
std::string cell(const std::optional<double>& v, const char* suffix = "") {
  return v ? fmt::format("{:.2f}{}", *v, suffix) : std::string("n/a");
}

// "1001.50" for one run, "1001.50 +-8.11 (5)" (mean, sd, runs) for several.
std::string side(const std::optional<double>& mean, double sd, size_t n) {
  if (!mean || n < 2) return cell(mean);
  return fmt::format("{:.2f} +-{:.2f} ({})", *mean, sd, n);
}

std::string p_text(double p) { return p < 1e-3 ? fmt::format("{:.1e}", p) : fmt::format("{:.4f}", p); }

std::string status_word(RowStatus s) {
  switch (s) {
    case RowStatus::kTripped: return "TRIPPED";
    case RowStatus::kMissing: return "missing";
    case RowStatus::kNotSignificant: return "noise";
    case RowStatus::kOk: return "ok";
  }
  return "ok";
}
}  // namespace

std::string format_compare(const CompareResult& r) {
  constexpr int kCols = 8;
  struct Line { std::string c[kCols]; };
  std::vector<Line> lines{{{"variant", "metric", "A", "B", "delta", "delta %", "p", "gate"}}};
  for (const auto& row : r.rows) {
    auto gate = fmt::format("{} (abs {:g}, rel {:g}%)", status_word(row.status), row.gate.abs, row.gate.rel_pct);
    lines.push_back({{row.variant, row.metric, side(row.a, row.sd_a, row.n_a), side(row.b, row.sd_b, row.n_b),
                      cell(row.delta), row.a && row.b ? cell(row.delta_pct, "%") : "n/a",
                      row.p ? p_text(*row.p) : "-", gate}});
  }
  size_t width[kCols] = {};
  for (const auto& l : lines)
    for (int i = 0; i < kCols; ++i) width[i] = std::max(width[i], l.c[i].size());
  std::string out;
  for (const auto& l : lines) {
    std::string text;
    for (int i = 0; i < kCols; ++i) {
      bool left = i < 2 || i == kCols - 1;  // names and gate left-aligned, numbers right-aligned
      std::string pad(width[i] - l.c[i].size(), ' ');
      text += left ? l.c[i] + pad : pad + l.c[i];
      if (i < kCols - 1) text += "  ";
    }
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  }
  for (const auto& f : r.candidate_faults) out += fmt::format("TRIPPED candidate {}\n", f);
  for (const auto& v : r.only_in_b) out += fmt::format("only in B: {}\n", v);
  size_t tripped = std::count_if(r.rows.begin(), r.rows.end(), [](const auto& x) { return x.status == RowStatus::kTripped; });
  bool tested = std::any_of(r.rows.begin(), r.rows.end(), [](const auto& x) { return x.p.has_value(); });
  std::string test = tested ? fmt::format(", significant at one-sided Welch p < {:g}", r.alpha) : "";
  std::string metrics = tripped
                            ? fmt::format("{} of {} metrics regressed beyond both gates{}", tripped, r.rows.size(), test)
                            : fmt::format("no regression beyond the gates{} ({} metrics)", test, r.rows.size());
  if (!r.candidate_faults.empty())
    metrics = fmt::format("{} candidate variant(s) missing or unusable; {}", r.candidate_faults.size(), metrics);
  out += metrics + "\n";
  return out;
}

}  // namespace ktstr::verdict
