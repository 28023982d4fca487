/// @file export.hpp
/// @brief `CALMKIT_EXPORT`: what calmkit's shared libraries export.
///
/// calmkit's compiled parts are built with hidden symbol visibility
/// (`-fvisibility=hidden -fvisibility-inlines-hidden`), so a shared
/// `libcalmkit_<part>.so` exports only its public API: the classes and
/// functions declared with `CALMKIT_EXPORT` in these headers, never the
/// internals nor the libraries it uses privately (simdjson, SQLite,
/// range-v3, Boost.Math). The exception classes are exported too, so that a
/// `catch` in a program matches an exception thrown inside the library.
/// Static builds use the same settings, so both kinds compile alike.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
/// Marks a class or function as part of a shared library's public interface.
#define CALMKIT_EXPORT __attribute__((visibility("default")))
#else
/// Marks a class or function as part of a shared library's public interface.
#define CALMKIT_EXPORT
#endif
