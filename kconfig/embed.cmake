# Writes IN as a C++ raw string literal named NAME (in namespace ktstr) into OUT
# (kconfig fragment embedding).
file(READ "${IN}" content)
file(WRITE "${OUT}" "#include \"kconfig/fragment.hpp\"\nnamespace ktstr {\nconst std::string_view ${NAME} = R\"KTSTRFRAG(${content})KTSTRFRAG\";\n}\n")
