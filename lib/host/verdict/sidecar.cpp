#include "host/verdict/sidecar.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <system_error>

#include "base/fd.hpp"
#include "base/process.hpp"

namespace ktstr::verdict {

std::string variant_file_stem(const std::string& variant) {
  std::string out = variant;
  for (char& c : out) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
              c == '-';
    if (!ok) c = '_';
  }
  if (out.empty() || out == "." || out == "..") out = "_" + out;
  return out;
}

std::filesystem::path sidecar_path(const std::filesystem::path& build_dir, const std::string& kernel_key,
                                   const std::string& project_commit, const std::string& variant) {
  return build_dir / "ktstr" / variant_file_stem(kernel_key + "-" + project_commit) /
         (variant_file_stem(variant) + ".json");
}

TimelinePaths timeline_paths(const std::filesystem::path& sidecar) {
  const std::string stem = (sidecar.parent_path() / sidecar.stem()).string();
  return {.trace = stem + std::string(kTraceSuffix), .svg = stem + ".svg"};
}

void to_json(nlohmann::json& j, const Sidecar& s) {
  j = nlohmann::json{{"schema", s.schema},
                     {"test", s.test},
                     {"variant", s.variant},
                     {"topology", s.topology},
                     {"project_commit", s.project_commit},
                     {"created_at", s.created_at},
                     {"kernel", s.kernel},
                     {"scheduler", s.scheduler},
                     {"thresholds", s.thresholds},
                     {"facts", s.facts},
                     {"verdict", s.verdict},
                     {"timings", s.timings},
                     {"console_log", s.console_log},
                     {"rerun_command", s.rerun_command},
                     {"telemetry", s.telemetry},
                     {"monitor", s.facts.monitor}};
}

void from_json(const nlohmann::json& j, Sidecar& s) {
  // Every key optional so older/newer sidecars still read; defaults fill gaps.
  s = Sidecar{};
  auto get = [&j](const char* key, auto& field) {
    if (auto it = j.find(key); it != j.end() && !it->is_null()) it->get_to(field);
  };
  get("schema", s.schema);
  get("test", s.test);
  get("variant", s.variant);
  get("topology", s.topology);
  get("project_commit", s.project_commit);
  get("created_at", s.created_at);
  get("kernel", s.kernel);
  get("scheduler", s.scheduler);
  get("thresholds", s.thresholds);
  get("facts", s.facts);
  get("verdict", s.verdict);
  get("timings", s.timings);
  get("console_log", s.console_log);
  get("rerun_command", s.rerun_command);
  get("telemetry", s.telemetry);
  get("monitor", s.facts.monitor);  // absent in sidecars from before the monitor
}

Result<void> write_sidecar(const std::filesystem::path& path, const Sidecar& s) {
  std::error_code ec;
  std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) return fail("create directory {}: {}", path.parent_path().string(), ec.message());
  nlohmann::json j = s;
  KTSTR_TRY_CTX(write_file_atomic(path, j.dump(2) + "\n"), "writing sidecar {}", path.string());
  return {};
}

Result<Sidecar> read_sidecar(const std::filesystem::path& path) {
  auto text = KTSTR_TRY(read_file(path));
  try {
    auto j = nlohmann::json::parse(text);
    if (!j.is_object() || !j.contains("schema") || !j.contains("telemetry"))
      return fail("{}: not a ktstr sidecar (no schema/telemetry keys)", path.string());
    Sidecar s = j.get<Sidecar>();
    if (s.schema > kSidecarSchema)
      return fail("sidecar {}: schema {} is newer than this ktstr understands ({})", path.string(), s.schema,
                  kSidecarSchema);
    return s;
  } catch (const std::exception& e) {  // nlohmann's, and a declaration that does not parse (temporal.hpp)
    return fail("sidecar {}: {}", path.string(), e.what());
  }
}

Result<std::vector<std::filesystem::path>> find_sidecars(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  std::error_code ec;
  std::filesystem::recursive_directory_iterator it(dir, ec), end;
  if (ec) return fail("listing {}: {}", dir.string(), ec.message());
  for (; it != end; it.increment(ec)) {
    if (ec) return fail("listing {}: {}", dir.string(), ec.message());
    // <stem>.trace.json next to a sidecar is its timeline trace, not a sidecar.
    const bool trace = it->path().filename().string().ends_with(kTraceSuffix);
    if (it->is_regular_file() && it->path().extension() == ".json" && !trace) out.push_back(it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string project_commit(const std::filesystem::path& source_file) {
  if (const char* c = std::getenv("KTSTR_COMMIT"); c && *c) return c;
  if (source_file.empty()) return "local";
  const std::string dir = source_file.parent_path().string();
  auto head = run_capture({"git", "-C", dir, "rev-parse", "--short=12", "HEAD"});
  if (!head || !head->status.success()) return "local";
  std::string commit = head->output;
  while (!commit.empty() && std::isspace(static_cast<unsigned char>(commit.back()))) commit.pop_back();
  if (commit.empty() || commit.find_first_not_of("0123456789abcdef") != std::string::npos) return "local";
  auto dirty = run_capture({"git", "-C", dir, "status", "--porcelain", "--untracked-files=no"});
  if (dirty && dirty->status.success() && !dirty->output.empty()) commit += "-dirty";
  return commit;
}

}  // namespace ktstr::verdict
