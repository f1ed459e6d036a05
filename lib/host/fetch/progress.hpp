// A one-line download progress bar on stderr, redrawn in place with '\r'.
// Disabled unless asked for and stderr is a terminal, so logs stay clean.
#pragma once

#include <chrono>
#include <string>

namespace ktstr::fetch {

class ProgressBar {
 public:
  ProgressBar(std::string label, bool requested);
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  // Ends the line if anything was drawn.
  ~ProgressBar();

  // done/total in bytes; total <= 0 means unknown. Redraws at most 5 times a second.
  void update(long long done, long long total);

 private:
  std::string label_;
  bool enabled_ = false;
  bool drawn_ = false;
  long long last_done_ = -1;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
};

}  // namespace ktstr::fetch
