// The picture in a real browser: headless Chromium loads the HTML page that
// embeds the timeline, a script in the page draws the SVG into a canvas (as
// an image, which fails for a document the browser cannot parse) and
// counts what was painted; --dump-dom hands the count back. Skips (77) with
// the reason when no Chromium is installed (Debian: apt-get install chromium,
// scripts/setup-deps.sh installs it; KTSTR_CHROMIUM names another binary).
#include <doctest/doctest.h>

#include <fcntl.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>

#include <fmt/format.h>

#include "base/exit_codes.hpp"
#include "base/fd.hpp"
#include "base/process.hpp"
#include "base/temp_dir.hpp"
#include "fixture.hpp"
#include "host/trace/svg_timeline.hpp"

using namespace ktstr;
namespace fs = std::filesystem;

namespace {

std::string chromium() {
  if (const char* c = std::getenv("KTSTR_CHROMIUM"); c && *c) return c;
  for (const char* name : {"chromium", "chromium-browser", "google-chrome"})
    if (auto p = find_in_path(name)) return *p;
  fmt::print("SKIP: no chromium in PATH (apt-get install chromium, or set KTSTR_CHROMIUM)\n");
  std::fflush(stdout);
  std::_Exit(kExitSkip);
}

// Counts, over the rendered picture: pixels that are not white, pixels of
// the first cgroup's colour (#4477AA) and of the violation red (#D00000).
constexpr std::string_view kProbe = R"(<pre id="ktstr-probe">pending</pre>
<script>
(function () {
  const out = document.getElementById('ktstr-probe');
  const svg = document.querySelector('svg');
  const w = Math.round(svg.width.baseVal.value), h = Math.round(svg.height.baseVal.value);
  const img = new Image();
  img.onload = function () {
    const c = document.createElement('canvas');
    c.width = w;
    c.height = h;
    const g = c.getContext('2d');
    g.fillStyle = '#ffffff';
    g.fillRect(0, 0, w, h);
    g.drawImage(img, 0, 0, w, h);
    const d = g.getImageData(0, 0, w, h).data;
    let painted = 0, cgroup = 0, red = 0;
    for (let i = 0; i < d.length; i += 4) {
      const r = d[i], gr = d[i + 1], b = d[i + 2];
      if (r < 245 || gr < 245 || b < 245) painted++;
      if (Math.abs(r - 0x44) < 8 && Math.abs(gr - 0x77) < 8 && Math.abs(b - 0xAA) < 8) cgroup++;
      if (r > 180 && gr < 40 && b < 40) red++;
    }
    out.textContent = 'painted ' + painted + ' of ' + (w * h) + ' cgroup0 ' + cgroup + ' red ' + red;
  };
  img.onerror = function () { out.textContent = 'error: the SVG did not load as an image'; };
  img.src = 'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(new XMLSerializer().serializeToString(svg));
})();
</script>
)";

struct Painted {
  long painted = 0, total = 0, cgroup = 0, red = 0;
};

// Renders page (an HTML document with the probe) in headless Chromium.
Painted render(const std::string& page) {
  const std::string browser = chromium();
  auto dir = TempDir::create("ktstr-browser-");
  REQUIRE(dir);
  const fs::path html = dir->path() / "page.html", dom = dir->path() / "dom.txt";
  REQUIRE(write_file_atomic(html, page));
  auto out = open_file(dom, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(out);
  auto child = ChildProcess::spawn(
      {browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
       "--disable-background-networking", "--disable-component-update", "--disable-sync",
       "--user-data-dir=" + (dir->path() / "profile").string(), "--virtual-time-budget=10000", "--dump-dom",
       "file://" + html.string()},
      {.stdout_fd = out->get(), .stderr_fd = out->get(), .new_process_group = true, .kill_on_parent_death = true});
  REQUIRE_MESSAGE(child, (child ? "" : child.error().message));
  auto status = child->wait_for(std::chrono::seconds(120));
  REQUIRE_MESSAGE(status, "chromium did not finish within 120 s");
  auto text = read_file(dom);
  REQUIRE(text);
  std::smatch m;
  const std::regex result(R"(painted (\d+) of (\d+) cgroup0 (\d+) red (\d+))");
  INFO("chromium ", status->describe(), ":\n", text->substr(text->size() > 3000 ? text->size() - 3000 : 0));
  REQUIRE(std::regex_search(*text, m, result));
  return {std::stol(m[1]), std::stol(m[2]), std::stol(m[3]), std::stol(m[4])};
}

std::string probe_page(const std::string& html) {
  const auto body_end = html.rfind("</body>");
  REQUIRE(body_end != std::string::npos);
  return html.substr(0, body_end) + std::string(kProbe) + html.substr(body_end);
}

}  // namespace

TEST_CASE("the timeline page renders in headless Chromium and is not blank") {
  const auto svg = trace::render_svg(trace::testing::sample_run(), trace::testing::sample_title(),
                                     trace::testing::sample_marks());
  auto p = render(probe_page(trace::wrap_html(svg, "sample")));
  MESSAGE(fmt::format("painted {} of {} pixels, {} of cgroup 0's colour, {} violation red", p.painted, p.total,
                      p.cgroup, p.red));
  CHECK(p.total >= 1200 * 300);
  CHECK(p.painted > p.total / 20);   // more than 5 % painted
  CHECK(p.cgroup > 1090 * 10);       // cpu 0 is blue for most of the run
  CHECK(p.red > 100);                // the violation marks
}

TEST_CASE("the probe tells a blank picture apart") {
  const std::string blank = R"(<svg xmlns="http://www.w3.org/2000/svg" width="400" height="300"><rect width="100%" height="100%" fill="#FFFFFF"/></svg>)";
  auto p = render(probe_page(trace::wrap_html(blank, "blank")));
  CHECK(p.total == 400 * 300);
  CHECK(p.painted == 0);
  CHECK(p.cgroup == 0);
}

TEST_CASE("the committed example (a real run's picture) renders too") {
  const fs::path example = fs::path(KTSTR_SOURCE_DIR) / "docs/timeline-example.svg";
  auto svg = read_file(example);
  REQUIRE_MESSAGE(svg, example.string());
  auto p = render(probe_page(trace::wrap_html(*svg, "example")));
  MESSAGE(fmt::format("example: painted {} of {} pixels, {} of cgroup 0's colour, {} violation red", p.painted,
                      p.total, p.cgroup, p.red));
  CHECK(p.painted > p.total / 20);
  CHECK(p.cgroup > 1000);
}
