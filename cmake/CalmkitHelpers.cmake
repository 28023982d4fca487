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

# calmkit_add_library(<part> <INTERFACE|COMPILED> [sources...])
# Creates target calmkit_<part> (or `calmkit` for the header core), its alias
# calmkit::<part>, and the export name <part>, the same inside the build as
# after find_package(calmkit). A COMPILED part is static, or shared when
# BUILD_SHARED_LIBS is ON; either way its symbols are hidden except those
# marked CALMKIT_EXPORT (include/calmkit/export.hpp), and a shared one gets
# the SONAME libcalmkit_<part>.so.<major>.<minor> (CHANGELOG.md: while the
# major version is 0 a minor release may break the ABI).
function(calmkit_add_library part kind)
  if(part STREQUAL "calmkit")
    set(target calmkit)
  else()
    set(target calmkit_${part})
  endif()
  if(kind STREQUAL "COMPILED")
    add_library(${target} ${ARGN})
  else()
    add_library(${target} ${kind} ${ARGN})
  endif()
  add_library(calmkit::${part} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${part})
  if(NOT kind STREQUAL "INTERFACE")
    target_compile_features(${target} PUBLIC cxx_std_20)
    if(PROJECT_VERSION_MAJOR EQUAL 0)
      set(soversion ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
    else()
      set(soversion ${PROJECT_VERSION_MAJOR})
    endif()
    # DEFINE_SYMBOL "": no <target>_EXPORTS define, so a static and a shared
    # build compile with the same command lines and share ccache entries.
    set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE ON
                                               CXX_EXTENSIONS OFF
                                               CXX_VISIBILITY_PRESET hidden
                                               VISIBILITY_INLINES_HIDDEN ON
                                               DEFINE_SYMBOL ""
                                               VERSION ${PROJECT_VERSION}
                                               SOVERSION ${soversion}
                                               INSTALL_RPATH "$ORIGIN")
    calmkit_set_warnings(${target})
  endif()
endfunction()

# Installs the headers, the named parts (each in its own export set, so that
# find_package(calmkit COMPONENTS ...) loads and checks only what it is asked
# for), a relocatable CMake package and a pkg-config file.
function(calmkit_install_package)
  set(cfgdir ${CMAKE_INSTALL_LIBDIR}/cmake/calmkit)
  set(pc_libs)
  foreach(part IN LISTS ARGN)
    if(part STREQUAL "calmkit")
      set(target calmkit)
      set(component model)
    else()
      set(target calmkit_${part})
      set(component ${part})
      list(PREPEND pc_libs "-l${target}")  # dependents before their dependencies
    endif()
    install(TARGETS ${target} EXPORT calmkit-${component}
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} NAMELINK_COMPONENT Development
            RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
            INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    install(EXPORT calmkit-${component} NAMESPACE calmkit:: DESTINATION ${cfgdir}
            FILE calmkit-${component}-targets.cmake)
  endforeach()
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/calmkit DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  set(CALMKIT_SHARED ${BUILD_SHARED_LIBS})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/calmkitConfig.cmake.in
                                ${PROJECT_BINARY_DIR}/calmkitConfig.cmake
                                INSTALL_DESTINATION ${cfgdir})
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/calmkitConfigVersion.cmake
                                   COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/calmkitConfig.cmake
                ${PROJECT_BINARY_DIR}/calmkitConfigVersion.cmake
          DESTINATION ${cfgdir})
  # pkg-config: `pkg-config --cflags --libs calmkit` links either install.
  # A static library does not carry its own links, so a static install
  # Requires simdjson and SQLite (their -l flags come with calmkit's); a
  # shared one links them itself and its headers use neither, so it requires
  # nothing (pkg-config would otherwise want their .pc files, even private).
  list(JOIN pc_libs " " CALMKIT_PC_LIBS)
  if(BUILD_SHARED_LIBS)
    set(CALMKIT_PC_REQUIRES "")
  else()
    set(CALMKIT_PC_REQUIRES "Requires: simdjson sqlite3")
  endif()
  file(RELATIVE_PATH CALMKIT_PC_PREFIX_REL "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
  configure_file(${PROJECT_SOURCE_DIR}/cmake/calmkit.pc.in ${PROJECT_BINARY_DIR}/calmkit.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/calmkit.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()
