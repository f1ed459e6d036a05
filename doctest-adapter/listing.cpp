// `exe --ktstr-list`: one JSON object per line per test, read by CMake's
// discovery script (cmake/KtstrDiscover.cmake). Fields: id, topology, vcpus,
// memory_mib, timeout_s, duration_ms, scheduler, scheduler_binary, baseline,
// guest_args, thresholds {scheduler, test}, labels, file, line, gauntlet,
// expect_fail, attach_timeout_s, ktstr_version (of the adapter this
// executable was built with), and for gauntlet tests gauntlet_variants [{topology, vcpus,
// fits, reason, guest_args}] over every preset (host fit decided here, on the
// host that will run them). all_gauntlet (--gauntlet) treats every test as a
// gauntlet test (ktstr_add_test's GAUNTLET option).
#include <fmt/format.h>

#include "host/gauntlet/gauntlet.hpp"
#include "listing.hpp"
#include "registry.hpp"

namespace ktstr::detail {

Result<void> print_listing(bool all_gauntlet) {
  const auto host = gauntlet::detect_host_budget();
  for (const auto& t : registered_tests()) {
    auto entry = KTSTR_TRY(listing_entry(t));
    if (t.attrs.gauntlet || all_gauntlet) {
      entry["gauntlet"] = true;
      auto variants = nlohmann::json::array();
      for (const auto& p : gauntlet::presets()) {
        auto f = gauntlet::fit(p.topology, host);
        variants.push_back({{"topology", p.topology.str()},
                            {"vcpus", p.topology.vcpus()},
                            {"fits", f.fits},
                            {"reason", f.reason},
                            {"guest_args", guest_args_of(t, p.topology)}});
      }
      entry["gauntlet_variants"] = std::move(variants);
    }
    fmt::print("{}\n", entry.dump());
  }
  return {};
}

}  // namespace ktstr::detail
