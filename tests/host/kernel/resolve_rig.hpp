// Shared by the resolution, plan and kconfig tests: an environment variable
// set for one scope, and a temp cache + /usr/src with an injected builder
// that records what it was asked to build and installs a fake entry (key
// 6.12-feedfeedfeed for ktstr.kconfig alone, 6.12-dededededede with extras).
#pragma once

#include <stdlib.h>

#include <optional>
#include <string>
#include <vector>

#include "fake_entry.hpp"
#include "host/kernel/resolve.hpp"

// Sets or clears an environment variable for one scope.
class EnvVar {
 public:
  EnvVar(const char* name, const std::string& value) : name_(name) {
    if (const char* old = ::getenv(name)) old_ = old;
    if (value.empty()) ::unsetenv(name);
    else ::setenv(name, value.c_str(), 1);
  }
  ~EnvVar() {
    if (old_) ::setenv(name_, old_->c_str(), 1);
    else ::unsetenv(name_);
  }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

struct Rig {
  TestDir t;
  std::filesystem::path cache = t.path() / "cache";
  std::filesystem::path usr_src = t.path() / "usr-src";
  std::vector<std::string> built;  // what the injected builder was asked to build

  Rig() { std::filesystem::create_directories(usr_src); }

  ktstr::kernel::ResolveOptions options() {
    namespace k = ktstr::kernel;
    k::ResolveOptions o;
    o.cache_dir = cache;
    o.debian_src_dir = usr_src;
    o.announce = false;
    o.progress.quiet = true;
    o.builder = [this](const k::SourceSpec& spec, const k::BuildOptions& bo) {
      built.push_back(spec.path.string());
      std::string key = bo.kconfig.extras.empty() ? "6.12-feedfeedfeed" : "6.12-dededededede";
      return k::build_once(bo.cache_dir, key, [&](const std::filesystem::path& temp) {
        auto m = fake_build(temp, {}, bo.kconfig.hash());
        if (m) m->extra_fragments = bo.kconfig.extras;
        return m;
      });
    };
    return o;
  }
};
