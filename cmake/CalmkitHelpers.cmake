# Helpers shared by calmkit's CMake files.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The warnings calmkit's own code is kept clean of.
function(calmkit_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion)
    if(CALMKIT_WERROR)
      target_compile_options(${target} PRIVATE -Werror)
    endif()
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
      # GCC 12 at -O3 reports libstdc++'s own `"literal" + std::string` as
      # overlapping memcpy (GCC bug 105329), a false positive.
      target_compile_options(${target} PRIVATE -Wno-restrict)
    endif()
  endif()
endfunction()

# calmkit_add_library(<part> <INTERFACE|STATIC|SHARED> [sources...])
# Creates target calmkit_<part> (or `calmkit` for the core), its alias
# calmkit::<part>, and the export name <part>, the same inside the build as
# after find_package(calmkit).
function(calmkit_add_library part kind)
  if(part STREQUAL "calmkit")
    set(target calmkit)
  else()
    set(target calmkit_${part})
  endif()
  add_library(${target} ${kind} ${ARGN})
  add_library(calmkit::${part} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${part})
  if(NOT kind STREQUAL "INTERFACE")
    target_compile_features(${target} PUBLIC cxx_std_20)
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON
                                               CXX_EXTENSIONS OFF)
    calmkit_set_warnings(${target})
  endif()
endfunction()

# Installs the headers, the named parts, and a relocatable CMake package.
function(calmkit_install_package)
  set(targets)
  foreach(part IN LISTS ARGN)
    if(part STREQUAL "calmkit")
      list(APPEND targets calmkit)
    else()
      list(APPEND targets calmkit_${part})
    endif()
  endforeach()
  install(TARGETS ${targets} EXPORT calmkitTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
          INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/calmkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  set(cfgdir ${CMAKE_INSTALL_LIBDIR}/cmake/calmkit)
  install(EXPORT calmkitTargets NAMESPACE calmkit:: DESTINATION ${cfgdir})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/calmkitConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/calmkitConfig.cmake
                                INSTALL_DESTINATION ${cfgdir})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/calmkitConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/calmkitConfig.cmake
                ${PROJECT_BINARY_DIR}/calmkitConfigVersion.cmake
          DESTINATION ${cfgdir})
endfunction()
