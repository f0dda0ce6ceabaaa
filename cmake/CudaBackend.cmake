# Decides whether the CUDA backend is built. When it is not, src/backends/cuda_stub.cpp is linked
# instead and every CUDA entry point throws "transformers.cpp was built without CUDA".
set(TRANSFORMERS_WITH_CUDA OFF)
if(NOT TRANSFORMERS_CUDA STREQUAL "OFF")
  if(NOT CMAKE_CUDA_COMPILER AND EXISTS /usr/local/cuda/bin/nvcc)
    set(CMAKE_CUDA_COMPILER /usr/local/cuda/bin/nvcc)
  endif()
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      # Ampere and Hopper as real code, plus PTX for newer GPUs; override with -DCMAKE_CUDA_ARCHITECTURES.
      set(CMAKE_CUDA_ARCHITECTURES 80-real 90)
    endif()
    enable_language(CUDA)
    # The .cu files need only C++17, and CMake before 3.26 knows no C++20 flag for nvcc.
    set(CMAKE_CUDA_STANDARD 17)
    set(CMAKE_CUDA_STANDARD_REQUIRED ON)
    # One CUDA runtime per process: the shared libcudart that CUDA::cudart and cuBLAS use, not a
    # second, static copy that CMake would otherwise link for the .cu files.
    set(CMAKE_CUDA_RUNTIME_LIBRARY Shared)
    find_package(CUDAToolkit REQUIRED)
    set(TRANSFORMERS_WITH_CUDA ON)
  elseif(TRANSFORMERS_CUDA STREQUAL "ON")
    message(FATAL_ERROR "TRANSFORMERS_CUDA=ON but no CUDA compiler (nvcc) was found; "
                        "install the CUDA toolkit or set TRANSFORMERS_CUDA=OFF")
  endif()
endif()
message(STATUS "transformers.cpp CUDA backend: ${TRANSFORMERS_WITH_CUDA}")
