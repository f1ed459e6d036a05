# Writes IN as a C++ raw string literal into OUT (kconfig fragment embedding).
file(READ "${IN}" content)
file(WRITE "${OUT}" "#include \"fragment.hpp\"\nnamespace ktstr {\nconst std::string_view kKtstrKconfigFragment = R\"KTSTRFRAG(${content})KTSTRFRAG\";\n}\n")
