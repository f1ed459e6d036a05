// A fake build step for cache tests: writes every file a real entry has,
// with small contents, and counts its invocations in a file.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "host/kernel/build_once.hpp"
#include "host/kernel/digest.hpp"
#include "test_dirs.hpp"

inline ktstr::Result<ktstr::kernel::Manifest> fake_build(const std::filesystem::path& temp,
                                                         const std::filesystem::path& counter = {},
                                                         const std::string& fragment = ktstr::kernel::fragment_hash()) {
  for (const char* rel : ktstr::kernel::kEntryFiles) {
    if (std::string(rel) == "manifest.json") continue;
    write_text(temp / rel, std::string("fake ") + rel + "\n");
  }
  if (!counter.empty()) {
    int n = 0;
    std::ifstream(counter) >> n;
    std::ofstream(counter, std::ios::trunc) << n + 1;
  }
  ktstr::kernel::Manifest m;
  m.version = "6.12.1";
  m.source = "fake";
  m.source_digest = "fake-digest";
  m.fragment_hash = fragment;  // default: built with the current fragment
  m.sched_ext = true;
  return m;
}

inline int read_counter(const std::filesystem::path& counter) {
  int n = 0;
  std::ifstream(counter) >> n;
  return n;
}
