// Spec only records requests; everything that can fail happens in build().
#include "initramfs/initramfs.hpp"

namespace ktstr::initramfs {

Spec& Spec::add_binary(const std::filesystem::path& src, std::string dst) {
  items_.push_back({std::move(dst), BinaryRequest{src}});
  return *this;
}

Spec& Spec::add_file(const std::filesystem::path& src, std::string dst, int mode) {
  items_.push_back({std::move(dst), FileRequest{src, mode}});
  return *this;
}

Spec& Spec::add_bytes(std::string dst, std::string content, int mode) {
  items_.push_back({std::move(dst), BytesRequest{std::move(content), mode}});
  return *this;
}

Spec& Spec::add_dir(std::string dst, int mode) {
  items_.push_back({std::move(dst), DirRequest{mode}});
  return *this;
}

Spec& Spec::add_symlink(std::string dst, std::string target) {
  items_.push_back({std::move(dst), SymlinkRequest{std::move(target)}});
  return *this;
}

Spec& Spec::add_char_device(std::string dst, int major, int minor, int mode) {
  items_.push_back({std::move(dst), CharDeviceRequest{major, minor, mode}});
  return *this;
}

Spec& Spec::add_default_dirs() {
  for (const char* dir : {"/dev", "/proc", "/sys", "/run", "/mnt", "/root", "/etc", "/bin", "/sbin",
                          "/usr/bin", "/usr/sbin"})
    add_dir(dir);
  add_dir("/tmp", 01777);
  // Device numbers from Documentation/admin-guide/devices.txt.
  add_char_device("/dev/console", 5, 1, 0600);
  add_char_device("/dev/null", 1, 3, 0666);
  return *this;
}

Spec& Spec::merge(const Spec& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
  return *this;
}

}  // namespace ktstr::initramfs
