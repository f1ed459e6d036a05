#include "host/verdict/cdash.hpp"

#include <fmt/format.h>

#include "base/xml.hpp"
#include "host/verdict/ab_metrics.hpp"
#include "host/verdict/run_stats.hpp"
#include "host/verdict/sidecar.hpp"

namespace ktstr::verdict {

std::string cdash_measurement(std::string_view name, double value) {
  return fmt::format(R"(<CTestMeasurement type="numeric/double" name="{}">{:.6g}</CTestMeasurement>)",
                     xml_escape(name), value);
}

std::string cdash_measurements(const RunTelemetry& t, const Verdict& v) {
  auto s = compute_stats(t);
  std::string out;
  auto add = [&out](std::string_view name, double value) { out += cdash_measurement(name, value) + "\n"; };
  add("ktstr.workers", s.workers);
  add("ktstr.migrations", static_cast<double>(s.migrations));
  if (s.worst_spread_pp) add("ktstr.worst_spread_pp", *s.worst_spread_pp);
  if (s.worst_gap_ms) add("ktstr.worst_gap_ms", *s.worst_gap_ms);
  add("ktstr.duration_s", static_cast<double>(t.duration_ns) / 1e9);
  add("ktstr.violations", static_cast<double>(v.violations.size()));
  for (const auto& m : metrics_of(s)) add("ktstr." + m.name, m.value);
  const auto ab = summarize_ab(pair_cells(t));
  if (ab.worst_spread_delta_pp) add("ktstr.ab.worst_spread_over_baseline_pp", *ab.worst_spread_delta_pp);
  if (ab.min_share_pct) add("ktstr.ab.min_share_vs_baseline_pct", *ab.min_share_pct);
  if (ab.min_rate_pct) add("ktstr.ab.min_rate_vs_baseline_pct", *ab.min_rate_pct);
  if (ab.worst_gap_delta_ms) add("ktstr.ab.worst_gap_over_baseline_ms", *ab.worst_gap_delta_ms);
  return out;
}

Artefacts artefact_paths(const std::filesystem::path& build_dir, const std::string& kernel_key,
                         const std::string& project_commit, const std::string& variant) {
  Artefacts a;
  a.sidecar = sidecar_path(build_dir, kernel_key, project_commit, variant);
  a.console_log = a.sidecar.parent_path() / (variant_file_stem(variant) + ".console.log");
  a.svg = timeline_paths(a.sidecar).svg;
  return a;
}

std::string attached_files_on_fail(const Artefacts& a) {
  return fmt::format("{};{};{}", a.sidecar.string(), a.console_log.string(), a.svg.string());
}

}  // namespace ktstr::verdict
