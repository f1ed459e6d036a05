#include "host/fetch/progress.hpp"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>

namespace ktstr::fetch {
namespace {

constexpr auto kRedrawInterval = std::chrono::milliseconds(200);
constexpr int kBarWidth = 30;
constexpr double kMiB = 1024.0 * 1024.0;

}  // namespace

ProgressBar::ProgressBar(std::string label, bool requested)
    : label_(std::move(label)), enabled_(requested && ::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() {
  if (drawn_) fmt::print(stderr, "\n");
}

void ProgressBar::update(long long done, long long total) {
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  bool finished = total > 0 && done >= total;
  if (drawn_ && (finished ? last_done_ == done : now - last_draw_ < kRedrawInterval)) return;
  last_draw_ = now;
  last_done_ = done;
  drawn_ = true;
  double secs = std::chrono::duration<double>(now - start_).count();
  double rate = secs > 0 ? done / kMiB / secs : 0;
  if (total <= 0) {
    fmt::print(stderr, "\r{} {:.1f} MiB {:.1f} MiB/s", label_, done / kMiB, rate);
  } else {
    int filled = static_cast<int>(kBarWidth * std::min(1.0, static_cast<double>(done) / total));
    fmt::print(stderr, "\r{} [{:=<{}}{: <{}}] {:5.1f}/{:.1f} MiB {:3}% {:.1f} MiB/s", label_, "", filled, "",
               kBarWidth - filled, done / kMiB, total / kMiB, 100 * done / total, rate);
  }
  std::fflush(stderr);
}

}  // namespace ktstr::fetch
