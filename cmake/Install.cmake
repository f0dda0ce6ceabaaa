# Install rules and the package config, so another project can find_package(transformers) and
# link transformers::transformers.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS transformers EXPORT transformersTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
if(TARGET transformers_cuda)
  # Loaded at run time from the core library's folder (src/backends/cuda_loader.cpp).
  install(TARGETS transformers_cuda LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/transformers DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT transformersTargets NAMESPACE transformers::
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/transformers)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/transformersConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/transformersConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/transformers)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/transformersConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/transformersConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/transformersConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/transformers)
