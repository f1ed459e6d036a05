// ld.so.conf include handling and the binary ld.so.cache parser.
#include <doctest/doctest.h>

#include <fstream>

#include "base/fd.hpp"
#include "initramfs/loader_config.hpp"
#include "temp_dir.hpp"

namespace fs = std::filesystem;
using namespace ktstr::initramfs;

TEST_CASE("ld.so.conf: directories in order, include globs sorted, comments skipped") {
  TempDir dir;
  fs::create_directories(dir / "conf.d");
  { std::ofstream(dir / "ld.so.conf") << "# top\n/opt/first\ninclude conf.d/*.conf\n/opt/last/ # tail\n"; }
  { std::ofstream(dir / "conf.d/b.conf") << "/opt/b1:/opt/b2\n"; }
  { std::ofstream(dir / "conf.d/a.conf") << "/opt/a=libc6\ninclude " << (dir / "ld.so.conf").string() << "\n"; }
  { std::ofstream(dir / "conf.d/c.txt") << "/opt/ignored\n"; }
  auto cfg = load_loader_config(dir / "ld.so.conf", dir / "no-cache");
  REQUIRE_MESSAGE(cfg.has_value(), cfg.error().message);
  CHECK(cfg->conf_dirs == std::vector<std::string>{"/opt/first", "/opt/a", "/opt/b1", "/opt/b2", "/opt/last"});
  CHECK(cfg->cache.empty());
}

TEST_CASE("ld.so.cache of this machine maps libc.so.6 to an existing file") {
  if (!fs::exists("/etc/ld.so.cache")) {
    MESSAGE("no /etc/ld.so.cache here");
    return;
  }
  auto bytes = ktstr::read_file("/etc/ld.so.cache");
  REQUIRE(bytes.has_value());
  auto cache = parse_ld_so_cache(*bytes);
  REQUIRE_MESSAGE(cache.has_value(), cache.error().message);
  auto it = cache->find("libc.so.6");
  REQUIRE(it != cache->end());
  CHECK(fs::path(it->second).filename() == "libc.so.6");
  CHECK(fs::is_regular_file(it->second));
  // Only baseline x86-64 entries: no glibc-hwcaps subdirectories.
  for (const auto& [name, path] : *cache) CHECK(path.find("glibc-hwcaps") == std::string::npos);
}

TEST_CASE("ld.so.cache: a truncated entry table is an error, foreign bytes are ignored") {
  CHECK(parse_ld_so_cache("not a cache at all").value().empty());
  std::string truncated = "glibc-ld.so.cache1.1";
  truncated += std::string("\xff\xff\x00\x00", 4);  // nlibs = 65535
  truncated.resize(48, '\0');
  CHECK_FALSE(parse_ld_so_cache(truncated).has_value());
}
