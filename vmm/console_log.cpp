#include "vmm/console_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "vmm/vm.hpp"

namespace ktstr::vmm {

Result<ConsoleLog> ConsoleLog::create(const std::filesystem::path& path, bool echo) {
  // Created here so the follower's fd exists before QEMU starts; QEMU's file
  // chardev opens it with O_TRUNC, which is harmless on an empty file.
  { auto w = KTSTR_TRY(open_file(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)); }
  ConsoleLog log;
  log.fd_ = KTSTR_TRY(open_file(path, O_RDONLY));
  log.echo_ = echo;
  return log;
}

void ConsoleLog::poll() {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n <= 0) return;
    std::string_view chunk(buf, static_cast<size_t>(n));
    if (echo_) (void)!::write(STDERR_FILENO, chunk.data(), chunk.size());
    for (char c : chunk) {
      if (c == '\n') {
        take_line(std::move(partial_));
        partial_.clear();
      } else if (c != '\r') {
        partial_ += c;
      }
    }
  }
}

void ConsoleLog::take_line(std::string line) {
  if (line.find("Kernel panic - not syncing") != std::string::npos) panic_ = true;
  if (line.find("Initramfs unpacking failed") != std::string::npos) initramfs_failed_ = true;
  lines_.push_back(std::move(line));
  if (lines_.size() > kConsoleTailLines) lines_.pop_front();
}

std::vector<std::string> ConsoleLog::tail(size_t lines) const {
  std::vector<std::string> out;
  size_t skip = lines_.size() > lines ? lines_.size() - lines : 0;
  for (size_t i = skip; i < lines_.size(); ++i) out.push_back(lines_[i]);
  if (!partial_.empty()) out.push_back(partial_);
  return out;
}

}  // namespace ktstr::vmm
