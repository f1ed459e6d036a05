#include "fake_kernel_org.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>

#include "base/fd.hpp"

namespace ktstr::fetch::test {
namespace {

// Reads one '\n'-terminated line; blocks until the server prints it or exits.
Result<std::string> read_line(int fd) {
  std::string line;
  char c = 0;
  while (true) {
    ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail_errno("reading http_server.py output");
    if (n == 0) return fail("http_server.py exited before printing its port (got '{}')", line);
    if (c == '\n') return line;
    line += c;
  }
}

}  // namespace

Result<FakeKernelOrg> FakeKernelOrg::start(const Options& opts) {
  FakeKernelOrg f;
  f.dir_ = KTSTR_TRY(TempDir::create("ktstr-fake-kernel-org-"));
  std::filesystem::create_directories(f.root());
  std::vector<std::string> argv = {"python3", KTSTR_HTTP_SERVER_PY, "--root", f.root().string(),
                                   "--make-fake-kernel-org", "--log", (f.dir_.path() / "requests.log").string()};
  if (opts.drop_after) {
    argv.insert(argv.end(), {"--drop-after", std::to_string(*opts.drop_after), "--drop-count",
                             std::to_string(opts.drop_count)});
  }
  if (opts.ignore_range) argv.push_back("--ignore-range");
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return fail_errno("pipe2");
  UniqueFd rd(fds[0]);
  UniqueFd wr(fds[1]);
  f.server_ = KTSTR_TRY(ChildProcess::spawn(argv, {.stdout_fd = wr.get()}));
  wr.reset();  // so a dying server gives EOF instead of a hang
  std::string line = KTSTR_TRY(read_line(rd.get()));
  if (std::sscanf(line.c_str(), "PORT %d", &f.port_) != 1) return fail("http_server.py said '{}'", line);
  return f;
}

std::string FakeKernelOrg::log() const {
  auto text = read_file(dir_.path() / "requests.log");
  return text ? *text : std::string();
}

namespace {

sockaddr_in loopback(int port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  return addr;
}

}  // namespace

Result<Blackhole> make_blackhole() {
  Blackhole b;
  b.listener = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr = loopback(0);
  socklen_t len = sizeof addr;
  if (::bind(b.listener.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return fail_errno("bind");
  if (::listen(b.listener.get(), 0) != 0) return fail_errno("listen");
  ::getsockname(b.listener.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  b.port = ntohs(addr.sin_port);
  // Linux keeps backlog+1 completed connections; a few more guarantee that
  // the queue is full and later SYNs are dropped.
  for (int i = 0; i < 4; ++i) {
    UniqueFd c(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    sockaddr_in to = loopback(b.port);
    ::connect(c.get(), reinterpret_cast<sockaddr*>(&to), sizeof to);  // EINPROGRESS expected
    b.queued.push_back(std::move(c));
  }
  return b;
}

int closed_loopback_port() {
  UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len);
  return ntohs(addr.sin_port);  // closed when s goes out of scope
}

}  // namespace ktstr::fetch::test
