# Warnings, sanitizers and ISA flags, applied through an interface target so that they reach our
# own code only: consumers of the installed library never inherit them.
add_library(transformers_build_flags INTERFACE)
target_compile_options(transformers_build_flags INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor>)
# GCC 12 reports false -Wrestrict positives inside std::string at -O3 (GCC bug 105329).
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(transformers_build_flags INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Wno-restrict>)
endif()
if(TRANSFORMERS_WERROR)
  target_compile_options(transformers_build_flags INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
endif()
if(TRANSFORMERS_NATIVE)
  target_compile_options(transformers_build_flags INTERFACE $<$<COMPILE_LANGUAGE:CXX>:-march=native>)
endif()

if(TRANSFORMERS_SANITIZE STREQUAL "address")
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
elseif(TRANSFORMERS_SANITIZE STREQUAL "thread")
  set(_san -fsanitize=thread -fno-omit-frame-pointer)
elseif(TRANSFORMERS_SANITIZE STREQUAL "fuzzer")
  # clang only (the fuzz preset): libFuzzer's coverage in every object, its main only in the fuzz
  # targets (tests/fuzz/CMakeLists.txt links them with -fsanitize=fuzzer).
  set(_san -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-fsanitize=fuzzer-no-link>)
elseif(NOT TRANSFORMERS_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TRANSFORMERS_SANITIZE must be '', 'address', 'thread' or 'fuzzer', not '${TRANSFORMERS_SANITIZE}'")
endif()
if(_san)
  # Sanitizers must reach every object and the link, consumers included, so they are global.
  foreach(flag IN LISTS _san)
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:${flag}>)
  endforeach()
  add_link_options(${_san})
endif()
