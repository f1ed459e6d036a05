// The guest program of the VM tests: /init of the test initramfs. All the
// work is the library's PID 1 sequence; arguments arrive in /ktstr/argv.json.
#include "guest/pid1.hpp"

int main(int argc, char** argv) { return ktstr::guest::run_pid1(argc, argv); }
