# Every third-party dependency comes from a Debian package (scripts/install-deps.sh installs them).
# A missing one stops the configure step with the name of the package to install.
function(transformers_require found_var what package)
  if(NOT ${found_var})
    message(FATAL_ERROR "transformers.cpp needs ${what}: install the Debian package '${package}' "
                        "(or run scripts/install-deps.sh)")
  endif()
endfunction()

# oneDNN is found by its header and library, not by its CMake package: Debian builds oneDNN with the
# OpenCL GPU runtime, and its package config then requires the OpenCL headers (ocl-icd-opencl-dev,
# only "recommended"), which the CPU library we use never needs. The shared library's own runtime
# dependency on libOpenCL.so.1 comes with libdnnl itself.
find_path(DNNL_INCLUDE_DIR oneapi/dnnl/dnnl.hpp)
find_library(DNNL_LIBRARY NAMES dnnl)
if(DNNL_INCLUDE_DIR AND DNNL_LIBRARY)
  set(DNNL_FOUND TRUE)
  if(NOT TARGET DNNL::dnnl)
    add_library(DNNL::dnnl UNKNOWN IMPORTED)
    set_target_properties(DNNL::dnnl PROPERTIES IMPORTED_LOCATION "${DNNL_LIBRARY}"
                          INTERFACE_INCLUDE_DIRECTORIES "${DNNL_INCLUDE_DIR}")
  endif()
endif()
transformers_require(DNNL_FOUND "oneDNN" libdnnl-dev)

find_package(Eigen3 3.4 CONFIG QUIET)
transformers_require(Eigen3_FOUND "Eigen 3.4" libeigen3-dev)

find_package(nlohmann_json 3.10 CONFIG QUIET)
transformers_require(nlohmann_json_FOUND "nlohmann/json" nlohmann-json3-dev)

find_package(OpenMP QUIET)
transformers_require(OpenMP_CXX_FOUND "OpenMP" "libgomp (build-essential)")

find_package(Threads REQUIRED)

find_package(PkgConfig QUIET)
transformers_require(PKG_CONFIG_FOUND "pkg-config" pkg-config)
pkg_check_modules(ONIGURUMA QUIET IMPORTED_TARGET oniguruma)
transformers_require(ONIGURUMA_FOUND "Oniguruma" libonig-dev)
pkg_check_modules(PCRE2 QUIET IMPORTED_TARGET libpcre2-8)
transformers_require(PCRE2_FOUND "PCRE2" libpcre2-dev)
pkg_check_modules(UTF8PROC QUIET IMPORTED_TARGET libutf8proc)
transformers_require(UTF8PROC_FOUND "utf8proc" libutf8proc-dev)
pkg_check_modules(SENTENCEPIECE QUIET IMPORTED_TARGET sentencepiece)
transformers_require(SENTENCEPIECE_FOUND "sentencepiece" libsentencepiece-dev)
find_package(CURL QUIET)
transformers_require(CURL_FOUND "libcurl" libcurl4-openssl-dev)
find_package(OpenSSL QUIET COMPONENTS Crypto)
transformers_require(OPENSSL_FOUND "OpenSSL libcrypto (SHA-256 of downloads)" libssl-dev)
# The server's HTTP layer (and the hub tests' fake Hub); Debian ships cpp-httplib compiled
# (libcpp-httplib.so).
pkg_check_modules(CPP_HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
transformers_require(CPP_HTTPLIB_FOUND "cpp-httplib (the server's HTTP layer)" libcpp-httplib-dev)
find_package(yaml-cpp CONFIG QUIET)
transformers_require(yaml-cpp_FOUND "yaml-cpp (model cards)" libyaml-cpp-dev)

if(TRANSFORMERS_BUILD_TESTS)
  find_package(Catch2 2 CONFIG QUIET)
  transformers_require(Catch2_FOUND "Catch2 v2" catch2)
endif()
