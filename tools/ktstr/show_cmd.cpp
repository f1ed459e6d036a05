// `ktstr show SIDECAR [--svg OUT] [--trace OUT] [--html OUT]`: draws the
// timeline of any recorded run (old or replayed) from its sidecar alone:
// the SVG picture, the Chrome/Perfetto trace, an HTML page embedding the
// picture. Without an option it (re)writes <stem>.svg and <stem>.trace.json
// next to the sidecar, as a run does. OUT "-" prints to stdout.
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

#include "base/fd.hpp"
#include "tools/ktstr/commands.hpp"
#include "host/verdict/sidecar.hpp"
#include "host/verdict/timeline.hpp"

namespace ktstr::cli {

namespace {

struct ShowArgs {
  std::string sidecar;
  std::string svg;
  std::string trace;
  std::string html;
};

// Writes text to path atomically (creating its directory), or to stdout
// for "-"; says on stderr where it went.
Result<void> emit(const std::string& path, const std::string& text, const char* what) {
  if (path == "-") {
    fmt::print("{}", text);
    return {};
  }
  const auto dir = std::filesystem::path(path).parent_path();
  std::error_code ec;
  if (!dir.empty()) std::filesystem::create_directories(dir, ec);
  if (ec) return fail("creating directory {} for the {}: {}", dir.string(), what, ec.message());
  KTSTR_TRY_CTX(write_file_atomic(path, text), "writing the {} to {}", what, path);
  fmt::print(stderr, "{}: {}\n", what, path);
  return {};
}

CommandResult cmd_show(ShowArgs a) {
  auto s = KTSTR_TRY(verdict::read_sidecar(a.sidecar));
  if (a.svg.empty() && a.trace.empty() && a.html.empty()) {
    const auto next_to = verdict::timeline_paths(a.sidecar);
    a.svg = next_to.svg.string();
    a.trace = next_to.trace.string();
  }
  if (!a.svg.empty()) KTSTR_TRY_VOID(emit(a.svg, verdict::timeline_svg(s), "picture"));
  if (!a.trace.empty()) KTSTR_TRY_VOID(emit(a.trace, verdict::timeline_trace(s), "trace"));
  if (!a.html.empty()) KTSTR_TRY_VOID(emit(a.html, verdict::timeline_html(s), "page"));
  return 0;
}

}  // namespace

void add_show_commands(CLI::App& app) {
  auto args = std::make_shared<ShowArgs>();
  auto* show = app.add_subcommand(
      "show", "Draw a recorded run's timeline from its sidecar: SVG picture, Perfetto trace, HTML page");
  show->add_option("sidecar", args->sidecar, "Sidecar JSON (<build>/ktstr/<kernel>-<commit>/<variant>.json)")
      ->required();
  show->add_option("--svg", args->svg, "Write the SVG picture here ('-': stdout)");
  show->add_option("--trace", args->trace,
                   "Write the Chrome/Perfetto trace-event JSON here (open in ui.perfetto.dev; '-': stdout)");
  show->add_option("--html", args->html, "Write one HTML page embedding the picture here ('-': stdout)");
  show->footer("Without --svg/--trace/--html: writes <stem>.svg and <stem>.trace.json next to the sidecar.");
  show->callback([args] { command_result() = cmd_show(*args); });
}

}  // namespace ktstr::cli
