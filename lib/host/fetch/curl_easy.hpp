// Move-only owner of a libcurl easy handle carrying ktstr's network policy:
// 5 s connect timeout and a low-speed limit, so an offline or dead mirror
// fails within 10 s with an error that names the URL and suggests the local
// Debian tarball instead.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace ktstr::fetch {

// Appended to network failures: where to get kernel sources without a network.
inline constexpr std::string_view kOfflineHint =
    "no network? use the local tarball instead: --kernel /usr/src/linux-source-6.12.tar.xz "
    "(Debian package linux-source-6.12)";

class CurlEasy {
 public:
  // A handle for GET url with the policy options set; callers add callbacks.
  static Result<CurlEasy> create(const std::string& url);

  [[nodiscard]] CURL* get() const { return handle_.get(); }
  [[nodiscard]] const std::string& url() const { return url_; }
  // Runs the transfer. Errors name the URL; network failures add kOfflineHint.
  Result<void> perform();
  // libcurl's result of the last perform() (CURLE_OK before any).
  [[nodiscard]] CURLcode last_code() const { return last_code_; }
  // HTTP status of the last response, 0 when none arrived.
  [[nodiscard]] long response_code() const;

 private:
  struct Cleanup {
    void operator()(CURL* h) const { curl_easy_cleanup(h); }
  };
  std::unique_ptr<CURL, Cleanup> handle_;
  std::string url_;
  // Heap-allocated: libcurl keeps this pointer, and the owner is movable.
  std::unique_ptr<char[]> errbuf_;
  CURLcode last_code_ = CURLE_OK;
};

// GETs a small text resource (releases list, checksums, directory listing).
// nullopt when the server says it does not exist (HTTP 404/410); an error for
// network failures and other HTTP errors.
Result<std::optional<std::string>> http_get_if_exists(const std::string& url);

// Like http_get_if_exists, but a missing resource is an error too.
Result<std::string> http_get_text(const std::string& url);

}  // namespace ktstr::fetch
