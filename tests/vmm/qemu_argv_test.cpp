// QEMU argv builder and memory plan: pure functions, no VM.
#include <doctest/doctest.h>
