#include "host/fetch/curl_easy.hpp"

#include <mutex>

namespace ktstr::fetch {
namespace {

// Policy (issue 2): an offline or dead host must fail within 10 s in total.
// Connecting (DNS included) gets 5 s; an established transfer slower than
// 1 KiB/s for 5 s is abandoned (and a download resumes from its .part).
constexpr long kConnectTimeoutS = 5;
constexpr long kLowSpeedBytesPerS = 1024;
constexpr long kLowSpeedTimeS = 5;
// Text resources are at most a few MB (kernel.org's sha256sums.asc is ~0.5 MB).
constexpr size_t kMaxTextBytes = 64u << 20;

bool is_network_failure(CURLcode c) {
  switch (c) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PARTIAL_FILE:
      return true;
    default:
      return false;
  }
}

size_t append_text(char* data, size_t size, size_t nmemb, void* user) {
  auto* out = static_cast<std::string*>(user);
  if (out->size() + size * nmemb > kMaxTextBytes) return 0;  // aborts with CURLE_WRITE_ERROR
  out->append(data, size * nmemb);
  return size * nmemb;
}

}  // namespace

Result<CurlEasy> CurlEasy::create(const std::string& url) {
  // curl_global_init is not thread-safe; run it once, on first use, not in a
  // static constructor (STYLE rule 2).
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CurlEasy c;
  c.handle_.reset(curl_easy_init());
  if (!c.handle_) return fail("curl_easy_init failed for {}", url);
  c.url_ = url;
  c.errbuf_ = std::make_unique<char[]>(CURL_ERROR_SIZE);
  c.errbuf_[0] = '\0';
  CURL* h = c.handle_.get();
  curl_easy_setopt(h, CURLOPT_URL, c.url_.c_str());
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c.errbuf_.get());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutS);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, kLowSpeedBytesPerS);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, kLowSpeedTimeS);
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM games in a threaded host
  curl_easy_setopt(h, CURLOPT_USERAGENT, "ktstr");
  return c;
}

Result<void> CurlEasy::perform() {
  errbuf_[0] = '\0';
  last_code_ = curl_easy_perform(handle_.get());
  if (last_code_ == CURLE_OK) return {};
  std::string detail = errbuf_[0] != '\0' ? std::string(errbuf_.get()) : curl_easy_strerror(last_code_);
  if (is_network_failure(last_code_)) return fail("GET {}: {}; {}", url_, detail, kOfflineHint);
  return fail("GET {}: {}", url_, detail);
}

long CurlEasy::response_code() const {
  long code = 0;
  curl_easy_getinfo(handle_.get(), CURLINFO_RESPONSE_CODE, &code);
  return code;
}

Result<std::optional<std::string>> http_get_if_exists(const std::string& url) {
  CurlEasy c = KTSTR_TRY(CurlEasy::create(url));
  std::string body;
  curl_easy_setopt(c.get(), CURLOPT_WRITEFUNCTION, append_text);
  curl_easy_setopt(c.get(), CURLOPT_WRITEDATA, &body);
  KTSTR_TRY_VOID(c.perform());
  long code = c.response_code();
  if (code == 404 || code == 410) return std::nullopt;
  // file:// and similar report 0; http must be 2xx.
  if (code != 0 && (code < 200 || code > 299)) return fail("GET {}: HTTP {}", url, code);
  return body;
}

Result<std::string> http_get_text(const std::string& url) {
  auto body = KTSTR_TRY(http_get_if_exists(url));
  if (!body) return fail("GET {}: HTTP 404 (not found)", url);
  return std::move(*body);
}

}  // namespace ktstr::fetch
