// Steps of one packed run: recorder, discovery, spec, ctest, records.
#include "pack_run.hpp"

#include <algorithm>
#include <sstream>

#include "base/fd.hpp"
#include "base/process.hpp"
#include "ctest_dir.hpp"

namespace fs = std::filesystem;

namespace ktstr::packtest {

namespace {

// Logs "<test> <start> <end> <cpu ids...>" to <logs>/<test>.rec around the
// command: sleeping (synthetic) or the real launcher with its arguments.
std::string recorder_script(const fs::path& logs, const PackOptions& o) {
  const std::string body = o.synthetic ? fmt::format("sleep {}", o.sleep_s) : fmt::format("'{}' \"$@\"", KTSTR_VM_BIN);
  return fmt::format(R"(#!/bin/sh
name=; prev=
for a in "$@"; do [ "$prev" = --test ] && name=$a; prev=$a; done  # the last: the guest's test id
ids=; i=0
while [ "$i" -lt "${{CTEST_RESOURCE_GROUP_COUNT:-0}}" ]; do
  eval "alloc=\${{CTEST_RESOURCE_GROUP_${{i}}_CPUS}}"
  id=${{alloc#id:}}; ids="$ids ${{id%%,*}}"; i=$((i + 1))
done
start=$(date +%s.%N)
{}
rc=$?
echo "$name $start $(date +%s.%N)$ids" > '{}'/"$name.rec"
exit $rc
)",
                     body, logs.string());
}

Result<void> run_step(const std::vector<std::string>& argv, std::string_view what) {
  auto r = KTSTR_TRY_CTX(run_capture(argv), "{}", what);
  if (!r.status.success()) return fail("{} failed ({}):\n{}", what, r.status.describe(), r.output);
  return {};
}

Result<std::vector<Record>> read_records(const fs::path& logs) {
  std::vector<Record> recs;
  for (const auto& f : fs::directory_iterator(logs)) {
    std::istringstream in(KTSTR_TRY(read_file(f.path())));
    Record r;
    if (!(in >> r.name >> r.start >> r.end)) return fail("malformed record {}", f.path().string());
    for (int id; in >> id;) r.ids.push_back(id);
    recs.push_back(std::move(r));
  }
  std::sort(recs.begin(), recs.end(), [](const Record& a, const Record& b) { return a.start < b.start; });
  return recs;
}

}  // namespace

Result<std::vector<Record>> run_packed(const PackOptions& o) {
  const fs::path work =
      fs::path(WORK_DIR) / (o.synthetic ? (o.use_spec ? "pack_synthetic" : "pack_control") : "pack_vm");
  const fs::path logs = work / "records", recorder = work / "recorder.sh", spec = work / "spec.json";
  std::error_code ec;
  fs::remove_all(work, ec);
  fs::create_directories(logs);
  KTSTR_TRY_VOID(write_file_atomic(recorder, recorder_script(logs, o)));
  fs::permissions(recorder, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  KTSTR_TRY_VOID(testsupport::write_ctest_dir({.dir = work, .target = "pack", .test_exe = PACK_SAMPLE,
                                                .initramfs = PACK_CPIO,
                                                .kernel = o.synthetic ? fs::path("/no/kernel") : o.kernel,
                                                .launcher = recorder, .host_cpus = o.host_cpus}));
  std::vector<std::string> resources = {KTSTR_BIN, "resources", "--out", spec.string()};
  if (o.synthetic) resources.insert(resources.end(), {"--cpus", std::to_string(o.host_cpus)});
  KTSTR_TRY_VOID(run_step(resources, "ktstr resources"));
  std::vector<std::string> ctest = {CTEST_COMMAND, "--test-dir", work.string(), "-j", "8", "--output-on-failure"};
  if (o.use_spec) ctest.insert(ctest.end(), {"--resource-spec-file", spec.string()});
  if (!o.exclude.empty()) ctest.insert(ctest.end(), {"-E", o.exclude});
  KTSTR_TRY_VOID(run_step(ctest, "ctest --resource-spec-file"));
  return read_records(logs);
}

}  // namespace ktstr::packtest
