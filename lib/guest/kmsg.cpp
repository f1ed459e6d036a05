#include "guest/kmsg.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace ktstr::guest {

Result<KmsgReader> KmsgReader::open_at_end(const char* path) {
  KmsgReader r;
  r.fd_ = KTSTR_TRY(open_file(path, O_RDONLY | O_NONBLOCK));
  if (lseek(r.fd_.get(), 0, SEEK_END) < 0) return fail_errno(fmt::format("seeking to the end of {}", path));
  return r;
}

std::vector<std::string> KmsgReader::drain() {
  std::vector<std::string> out;
  if (!fd_) return out;
  char buf[8192];
  for (;;) {
    ssize_t n = read(fd_.get(), buf, sizeof buf);
    if (n > 0) {
      out.push_back(kmsg_text(std::string_view(buf, static_cast<size_t>(n))));
      continue;
    }
    if (n < 0 && errno == EPIPE) continue;  // records were overwritten; carry on with the next
    if (n < 0 && errno == EINTR) continue;
    break;  // EAGAIN: nothing more for now
  }
  return out;
}

std::string kmsg_text(std::string_view record) {
  auto semi = record.find(';');
  if (semi == std::string_view::npos) return {};
  std::string_view text = record.substr(semi + 1);
  auto nl = text.find('\n');
  return std::string(text.substr(0, nl));
}

std::string sched_ext_exit_reason(const std::vector<std::string>& lines) {
  std::string out;
  bool found = false;
  for (const auto& l : lines) {
    if (!found && l.find("sched_ext: BPF scheduler") != std::string::npos && l.find("disabled") != std::string::npos)
      found = true;
    else if (!found || l.find("sched_ext") == std::string::npos)
      continue;
    out += l;
    out += '\n';
  }
  return out;
}

}  // namespace ktstr::guest
