// doctest's implementation, compiled once here: test executables must not
// define DOCTEST_CONFIG_IMPLEMENT themselves (the adapter provides main()).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
