# Fails when a public header includes a third-party header other than nlohmann/json: users'
# builds must never need oneDNN, Eigen, CUDA, curl, Oniguruma, PCRE2, utf8proc or sentencepiece.
file(GLOB_RECURSE headers ${SOURCE_DIR}/include/*.hpp)
set(failures "")
foreach(header IN LISTS headers)
  file(STRINGS ${header} includes REGEX "^[ \t]*#[ \t]*include[ \t]*<")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*<([^>]+)>.*" "\\1" included "${line}")
    # Standard headers have no extension (or are C headers); nlohmann/json is the one allowed library.
    if(included MATCHES "\\." AND NOT included MATCHES "^nlohmann/")
      string(APPEND failures "  ${header}: #include <${included}>\n")
    endif()
  endforeach()
endforeach()
list(LENGTH headers count)
if(failures)
  message(FATAL_ERROR "public headers include third-party headers:\n${failures}")
endif()
message(STATUS "${count} public headers include only the standard library and nlohmann/json")
