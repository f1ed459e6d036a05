// download_release: resumable GET into <name>.part, sha256 check, rename.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <system_error>

#include "base/fd.hpp"
#include "host/fetch/curl_easy.hpp"
#include "host/fetch/fetch.hpp"
#include "host/fetch/progress.hpp"
#include "base/sha256.hpp"

namespace ktstr::fetch {
namespace {

namespace fs = std::filesystem;

// An interrupted transfer that made progress is resumed this many times
// within one call; one that made none fails at once (offline must be fast).
constexpr int kMaxAttempts = 4;

// State shared with libcurl's callbacks during one request.
struct Transfer {
  CurlEasy* curl = nullptr;
  int fd = -1;
  Sha256* hash = nullptr;
  ProgressBar* progress = nullptr;
  const std::function<bool()>* cancelled = nullptr;
  long long offset = 0;              // bytes of the .part kept for this request
  long long received = 0;            // body bytes written by this request
  std::optional<long long> range_start;  // from Content-Range on a 206
  bool started = false;
  bool discard = false;              // error status: drop the body
  long status = 0;
  std::optional<Error> error;        // why a callback aborted the transfer
};

long long file_size_or_zero(const fs::path& p) {
  std::error_code ec;
  auto n = fs::file_size(p, ec);
  return ec ? 0 : static_cast<long long>(n);
}

// Called once per response before its first body byte.
Result<void> start_body(Transfer& t) {
  t.status = t.curl->response_code();
  if (t.status == 200 && t.offset > 0) {
    // The server ignored the Range request: start the file over.
    if (::ftruncate(t.fd, 0) != 0) return fail_errno("truncating partial download");
    t.hash->reset();
    t.offset = 0;
  } else if (t.status == 206) {
    if (t.range_start != t.offset)
      return fail("server resumed at byte {} but {} bytes are on disk", t.range_start.value_or(-1), t.offset);
  } else if (t.status != 200) {
    t.discard = true;
  }
  return {};
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "content-range:";
  if (line.size() > kName.size()) {
    std::string head(line.substr(0, kName.size()));
    std::transform(head.begin(), head.end(), head.begin(), [](unsigned char c) { return std::tolower(c); });
    // "Content-Range: bytes 100-999/1000" (RFC 9110 section 14.4).
    if (head == kName) {
      long long start = -1;
      if (std::sscanf(std::string(line.substr(kName.size())).c_str(), " bytes %lld-", &start) == 1)
        t->range_start = start;
    }
  }
  return size * n;
}

size_t on_data(char* data, size_t size, size_t n, void* user) {
  auto* t = static_cast<Transfer*>(user);
  if (!t->started) {
    t->started = true;
    if (auto r = start_body(*t); !r) {
      t->error = r.error();
      return 0;  // aborts with CURLE_WRITE_ERROR
    }
  }
  if (t->discard) return size * n;
  std::string_view chunk(data, size * n);
  if (auto w = write_all(t->fd, chunk); !w) {
    t->error = w.error();
    return 0;
  }
  t->hash->update(chunk);
  t->received += static_cast<long long>(chunk.size());
  return chunk.size();
}

int on_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  t->progress->update(t->offset + now, total > 0 ? t->offset + total : 0);
  if (t->cancelled && *t->cancelled && (*t->cancelled)()) {
    t->error = Error{fmt::format("GET {}: interrupted", t->curl->url())};
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

bool resumable(CURLcode c) {
  return c == CURLE_PARTIAL_FILE || c == CURLE_RECV_ERROR || c == CURLE_OPERATION_TIMEDOUT || c == CURLE_GOT_NOTHING;
}

struct Attempt {
  Result<void> result;
  long long received = 0;
  CURLcode code = CURLE_OK;
};

// One GET of url, appending to part (Range from its current size). The hash
// is recomputed over the kept bytes first, so it always covers the whole file.
Attempt fetch_once(const std::string& url, const fs::path& part, Sha256& hash, ProgressBar& bar,
                   const DownloadOptions& opts) {
  auto run = [&](Transfer& t) -> Result<void> {
    UniqueFd fd = KTSTR_TRY(open_file(part, O_WRONLY | O_CREAT | O_APPEND, 0644));
    t.offset = file_size_or_zero(part);
    hash.reset();
    if (t.offset > 0) KTSTR_TRY_VOID(hash.update_from_file(part, t.offset));
    CurlEasy curl = KTSTR_TRY(CurlEasy::create(url));
    t.curl = &curl;
    t.fd = fd.get();
    std::string range = fmt::format("{}-", t.offset);
    if (t.offset > 0) curl_easy_setopt(curl.get(), CURLOPT_RANGE, range.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &t);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &t);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &t);
    curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
    auto performed = curl.perform();
    if (t.error) return std::unexpected(*t.error);
    if (!performed) return performed;
    long status = curl.response_code();
    // 416: nothing left after our offset, i.e. the .part is already complete.
    if (status == 416 && t.offset > 0) return {};
    if (status != 200 && status != 206) return fail("GET {}: HTTP {}", url, status);
    if (::fsync(fd.get()) != 0) return fail_errno(fmt::format("fsync {}", part.string()));
    return {};
  };
  Transfer t{.hash = &hash, .progress = &bar, .cancelled = &opts.cancelled};
  Attempt a{.result = run(t)};
  a.received = t.received;
  a.code = t.curl != nullptr ? t.curl->last_code() : CURLE_OK;
  return a;
}

bool is_sha256_hex(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

Result<std::string> file_name_of(const std::string& url) {
  std::string name = url.substr(url.rfind('/') + 1);
  if (name.empty() || name == "." || name == "..") return fail("URL {} does not end in a file name", url);
  return name;
}

}  // namespace

Result<fs::path> download_release(const KernelRelease& rel, const fs::path& dest_dir, const DownloadOptions& opts) {
  if (!is_sha256_hex(rel.sha256)) return fail("downloading {}: no valid sha256 to verify it against", rel.url);
  std::string name = KTSTR_TRY(file_name_of(rel.url));
  std::error_code ec;
  fs::create_directories(dest_dir, ec);
  if (ec) return fail("creating {}: {}", dest_dir.string(), ec.message());
  fs::path final_path = dest_dir / name;
  fs::path part = dest_dir / (name + ".part");
  std::string want = lower(rel.sha256);

  Sha256 hash;
  if (fs::exists(final_path, ec)) {
    KTSTR_TRY_VOID(hash.update_from_file(final_path));
    if (hash.hex() == want) return final_path;  // already downloaded and intact
    fs::remove(final_path, ec);
  }
  ProgressBar bar(name, opts.progress);
  for (int attempt = 1;; ++attempt) {
    Attempt a = fetch_once(rel.url, part, hash, bar, opts);
    if (a.result) break;
    if (file_size_or_zero(part) == 0) fs::remove(part, ec);  // leave no empty litter
    if (attempt == kMaxAttempts || a.received == 0 || !resumable(a.code)) {
      Error e = std::move(a.result).error();
      // A full disk: the .part stays (it is what a rerun resumes from).
      if (e.sys_errno == ENOSPC)
        e.message = fmt::format("writing {}: {}: the disk holding {} is full; free space and rerun (the download "
                                "resumes from the .part), or point KTSTR_CACHE_DIR elsewhere",
                                part.string(), e.message, dest_dir.string());
      return std::unexpected(std::move(e));
    }
  }
  std::string got = hash.hex();
  if (got != want) {
    fs::remove(part, ec);
    return fail("{}: sha256 mismatch: expected {}, got {}; the download was deleted", rel.url, want, got);
  }
  fs::rename(part, final_path, ec);
  if (ec) return fail("renaming {} to {}: {}", part.string(), final_path.string(), ec.message());
  return final_path;
}

}  // namespace ktstr::fetch
